package sinkhorn

import (
	"testing"

	"github.com/otkit/otkit/ot"
	"github.com/otkit/otkit/ot/ottest"
)

func TestConformance(t *testing.T) {
	// Every method solves relaxed marginals.
	relaxed := ot.Support{RelaxA: true, RelaxB: true}
	for _, tc := range []struct {
		name     string
		new      func(s float64) ot.Solver
		supports ot.Support
	}{
		// The default ε is data-relative, so it follows the cost scale.
		{"default", func(float64) ot.Solver { return &Solver{} }, relaxed},
		{"LogDomain", func(s float64) ot.Solver { return &Solver{Eps: 0.1 * s, Method: LogDomain} }, relaxed},
		{"Stabilized", func(s float64) ot.Solver { return &Solver{Eps: 0.1 * s, Method: Stabilized} }, relaxed},
		{"Sparse", func(s float64) ot.Solver { return &Solver{Eps: 0.1 * s, Method: Sparse} }, relaxed},
		// ε small enough for Auto's ε-scaling and truncated kernel.
		{"AutoSmallEps", func(s float64) ot.Solver { return &Solver{Eps: 2e-4 * s} }, relaxed},
		{"EpsScaling", func(s float64) ot.Solver { return &Solver{Eps: 0.02 * s, Scaling: &EpsScaling{}} }, relaxed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ottest.Run(t, ottest.Config{New: tc.new, Tol: DefaultTol, Converges: true, Supports: tc.supports})
		})
	}
}
