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

// SmoothedDual is not run: it stops short (IterationLimit) on several of
// the suite's small problems, even at λ = 10, and its unconverged iterates
// are not stable across cost scales (docs/sumofnorms.md §6).
func TestConformance(t *testing.T) {
	for _, tc := range []struct {
		name      string
		new       func(s float64) ot.Solver
		converges bool
	}{
		{"default", func(s float64) ot.Solver { return &Solver{Lambda: 0.05 * s} }, true},
		{"lambda0", func(s float64) ot.Solver { return &Solver{} }, true},
		{"GroupLasso", func(s float64) ot.Solver { return &GroupLasso{Eps: 0.5 * s, Eta: 0.1 * s, MaxIter: 100} }, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ottest.Run(t, ottest.Config{New: tc.new, Tol: DefaultTol, Converges: tc.converges, CancelN: conformanceCancelN})
		})
	}
}
