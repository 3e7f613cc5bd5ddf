package quadratic

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/otkit/otkit/internal/support"
	"github.com/otkit/otkit/ot"
)

// TestNormalizationRounded: the instance is normalized by the powers of
// two nearest to max|C| and to the mass (semidual.Exponent, shared with
// package cardinality), so a mass a rounding error on either side of 1
// and a largest cost of 1 are left alone, and both sides of 1 are treated
// alike (with the exponent of math.Frexp, a mass of 0.9999999999999998
// was doubled and one of 1.0000000000000002 was not).
func TestNormalizationRounded(t *testing.T) {
	for _, c := range []struct {
		mass, cmax       float64
		massExp, costExp int
	}{
		{1, 1, 0, 0},
		{0.9999999999999998, 1, 0, 0},
		{1.0000000000000002, 0.9999999999999999, 0, 0},
		{3, 0.7, 2, -1},
		{0.001, 1000, -10, 10},
	} {
		a := []float64{c.mass / 2, c.mass / 2}
		p := &ot.Problem{A: a, B: a, C: dense(t, 2, 2, []float64{0, c.cmax, c.cmax / 2, 0})}
		in, sc, err := (&Solver{}).setup(context.Background(), support.Reduce(p), 0)
		require.NoError(t, err)
		require.Equal(t, c.massExp, sc.massExp, "mass %v", c.mass)
		require.Equal(t, c.costExp, sc.costExp, "max cost %v", c.cmax)
		in.release()
	}
}
