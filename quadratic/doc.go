// Package quadratic solves quadratically-regularized optimal transport,
//
//	OT_γ(a, b) = min_{T ∈ U(a,b)} <T, C> + (γ/2)‖T‖²_F,   U(a,b) = {T ≥ 0 : T1 = a, Tᵀ1 = b},
//
// whose optimal plan is sparse, unlike the entropic one (Blondel, Seguy,
// Rolet, "Smooth and Sparse Optimal Transport", AISTATS 2018; Lorenz, Manns,
// Meyer, "Quadratically Regularized Optimal Transport", Appl. Math. Optim.
// 83, 2021). The plan is returned as an *ot.SparsePlan (CSR) built from the
// potentials, T_ij = [F_i + G_j − C_ij]₊/γ, without a dense n×m buffer;
// entries below 1e-15 times the total mass are not stored.
//
// # Methods
//
//   - Newton (default): semismooth Newton on the dual (Lorenz, Manns, Meyer,
//     Algorithm 2) with generalized Hessian [[diag(σ1), σ], [σᵀ, diag(σᵀ1)]] + δI,
//     solved by Jacobi-preconditioned conjugate gradients on the Schur
//     complement of its column block (the Hessian is 2-cyclic, so this
//     takes half the iterations of CG on the whole system), globalized by:
//     the c-transform start G_j = min_i (C_ij − F_i) + γb_j,
//     F_i = min_j (C_ij − G_j) + γa_i; Armijo backtracking capped at 30
//     halvings, δ multiplied by 10 when it fails and divided by 10 (floor
//     1e-5) after a full step; a diagonal shift of at least
//     0.1·MarginalError/mass (Levenberg–Marquardt-like, which made the
//     first continuation stage converge in fewer, cheaper iterations); a
//     cap on the first trial step (the near-null directions of the
//     Hessian, one per connected component of the active set, are
//     otherwise scaled by 1/δ); γ-continuation from max(γ, 4·range(C)),
//     dividing γ by 8 per stage, each intermediate stage to
//     MarginalError 1e-2 × mass (docs/quadratic.md §5.3; the tuning is in
//     bench/RESULTS.md); exact row and column updates (docs/quadratic.md
//     §5.4) of every trial point when the weights of a side span more
//     than six orders of magnitude or after 20 iterations without
//     progress (then the cost is also kept transposed); and a fallback to
//     SemiDualLBFGS from the current F after 20 more iterations without
//     progress. MaxIter applies per stage. By far the
//     fastest method on the benchmark family (bench/results/quadratic.md:
//     roughly 6–24 times faster than the L-BFGS methods to MarginalError
//     1e-6, 20–70 times faster than POT's smooth_ot_dual to its own
//     stopping point); the continuation is skipped when Init gives
//     both F and G.
//   - SemiDualLBFGS: maximizes the semi-dual
//     S(F) = <a,F> − Σ_j max_{t ≥ 0, Σt = b_j} <F − c_j, t> − (γ/2)‖t‖²
//     (Blondel et al. eq. 10); each column of the plan is a Euclidean
//     projection onto the scaled simplex, so the column marginals hold to
//     rounding. G_j = −γθ_j from the projection thresholds. The only
//     method for a squared-Euclidean or Euclidean *ot.PointCloud whose
//     dense matrix would exceed MaxDenseBytes: its cost columns are then
//     computed from the points when needed, a column's candidates found
//     through a tree over the row points, with the same result bit for
//     bit (bench/results/scale.md: 20 000 × 20 000 points).
//   - DualLBFGS: maximizes the dual
//     D(F,G) = <a,F> + <b,G> − (1/(2γ)) Σ_ij [F_i + G_j − C_ij]₊²
//     (Blondel et al. eq. 7).
//
// Both L-BFGS methods use internal/lbfgs, whose line search tests only
// directional derivatives (value tests stall near the optimum, where S
// changes by less than float64 resolution). The gradients are the marginal
// violations, so the stopping test MarginalError ≤ Tol costs nothing.
//
// All three evaluate the objective over a working set when that is exact:
// the entries that can be active are those with F_i + G_j − C_ij > −margin
// at the last full pass, as long as a cheap O(n + m) bound on how much the
// potentials moved since then (max ΔF + max ΔG for the dual, the range of
// ΔF for the semi-dual, whose thresholds move with F) stays below the
// margin. The margin follows the step sizes and is cut to keep the working
// set under a fixed share of the entries (after a cut, the dual's full
// passes collect nothing until the margin wanted has dropped well below
// the one cut, as in Newton's first continuation stage, where the steps
// are large); Newton collects, before its line
// search, the working set covering the whole step. Near convergence an
// evaluation costs O(nnz) instead of O(nm).
//
// # Cancellation
//
// The context is checked throughout: in the setup, in every pass over the
// cost, in the conjugate gradients and in the line searches. A canceled
// solve returns within about 100 ms with Status Canceled and the last
// point evaluated in full, with its plan: Newton's current iterate, or the
// last complete evaluation of an L-BFGS method (an iterate or a line-search
// trial). Before the first such point, or when the plan of Newton's or the
// dual's iterate would take too long to build (more than 2¹⁷ active
// entries), it returns zero potentials, the empty plan, DualValue 0 and the
// MarginalError of the empty plan. The dense cost of a large problem is
// kept outside the Go heap (an anonymous mapping on Unix, obtained without
// a pass to zero it) and released when Solve returns.
//
// # Value convention
//
// Result.Value = <T,C> + (γ/2)‖T‖²_F at the returned plan; LinearCost =
// <T,C>; DualValue is D(F,G) (equal to S(F) for the semi-dual), so
// Value − DualValue is the duality gap, which equals <F, T1 − a> + <G, Tᵀ1 − b>.
// F and G are in cost units. Rows and columns of zero weight are removed
// before solving; they are empty in the plan and get the c-transform of the
// other potentials (the largest value keeping them empty).
// Validation: 0 < γ < ∞ (zero selects the default below) and γ ≥
// 1e-9·max|C| per unit of mass (below that, float64 cannot resolve T from
// the potentials); the ot.Problem checks.
//
// # Choosing γ
//
// γ is not scale-free. It is in cost units per unit of mass: multiplying
// the cost by s gives the same plan at γ·s, and for weights multiplied by
// s the optimal plan is s times the plan for the original weights at γ·s
// (docs/quadratic.md §1.2). A row of mass a_i spreads over the entries
// whose reduced cost C_ij − G_j lies within about γ·a_i of its smallest,
// so γ·(mass/max(n, m)), γ times an average row or column mass, is the
// width of that window in cost units. The default (Gamma = 0) sets it to
// DefaultGammaFactor = 1% of the cost range:
//
//	γ = 0.01 · (max C − min C) · max(n, m) / mass
//
// over the finite costs and the n rows and m columns of positive weight
// (at least 1e-9·max|C| per unit of mass). It is equivariant under both
// scalings (cost·s gives γ·s, weights·s give γ/s, so the plan scales with
// the weights), like the entropic solver's ε = 0.05·std(C). On the
// benchmark families (Gaussian point clouds and 1-D histograms with a
// squared-distance cost, n = 100…1000) it gives moderately sparse plans,
// about 5–20 entries per row (1–6% of the entries), where γ = 1 with
// uniform weights is almost unregularized (one or two entries per row at
// n = 1000). A smaller γ gives a sparser plan closer to the unregularized
// optimum and a harder problem.
//
// # Conversions
//
//   - POT ot.smooth.smooth_ot_dual / smooth_ot_semi_dual(a, b, M, reg,
//     reg_type='l2'): Gamma = reg, identical plan and Value; POT's alpha,
//     beta are F, G. POT stops on scipy's L-BFGS-B tolerances (marginal
//     errors near 1e-3 are common); set Tol instead.
//   - POT ≥ 0.9 ot.solve(M, a, b, reg, reg_type='L2'): Gamma = reg, same
//     plan; POT reports value_linear + reg·‖T‖², so Value = POT value −
//     (reg/2)‖T‖².
//   - OptimalTransport.jl quadreg(μ, ν, C, ε): Gamma = ε, F = u, G = v.
//   - jaxopt projection_transport: Gamma = 1.
package quadratic
