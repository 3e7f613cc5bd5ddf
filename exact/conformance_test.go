package exact

import (
	"testing"

	"github.com/otkit/otkit/ot"
	"github.com/otkit/otkit/ot/ottest"
)

// TestConformance runs the ot.Solver contract's suite. The simplex has no
// regularization to scale, and its marginal error is round-off (it is at
// most |ΣA − ΣB| + 1e-12·ΣA, and the suite's masses agree to round-off).
func TestConformance(t *testing.T) {
	ottest.Run(t, ottest.Config{
		New:       func(float64) ot.Solver { return &Solver{} },
		Tol:       1e-12,
		Converges: true,
		PlanTol:   1e-12,
		ScaleTol:  1e-9,
		Supports:  ot.Support{Partial: true},
	})
}
