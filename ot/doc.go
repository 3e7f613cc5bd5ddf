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
//     are non-negative with equal total mass (Problem.Validate checks it).
//   - Potentials F, G are in cost units. Each solver package documents its
//     Value convention and how to convert from POT and OTT-JAX.
//   - LinearCost = <P, C> is comparable across solvers; MarginalError is
//     ‖P1 − a‖₁ + ‖Pᵀ1 − b‖₁ of the returned plan.
//   - Bad data is an error (test it with errors.Is against the Err values),
//     never a panic and never a silent NaN. Non-convergence is a Status in a
//     returned Result.
//   - A +Inf cost entry marks a forbidden pair; NaN and −Inf are rejected.
package ot
