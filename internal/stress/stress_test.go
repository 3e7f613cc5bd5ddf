package stress

import (
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otkit/otkit/ot"
)

func TestGridSizes(t *testing.T) {
	assert.Len(t, Grid(true), 672)
	assert.Len(t, Grid(false), 72)
	for _, c := range Grid(false) {
		if err := c.P.Validate(); err != nil {
			require.ErrorIs(t, err, ot.ErrInfeasible, c.Name)
		}
	}
}

func TestCheckFindsBreaches(t *testing.T) {
	p := &ot.Problem{A: []float64{0.5, 0.5}, B: []float64{0.5, 0.5},
		C: &ot.DenseCost{N: 2, M: 2, Data: []float64{0, math.Inf(1), 1, 0}}}
	good := func() *ot.Result {
		return &ot.Result{Plan: &ot.DensePlan{N: 2, M: 2, Data: []float64{0.5, 0, 0, 0.5}},
			F: []float64{0, 0}, G: []float64{0, 0}, Status: ot.Converged}
	}
	require.NoError(t, Check(p, good(), nil, 1e-9))
	for name, tc := range map[string]struct {
		res *ot.Result
		err error
	}{
		"both":           {good(), ot.ErrParameter},
		"neither":        {nil, nil},
		"no sentinel":    {nil, errors.New("x")},
		"valid refused":  {nil, fmt.Errorf("%w: x", ot.ErrNonFinite)},
		"NaN value":      {func() *ot.Result { r := good(); r.Value = math.NaN(); return r }(), nil},
		"+Inf potential": {func() *ot.Result { r := good(); r.F[0] = math.Inf(1); return r }(), nil},
		"negative entry": {func() *ot.Result { r := good(); r.Plan.(*ot.DensePlan).Data[3] = -1; return r }(), nil},
		"forbidden mass": {func() *ot.Result { r := good(); r.Plan.(*ot.DensePlan).Data[1] = 1e-3; return r }(), nil},
		"wrong error":    {func() *ot.Result { r := good(); r.Plan.(*ot.DensePlan).Data[0] = 0.4; return r }(), nil},
		"false convergence": {func() *ot.Result {
			r := good()
			r.Plan.(*ot.DensePlan).Data[0] = 0.4
			r.MarginalError = 0.2
			return r
		}(), nil},
	} {
		assert.Error(t, Check(p, tc.res, tc.err, 1e-9), name)
	}
	r := good()
	r.Value, r.Status = math.NaN(), ot.NumericalError
	assert.NoError(t, Check(p, r, nil, 1e-9), "NaN is allowed with NumericalError")
	assert.True(t, HasNaN(r))
	assert.NoError(t, Check(p, nil, fmt.Errorf("%w: x", ot.ErrParameter), 1e-9))
}

func TestDecodeIsValidOrTyped(t *testing.T) {
	for k := range 200 {
		data := []byte{byte(k), byte(k * 7), byte(k * 13), byte(k), 3, 0, 255, byte(k * 3), 9, 200}
		fz := Decode(data)
		if err := fz.P.Validate(); err != nil {
			assert.True(t, WrapsSentinel(err), "%v", err)
		}
	}
}
