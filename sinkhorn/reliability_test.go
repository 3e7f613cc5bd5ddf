package sinkhorn

import (
	"context"
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

// TestReliabilityKnownBugs holds the failing cases found by the fuzz
// targets and the stress grid (fixed ones run as regressions).
func TestReliabilityKnownBugs(t *testing.T) {
	t.Run("constant cost far above ε", func(t *testing.T) {
		// Fixed: the figures are those of the returned potentials, and the
		// status is not Converged when they miss Tol.
		for _, c := range []float64{1e10, 1.25e149} {
			p := &ot.Problem{A: []float64{1e-5, 1e-5, 1e-5}, B: []float64{1.5e-5, 1.5e-5},
				C: &ot.DenseCost{N: 3, M: 2, Data: []float64{c, c, c, c, c, c}}}
			for _, eps := range []float64{0, 1} {
				res, err := (&Solver{Eps: eps}).Solve(context.Background(), p)
				if e := stress.Check(p, res, err, DefaultTol); e != nil {
					t.Errorf("C ≡ %g, ε = %g: %v", c, eps, e)
				}
			}
		}
	})
}
