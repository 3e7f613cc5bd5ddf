package cardinality

import "fmt"

// Formulation selects the relaxation that is maximised.
type Formulation int

const (
	// SemiDual maximises S_k(F): columns of the plan are exact, rows
	// approximate. The tighter relaxation; the default.
	SemiDual Formulation = iota
	// Dual maximises D_k(F, G): cheaper per evaluation (a selection, no
	// projection), both marginals approximate, a looser relaxation.
	Dual
)

// String returns the formulation's name.
func (f Formulation) String() string {
	switch f {
	case SemiDual:
		return "SemiDual"
	case Dual:
		return "Dual"
	}
	return fmt.Sprintf("Formulation(%d)", int(f))
}

// Optimizer selects the first-order method.
type Optimizer int

const (
	// DefaultOptimizer is the zero value: LBFGS for Solver, Adam for
	// Router.
	DefaultOptimizer Optimizer = iota
	// LBFGS is limited-memory BFGS (memory 10) with a derivative-only line
	// search that tolerates the kinks of the nonsmooth objective. On a
	// stall it takes up to three rounds of 300 Adam steps of decaying size
	// (1e-2 × the cost range, ×0.99 per step) from the best point and
	// resumes. The default; stops at Tol, on a stall the Adam rounds do
	// not resolve, or at MaxIter (all steps counted).
	LBFGS
	// Adam takes exactly MaxIter fixed steps (β1 = 0.9, β2 = 0.999,
	// learning rate LearningRate) from the start point, as the paper's
	// mixture-of-experts code does (optax.adam(1e-2)); no early stop.
	Adam
)

// String returns the optimizer's name.
func (o Optimizer) String() string {
	switch o {
	case DefaultOptimizer:
		return "Default"
	case LBFGS:
		return "LBFGS"
	case Adam:
		return "Adam"
	}
	return fmt.Sprintf("Optimizer(%d)", int(o))
}
