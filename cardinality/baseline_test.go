package cardinality

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otkit/otkit/ot"
)

// TestGreedyRouter: every kept token goes to its best expert, loads are at
// most the capacity, and the overflow is dropped by gate.
func TestGreedyRouter(t *testing.T) {
	s := gaussianScores(5, 64, 4)
	r, err := (&GreedyRouter{Capacity: 12}).Route(context.Background(), s)
	require.NoError(t, err)
	assert.Equal(t, ot.Converged, r.Status)
	kept := 0
	for j := 0; j < 4; j++ {
		assert.LessOrEqual(t, r.Load(j), 12)
		kept += r.Load(j)
	}
	assert.Equal(t, 64-kept, r.Dropped)
	assert.Equal(t, kept, len(r.TokenExperts))
	for i := 0; i < 64; i++ {
		ex := r.TokenExperts[r.TokenStart[i]:r.TokenStart[i+1]]
		if len(ex) == 0 {
			continue
		}
		row := s.Data[i*4 : (i+1)*4]
		for j := range row {
			assert.LessOrEqual(t, row[j], row[ex[0]])
		}
	}
	_, err = (&GreedyRouter{}).Route(context.Background(), s)
	assert.True(t, errors.Is(err, ot.ErrParameter))
}

// TestSinkhornRouter: a balanced assignment within the capacity.
func TestSinkhornRouter(t *testing.T) {
	s := gaussianScores(6, 64, 4)
	r, err := (&SinkhornRouter{Capacity: 20}).Route(context.Background(), s)
	require.NoError(t, err)
	for j := 0; j < 4; j++ {
		assert.LessOrEqual(t, r.Load(j), 20)
	}
	assert.Less(t, r.Dropped, 8)
}
