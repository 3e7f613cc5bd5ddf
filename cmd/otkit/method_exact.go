package main

import (
	"github.com/otkit/otkit/exact"
	"github.com/otkit/otkit/ot"
)

func init() {
	register(method{
		Name:    "exact",
		Summary: "unregularized OT by network simplex (sparse optimal plan; --max-iter caps the pivots; --mass: partial transport; one core)",
		Flags:   []string{"max-iter", "mass"},
		// The potentials are dual feasible only at the optimum.
		DualBound: func(res *ot.Result) bool { return res.Status == ot.Converged },
		DualNote:  "when Converged",
		New: func(p params) (ot.Solver, error) {
			return &exact.Solver{MaxIter: p.MaxIter, Progress: p.Progress}, nil
		},
	})
}
