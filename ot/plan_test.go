package ot_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otkit/otkit/ot"
)

func TestSparsePlan(t *testing.T) {
	p := ot.NewSparsePlan(3, 4, []ot.Triplet{{I: 2, J: 3, V: 0.25}, {I: 0, J: 1, V: 0.5}, {I: 2, J: 0, V: 0.125}, {I: 0, J: 1, V: 0.125}, {I: 1, J: 2, V: 0}})
	assert.Equal(t, 3, p.NNZ(), "zero dropped, duplicates summed")
	assert.Equal(t, []int{0, 1, 1, 3}, p.RowPtr)
	assert.Equal(t, 0.625, p.At(0, 1))
	assert.Equal(t, 0.0, p.At(1, 2))
	assert.Equal(t, []float64{0.125, 0, 0, 0.25}, p.Row(2, make([]float64, 4)))
	r, c := ot.Marginals(p)
	assert.Equal(t, []float64{0.625, 0, 0.375}, r)
	assert.Equal(t, []float64{0.125, 0.625, 0, 0.25}, c)
	d := ot.DenseCopy(p)
	assert.Equal(t, 0.25, d.At(2, 3))

	cost := dense(3, 4, 1, 2, 3, 4, 5, math.Inf(1), 7, 8, 9, 10, 11, 12)
	assert.InDelta(t, 0.625*2+0.125*9+0.25*12, ot.LinearCost(p, cost), 1e-15)
	dp := &ot.DensePlan{N: 3, M: 4, Data: d.RawMatrix().Data}
	assert.Equal(t, 3, dp.NNZ())
	assert.InDelta(t, ot.LinearCost(p, cost), ot.LinearCost(dp, cost), 1e-15, "+Inf cost with zero mass is skipped")
	assert.InDelta(t, 0.75+0.75, ot.MarginalError(dp, []float64{0.25, 0.375, 0.375}, []float64{0.25, 0.25, 0.25, 0.25}), 1e-15)
}

func TestEntropicPlan(t *testing.T) {
	c := dense(2, 2, 0, 1, 1, 0)
	p := &ot.EntropicPlan{F: []float64{0.1, math.Inf(-1)}, G: []float64{0.2, -0.3}, Eps: 0.5, C: c}
	want := math.Exp((0.1 - 0.3 - 1) / 0.5)
	assert.InDelta(t, want, p.At(0, 1), 1e-15)
	assert.Equal(t, 0.0, p.At(1, 0), "−Inf potential gives an empty row")
	row := p.Row(0, make([]float64, 2))
	assert.InDelta(t, math.Exp(0.3/0.5), row[0], 1e-15)
	assert.Equal(t, 2, p.NNZ())
	pc, err := ot.NewPointCloud([][]float64{{0}, {1}}, [][]float64{{0}, {1}}, ot.SqEuclidean)
	require.NoError(t, err)
	q := &ot.EntropicPlan{F: p.F, G: p.G, Eps: p.Eps, C: pc}
	assert.InDelta(t, p.At(0, 1), q.At(0, 1), 1e-15)
}
