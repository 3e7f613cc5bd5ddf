package sinkhorn

import (
	"math/rand/v2"
	"testing"

	"github.com/otkit/otkit/internal/otest"
	"github.com/otkit/otkit/internal/stress"
	"github.com/otkit/otkit/ot"
)

// TestReliabilityDeterminism: every method gives bitwise identical results
// for Workers 1, 2 and 7, and one Solver value used from several
// goroutines at once (run with -race) gives the same result again.
func TestReliabilityDeterminism(t *testing.T) {
	n, m := 150, 130
	if testing.Short() {
		n, m = 40, 33
	}
	p := otest.CloudProblem(rand.New(rand.NewPCG(15, 3)), n, m, 2, nil, true)
	for _, meth := range []Method{Auto, LogDomain, Stabilized, Sparse} {
		t.Run(meth.String(), func(t *testing.T) {
			stress.Deterministic(t, p, func(w int) ot.Solver {
				return &Solver{Eps: 0.01, Method: meth, Workers: w, Scaling: &EpsScaling{}}
			})
		})
	}
}
