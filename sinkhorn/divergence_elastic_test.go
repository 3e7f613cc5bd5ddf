package sinkhorn

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"github.com/otkit/otkit/ot"
)

// TestDivergenceKeepsPointCloudFields: the self problems of Divergence
// keep every field of the point cloud (here the Elastic parameters, without
// which the Elastic metric is invalid).
func TestDivergenceKeepsPointCloudFields(t *testing.T) {
	x := mat.NewDense(3, 2, []float64{0, 0, 1, 0, 0, 1})
	y := mat.NewDense(2, 2, []float64{0.5, 0.5, 1, 1})
	pc := &ot.PointCloud{X: x, Y: y, Metric: ot.Elastic, Elastic: &ot.ElasticCost{Gamma: 0.3}}
	p := &ot.Problem{A: ot.Uniform(3), B: ot.Uniform(2), C: pc}
	d, err := (&Solver{Eps: 0.1}).Divergence(context.Background(), p)
	require.NoError(t, err)
	assert.Equal(t, ot.Converged, d.Status)
	same := &ot.Problem{A: ot.Uniform(3), B: ot.Uniform(3), C: &ot.PointCloud{X: x, Y: x, Metric: ot.Elastic, Elastic: pc.Elastic}}
	d0, err := (&Solver{Eps: 0.1}).Divergence(context.Background(), same)
	require.NoError(t, err)
	assert.InDelta(t, 0, d0.Value, 1e-9)
}
