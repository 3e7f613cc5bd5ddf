package sinkhorn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/otkit/otkit/internal/otest"
	"github.com/otkit/otkit/ot"
)

// randomProblem is an n×m problem with random non-uniform weights and
// costs in [0, 1).
func randomProblem(n, m int, seed uint64) *ot.Problem {
	return otest.RandomProblem(rand.New(rand.NewPCG(seed, 11)), n, m)
}

// randomCloud is an n×m SqEuclidean point-cloud problem in dimension d with
// uniform weights.
func randomCloud(t testing.TB, n, m, d int, seed uint64) *ot.Problem {
	rng := rand.New(rand.NewPCG(seed, 13))
	pts := func(k int) [][]float64 {
		x := make([][]float64, k)
		for i := range x {
			x[i] = make([]float64, d)
			for l := range x[i] {
				x[i][l] = rng.NormFloat64()
			}
		}
		return x
	}
	pc, err := ot.NewPointCloud(pts(n), pts(m), ot.SqEuclidean)
	require.NoError(t, err)
	return ot.NewProblem(pc)
}

// centred returns f − mean(f) and g + mean(f).
func centred(f, g []float64) ([]float64, []float64) {
	var mean float64
	for _, v := range f {
		mean += v
	}
	mean /= float64(len(f))
	fc, gc := make([]float64, len(f)), make([]float64, len(g))
	for i, v := range f {
		fc[i] = v - mean
	}
	for j, v := range g {
		gc[j] = v + mean
	}
	return fc, gc
}

func maxAbsDiff(x, y []float64) float64 {
	var d float64
	for i := range x {
		d = math.Max(d, math.Abs(x[i]-y[i]))
	}
	return d
}

// entropy is H(w) = −Σ w log w.
func entropy(w []float64) float64 {
	var h float64
	for _, v := range w {
		if v > 0 {
			h -= v * math.Log(v)
		}
	}
	return h
}
