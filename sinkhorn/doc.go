// Package sinkhorn solves entropy-regularized optimal transport with
// Sinkhorn iterations (Cuturi, "Sinkhorn Distances", NeurIPS 2013): a
// log-domain iteration that streams the cost a row at a time, and a
// stabilized scaling-domain iteration with a stored kernel and absorption
// of the scalings into the potentials (Schmitzer, "Stabilized Sparse
// Scaling Algorithms for Entropy Regularized Transport Problems", SIAM J.
// Sci. Comput. 2019), with ε-scaling, warm starts, the debiased Sinkhorn
// divergence (Feydy et al., "Interpolating between Optimal Transport and
// MMD using Sinkhorn Divergences", AISTATS 2019), gradients and a batch
// API. See also Peyré & Cuturi, "Computational Optimal Transport" (2019).
//
// # Conventions
//
// Potentials F, G are in cost units and the plan is always
//
//	P_ij = exp((F_i + G_j − C_ij)/ε).
//
// They are defined up to a constant (F + t, G − t give the same plan).
// Rows or columns of zero weight are removed before solving; their
// potential is −Inf and their plan entries 0.
//
// Result.Value is the KL convention, evaluated at the returned plan:
//
//	Value_K(P) = <P, C> + ε KL(P ‖ a⊗b),  KL(P‖Q) = Σ P log(P/Q) − P + Q,
//
// computed from the potentials (no log of tiny entries). Result.DualValue
// is the dual objective at (F, G); LinearCost is <P, C>; MarginalError is
// ‖P1 − a‖₁ + ‖Pᵀ1 − b‖₁. For a feasible plan with mass M and
// H(w) = −Σ w log w:
//
//	Value_E  = <P,C> + ε Σ P log P = Value_K − ε (H(a) + H(b) + M² − M)
//	Value_H1 = Value_E − ε M       (Peyré–Cuturi)
//
// Conversions from other libraries:
//
//   - OTT-JAX: reg_ot_cost is Value_K; ent_reg_cost is Value_E; the
//     potentials f, g are otkit's F, G; OTT's default ε (0.05·std(C)) is
//     otkit's default too.
//   - POT: sinkhorn2 returns LinearCost (not a regularized value);
//     sinkhorn_log's log_u, log_v are F/ε, G/ε; sinkhorn_knopp's u, v are
//     exp(F/ε), exp(G/ε); sinkhorn_stabilized's alpha, beta are F, G. POT's
//     reg is ε. POT ≥ 0.9 ot.solve reports Value_K (reg_type "KL", the
//     default) or Value_E (reg_type "entropy").
//   - The squared Euclidean point-cloud cost is ‖x − y‖² without ½, as
//     POT's ot.dist and OTT's SqEuclidean.
//
// # Unbalanced transport
//
// A Problem with RhoA or RhoB finite and positive relaxes that marginal
// (ot.Problem): the solver minimizes
//
//	Value = <P, C> + ε KL(P ‖ a⊗b) + ρ_a KL(P1 ‖ a) + ρ_b KL(Pᵀ1 ‖ b)
//
// (generalized KL; the term of a hard side is replaced by its constraint),
// and Result.Value is this objective at the returned plan, DualValue the
// dual Σ φ_a(F_i − ε log a_i) + Σ φ_b(G_j − ε log b_j) + ε (Σa·Σb − Σ P)
// with φ(x̃) = w x̃ on a hard side and −ρ w (e^{−x̃/ρ} − 1) on a relaxed one.
// The f-update of a relaxed side is
//
//	F_i ← ε log a_i − τ_a ε LSE_j((G_j − C_ij)/ε),  τ_a = ρ_a/(ρ_a + ε),
//
// (τ = 1 on a hard side: the balanced update), and symmetrically for G;
// Stabilized and Sparse apply it to the scalings,
// u_i ← (a_i/(K̃v)_i)^τ (a_i e^{−f_i/ε})^{1−τ} with f the absorbed
// potentials, and ε-scaling carries F, G across stages as for balanced
// problems. After each g-update (over-relaxed or not) a
// translation step (Séjourné, Vialard and Peyré, AISTATS 2022) moves
// (F, G) to (F + λ, G − λ) with the λ that maximizes the dual along that
// direction (closed form; the plan is unchanged), which removes the slow
// mode of the total mass: without it, when ρ ≫ ε and the masses differ,
// the mass converges at a rate near τ² per sweep (docs/sinkhorn.md §13
// has measurements). Every method runs
// LogDomain when some ρ < 1e-8·ε (the potentials are then pinned to
// ε log w, which only its update sets exactly; Stats.Method says so). A
// row of a relaxed side whose costs are all +Inf (or such a column) sends
// nothing: its plan row is 0, Value and DualValue include its
// ρ_a a_i + ε a_i Σb, and its potential is ε log a_i + 37 ρ_a, where the
// dual term equals its supremum ρ_a a_i to the last bit. Grad and Divergence
// handle relaxed marginals (Divergence needs RhoA = RhoB, and adds the
// mass term of Séjourné et al. 2019; docs/sinkhorn.md §13). The stopping
// rule measures, against Tol × M (M the hard side's mass, max(Σa, Σb) when
// both sides are relaxed), the plan mass that the next updates
// would move, Σ_i r_i |e^{δ_i/ε} − 1| + Σ_j c_j |e^{δ_j/ε} − 1| with δ the
// potential steps and r, c the plan's marginals (on a hard side the term is
// |r_i − a_i|, the balanced rule); History records it, and
// Result.MarginalError is Problem.MarginalError, the violation of the hard
// sides only (0 when both are relaxed). (ρ → ∞ with ΣA ≠ ΣB has no
// balanced limit: the potentials grow like ρ log(ΣA/ΣB).)
//
// Conversions: POT ≥ 0.9.5 sinkhorn_unbalanced(a, b, M, reg, reg_m) (reference
// measure a⊗b, reg_type "kl", its default from 0.9.5; 0.9.0–0.9.4 default to
// reg_type "entropy") is this problem with ε = reg, ρ = reg_m. POT
// 0.8.2's sinkhorn_knopp_unbalanced uses the reference measure 1 instead
// (ε Σ P (log P − 1)); its plan on M − ε log a_i − ε log b_j is otkit's plan
// on M. OTT-JAX's tau_a = ρ_a/(ρ_a + ε).
//
// # Stopping rule
//
// Sweeps (a g-update, then an f-update) are numbered 1, 2, …; after every
// CheckEvery-th sweep, and after sweep MaxIter, the MarginalError of the
// current potentials is appended to History and the solve stops with
// Converged when it is ≤ Tol × M, M = Σa (the tolerance is relative to the
// mass; the returned MarginalError, computed afresh for the returned plan,
// satisfies it too). The check reuses the column sums that the next sweep
// needs, so it is free. Iteration counts are not comparable with POT (L2
// column error, checked after sweeps 1, 11, 21, …) or OTT (L1 column error
// ≤ 1e-3).
//
// Scaling the cost and ε by s > 0 scales the potentials and the figures by
// s and leaves the plan unchanged, for s from 1e-300 to 1e300: when ε is far
// from 1 the solve runs on the cost divided by a power of two close to ε
// (exact), and DefaultEps rescales its sums the same way.
//
// # Cancellation and early stops
//
// Every pass over the cost polls the context every few thousand entries, so
// a canceled solve returns within milliseconds of the end of the pass it
// was in, with Status Canceled and the last complete iterate. Its figures
// come from one more pass over the cost, except for LogDomain on large
// problems (n·m ≥ 2²¹), whose sweeps track the plan's sums and <P, C>, so
// that no pass is needed; during ε-scaling that iterate's plan is at the
// ε of its stage (the Result's Plan carries it). When there is no iterate at
// the target ε (canceled before the first sweep, MaxIter reached during
// ε-scaling), the returned potentials are those of one more f-update at the
// target ε, whose plan has rows summing to a and finite entries; except
// that a large point-cloud problem canceled without tracked figures (before
// its first sweep, or with Stabilized) returns at once the plan of
// F = −750 ε, G = 0, which is exactly zero (Value ε M², MarginalError 2M).
//
// # Methods
//
// LogDomain costs one pass of n·m exps per sweep (a fast table-driven exp
// from internal/lse: the f-update's plan entries, rescaled by the change of
// f_i, give the next g-update's column sums) and O(n+m) memory besides the
// cost, so SqEuclidean point
// clouds of any size can be solved without forming the cost matrix.
// Stabilized costs two matrix-vector products per sweep plus n·m exps per
// absorption, and stores the n×m kernel; before absorbing it first tries to
// move a common factor between the scalings (u/c, v·c: same plan), since
// slow convergence mostly drifts along that direction. Both stay finite for
// ε far below 1e-3·max(C), where a plain kernel exp(−C/ε) underflows, and
// with Relax = 1 (their default) both compute the plain Sinkhorn iterates,
// the same sweep for sweep.
//
// Sparse is Stabilized with a truncated kernel (Schmitzer 2019): kernel
// entries below θ are dropped, so a sweep costs O(nnz) instead of O(nm),
// and every absorption re-truncates the kernel around the moved potentials.
// θ is chosen so that the dropped plan mass is at most Tol·M/200; the
// convergence checks add twice that bound to the truncated marginal error,
// and the Result's figures are those of the full plan. SolveStats reports
// the support kept and the bound.
//
// Auto, the default, turns ε-scaling on when (max C − min C)/ε exceeds
// ScalingRatio (2000) and no warm start is given, and then uses Sparse (the
// support shrinks with ε); otherwise it picks Stabilized when the kernel
// fits in MaxKernelBytes (else LogDomain), a float32 one from n·m ≥ 2^20
// (see Precision). It absorbs only when a scaling leaves
// [e^−30, e^30] instead of [1e-3, 1e3], and adds adaptive over-relaxation
// (see Solver.Relax): plain sweeps until the error is below 0.1·M, then ω
// from the observed linear rate, raised as the rate estimate improves,
// lowered when the rate shows it above the optimum, and reset to 1 when the
// error grows. At small ε (slow linear convergence) this
// takes several times fewer sweeps than plain Sinkhorn; the returned
// potentials satisfy the same stopping rule.
package sinkhorn
