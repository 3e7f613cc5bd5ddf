package quadratic

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otkit/otkit/ot"
)

func gauss1d(n int, mu, s float64) []float64 {
	h := make([]float64, n)
	var sum float64
	for i := range h {
		h[i] = math.Exp(-(float64(i) - mu) * (float64(i) - mu) / (2 * s * s))
		sum += h[i]
	}
	for i := range h {
		h[i] /= sum
	}
	return h
}

// 1-D Gaussian histograms with tail masses down to 1e-50 and
// C = (i−j)²/max are the hard family of docs/quadratic.md (§5.3: Newton needs hundreds
// of iterations). Every method must return finite, honest results and
// make progress; the semi-dual used to stall at once (a projection
// threshold of −Inf for column masses below the rounding of the entries).
func TestHardHistograms(t *testing.T) {
	n := 200
	c := make([]float64, n*n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			c[i*n+j] = float64((i-j)*(i-j)) / float64((n-1)*(n-1))
		}
	}
	p := &ot.Problem{A: gauss1d(n, 50, 10), B: gauss1d(n, 130, 15), C: &ot.DenseCost{N: n, M: n, Data: c}}
	for _, meth := range allMethods {
		t.Run(fmt.Sprint(meth), func(t *testing.T) {
			r := solve(t, Solver{Gamma: 0.1, Method: meth, MaxIter: 300}, p)
			require.False(t, math.IsNaN(r.Value) || math.IsNaN(r.MarginalError))
			assert.Less(t, r.MarginalError, 0.5) // 2 at the start
			if r.Status == ot.Converged {
				assert.LessOrEqual(t, r.MarginalError, 1e-9)
			} else {
				assert.Contains(t, []ot.Status{ot.IterationLimit, ot.Stalled}, r.Status)
			}
			for _, v := range r.Plan.(*ot.SparsePlan).Val {
				require.Greater(t, v, 0.0)
			}
		})
	}
}
