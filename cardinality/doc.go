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
// # What the relaxation guarantees
//
// The returned plan always has at most k nonzeros in every column (with
// RowSparse, in every row) and is non-negative. With the semi-dual its column
// sums are exactly b. The row sums (semi-dual) or both marginals (dual) are
// NOT guaranteed: the relaxation need not have a feasible k-sparse plan at its
// optimum, and the nonconvex problem may have none at all (k = 1 usually does
// not). Result.MarginalError = ‖T1 − a‖₁ + ‖Tᵀ1 − b‖₁ of the returned plan is
// always reported, and Status is Converged only when it is at most Tol: then
// the plan is a certified global optimum of the nonconvex problem (the
// relaxed value equals its value). Otherwise the solve ends Stalled or
// IterationLimit and the plan is the k-sparse rounding of the relaxation.
//
// Result.DualValue is the relaxed objective at the returned potentials. It is
// a lower bound on OT_k whenever OT_k is feasible; the chain is
//
//	OT_k ≥ max S_k ≥ max D_k ≥ OT + (γ/(2k)) Σ_j b_j²,
//
// all nonincreasing in k, equal to the quadratically regularised value
// (package quadratic) for k ≥ n, and equal to OT + (γ/2) Σ_j b_j² for k = 1
// (OT being the unregularised optimum, package exact). For small k the
// objective is nearly piecewise linear and L-BFGS stalls on its kinks; the
// solver then takes a few hundred decaying Adam steps across the kinks and
// resumes L-BFGS (counted in MaxIter), which usually brings the relaxed
// value within a relative 1e-5 of its maximum, but a small-k solve still
// ends Stalled or IterationLimit whenever the relaxation is not tight. Use
// the k = 1 closed form when the value is all you need.
//
// # Value convention
//
// Value = <T, C> + (γ/2)‖T‖²_F at the returned plan (the convention of
// package quadratic), LinearCost = <T, C>. Because the plan may violate the
// row marginals, Value can be below DualValue. Potentials F, G are in cost
// units with T_ij = [F_i + G_j − C_ij]₊/γ on the kept entries.
//
// Conversions: POT ≥ 0.9 smooth_ot_semi_dual/smooth_ot_dual(a, b, M, reg,
// reg_type="sparsity_constrained", max_nz=k) uses Gamma = reg, K = max_nz and
// the same objective (POT 0.8.2 has no such solver). OTT-JAX has none. The
// official MoE code (google-research/vmoe, ksparse_projection_routing.py)
// uses γ = 1 on unnormalised masses (a_i = 1, b_j = n/m) and a semi-dual lower
// by (γ/2)Σ_j b_j; plans agree, values do not (compare plans). The Router
// reproduces its experts-choose-tokens router.
//
// # Routing
//
// Router turns a tokens × experts score matrix into a capacity-constrained
// assignment: cost −softmax(scores) row-wise, a_i = 1, b_j = n/m, γ = 1, at
// most Capacity tokens per expert. See Router for the details.
package cardinality
