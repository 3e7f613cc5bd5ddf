package main

import (
	"github.com/otkit/otkit/exact"
	"github.com/otkit/otkit/ot"
)

func init() {
	register(method{
		Name:    "exact",
		Summary: "unregularized OT by network simplex (sparse optimal plan; uses --max-iter as the pivot cap)",
		New: func(p params) (ot.Solver, error) {
			return &exact.Solver{MaxIter: p.MaxIter, Progress: p.Progress}, nil
		},
	})
}
