package ot_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"github.com/otkit/otkit/ot"
)

func TestPointCloudMetrics(t *testing.T) {
	x := [][]float64{{0, 0}, {1, 2}}
	y := [][]float64{{3, 4}, {1, 0}, {0, 0}}
	tests := []struct {
		metric ot.Metric
		p      float64
		row1   []float64 // costs from x[1]
	}{
		{ot.SqEuclidean, 0, []float64{8, 4, 5}},
		{ot.Euclidean, 0, []float64{math.Sqrt(8), 2, math.Sqrt(5)}},
		{ot.Lp, 1, []float64{4, 2, 3}},
		{ot.Lp, 3, []float64{math.Cbrt(16), 2, math.Cbrt(9)}},
		{ot.Cosine, 0, []float64{1 - 11/(math.Sqrt(5)*5), 1 - 1/math.Sqrt(5), 1}},
	}
	for _, tc := range tests {
		t.Run(tc.metric.String(), func(t *testing.T) {
			pc, err := ot.NewPointCloud(x, y, tc.metric)
			require.NoError(t, err)
			pc.P = tc.p
			n, m := pc.Dims()
			require.Equal(t, [2]int{2, 3}, [2]int{n, m})
			got := pc.Row(1, make([]float64, 3))
			assert.InDeltaSlice(t, tc.row1, got, 1e-15)
			// Transpose swaps the roles of X and Y.
			tr := ot.Transpose(pc)
			col := make([]float64, 2)
			for j := 0; j < 3; j++ {
				assert.InDelta(t, got[j], tr.Row(j, col)[1], 1e-15)
			}
		})
	}
}

func TestMetricNames(t *testing.T) {
	for _, m := range []ot.Metric{ot.SqEuclidean, ot.Euclidean, ot.Lp, ot.Cosine} {
		got, err := ot.ParseMetric(m.String())
		require.NoError(t, err)
		assert.Equal(t, m, got)
	}
	_, err := ot.ParseMetric("manhattan")
	require.ErrorIs(t, err, ot.ErrParameter)
}

func TestNewPointCloudErrors(t *testing.T) {
	_, err := ot.NewPointCloud(nil, [][]float64{{1}}, ot.SqEuclidean)
	require.ErrorIs(t, err, ot.ErrEmpty)
	_, err = ot.NewPointCloud([][]float64{{1, 2}}, [][]float64{{1}}, ot.SqEuclidean)
	require.ErrorIs(t, err, ot.ErrShape)
}

func TestDenseCost(t *testing.T) {
	_, err := ot.NewDenseCost(2, 2, []float64{1, 2, 3})
	require.ErrorIs(t, err, ot.ErrShape)
	_, err = ot.NewDenseCost(0, 2, nil)
	require.ErrorIs(t, err, ot.ErrEmpty)
	c := ot.DenseCostOf(mat.NewDense(2, 3, []float64{1, 2, 3, 4, 5, math.Inf(1)}))
	assert.True(t, math.IsInf(c.At(1, 2), 1), "+Inf kept")
	lo, hi := ot.MinMax(c)
	assert.Equal(t, [2]float64{1, 5}, [2]float64{lo, hi}, "MinMax skips +Inf")
	tr := ot.Transpose(c)
	n, m := tr.Dims()
	assert.Equal(t, [2]int{3, 2}, [2]int{n, m})
	assert.Equal(t, []float64{2, 5}, tr.Row(1, make([]float64, 2)))
	sub := &ot.SubCost{C: c, Rows: []int{1}, Cols: []int{2, 0}}
	assert.Equal(t, []float64{math.Inf(1), 4}, sub.Row(0, make([]float64, 2)))
}
