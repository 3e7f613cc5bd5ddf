package ot

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"
)

// hallFeasible decides feasibility by Gale's supply–demand theorem: a plan
// on the finite entries exists iff every set S of rows carries at most the
// mass of the columns it can reach.
func hallFeasible(a, b []float64, open [][]bool) bool {
	n, m := len(a), len(b)
	for s := 1; s < 1<<n; s++ {
		var as, bs float64
		reach := make([]bool, m)
		for i := 0; i < n; i++ {
			if s>>i&1 == 1 {
				as += a[i]
				for j := 0; j < m; j++ {
					reach[j] = reach[j] || open[i][j]
				}
			}
		}
		for j, r := range reach {
			if r {
				bs += b[j]
			}
		}
		if as > bs*(1+1e-12)+1e-15 {
			return false
		}
	}
	return true
}

func TestFeasibilityMatchesHall(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	inf := math.Inf(1)
	var feasible, infeasible int
	for trial := 0; trial < 3000; trial++ {
		n, m := 1+rng.IntN(6), 1+rng.IntN(6)
		a, b := make([]float64, n), make([]float64, m)
		for i := range a {
			if rng.IntN(6) > 0 {
				a[i] = float64(1 + rng.IntN(4))
			}
		}
		for j := range b {
			if rng.IntN(6) > 0 {
				b[j] = float64(1 + rng.IntN(4))
			}
		}
		sa, sb := sum(a), sum(b)
		if sa == 0 || sb == 0 {
			continue
		}
		for j := range b {
			b[j] *= sa / sb
		}
		c := make([]float64, n*m)
		open := make([][]bool, n)
		density := 0.2 + 0.6*rng.Float64()
		for i := range open {
			open[i] = make([]bool, m)
			for j := range open[i] {
				if rng.Float64() < density {
					open[i][j], c[i*m+j] = true, rng.Float64()
				} else {
					c[i*m+j] = inf
				}
			}
		}
		p := &Problem{A: a, B: b, C: &DenseCost{N: n, M: m, Data: c}}
		err := p.Validate()
		want := hallFeasible(a, b, open)
		if want {
			feasible++
			require.NoError(t, err, "trial %d: a=%v b=%v open=%v", trial, a, b, open)
		} else {
			infeasible++
			require.ErrorIs(t, err, ErrInfeasible, "trial %d: a=%v b=%v open=%v", trial, a, b, open)
		}
	}
	assert.Greater(t, feasible, 200)
	assert.Greater(t, infeasible, 200)
}

func TestValidateRejects(t *testing.T) {
	inf := math.Inf(1)
	huge := 1e160
	cloud := func(x, y [][]float64, metric Metric) Cost {
		pc, err := NewPointCloud(x, y, metric)
		require.NoError(t, err)
		return pc
	}
	cases := []struct {
		name string
		p    *Problem
		want error
	}{
		{"hidden infeasible pattern", &Problem{A: Uniform(3), B: Uniform(3),
			C: &DenseCost{N: 3, M: 3, Data: []float64{0, inf, inf, 0, inf, inf, 1, 2, 3}}}, ErrInfeasible},
		{"sqeuclidean overflow", &Problem{A: Uniform(2), B: Uniform(2),
			C: cloud([][]float64{{huge, 0}, {0, 0}}, [][]float64{{-huge, 0}, {1, 1}}, SqEuclidean)}, ErrNonFinite},
		{"euclidean overflow", &Problem{A: Uniform(2), B: Uniform(1),
			C: cloud([][]float64{{1e300}, {0}}, [][]float64{{-1e300}}, Euclidean)}, ErrNonFinite},
		{"nil points", &Problem{A: Uniform(1), B: Uniform(1), C: &PointCloud{}}, ErrEmpty},
		{"dense dims overflow", &Problem{A: Uniform(1), B: Uniform(1), C: &DenseCost{N: 1 << 32, M: 1 << 32}}, ErrShape},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.p.Validate()
			assert.ErrorIs(t, err, tc.want)
			t.Log(err)
		})
	}
	_, err := NewDenseCost(1<<32, 1<<32, nil)
	assert.ErrorIs(t, err, ErrShape)
}

func TestLargeButFinitePointClouds(t *testing.T) {
	// Coordinates at 1e160 whose distances are small, and cosine and Lp on
	// extreme coordinates, are accepted and give finite costs.
	for _, metric := range []Metric{SqEuclidean, Euclidean, Cosine, Lp} {
		pc, err := NewPointCloud([][]float64{{1e160, 1}, {1e160, 2}}, [][]float64{{1e160, 0}}, metric)
		require.NoError(t, err)
		p := NewProblem(pc)
		require.NoError(t, p.Validate(), metric)
		for _, v := range pc.Row(1, make([]float64, 1)) {
			assert.False(t, math.IsInf(v, 0) || math.IsNaN(v), "%v: %v", metric, v)
		}
	}
	pc, err := NewPointCloud([][]float64{{1e300, -1e300}}, [][]float64{{-1e300, 1e300}, {1e-300, 0}}, Cosine)
	require.NoError(t, err)
	row := pc.Row(0, make([]float64, 2))
	assert.InDelta(t, 2, row[0], 1e-15)
	assert.InDelta(t, 1-1/math.Sqrt2, row[1], 1e-15)
}

func TestLpLargeExponent(t *testing.T) {
	pc := &PointCloud{Metric: Lp, P: 1100}
	var err error
	pc.X, pc.Y = denseOf([][]float64{{0, 0}}), denseOf([][]float64{{3, 4}, {0.5, 0.25}})
	require.NoError(t, pc.validate())
	row := pc.Row(0, make([]float64, 2))
	assert.InDelta(t, 4, row[0], 1e-12) // → max norm as p → ∞
	assert.InDelta(t, 0.5, row[1], 1e-12)
	_ = err
}

func TestRebalance(t *testing.T) {
	p := &Problem{A: []float64{0.5, 0.5}, B: []float64{float64(float32(1.0 / 3)), float64(float32(2.0 / 3))}}
	p.C = &DenseCost{N: 2, M: 2, Data: []float64{0, 1, 1, 0}}
	p.A[0] = float64(float32(0.1))
	p.A[1] = float64(float32(0.9))
	if err := p.Validate(); err == nil {
		t.Skip("float32 rounding happened to agree")
	}
	require.NoError(t, p.Rebalance())
	require.NoError(t, p.Validate())
	p.B[0] *= 2
	err := p.Rebalance()
	assert.True(t, errors.Is(err, ErrMassMismatch))
}

func denseOf(rows [][]float64) *mat.Dense {
	d := len(rows[0])
	data := make([]float64, 0, len(rows)*d)
	for _, r := range rows {
		data = append(data, r...)
	}
	return mat.NewDense(len(rows), d, data)
}
