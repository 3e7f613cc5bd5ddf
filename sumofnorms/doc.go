// Package sumofnorms solves class-based optimal transport with a
// sum-of-norms regularizer (Rahbar, Panahi, Haghir Chehreghani, Dubhashi,
// Krim, ICML 2023):
//
//	min_{T ∈ U(a,b)} <C,T> + λ R(T),
//	R(T) = M Σ_{e=(i,i')∈E} w_e ‖T_i/a_i − T_i'/a_i'‖₂,
//
// where T_i/a_i is the conditional distribution of the targets given source
// i, M = Σa, and the edges E join sources of the same class (or nearest
// neighbours). A fused edge (a zero term) means the two sources split their
// mass over the targets in the same proportions; above a finite λ* every
// class moves as one block and the plan is the class-level optimal plan
// lifted back to the samples. The paper's code is not public: the program
// is a reconstruction with every choice configurable (Side, Edges,
// Weights); docs/sumofnorms.md gives the mathematics and the differences.
//
// # Methods
//
// PDHG (the default) is the Chambolle–Pock primal–dual method with
// diagonal preconditioning in scaled variables and a rebalanced primal
// weight; every step is closed form (a clipped gradient step on T, a
// projection of each edge dual onto the λ-ball). SmoothedDual is the
// paper's accelerated proximal scheme as reconstructed: FISTA on the dual
// of the ρ-smoothed program with closed-form projections, gradient restarts
// and continuation ρ → 0. λ = 0 is exact optimal transport and is solved by
// package exact.
//
// # Result conventions
//
// The plan is dense (*ot.DensePlan; *ot.SparsePlan for λ = 0) and always
// in U(a,b) up to round-off: the iterate is rounded onto the transport
// polytope before any figure is computed. Value = <C,T> + λR(T) and
// LinearCost = <C,T> at that plan. DualValue = <F,a> + <G,b> is a certified
// lower bound on the optimum (F the c-transform of G for the cost C + D*Z,
// Z the edge duals), so Value − DualValue bounds the suboptimality of the
// returned plan. Converged promises MarginalError ≤ Tol·ΣA and
// Value − DualValue ≤ GapTol·max(|Value|, |DualValue|, 1e-12·max|C|·ΣA).
// History holds that relative gap at each check (every 25 iterations).
//
// # Memory
//
// The edge duals take |E|·m numbers. SameClass has Σ_c n_c(n_c−1)/2 edges;
// Auto uses it while that takes at most MaxPairBytes and switches to
// SameClassKNN above. Larger problems than MaxDenseBytes allows are
// refused with ot.ErrParameter.
//
// # Baseline and metrics
//
// GroupLasso is the group-lasso regularized entropic OT of Courty et al.
// solved as POT's ot.da.sinkhorn_l1l2_gl (generalized conditional
// gradient), with its conditional-gradient gap. Purity, TransferAccuracy
// and OneNNAccuracy measure how a plan respects the classes; Segments
// draws labelled data with adversarial geometry.
//
// # References
//
//   - A. Rahbar, A. Panahi, M. Haghir Chehreghani, D. Dubhashi, H. Krim.
//     Recovery bounds on class-based optimal transport: a sum-of-norms
//     regularization framework. ICML 2023 (arXiv 1903.03850).
//   - A. Chambolle, T. Pock. A first-order primal-dual algorithm for convex
//     problems with applications to imaging. JMIV 40, 2011.
//   - T. Pock, A. Chambolle. Diagonal preconditioning for first order
//     primal-dual algorithms in convex optimization. ICCV 2011.
//   - D. Applegate et al. Practical large-scale linear programming using
//     primal-dual hybrid gradient. NeurIPS 2021. (Primal weight, restarts.)
//   - A. Beck, M. Teboulle. A fast iterative shrinkage-thresholding
//     algorithm for linear inverse problems. SIAM J. Imaging Sci. 2009.
//   - B. O'Donoghue, E. Candès. Adaptive restart for accelerated gradient
//     schemes. Found. Comput. Math. 2015.
//   - E. C. Chi, K. Lange. Splitting methods for convex clustering. JCGS
//     2015.
//   - J. Altschuler, J. Weed, P. Rigollet. Near-linear time approximation
//     algorithms for optimal transport via Sinkhorn iteration. NeurIPS 2017.
//     (Rounding onto U(a,b).)
//   - N. Courty, R. Flamary, D. Tuia, A. Rakotomamonjy. Optimal transport
//     for domain adaptation. IEEE TPAMI 2017. (Group lasso.)
//   - A. Rakotomamonjy, R. Flamary, N. Courty. Generalized conditional
//     gradient: analysis of convergence and applications. arXiv 1510.06567.
package sumofnorms
