package sumofnorms

import (
	"testing"

	"github.com/otkit/otkit/ot"
	"github.com/otkit/otkit/ot/ottest"
)

// conformanceCancelN is n = m of the cancellation test: the dense arrays
// of 20 000² (the suite's default) are refused by MaxDenseBytes with
// ErrParameter; 1000² with kNN edges takes about 100 MB.
const conformanceCancelN = 1000

func TestConformance(t *testing.T) {
	for _, tc := range []struct {
		name string
		new  func(s float64) ot.Solver
	}{
		{"default", func(s float64) ot.Solver { return &Solver{Lambda: 0.05 * s} }},
		{"lambda0", func(s float64) ot.Solver { return &Solver{} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ottest.Run(t, ottest.Config{New: tc.new, Tol: DefaultTol, Converges: true, CancelN: conformanceCancelN})
		})
	}
}
