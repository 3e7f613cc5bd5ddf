package ot_test

import (
	"errors"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"github.com/otkit/otkit/ot"
)

func dense(n, m int, v ...float64) *ot.DenseCost {
	return &ot.DenseCost{N: n, M: m, Data: v}
}

func TestValidate(t *testing.T) {
	inf, nan := math.Inf(1), math.NaN()
	c22 := dense(2, 2, 0, 1, 1, 0)
	half := []float64{0.5, 0.5}
	tests := []struct {
		name string
		p    *ot.Problem
		want error
	}{
		{"ok", &ot.Problem{A: half, B: half, C: c22}, nil},
		{"ok zero weight", &ot.Problem{A: []float64{1, 0}, B: half, C: c22}, nil},
		{"ok forbidden pair", &ot.Problem{A: half, B: half, C: dense(2, 2, 0, inf, 1, 0)}, nil},
		{"ok mass within tol", &ot.Problem{A: half, B: []float64{0.5, 0.5 + 1e-12}, C: c22}, nil},
		{"nil problem", nil, ot.ErrEmpty},
		{"no cost", &ot.Problem{A: half, B: half}, ot.ErrEmpty},
		{"empty cost", &ot.Problem{C: dense(0, 0)}, ot.ErrEmpty},
		{"short a", &ot.Problem{A: []float64{1}, B: half, C: c22}, ot.ErrShape},
		{"long b", &ot.Problem{A: half, B: []float64{0.5, 0.25, 0.25}, C: c22}, ot.ErrShape},
		{"bad dense data", &ot.Problem{A: half, B: half, C: dense(2, 2, 0, 1, 1)}, ot.ErrShape},
		{"nan a", &ot.Problem{A: []float64{nan, 1}, B: half, C: c22}, ot.ErrNonFinite},
		{"inf b", &ot.Problem{A: half, B: []float64{inf, 0}, C: c22}, ot.ErrNonFinite},
		{"negative a", &ot.Problem{A: []float64{1.5, -0.5}, B: half, C: c22}, ot.ErrNegativeWeight},
		{"zero mass", &ot.Problem{A: []float64{0, 0}, B: []float64{0, 0}, C: c22}, ot.ErrZeroMass},
		{"mass mismatch", &ot.Problem{A: half, B: []float64{0.5, 0.6}, C: c22}, ot.ErrMassMismatch},
		{"nan cost", &ot.Problem{A: half, B: half, C: dense(2, 2, 0, nan, 1, 0)}, ot.ErrNonFinite},
		{"-inf cost", &ot.Problem{A: half, B: half, C: dense(2, 2, 0, math.Inf(-1), 1, 0)}, ot.ErrNonFinite},
		{"forbidden row", &ot.Problem{A: half, B: half, C: dense(2, 2, inf, inf, 1, 0)}, ot.ErrInfeasible},
		{"forbidden column", &ot.Problem{A: half, B: half, C: dense(2, 2, inf, 0, inf, 0)}, ot.ErrInfeasible},
		{"row open only to zero column", &ot.Problem{A: half, B: []float64{1, 0}, C: dense(2, 2, inf, 0, 1, 0)}, ot.ErrInfeasible},
		{"nan point", &ot.Problem{A: half, B: half, C: &ot.PointCloud{
			X: mat.NewDense(2, 1, []float64{0, nan}), Y: mat.NewDense(2, 1, []float64{0, 1})}}, ot.ErrNonFinite},
		{"point dims", &ot.Problem{A: half, B: half, C: &ot.PointCloud{
			X: mat.NewDense(2, 1, []float64{0, 1}), Y: mat.NewDense(2, 2, []float64{0, 1, 2, 3})}}, ot.ErrShape},
		{"bad lp", &ot.Problem{A: half, B: half, C: &ot.PointCloud{
			X: mat.NewDense(2, 1, []float64{0, 1}), Y: mat.NewDense(2, 1, []float64{0, 1}), Metric: ot.Lp, P: 0.5}}, ot.ErrParameter},
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

func TestValidatePotentials(t *testing.T) {
	require.NoError(t, ot.ValidatePotentials(nil, 2, 3))
	require.NoError(t, ot.ValidatePotentials(&ot.Potentials{F: []float64{0, math.Inf(-1)}}, 2, 3))
	require.ErrorIs(t, ot.ValidatePotentials(&ot.Potentials{F: []float64{0}}, 2, 3), ot.ErrShape)
	require.ErrorIs(t, ot.ValidatePotentials(&ot.Potentials{G: []float64{0, 0}}, 2, 3), ot.ErrShape)
	require.ErrorIs(t, ot.ValidatePotentials(&ot.Potentials{G: []float64{0, math.NaN(), 0}}, 2, 3), ot.ErrNonFinite)
}

func TestStatusString(t *testing.T) {
	assert.Equal(t, "Converged", ot.Converged.String())
	assert.Equal(t, "Stalled", ot.Stalled.String())
	assert.Equal(t, "Status(99)", ot.Status(99).String())
}

func FuzzValidate(f *testing.F) {
	f.Add(2, 2, 0.5, 0.5, 0.0, 1.0)
	f.Add(1, 3, 1.0, -1.0, math.Inf(1), math.NaN())
	f.Fuzz(func(t *testing.T, n, m int, a0, b0, c0, c1 float64) {
		if n < 0 || m < 0 || n > 8 || m > 8 {
			return
		}
		c := make([]float64, n*m)
		for k := range c {
			c[k] = []float64{c0, c1}[k%2]
		}
		a, b := make([]float64, n), make([]float64, m)
		for i := range a {
			a[i] = a0
		}
		for j := range b {
			b[j] = b0
		}
		p := &ot.Problem{A: a, B: b, C: &ot.DenseCost{N: n, M: m, Data: c}}
		if err := p.Validate(); err == nil {
			// A valid problem has finite non-negative weights of equal mass.
			sa, sb := 0.0, 0.0
			for _, v := range a {
				sa += v
			}
			for _, v := range b {
				sb += v
			}
			if !(sa > 0) || math.Abs(sa-sb) > 1e-9*math.Max(sa, sb) {
				t.Fatalf("accepted a=%v b=%v", a, b)
			}
		}
	})
}

func BenchmarkValidateDense(b *testing.B) {
	const n = 500
	c := make([]float64, n*n)
	for k := range c {
		c[k] = float64(k%97) / 97
	}
	p := ot.NewProblem(&ot.DenseCost{N: n, M: n, Data: c})
	b.ResetTimer()
	for range b.N {
		if err := p.Validate(); err != nil {
			b.Fatal(err)
		}
	}
}

func TestValidateWith(t *testing.T) {
	p := &ot.Problem{A: []float64{0.5, 0.5}, B: []float64{1}, C: dense(2, 1, 0, 1)}
	require.NoError(t, p.ValidateWith(nil))
	require.NoError(t, p.ValidateWith(&ot.Potentials{F: []float64{0, 1}}))
	require.ErrorIs(t, p.ValidateWith(&ot.Potentials{G: []float64{0, 1}}), ot.ErrShape)
	p.B = []float64{2}
	require.ErrorIs(t, p.ValidateWith(nil), ot.ErrMassMismatch)
}
