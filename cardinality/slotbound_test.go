package cardinality

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otkit/otkit/ot"
)

// TestBoundsBelowOptimum: at large γ, where the semi-dual's bound is loose
// and the slot bounds and the exhaustive search take over, DualValue stays
// below the brute-forced k-sparse optimum, the plan is never better than
// it, and a Converged plan is within GapTol of it.
func TestBoundsBelowOptimum(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 5))
	feasible := 0
	defer func() { assert.GreaterOrEqual(t, feasible, 6, "feasible cases") }()
	for q := 0; q < 6; q++ {
		n, m, k := 4, 3, 2
		if q%2 == 1 {
			n, m, k = 5, 3, 2
		}
		a, b, c := make([]float64, n), make([]float64, m), make([]float64, n*m)
		var sa, sb float64
		for i := range a {
			a[i] = 0.5 + rng.Float64()
			sa += a[i]
		}
		for j := range b {
			b[j] = 0.5 + rng.Float64()
			sb += b[j]
		}
		for j := range b {
			b[j] *= sa / sb
		}
		for e := range c {
			c[e] = rng.Float64()
		}
		for _, gamma := range []float64{1, 10, 100} {
			t.Run(fmt.Sprintf("%d/γ=%g", q, gamma), func(t *testing.T) {
				opt, _, ok := bruteForce(a, b, c, k, gamma)
				res, err := (&Solver{K: k, Gamma: gamma}).Solve(context.Background(), problem(t, a, b, c))
				if !ok {
					// No k-sparse plan: refused, or not Converged.
					if err == nil {
						assert.NotEqual(t, ot.Converged, res.Status)
					}
					return
				}
				require.NoError(t, err)
				feasible++
				tol := 1e-9 * math.Max(1, math.Abs(opt))
				assert.LessOrEqual(t, res.DualValue, opt+tol, "certified lower bound")
				assert.GreaterOrEqual(t, res.Value, opt-tol, "no plan beats the optimum")
				if res.Status == ot.Converged {
					assert.LessOrEqual(t, res.Value-opt, defaultGapTol*(math.Abs(res.LinearCost)+res.Value-res.LinearCost)+tol)
				}
				// These problems have at most C(5, 2)^3 = 1000 supports: the
				// exhaustive search certifies the optimum.
				assert.Equal(t, ot.Converged, res.Status)
			})
		}
	}
}
