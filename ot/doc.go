// Package ot is the shared vocabulary of otkit: ground costs, transport
// problems, plans, results, statuses and the errors every solver returns.
//
// The data flow is one way: a Cost and two weight vectors make a Problem, a
// solver's Solve turns it into a Result (plan, potentials, figures), and the
// Result feeds plots, the CLI or the caller.
//
// Conventions shared by all solvers:
//
//   - Rows are sources (tokens), columns are targets (experts); all dense data
//     is row-major.
//   - A (length n) are the row weights, B (length m) the column weights; both
//     are non-negative with equal total mass (Problem.Validate checks it;
//     Problem.Rebalance fixes totals that differ by rounding, e.g. float32),
//     unless the problem is partial (PartialMass) or has a relaxed marginal
//     (RhoA, RhoB). Solvers of the balanced problem refuse those with
//     ErrUnsupported (Problem.ValidateWith); the others opt in with
//     Problem.ValidateFor.
//   - Potentials F, G are in cost units. Each solver package documents its
//     Value convention and how to convert from POT and OTT-JAX.
//   - LinearCost = <P, C> is comparable across solvers; MarginalError is
//     ‖P1 − a‖₁ + ‖Pᵀ1 − b‖₁ of the returned plan for a balanced problem,
//     and Problem.MarginalError (the violation of the constraints that stay
//     hard) for partial and relaxed ones.
//   - A +Inf cost entry marks a forbidden pair; NaN and −Inf are rejected.
//
// # The solver contract
//
// Every Solver (and every estimator built on one) keeps these promises; the
// conformance suite in package ottest checks them for each solver package.
//
//  1. Errors are for bad input only. Solve returns (nil, err) when the problem
//     fails Validate or a setting is out of range; err wraps one of the
//     sentinel errors of this package (test with errors.Is). Otherwise it
//     returns (res, nil) with a non-nil Result: a Result and an error are
//     never returned together.
//  2. How a solve ended is res.Status. Converged is a promise: the returned
//     plan's MarginalError is at most Tol × Mass (the tolerance is relative to
//     the problem's total mass ΣA; with a relaxed marginal, the hard side's
//     mass, or max(ΣA, ΣB) when both are relaxed: the plan's mass), plus
//     whatever further optimality the solver's package documents. IterationLimit, Stalled and Canceled hold
//     the last iterate with its figures computed for the plan returned.
//     Status.Err turns a Status into an error for callers that want one.
//  3. Infeasibility is bad input. Validate rejects every +Inf pattern that
//     admits no transport plan (a max-flow check, not only all-forbidden rows
//     and columns) with ErrInfeasible, so every solver reports it the same way.
//  4. A nil context means context.Background(). Cancellation is honoured
//     within 100 ms at any problem size: Solve returns Status Canceled with
//     the last iterate and a nil error.
//  5. No figure (Value, DualValue, LinearCost, MarginalError, plan entries,
//     potentials of positive-weight rows and columns) is NaN or ±Inf unless
//     Status is NumericalError. Potentials of zero-weight rows or columns
//     may be −Inf.
//  6. Scaling the cost by s > 0 together with the regularization (ε·s, γ·s)
//     gives the same plan and potentials and figures scaled by s, for s from
//     1e-300 to 1e300: solvers normalize internally.
//  7. Settings are values: one settings struct may be used by many
//     goroutines at once, and Workers never changes a result (bitwise).
package ot
