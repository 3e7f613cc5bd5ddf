package sinkhorn

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otkit/otkit/ot"
)

func TestBadInput(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	u2 := []float64{0.5, 0.5}
	c22 := func(v ...float64) *ot.DenseCost { return &ot.DenseCost{N: 2, M: 2, Data: v} }
	good := c22(0, 1, 1, 0)
	for _, tc := range []struct {
		name string
		s    Solver
		p    *ot.Problem
		want error
	}{
		{"a length", Solver{}, &ot.Problem{A: []float64{1}, B: u2, C: good}, ot.ErrShape},
		{"b length", Solver{}, &ot.Problem{A: u2, B: []float64{0.2, 0.3, 0.5}, C: good}, ot.ErrShape},
		{"cost data length", Solver{}, &ot.Problem{A: u2, B: u2, C: &ot.DenseCost{N: 2, M: 2, Data: []float64{1}}}, ot.ErrShape},
		{"NaN cost", Solver{}, &ot.Problem{A: u2, B: u2, C: c22(0, nan, 1, 0)}, ot.ErrNonFinite},
		{"-Inf cost", Solver{}, &ot.Problem{A: u2, B: u2, C: c22(0, -inf, 1, 0)}, ot.ErrNonFinite},
		{"all-Inf row", Solver{}, &ot.Problem{A: u2, B: u2, C: c22(inf, inf, 1, 0)}, ot.ErrInfeasible},
		{"NaN weight", Solver{}, &ot.Problem{A: []float64{nan, 0.5}, B: u2, C: good}, ot.ErrNonFinite},
		{"Inf weight", Solver{}, &ot.Problem{A: u2, B: []float64{inf, 0.5}, C: good}, ot.ErrNonFinite},
		{"negative weight", Solver{}, &ot.Problem{A: []float64{1.5, -0.5}, B: u2, C: good}, ot.ErrNegativeWeight},
		{"zero mass", Solver{}, &ot.Problem{A: []float64{0, 0}, B: []float64{0, 0}, C: good}, ot.ErrZeroMass},
		{"mass mismatch", Solver{}, &ot.Problem{A: u2, B: []float64{0.5, 0.5 + 2e-9}, C: good}, ot.ErrMassMismatch},
		{"empty problem", Solver{}, &ot.Problem{}, ot.ErrEmpty},
		{"empty cost", Solver{}, &ot.Problem{C: &ot.DenseCost{}}, ot.ErrEmpty},
		{"nil problem", Solver{}, nil, ot.ErrEmpty},
		{"eps < 0", Solver{Eps: -1}, &ot.Problem{A: u2, B: u2, C: good}, ot.ErrParameter},
		{"eps NaN", Solver{Eps: nan}, &ot.Problem{A: u2, B: u2, C: good}, ot.ErrParameter},
		{"eps Inf", Solver{Eps: inf}, &ot.Problem{A: u2, B: u2, C: good}, ot.ErrParameter},
		{"tol < 0", Solver{Tol: -1e-9}, &ot.Problem{A: u2, B: u2, C: good}, ot.ErrParameter},
		{"tol NaN", Solver{Tol: nan}, &ot.Problem{A: u2, B: u2, C: good}, ot.ErrParameter},
		{"MaxIter < 0", Solver{MaxIter: -1}, &ot.Problem{A: u2, B: u2, C: good}, ot.ErrParameter},
		{"CheckEvery < 0", Solver{CheckEvery: -1}, &ot.Problem{A: u2, B: u2, C: good}, ot.ErrParameter},
		{"Workers < 0", Solver{Workers: -2}, &ot.Problem{A: u2, B: u2, C: good}, ot.ErrParameter},
		{"Method", Solver{Method: 7}, &ot.Problem{A: u2, B: u2, C: good}, ot.ErrParameter},
		{"AbsorbThreshold", Solver{AbsorbThreshold: nan}, &ot.Problem{A: u2, B: u2, C: good}, ot.ErrParameter},
		{"Relax < 1", Solver{Relax: 0.5}, &ot.Problem{A: u2, B: u2, C: good}, ot.ErrParameter},
		{"Relax ≥ 2", Solver{Relax: 2}, &ot.Problem{A: u2, B: u2, C: good}, ot.ErrParameter},
		{"MaxKernelBytes", Solver{MaxKernelBytes: -1}, &ot.Problem{A: u2, B: u2, C: good}, ot.ErrParameter},
		{"Scaling.Decay", Solver{Scaling: &EpsScaling{Decay: 1}}, &ot.Problem{A: u2, B: u2, C: good}, ot.ErrParameter},
		{"Scaling.Start", Solver{Scaling: &EpsScaling{Start: -1}}, &ot.Problem{A: u2, B: u2, C: good}, ot.ErrParameter},
		{"Scaling.StageTol", Solver{Scaling: &EpsScaling{StageTol: nan}}, &ot.Problem{A: u2, B: u2, C: good}, ot.ErrParameter},
		{"Scaling.StageMaxIter", Solver{Scaling: &EpsScaling{StageMaxIter: -1}}, &ot.Problem{A: u2, B: u2, C: good}, ot.ErrParameter},
		{"Init F length", Solver{Init: &ot.Potentials{F: []float64{0}}}, &ot.Problem{A: u2, B: u2, C: good}, ot.ErrShape},
		{"Init G length", Solver{Init: &ot.Potentials{G: []float64{0, 0, 0}}}, &ot.Problem{A: u2, B: u2, C: good}, ot.ErrShape},
		{"Init NaN", Solver{Init: &ot.Potentials{F: []float64{0, nan}}}, &ot.Problem{A: u2, B: u2, C: good}, ot.ErrNonFinite},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := tc.s.Solve(context.Background(), tc.p)
			require.Error(t, err)
			assert.True(t, errors.Is(err, tc.want), "got %v, want %v", err, tc.want)
			assert.Nil(t, res)
		})
	}
}

// FuzzSolve runs small random problems through both methods: no panic, no
// NaN in a result without a NumericalError status, errors only for invalid
// input.
func FuzzSolve(f *testing.F) {
	f.Add(uint8(2), uint8(3), 0.1, 1.0, 2.0, 0.5, 3.0, 0.25, uint8(0))
	f.Add(uint8(3), uint8(3), 0.001, 0.0, 4.0, 1.0, 0.0, 0.5, uint8(1))
	f.Add(uint8(1), uint8(4), 1e-4, 1e3, 0.0, 2.0, 0.0, 0.0, uint8(2))
	f.Fuzz(func(t *testing.T, n, m uint8, eps, c0, c1, c2, w0, w1 float64, meth uint8) {
		nn, mm := int(n%5)+1, int(m%5)+1
		coef := []float64{c0, c1, c2}
		data := make([]float64, nn*mm)
		for k := range data {
			data[k] = coef[k%3] * float64(k%7+1)
		}
		a, b := ot.Uniform(nn), ot.Uniform(mm)
		a[0] = w0
		b[mm-1] = w1
		p := &ot.Problem{A: a, B: b, C: &ot.DenseCost{N: nn, M: mm, Data: data}}
		s := &Solver{Eps: eps, Method: Method(meth % 3), MaxIter: 200}
		if meth&4 != 0 {
			s.Scaling = &EpsScaling{}
		}
		res, err := s.Solve(context.Background(), p)
		if err != nil {
			if p.Validate() == nil && eps >= 0 && !math.IsInf(eps, 1) {
				t.Fatalf("valid input rejected: %v", err)
			}
			return
		}
		if res.Status == ot.NumericalError {
			return
		}
		for _, v := range []float64{res.Value, res.DualValue, res.LinearCost, res.MarginalError} {
			if math.IsNaN(v) {
				t.Fatalf("NaN in result with status %v: %+v", res.Status, res)
			}
		}
		for _, v := range ot.DenseCopy(res.Plan).RawMatrix().Data {
			if math.IsNaN(v) || v < 0 {
				t.Fatalf("bad plan entry %v", v)
			}
		}
	})
}
