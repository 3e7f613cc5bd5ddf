package main

import (
	"github.com/otkit/otkit/ot"
	"github.com/otkit/otkit/sinkhorn"
)

func init() {
	register(method{
		Name:      "sinkhorn",
		Summary:   "entropic OT by Sinkhorn (--eps, default 0.05·std(C); stabilized or log-domain, picked by size; unbalanced with --rho-a/--rho-b)",
		Flags:     []string{"eps", "tol", "max-iter", "rho-a", "rho-b"},
		DualBound: always,
		New: func(p params) (ot.Solver, error) {
			return &sinkhorn.Solver{Eps: p.Eps, Tol: p.Tol, MaxIter: p.MaxIter, Workers: p.Workers,
				Progress: p.Progress}, nil
		},
	})
}
