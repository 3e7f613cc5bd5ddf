package sinkhorn

import (
	"testing"

	"github.com/otkit/otkit/ot"
	"github.com/otkit/otkit/ot/ottest"
)

func TestConformance(t *testing.T) {
	for _, tc := range []struct {
		name string
		new  func(s float64) ot.Solver
	}{
		// The default ε is data-relative, so it follows the cost scale.
		{"default", func(float64) ot.Solver { return &Solver{} }},
		{"LogDomain", func(s float64) ot.Solver { return &Solver{Eps: 0.1 * s, Method: LogDomain} }},
		{"Stabilized", func(s float64) ot.Solver { return &Solver{Eps: 0.1 * s, Method: Stabilized} }},
		{"Sparse", func(s float64) ot.Solver { return &Solver{Eps: 0.1 * s, Method: Sparse} }},
		// ε small enough for Auto's ε-scaling and truncated kernel.
		{"AutoSmallEps", func(s float64) ot.Solver { return &Solver{Eps: 2e-4 * s} }},
		{"EpsScaling", func(s float64) ot.Solver { return &Solver{Eps: 0.02 * s, Scaling: &EpsScaling{}} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ottest.Run(t, ottest.Config{New: tc.new, Tol: DefaultTol, Converges: true})
		})
	}
}
