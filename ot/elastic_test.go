package ot

import (
	"errors"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"
)

func TestElasticProx(t *testing.T) {
	l0 := &ElasticCost{Tau: PenaltyL0, Gamma: 0.3, S: 0.5}
	l1 := &ElasticCost{Gamma: 0.4}
	for _, tc := range []struct {
		e       *ElasticCost
		w, want float64
	}{
		{l0, 0.1, 0.04556}, {l0, 0.5, 0.24183}, {l0, 1, 0.67394}, {l0, 2, 1.99919}, {l0, -1, -0.67394},
		{l1, 0.3, 0}, {l1, -0.4, 0}, {l1, 1, 0.6}, {l1, -2, -1.6},
	} {
		got := tc.e.Prox(nil, []float64{tc.w})[0]
		assert.InDelta(t, tc.want, got, 1e-5, "%v prox(%v)", tc.e, tc.w)
	}
	// prox_{γτ} ∘ ∇h = id, and ∇h matches finite differences of h.
	z := []float64{0.3, -1.2, 4, 0.01, -0.7}
	for _, e := range []*ElasticCost{l0, l1, {Tau: PenaltyL0, Gamma: MaxGammaL0(1)}} {
		back := e.Prox(nil, e.GradH(nil, z))
		for k := range z {
			assert.InDelta(t, z[k], back[k], 1e-12)
		}
		g := e.GradH(nil, z)
		for k := range z {
			zp, zm := append([]float64(nil), z...), append([]float64(nil), z...)
			zp[k] += 1e-6
			zm[k] -= 1e-6
			assert.InDelta(t, g[k], (e.H(zp)-e.H(zm))/2e-6, 1e-6)
		}
	}
}

func TestElasticPointCloud(t *testing.T) {
	e := &ElasticCost{Gamma: 0.5}
	pc := &PointCloud{X: mat.NewDense(2, 2, []float64{0, 0, 1, 2}), Y: mat.NewDense(1, 2, []float64{1, -1}),
		Metric: Elastic, Elastic: e}
	require.NoError(t, pc.validate())
	row := pc.Row(1, make([]float64, 1))
	assert.InDelta(t, e.H([]float64{0, 3}), row[0], 0)
	assert.Equal(t, "elastic", Elastic.String())
	m, err := ParseMetric("elastic")
	require.NoError(t, err)
	assert.Equal(t, Elastic, m)
	pc.Elastic = nil
	assert.True(t, errors.Is(pc.validate(), ErrParameter))
	pc.Elastic = &ElasticCost{Tau: PenaltyL0, Gamma: 2.25}
	assert.True(t, errors.Is(pc.validate(), ErrParameter))
	pc.Elastic = &ElasticCost{Gamma: math.NaN()}
	assert.True(t, errors.Is(pc.validate(), ErrParameter))
	p, err := ParsePenalty("l0")
	require.NoError(t, err)
	assert.Equal(t, PenaltyL0, p)
	_, err = ParsePenalty("l2")
	assert.True(t, errors.Is(err, ErrParameter))
}
