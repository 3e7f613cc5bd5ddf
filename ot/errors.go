package ot

import "errors"

// Sentinel errors returned (wrapped, with detail) by Validate and the solvers.
// Test for them with errors.Is.
var (
	// ErrEmpty: the problem has no rows or no columns, or no cost.
	ErrEmpty = errors.New("ot: empty problem")
	// ErrShape: lengths of weights, costs or potentials do not match.
	ErrShape = errors.New("ot: shape mismatch")
	// ErrNonFinite: a NaN or infinite value where a finite one is required
	// (weights, points, parameters), or a NaN or −Inf cost.
	ErrNonFinite = errors.New("ot: non-finite value")
	// ErrNegativeWeight: a weight is negative.
	ErrNegativeWeight = errors.New("ot: negative weight")
	// ErrZeroMass: the weights sum to zero.
	ErrZeroMass = errors.New("ot: zero total mass")
	// ErrMassMismatch: the row and column weights have different totals.
	ErrMassMismatch = errors.New("ot: unequal masses")
	// ErrParameter: a solver setting is out of range (ε ≤ 0, Tol ≤ 0, k < 1, ...).
	ErrParameter = errors.New("ot: invalid parameter")
	// ErrInfeasible: no plan satisfies the constraints: the +Inf (forbidden)
	// pattern of the cost admits no plan with the given weights, or a
	// solver's own constraint (e.g. at most k entries per column) cannot be
	// met.
	ErrInfeasible = errors.New("ot: infeasible problem")
	// ErrNotConverged is matched by Status.Err for a solve that stopped
	// before its tolerance (IterationLimit, Stalled, Canceled).
	ErrNotConverged = errors.New("ot: not converged")
	// ErrNumerical is matched by Status.Err for NumericalError.
	ErrNumerical = errors.New("ot: numerical error")
)
