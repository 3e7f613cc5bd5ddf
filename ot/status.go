package ot

import "fmt"

// Status says how a solve ended.
type Status int

const (
	// NotTerminated is the zero value: the solver has not finished.
	NotTerminated Status = iota
	// Converged: the stopping criterion (usually MarginalError ≤ Tol) was met.
	Converged
	// IterationLimit: MaxIter was reached before convergence.
	IterationLimit
	// Canceled: the context was canceled; the Result holds the last iterate.
	Canceled
	// Infeasible: the problem has no feasible plan.
	Infeasible
	// NumericalError: NaN or Inf appeared and could not be repaired.
	NumericalError
	// Stalled: the optimizer could not make further progress (line search
	// failure, nonsmooth kink) before reaching the tolerance.
	Stalled
)

var statusNames = [...]string{
	NotTerminated:  "NotTerminated",
	Converged:      "Converged",
	IterationLimit: "IterationLimit",
	Canceled:       "Canceled",
	Infeasible:     "Infeasible",
	NumericalError: "NumericalError",
	Stalled:        "Stalled",
}

// String returns the status name, e.g. "Converged".
func (s Status) String() string {
	if s >= 0 && int(s) < len(statusNames) {
		return statusNames[s]
	}
	return fmt.Sprintf("Status(%d)", int(s))
}
