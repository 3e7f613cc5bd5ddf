package ot_test

import (
	"errors"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otkit/otkit/ot"
)

func TestValidateRelaxed(t *testing.T) {
	inf, nan := math.Inf(1), math.NaN()
	c22 := dense(2, 2, 0, 1, 1, 0)
	half := []float64{0.5, 0.5}
	more := []float64{0.5, 1}
	tests := []struct {
		name string
		p    *ot.Problem
		want error
	}{
		{"rho +Inf is hard", &ot.Problem{A: half, B: half, C: c22, RhoA: inf, RhoB: inf}, nil},
		{"rho +Inf still balanced", &ot.Problem{A: half, B: more, C: c22, RhoA: inf}, ot.ErrMassMismatch},
		{"relaxed a, unequal masses", &ot.Problem{A: half, B: more, C: c22, RhoA: 1}, nil},
		{"relaxed b, unequal masses", &ot.Problem{A: half, B: more, C: c22, RhoB: 1}, nil},
		{"relaxed both", &ot.Problem{A: half, B: more, C: c22, RhoA: 2, RhoB: 0.1}, nil},
		{"negative rho", &ot.Problem{A: half, B: half, C: c22, RhoA: -1}, ot.ErrParameter},
		{"nan rho", &ot.Problem{A: half, B: half, C: c22, RhoB: nan}, ot.ErrParameter},
		{"-inf rho", &ot.Problem{A: half, B: half, C: c22, RhoB: math.Inf(-1)}, ot.ErrParameter},
		{"partial", &ot.Problem{A: half, B: more, C: c22, PartialMass: 0.7}, nil},
		{"partial all", &ot.Problem{A: half, B: more, C: c22, PartialMass: 1}, nil},
		{"partial within tol", &ot.Problem{A: half, B: more, C: c22, PartialMass: 1 + 1e-12}, nil},
		{"partial above available", &ot.Problem{A: half, B: more, C: c22, PartialMass: 1.01}, ot.ErrInfeasible},
		{"negative partial", &ot.Problem{A: half, B: half, C: c22, PartialMass: -0.5}, ot.ErrParameter},
		{"nan partial", &ot.Problem{A: half, B: half, C: c22, PartialMass: nan}, ot.ErrParameter},
		{"inf partial", &ot.Problem{A: half, B: half, C: c22, PartialMass: inf}, ot.ErrParameter},
		{"partial and relaxed", &ot.Problem{A: half, B: half, C: c22, PartialMass: 0.5, RhoA: 1}, ot.ErrParameter},
		// A forbidden row is infeasible only where the row marginal is hard.
		{"forbidden row, balanced", &ot.Problem{A: half, B: half, C: dense(2, 2, inf, inf, 1, 0)}, ot.ErrInfeasible},
		{"forbidden row, relaxed a", &ot.Problem{A: half, B: half, C: dense(2, 2, inf, inf, 1, 0), RhoA: 1}, nil},
		{"forbidden row, relaxed b", &ot.Problem{A: half, B: half, C: dense(2, 2, inf, inf, 1, 0), RhoB: 1}, ot.ErrInfeasible},
		{"forbidden column, relaxed b", &ot.Problem{A: half, B: half, C: dense(2, 2, inf, 0, inf, 0), RhoB: 1}, nil},
		{"forbidden column, relaxed a", &ot.Problem{A: half, B: half, C: dense(2, 2, inf, 0, inf, 0), RhoA: 1}, ot.ErrInfeasible},
		{"forbidden row, partial", &ot.Problem{A: half, B: half, C: dense(2, 2, inf, inf, 1, 0), PartialMass: 0.5}, nil},
		{"forbidden row, partial too much", &ot.Problem{A: half, B: half, C: dense(2, 2, inf, inf, 1, 0), PartialMass: 0.6}, ot.ErrInfeasible},
		// Only the diagonal is open: at most 0.5 + 0.2 can move.
		{"diagonal, partial ok", &ot.Problem{A: []float64{0.5, 0.5}, B: []float64{0.8, 0.2}, C: dense(2, 2, 0, inf, inf, 0), PartialMass: 0.7}, nil},
		{"diagonal, partial too much", &ot.Problem{A: []float64{0.5, 0.5}, B: []float64{0.8, 0.2}, C: dense(2, 2, 0, inf, inf, 0), PartialMass: 0.75}, ot.ErrInfeasible},
		{"nan cost, relaxed", &ot.Problem{A: half, B: half, C: dense(2, 2, 0, nan, 1, 0), RhoA: 1, RhoB: 1}, ot.ErrNonFinite},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.p.Validate()
			if tc.want == nil {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.True(t, errors.Is(err, tc.want), "got %v, want %v", err, tc.want)
		})
	}
}

func TestRequire(t *testing.T) {
	c22 := dense(2, 2, 0, 1, 1, 0)
	half := []float64{0.5, 0.5}
	bal := &ot.Problem{A: half, B: half, C: c22}
	relA := &ot.Problem{A: half, B: half, C: c22, RhoA: 1}
	relB := &ot.Problem{A: half, B: half, C: c22, RhoB: 1}
	part := &ot.Problem{A: half, B: half, C: c22, PartialMass: 0.5}
	bad := &ot.Problem{A: half, B: half, C: c22, RhoA: -1}
	tests := []struct {
		name string
		p    *ot.Problem
		s    ot.Support
		want error
	}{
		{"nil", nil, ot.Support{}, nil},
		{"balanced", bal, ot.Support{}, nil},
		{"inf rho is balanced", &ot.Problem{A: half, B: half, C: c22, RhoA: math.Inf(1)}, ot.Support{}, nil},
		{"relaxed a refused", relA, ot.Support{}, ot.ErrUnsupported},
		{"relaxed a accepted", relA, ot.Support{RelaxA: true}, nil},
		{"relaxed b by a-only solver", relB, ot.Support{RelaxA: true}, ot.ErrUnsupported},
		{"partial refused", part, ot.Support{RelaxA: true, RelaxB: true}, ot.ErrUnsupported},
		{"partial accepted", part, ot.Support{Partial: true}, nil},
		{"invalid rho", bad, ot.Support{RelaxA: true}, ot.ErrParameter},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.p.Require("test", tc.s)
			if tc.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tc.want)
			if tc.want == ot.ErrUnsupported {
				assert.Contains(t, err.Error(), "test")
			}
		})
	}
	require.ErrorIs(t, relB.RequireBalanced("sinkhorn"), ot.ErrUnsupported)
	assert.Contains(t, relB.RequireBalanced("sinkhorn").Error(), "RhoB")
	assert.True(t, bal.Balanced())
	assert.False(t, part.Balanced())
	assert.True(t, relA.HardB())
	assert.False(t, part.HardA())
}

func TestProblemMarginalError(t *testing.T) {
	c22 := dense(2, 2, 0, 1, 1, 0)
	plan := &ot.DensePlan{N: 2, M: 2, Data: []float64{0.3, 0.1, 0, 0.2}} // rows 0.4 0.2, cols 0.3 0.3
	a, b := []float64{0.5, 0.5}, []float64{0.25, 1}
	tests := []struct {
		name string
		p    *ot.Problem
		want float64
	}{
		{"balanced", &ot.Problem{A: a, B: b, C: c22}, 0.1 + 0.3 + 0.05 + 0.7},
		{"relaxed a", &ot.Problem{A: a, B: b, C: c22, RhoA: 1}, 0.05 + 0.7},
		{"relaxed b", &ot.Problem{A: a, B: b, C: c22, RhoB: 1}, 0.1 + 0.3},
		{"relaxed both", &ot.Problem{A: a, B: b, C: c22, RhoA: 1, RhoB: 1}, 0},
		// Column 0 carries 0.05 more than b_0; the plan moves 0.6 of 0.5.
		{"partial", &ot.Problem{A: a, B: b, C: c22, PartialMass: 0.5}, 0.05 + 0.1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.InDelta(t, tc.want, tc.p.MarginalError(plan), 1e-15)
		})
	}
}
