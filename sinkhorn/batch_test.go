package sinkhorn

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otkit/otkit/ot"
)

func TestSolveBatch(t *testing.T) {
	var ps []*ot.Problem
	for k := 0; k < 12; k++ {
		ps = append(ps, randomProblem(3+k, 20-k, uint64(k)))
	}
	ps = append(ps, &ot.Problem{A: []float64{1}, B: []float64{-1}, C: dense(t, 1, 1, []float64{0})})
	s := &Solver{Eps: 0.05, Workers: 3}
	res, errs := s.SolveBatch(context.Background(), ps)
	require.Len(t, res, len(ps))
	for k, p := range ps[:12] {
		require.NoError(t, errs[k])
		one := solve(t, &Solver{Eps: 0.05}, p)
		assert.Equal(t, one.F, res[k].F, "problem %d", k)
		assert.Equal(t, one.Value, res[k].Value)
		assert.Equal(t, ot.Converged, res[k].Status)
	}
	assert.ErrorIs(t, errs[12], ot.ErrNegativeWeight)
	assert.Nil(t, res[12])

	_, errs = (&Solver{Init: &ot.Potentials{}}).SolveBatch(context.Background(), ps[:2])
	assert.ErrorIs(t, errs[0], ot.ErrParameter)
	res, errs = (&Solver{}).SolveBatch(context.Background(), nil)
	assert.Empty(t, res)
	assert.Empty(t, errs)
}
