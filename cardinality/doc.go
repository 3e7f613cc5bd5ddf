// Package cardinality solves sparsity-constrained (top-k) optimal transport:
// transport with at most k nonzeros in every column of the plan (at most k
// tokens per expert), and routes mixture-of-experts tokens with it.
//
// The problem is
//
//	OT_k(a, b) = min <T, C> + (γ/2)‖T‖²  over T ≥ 0, T1 = a, Tᵀ1 = b,
//	             ‖t_j‖₀ ≤ k for every column t_j,
//
// (Liu, Puigcerver, Blondel, "Sparsity-Constrained Optimal Transport", ICLR
// 2023). The cardinality constraint makes it nonconvex (deciding whether it is
// feasible at all contains PARTITION), so the package solves the convex
// relaxations of the paper:
//
//   - the semi-dual S_k(F) = <a, F> − Σ_j M_{k,j}(F − c_j) (the default,
//     SemiDual), whose per-column operator is the k-sparse simplex projection
//     of Kyrillidis et al. (ICML 2013): keep the k largest entries, project
//     them onto the simplex of mass b_j;
//   - the dual D_k(F, G) = <a, F> + <b, G> − Σ_j δ_k(F + G_j − c_j), with the
//     top-k conjugate δ_k(x) = (1/2γ) Σ_{top k} [x_i]₊² (Dual).
//
// Both are concave and maximised with L-BFGS (the default) or with the fixed
// step Adam of the paper's mixture-of-experts code.
//
// # What Solve returns
//
// Solve first proves infeasibility where it can (docs/cardinality.md §5):
// when the heaviest columns cannot be served by k rows each, when the
// number of nonzeros a plan needs exceeds k·m (equal weights), or when k = 1
// with as many rows as columns and weights that cannot be matched, it
// returns an error wrapping ot.ErrInfeasible, as for any bad input.
//
// Otherwise it maximises the relaxation, then repairs its plan: the
// relaxed plan's support, every uncovered row given its cheapest free slot
// (by reduced cost), grown or exchanged along the minimum cut of a maximum
// flow until the support carries the marginals, and quadratically
// regularised OT (package quadratic) solved on that support. The returned
// plan then has at most k nonzeros in every column (with RowSparse, in
// every row) and meets the marginals to Tol: it is a feasible point of
// the nonconvex problem. A bounded swap search then moves single entries
// within columns while the value falls. Result.Value is the plan's
// objective and Result.DualValue a certified lower bound on the k-sparse
// optimum, so Value − DualValue bounds the plan's suboptimality. The bound
// is the relaxation's value; when that leaves a gap above GapTol it is
// raised by the slot bound (the Lagrangian dual of the column marginals
// and of the number of nonzeros, in total or per column, which keeps every
// row's number of entries an integer and is much tighter at large γ), and
// on small
// problems (at most 2^17 supports) by an exhaustive search over the
// supports, which solves the problem exactly (docs/cardinality.md §5).
// Status is Converged when the plan meets the marginals (MarginalError ≤
// Tol × mass) and the gap is at most GapTol (relative, default 1e-3).
// A feasible plan farther from the bound ends Stalled or IterationLimit:
// the relaxations are not tight in general (at large γ with binding k the
// gap between them and the optimum can be a few per mille), so such a
// plan may well be optimal, but it is not certified.
//
// The default γ (Gamma = 0) is package quadratic's data-relative one,
// 1% of the cost range per average row or column mass, so the default
// solve does not depend on the units of the cost or of the weights.
//
// Deciding feasibility is NP-hard in general (it contains PARTITION), so
// the repair may fail on a feasible problem (it is not seen to on the
// tests' brute-forced tiny problems); Solve then returns the relaxation's
// own k-sparse plan (columns exact with the semi-dual, rows not) with its
// MarginalError and a Status other than Converged.
//
// The relaxation bounds
//
//	OT_k ≥ max S_k ≥ max D_k ≥ OT + (γ/(2k)) Σ_j b_j²
//
// are all nonincreasing in k, equal to the quadratically regularised value
// (package quadratic) for k ≥ n, and equal to OT + (γ/2) Σ_j b_j² for k = 1
// (OT being the unregularised optimum): for k = 1 Solve takes the
// potentials from package exact and DualValue is that closed form. For
// other small k the objective is nearly piecewise linear and L-BFGS
// stalls on its kinks; the solver then takes a few hundred decaying Adam
// steps across the kinks and resumes L-BFGS (counted in MaxIter), and the
// plan is repaired from each stall point and from the final one, the best
// feasible repair being returned. A relaxation stopped early still gives a
// valid, looser, bound.
//
// # Value convention
//
// Value = <T, C> + (γ/2)‖T‖²_F at the returned plan (the convention of
// package quadratic), LinearCost = <T, C>. Potentials F, G are in cost
// units with T_ij = [F_i + G_j − C_ij]₊/γ on the plan's support (those of
// the restricted solve for a repaired plan).
//
// Conversions: POT ≥ 0.9 smooth_ot_semi_dual/smooth_ot_dual(a, b, M, reg,
// reg_type="sparsity_constrained", max_nz=k) uses Gamma = reg, K = max_nz and
// the same objective (POT 0.8.2 has no such solver). OTT-JAX has none. The
// official MoE code (google-research/vmoe, ksparse_projection_routing.py)
// uses γ = 1 on unnormalised masses (a_i = 1, b_j = n/m) and a semi-dual lower
// by (γ/2)Σ_j b_j² (docs/cardinality.md §2); its plans are the relaxation's
// (not repaired). The Router
// reproduces its experts-choose-tokens router.
//
// # Routing
//
// Router turns a tokens × experts score matrix into a capacity-constrained
// assignment: cost −softmax(scores) row-wise, a_i = 1, b_j = n/m, γ = 1, at
// most Capacity tokens per expert. See Router for the details.
package cardinality
