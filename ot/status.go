package ot

import (
	"context"

	"fmt"
)

// Status says how a solve ended.
type Status int

const (
	// NotTerminated is the zero value: the solver has not finished.
	NotTerminated Status = iota
	// Converged: the stopping criterion was met; in particular the plan's
	// MarginalError is at most Tol × Mass (see the package's contract).
	Converged
	// IterationLimit: MaxIter was reached before convergence.
	IterationLimit
	// Canceled: the context was canceled; the Result holds the last iterate.
	Canceled
	// Infeasible: the problem has no feasible plan. Validate rejects
	// infeasible balanced problems with ErrInfeasible, so solvers of the
	// balanced problem never report it.
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

// Err returns nil for Converged and otherwise an error naming the status:
// IterationLimit, Stalled and NotTerminated match ErrNotConverged;
// Canceled matches both ErrNotConverged and context.Canceled; Infeasible
// matches ErrInfeasible; NumericalError matches ErrNumerical.
func (s Status) Err() error {
	switch s {
	case Converged:
		return nil
	case Infeasible:
		return &statusError{s, ErrInfeasible}
	case NumericalError:
		return &statusError{s, ErrNumerical}
	default:
		return &statusError{s, ErrNotConverged}
	}
}

type statusError struct {
	s   Status
	err error
}

func (e *statusError) Error() string { return fmt.Sprintf("%v: status %v", e.err, e.s) }

func (e *statusError) Is(target error) bool {
	return target == e.err || (e.s == Canceled && target == context.Canceled)
}

// Unwrap returns the sentinel error the status matches.
func (e *statusError) Unwrap() error { return e.err }
