package main

import (
	"github.com/otkit/otkit/ot"
	"github.com/otkit/otkit/quadratic"
)

func init() {
	register(method{
		Name:    "quadratic",
		Summary: "quadratically-regularized OT, sparse plan (--gamma, default 1; method Newton, not the library default SemiDualLBFGS)",
		New: func(p params) (ot.Solver, error) {
			// Newton rather than the package default (semi-dual L-BFGS):
			// an order of magnitude faster to the CLI's tight tolerance
			// (bench/results/quadratic.md).
			return &quadratic.Solver{Gamma: p.Gamma, Method: quadratic.Newton, Tol: p.Tol, MaxIter: p.MaxIter,
				Workers: p.Workers, Progress: p.Progress}, nil
		},
	})
}
