package ot

import "context"

// Result is what a solver returns.
type Result struct {
	Plan Plan
	// F, G are dual potentials in cost units (nil where a solver has none).
	// Rows or columns of zero weight may carry −Inf.
	F, G []float64
	// Value is the solver's regularized objective at the returned plan; its
	// convention is documented in each solver package.
	Value float64
	// DualValue is the solver's dual objective at F, G where it has one
	// (a lower bound on Value at optimality for convex problems), else 0.
	DualValue float64
	// LinearCost is <P, C>, comparable across solvers.
	LinearCost float64
	// MarginalError is ‖P1 − a‖₁ + ‖Pᵀ1 − b‖₁ of the returned plan.
	MarginalError float64
	Status        Status
	Iterations    int
	// History holds the stopping criterion at each check, in order.
	History []float64
}

// Solver is implemented by every otkit solver's settings struct.
type Solver interface {
	Solve(ctx context.Context, p *Problem) (*Result, error)
}

// Progress, when set in a solver's settings, is called at each convergence
// check with the iteration count and the current stopping criterion.
type Progress func(iter int, err float64)
