package main

import (
	"github.com/otkit/otkit/ot"
	"github.com/otkit/otkit/quadratic"
)

func init() {
	register(method{
		Name:    "quadratic",
		Summary: "quadratically-regularized OT, sparse plan (--gamma, default 1; semi-dual L-BFGS)",
		New: func(p params) (ot.Solver, error) {
			return &quadratic.Solver{Gamma: p.Gamma, Tol: p.Tol, MaxIter: p.MaxIter, Workers: p.Workers,
				Progress: p.Progress}, nil
		},
	})
}
