package main

import (
	"github.com/otkit/otkit/cardinality"
	"github.com/otkit/otkit/ot"
)

func init() {
	register(method{
		Name:    "cardinality",
		Summary: "sparsity-constrained OT: at most --k nonzeros per column, quadratic --gamma (semi-dual relaxation, L-BFGS)",
		Flags:   []string{"k", "gamma", "tol", "max-iter"}, Required: []string{"k"},
		// The relaxed value bounds OT_k from below (docs/cardinality.md).
		DualBound: always,
		New: func(p params) (ot.Solver, error) {
			return &cardinality.Solver{K: p.K, Gamma: p.Gamma, Tol: p.Tol, MaxIter: p.MaxIter,
				Workers: p.Workers, Progress: p.Progress}, nil
		},
	})
}
