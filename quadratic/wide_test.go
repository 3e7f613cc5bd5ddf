package quadratic

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/floats"

	"github.com/otkit/otkit/internal/otest"
	"github.com/otkit/otkit/ot"
)

// logUniformWeights returns k weights 10^U(lo, 0), normalized to sum 1.
func logUniformWeights(r *rand.Rand, k int, lo float64) []float64 {
	w := make([]float64, k)
	for i := range w {
		w[i] = math.Pow(10, lo*r.Float64())
	}
	floats.Scale(1/floats.Sum(w), w)
	return w
}

// TestWideWeights: weights spanning 1e-12…1 on both sides of 60×50
// Gaussian clouds. A row of mass a_i is resolved only at the scale γ·a_i,
// and plain Newton steps flipped the light rows' active sets until it
// stalled (every method ended IterationLimit at every γ); with the exact
// block updates (see reproject) Newton converges at the default γ and at
// larger ones.
func TestWideWeights(t *testing.T) {
	for seed := uint64(1); seed <= 4; seed++ {
		r := rand.New(rand.NewPCG(seed, 9))
		p := otest.CloudProblem(r, 60, 50, 2, []float64{1, 0}, true)
		p.A, p.B = logUniformWeights(r, 60, -12), logUniformWeights(r, 50, -12)
		lo, hi := finiteRange(ot.CostData(p.C))
		for _, factor := range []float64{0, 2, 10, 100} { // × the default γ; 0: the default
			t.Run(fmt.Sprintf("seed=%d/γ×%g", seed, factor), func(t *testing.T) {
				s := Solver{Gamma: factor * DefaultGammaFactor * (hi - lo) * 60}
				res := solve(t, s, p)
				require.Equal(t, ot.Converged, res.Status, "MarginalError %g", res.MarginalError)
				assert.LessOrEqual(t, res.MarginalError, 1e-9*floats.Sum(p.A))
				assert.Equal(t, res.MarginalError, ot.MarginalError(res.Plan, p.A, p.B))
			})
		}
	}
}
