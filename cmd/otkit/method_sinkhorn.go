package main

import (
	"strings"

	"github.com/otkit/otkit/ot"
	"github.com/otkit/otkit/sinkhorn"
)

func init() {
	register(method{
		Name:      "sinkhorn",
		Summary:   "entropic OT by Sinkhorn (--eps, default 0.05·std(C); stabilized or log-domain, picked by size; unbalanced with --rho-a/--rho-b)",
		Flags:     []string{"eps", "tol", "max-iter", "rho-a", "rho-b", "precision"},
		DualBound: always,
		New: func(p params) (ot.Solver, error) {
			prec, err := parsePrecision(p.Precision)
			if err != nil {
				return nil, err
			}
			return &sinkhorn.Solver{Eps: p.Eps, Tol: p.Tol, MaxIter: p.MaxIter, Workers: p.Workers,
				Precision: prec, Progress: p.Progress}, nil
		},
	})
}

// parsePrecision reads --precision.
func parsePrecision(s string) (sinkhorn.Precision, error) {
	switch strings.ToLower(s) {
	case "", "auto":
		return sinkhorn.AutoPrecision, nil
	case "float64", "f64":
		return sinkhorn.Float64, nil
	case "float32", "f32":
		return sinkhorn.Float32, nil
	}
	return 0, usagef("--precision %q: want auto, float64 or float32", s)
}
