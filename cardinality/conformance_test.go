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
// with K = 3. The relaxation need not reach the marginals (Converges false).
func TestConformance(t *testing.T) {
	ottest.Run(t, ottest.Config{
		New:     func(s float64) ot.Solver { return &Solver{K: 3, Gamma: s} },
		Tol:     defaultTol,
		CancelN: conformanceCancelN,
	})
}
