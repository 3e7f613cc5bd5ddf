package sinkhorn

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otkit/otkit/ot"
)

func dense(t testing.TB, n, m int, data []float64) *ot.DenseCost {
	c, err := ot.NewDenseCost(n, m, data)
	require.NoError(t, err)
	return c
}

// problem3 is the 3×3 example of docs/sinkhorn.md §10.2.
func problem3(t testing.TB) *ot.Problem {
	return &ot.Problem{A: []float64{0.2, 0.5, 0.3}, B: []float64{0.4, 0.4, 0.2},
		C: dense(t, 3, 3, []float64{0, 1, 4, 1, 0, 1, 4, 1, 0})}
}

var methods = []Method{LogDomain, Stabilized}

func TestSpec2x2(t *testing.T) {
	for _, tc := range []struct {
		c, eps, p00, p01, lin, valK float64
	}{
		{1, 1, 0.365529289315, 0.134470710685, 0.26894142136999516, 0.37988549304172253},
		{1, 0.1, 0.4999773010656, 2.269893435122e-05, 4.5397868702434e-05, 0.06931017816607285},
	} {
		for _, meth := range methods {
			p := &ot.Problem{A: []float64{0.5, 0.5}, B: []float64{0.5, 0.5}, C: dense(t, 2, 2, []float64{0, tc.c, tc.c, 0})}
			res, err := (&Solver{Eps: tc.eps, Method: meth}).Solve(context.Background(), p)
			require.NoError(t, err)
			assert.Equal(t, ot.Converged, res.Status, "%v", meth)
			assert.Equal(t, 10, res.Iterations, "%v", meth)
			assert.InDelta(t, tc.p00, res.Plan.At(0, 0), 1e-12)
			assert.InDelta(t, tc.p01, res.Plan.At(0, 1), 1e-12)
			assert.InDelta(t, tc.lin, res.LinearCost, 1e-12)
			assert.InDelta(t, tc.valK, res.Value, 1e-12)
			assert.InDelta(t, tc.valK, res.DualValue, 1e-12)
		}
	}
}

func TestSpec3x3(t *testing.T) {
	for _, tc := range []struct {
		eps, lin, valK float64
		sweeps         int
	}{
		{0.5, 0.3314761377817, 0.5554124295385, 50},
		{0.1, 0.3000000039849, 0.3527460082001, 80},
		{0.05, 0.3, 0.3263730041997, 100},
		{0.01, 0.3, 0.3052746008399, 310},
		{0.001, 0.3, 0.3005274600840, 2630},
	} {
		for _, meth := range methods {
			res, err := (&Solver{Eps: tc.eps, Method: meth}).Solve(context.Background(), problem3(t))
			require.NoError(t, err)
			assert.Equal(t, ot.Converged, res.Status, "eps %v %v", tc.eps, meth)
			assert.InDelta(t, tc.sweeps, res.Iterations, 10, "eps %v %v", tc.eps, meth)
			assert.InDelta(t, tc.lin, res.LinearCost, 1e-8, "eps %v %v", tc.eps, meth)
			assert.InDelta(t, tc.valK, res.Value, 1e-8, "eps %v %v", tc.eps, meth)
			assert.LessOrEqual(t, res.MarginalError, 1e-9)
			assert.Len(t, res.History, res.Iterations/10)
			assert.False(t, math.IsNaN(res.Value))
		}
	}
}
