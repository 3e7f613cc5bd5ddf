package exact

import (
	"math/rand/v2"
	"testing"

	"github.com/otkit/otkit/internal/otest"
	"github.com/otkit/otkit/internal/stress"
	"github.com/otkit/otkit/ot"
)

// TestReliabilityDeterminism: one Solver value used from several
// goroutines at once (run with -race) gives bitwise identical results (the
// network simplex has no Workers setting).
func TestReliabilityDeterminism(t *testing.T) {
	n, m := 120, 100
	if testing.Short() {
		n, m = 40, 33
	}
	p := otest.CloudProblem(rand.New(rand.NewPCG(15, 3)), n, m, 2, nil, true)
	stress.Deterministic(t, p, func(int) ot.Solver { return &Solver{} })
}
