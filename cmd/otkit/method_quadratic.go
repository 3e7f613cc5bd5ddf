package main

import (
	"github.com/otkit/otkit/ot"
	"github.com/otkit/otkit/quadratic"
)

func init() {
	register(method{
		Name:      "quadratic",
		Summary:   "quadratically-regularized OT, sparse plan (--gamma, default data-relative: see package quadratic; Newton method; unbalanced with --rho-a/--rho-b: one side by the semi-dual, both by the dual)",
		Flags:     []string{"gamma", "tol", "max-iter", "rho-a", "rho-b"},
		DualBound: always,
		New: func(p params) (ot.Solver, error) {
			return &quadratic.Solver{Gamma: p.Gamma, Method: quadratic.Newton, Tol: p.Tol, MaxIter: p.MaxIter,
				Workers: p.Workers, Progress: p.Progress}, nil
		},
	})
}
