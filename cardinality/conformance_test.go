package cardinality

import (
	"testing"

	"github.com/otkit/otkit/ot"
	"github.com/otkit/otkit/ot/ottest"
)

// conformanceCancelN is the point cloud of the cancellation test: the
// solver forms the dense transposed cost, and 8000² is 512 MB, within the
// default MaxDenseBytes (20 000², the suite's default, is refused with
// ErrParameter).
const conformanceCancelN = 8000

// TestConformance runs the solver contract's suite on the default settings
// with K = 5: every problem of the suite has a 5-sparse plan (its 5×1
// problem has none with fewer), and K stays below n on the 6×5 and 7×4 ones.
// Converges is false: the gap to the relaxation's bound may stay above GapTol.
func TestConformance(t *testing.T) {
	ottest.Run(t, ottest.Config{
		New:     func(s float64) ot.Solver { return &Solver{K: 5, Gamma: s} },
		Tol:     defaultTol,
		CancelN: conformanceCancelN,
	})
}
