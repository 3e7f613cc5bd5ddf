package cardinality

import (
	"math/rand/v2"
	"testing"

	"github.com/otkit/otkit/ot"
)

// randomProblem returns an n×m problem with uniform weights and the squared
// Euclidean cost between Gaussian point clouds in 2-D, scaled to max 1.
func randomProblem(t testing.TB, seed uint64, n, m int) *ot.Problem {
	rng := rand.New(rand.NewPCG(seed, 2))
	x := make([][]float64, n)
	y := make([][]float64, m)
	for i := range x {
		x[i] = []float64{rng.NormFloat64(), rng.NormFloat64()}
	}
	for j := range y {
		y[j] = []float64{rng.NormFloat64() + 1, rng.NormFloat64()}
	}
	c := make([]float64, n*m)
	var mx float64
	for i := range x {
		for j := range y {
			dx, dy := x[i][0]-y[j][0], x[i][1]-y[j][1]
			c[i*m+j] = dx*dx + dy*dy
			mx = max(mx, c[i*m+j])
		}
	}
	for k := range c {
		c[k] /= mx
	}
	return problem(t, ot.Uniform(n), ot.Uniform(m), c)
}
