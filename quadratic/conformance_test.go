package quadratic

import (
	"testing"

	"github.com/otkit/otkit/ot"
	"github.com/otkit/otkit/ot/ottest"
)

// conformanceCancelN is the point cloud of the cancellation test: 8000² is
// 512 MB dense, within DefaultMaxDenseBytes (20 000², the suite's default,
// is refused with ErrParameter).
const conformanceCancelN = 8000

func TestConformance(t *testing.T) {
	t.Run("default", func(t *testing.T) {
		// The default γ is data-relative, so it follows the cost scale.
		ottest.Run(t, ottest.Config{
			New:       func(float64) ot.Solver { return &Solver{} },
			Tol:       1e-9,
			Converges: true,
			CancelN:   conformanceCancelN,
			Supports:  ot.Support{RelaxA: true, RelaxB: true},
		})
	})
	// Each method at the default γ (a fixed γ is not resolvable at the
	// suite's mass 1e-12: it is rejected as below 1e-9·max|C| per unit of
	// mass).
	for _, meth := range allMethods {
		t.Run(meth.String(), func(t *testing.T) {
			// Every method takes relaxed marginals: one side relaxed
			// runs the semi-dual (DualLBFGS the dual), both the dual
			// (docs/quadratic.md §11).
			supports := ot.Support{RelaxA: true, RelaxB: true}
			ottest.Run(t, ottest.Config{
				New:       func(float64) ot.Solver { return &Solver{Method: meth} },
				Tol:       1e-9,
				Converges: true,
				CancelN:   conformanceCancelN,
				Supports:  supports,
			})
		})
	}
}
