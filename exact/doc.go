// Package exact solves unregularized optimal transport exactly: the
// transportation problem
//
//	minimize <P, C> = Σ_ij P_ij C_ij  subject to  P1 = a, Pᵀ1 = b, P ≥ 0,
//
// by the primal network simplex (Solver), partial transport (move only a
// given mass s, ot.Problem.PartialMass) with the same Solver, and the
// assignment problem (unit weights, a matching as the answer, square or
// rectangular) with the same simplex (Assign).
//
// # Network simplex
//
// Solver works on the bipartite network with one node per row (supply a_i)
// and per column (demand b_j) and one arc per finite cost. Its basis is a
// spanning tree, stored with parent pointers, a preorder thread and subtree
// sizes (the augmented threaded index of Glover, Klingman and Stutz); each
// pivot brings in an arc of negative reduced cost C_ij − F_i − G_j, pushes flow
// around the cycle it closes and removes the leaving arc chosen by
// Cunningham's rule, which keeps the tree strongly feasible and rules out
// cycling on the many degenerate pivots of transport problems. Entering arcs
// are chosen by block search, as in LEMON and POT's ot.emd (Bonneel et al.
// 2011): blocks of about √(nm) arcs are scanned cyclically and the best arc of
// the first block holding a candidate enters.
//
// The start is a feasible flow built greedily: each row sends its mass to its
// open columns of least reduced cost C_ij − G_j (G the column minima, or the
// warm-start potentials of Solver.Init, for example those of an entropic
// Sinkhorn solve). The trees of that forest are joined by zero-flow arcs of
// least reduced cost, each pointing from a source up to a sink of an earlier
// tree, and the first tree hangs from an artificial root, so the start is
// strongly feasible.
//
// Dense costs (*ot.DenseCost) are priced in place, without a copy; other costs
// (*ot.PointCloud, ot.SubCost, …) are priced by whole rows computed on demand,
// so the n×m matrix is never stored and memory stays O(n+m) besides the cost.
//
// Rows and columns of zero weight are removed before solving and put back
// with c-transformed potentials. A +Inf cost marks a forbidden pair: such
// arcs never enter, and if the greedy start must use one it is priced at a
// large finite cost (big-M). Forbidden patterns that admit no plan are
// rejected by ot.Problem.Validate with ot.ErrInfeasible; should an optimum
// nevertheless carry mass on a forbidden pair, Solve returns the same error.
//
// The simplex works on the costs divided by a power of two near max|C| when
// they are very large or very small (beyond 2^±512), which is exact: the
// pricing tolerance, the big-M cost and the pivots follow the scale of the
// costs, so C·s gives the same plan, and potentials and values times s, for
// s from 1e-300 to 1e300.
//
// Cancellation is seen within a few hundred pivots and within every pass
// over the cost (the setup's scans, a pricing scan, a refresh of the
// potentials), so Solve returns soon after ctx is done at any size with
// Status Canceled and the current basis's plan (the greedy start or the
// northwest-corner flow when the basis is not complete yet). The figures of
// a plan need the costs of its entries, which are read singly from dense
// costs, point clouds and costs with an At(i, j int) float64 method, and
// otherwise a row of the cost per row of the plan.
//
// # Value convention
//
// Value = LinearCost = <P, C> at the returned plan, the optimal transport cost
// (the Wasserstein-p distance to the power p for C = ‖x − y‖^p). This is the
// value of POT's ot.emd2 and of ot.emd's log["cost"]; no conversion is
// needed. OTT-JAX has no exact solver: its entropic reg_ot_cost tends to this
// value as ε → 0.
// DualValue = <a, F> + <b, G> equals it at optimality up to round-off. An
// arc enters only if its reduced cost is below −1e-13·max|C|, so the returned
// LinearCost is within 1e-13·max|C|·mass of the exact optimum.
// Potentials are in cost units with F_i + G_j ≤ C_ij everywhere and equality on
// the plan's support; they are unique only up to F + t, G − t and are
// centred so that <a, F> = <b, G>, as POT's ot.emd(..., log=True) u, v with
// center_dual=True (POT's u, v are F, G).
//
// The plan is an *ot.SparsePlan with at most n+m−1 entries (a vertex of the
// transport polytope). Weights whose totals differ by round-off (relative
// MassTol) are accepted: b is rescaled to the mass of a. A Converged plan's
// MarginalError is at most |ΣA − ΣB| + 1e-12·ΣA.
//
// # Assignment
//
// Assign takes an n×m cost and returns an optimal matching of the smaller
// side, row i to column match[i] (−1 for the unmatched rows when n > m), with
// AssignOptions.Maximize for scores. It is the transport problem with unit
// weights (and a zero-cost dummy row or column for the excess of the larger
// side): the simplex keeps every flow integral, so its optimal vertex is a
// matching. ot.Permutation reads the same matching from any plan that is
// one.
//
// # Partial transport
//
// With ot.Problem.PartialMass = s > 0 Solver solves
//
//	minimize <P, C>  subject to  1ᵀP1 = s, P1 ≤ a, Pᵀ1 ≤ b, P ≥ 0,
//
// for s ≤ min(Σa, Σb) (the masses may differ), by the dummy-node reduction
// of Chapel et al. (2020), as POT's ot.partial.partial_wasserstein: the
// transportation problem extended by a dummy row of weight Σb − s and a dummy
// column of weight Σa − s, at zero cost to and from every real node, and
// cost 2·max|C| between the two dummies, which keeps that arc empty at the
// optimum (any flow on it is cheaper moved onto a real pair). A dense cost
// is copied into the extended matrix, as POT does, to be priced in place;
// other costs are read through, never stored. The result is that of
// POT's partial_wasserstein and of its log["partial_w_dist"]: Value =
// LinearCost = <P, C> at the returned plan, a *ot.SparsePlan with at most
// n+m+1 entries. The dual of the partial problem is
//
//	maximize <a, u> + <b, v> + s·λ  subject to  u ≤ 0, v ≤ 0, u_i + v_j + λ ≤ C_ij,
//
// and the returned potentials are F = u + λ/2, G = v + λ/2: F_i + G_j ≤ C_ij
// everywhere with equality on the support, F_i ≤ λ/2 with equality on rows
// that keep mass back (P1 < a), and G_j ≤ λ/2 likewise; DualValue is the dual
// objective, equal to Value at optimality up to round-off. MarginalError is
// ot.Problem.MarginalError, the violation of P1 ≤ a, Pᵀ1 ≤ b and 1ᵀP1 = s.
// Forbidden (+Inf) entries are allowed as long as s can move on the finite
// ones (ot.Problem.Validate checks it by a maximum flow).
//
// Rectangular assignment is the special case of unit weights and
// s = min(n, m), and Assign builds the same extended problem.
//
// Relaxed marginals (ot.Problem.RhoA, RhoB) are not supported: Solve
// returns an error wrapping ot.ErrUnsupported.
//
// # Why a network simplex of its own
//
// The solver is written here rather than bound to an existing one because it
// is faster than POT's C++ network simplex (ot.emd): 0.41 to 0.56 times its
// time on dense n×n Gaussian-cloud problems for n from 500 to 4000
// (bench/results/exact.md), and because it prices point clouds from the
// points, without an n×m matrix.
//
// # References
//
//   - N. Bonneel, M. van de Panne, S. Paris, W. Heidrich. Displacement
//     interpolation using Lagrangian mass transport. ACM Trans. Graph. 30(6),
//     2011. (The network simplex behind POT's ot.emd.)
//   - D. J. Kelly, G. M. O'Neill. The minimum cost flow problem and the
//     network simplex solution method. Master's thesis, University College
//     Dublin, 1991.
//   - W. H. Cunningham. A network simplex method. Math. Programming 11, 1976.
//     (Strongly feasible trees.)
//   - F. Glover, D. Klingman, J. Stutz. Augmented threaded index method for
//     network optimization. INFOR 12(3), 1974.
//   - M. D. Grigoriadis. An efficient implementation of the network simplex
//     method. Math. Programming Study 26, 1986. (Block pricing.)
//   - P. Kovács. Minimum-cost flow algorithms: an experimental evaluation.
//     Optimization Methods and Software 30(1), 2015. (LEMON's block search.)
//   - R. K. Ahuja, T. L. Magnanti, J. B. Orlin. Network Flows. Prentice Hall,
//     1993, chapters 11 (network simplex) and 12 (assignment).
//   - L. Chapel, M. Z. Alaya, G. Gasso. Partial optimal transport with
//     applications on positive-unlabeled learning. NeurIPS 2020. (The
//     dummy-node reduction of partial transport.)
package exact
