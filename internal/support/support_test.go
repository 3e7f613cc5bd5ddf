package support

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"github.com/otkit/otkit/ot"
)

func TestReduceIdentity(t *testing.T) {
	p := ot.NewProblem(&ot.DenseCost{N: 2, M: 2, Data: []float64{0, 1, 1, 0}})
	r := Reduce(p)
	assert.True(t, r.Identity())
	assert.Same(t, p, r.Problem)
	x := []float64{1, 2}
	assert.Equal(t, x, r.ExpandRows(x, 0))
}

func TestReduceDense(t *testing.T) {
	c := &ot.DenseCost{N: 3, M: 3, Data: []float64{0, 1, 2, 3, 4, 5, 6, 7, 8}}
	p := &ot.Problem{A: []float64{0.5, 0, 0.5}, B: []float64{0, 0.4, 0.6}, C: c}
	r := Reduce(p)
	require.False(t, r.Identity())
	assert.Equal(t, []int{0, 2}, r.Rows)
	assert.Equal(t, []int{1, 2}, r.Cols)
	assert.Equal(t, []float64{1, 2, 7, 8}, ot.CostData(r.C))
	assert.Equal(t, []float64{0.5, 0.5}, r.A)
	assert.Equal(t, []float64{0.4, 0.6}, r.B)

	assert.Equal(t, []float64{1, 3}, r.RowsOf([]float64{1, 2, 3}))
	assert.Equal(t, []float64{2, 3}, r.ColsOf([]float64{1, 2, 3}))
	assert.Nil(t, r.ColsOf(nil))
	f := r.ExpandRows([]float64{1, 2}, math.Inf(-1))
	assert.Equal(t, []float64{1, math.Inf(-1), 2}, f)
	g := r.ExpandCols([]float64{3, 4}, 0)
	assert.Equal(t, []float64{0, 3, 4}, g)

	sp := ot.NewSparsePlan(2, 2, []ot.Triplet{{I: 0, J: 0, V: 0.4}, {I: 0, J: 1, V: 0.1}, {I: 1, J: 1, V: 0.5}})
	full := r.ExpandPlan(sp)
	assert.Equal(t, 0.4, full.At(0, 1))
	assert.Equal(t, 0.1, full.At(0, 2))
	assert.Equal(t, 0.5, full.At(2, 2))
	assert.Equal(t, 0.0, full.At(1, 1))
	rs, cs := ot.Marginals(full)
	assert.InDeltaSlice(t, p.A, rs, 1e-15)
	assert.InDeltaSlice(t, p.B, cs, 1e-15)
}

func TestRestrictPointCloudAndGeneric(t *testing.T) {
	pc := &ot.PointCloud{X: mat.NewDense(3, 1, []float64{0, 1, 2}), Y: mat.NewDense(2, 1, []float64{0, 5})}
	sub := Restrict(pc, []int{2}, []int{1, 0})
	assert.Equal(t, []float64{9, 4}, sub.Row(0, make([]float64, 2)))
	gen := Restrict(&ot.SubCost{C: pc, Rows: []int{0, 1, 2}, Cols: []int{0, 1}}, []int{2}, []int{1, 0})
	assert.Equal(t, []float64{9, 4}, gen.Row(0, make([]float64, 2)))
}
