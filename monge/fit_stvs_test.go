package monge

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otkit/otkit/ot"
)

// TestFitSTVSPenalty: the STVS sparsity penalty keeps its γ (the parameter
// inside τ): with γ > 0 it is active, and with γ = 0 (τ ≡ 0) Fit refuses it
// rather than silently training without it.
func TestFitSTVSPenalty(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 9))
	x, y := sparseTask(rng, 60, 6, 2, 4)
	base := FitSettings{Sparsity: 1, Epochs: 2, BatchSize: 30, Hidden: []int{8}, Seed: 3}

	s := base
	s.Penalty = ot.ElasticCost{Tau: ot.PenaltySTVS}
	_, err := Fit(nil, x, y, &s)
	require.ErrorIs(t, err, ot.ErrParameter)

	s.Penalty.Gamma = 0.5
	f, err := Fit(nil, x, y, &s)
	require.NoError(t, err)
	require.NotEmpty(t, f.History)
	for _, r := range f.History {
		assert.Greater(t, r.Sparsity, 0.0)
	}
}
