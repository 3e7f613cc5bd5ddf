package quadratic

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/floats"

	"github.com/otkit/otkit/internal/otest"
	"github.com/otkit/otkit/ot"
)

// TestRelaxedTinyMass: with Σa relaxed and Σb = 1.5 hard (and the
// transposed problem), the tolerance and the default γ are relative to the
// hard side's mass: at Σa = 1e-12 the solve converges, its MarginalError
// within Tol·Σb, and at Σa = 1e-6 the default γ is
// DefaultGammaFactor·range·max(n, m)/Σb (not /Σa, 1.5e6 times larger).
func TestRelaxedTinyMass(t *testing.T) {
	for _, c := range []struct {
		cols bool
		ma   float64
	}{{false, 1e-12}, {true, 1e-12}, {false, 1e-6}, {true, 1e-6}} {
		cols := c.cols
		p := otest.RandomProblem(rand.New(rand.NewPCG(3, 4)), 12, 10)
		floats.Scale(c.ma, p.A)
		floats.Scale(1.5, p.B)
		p.RhoA = 1
		if cols {
			p = &ot.Problem{A: p.B, B: p.A, C: ot.Transpose(p.C), RhoB: 1}
		}
		hard := p.B
		if cols {
			hard = p.A
		}
		res, err := (&Solver{MaxIter: 500}).Solve(context.Background(), p)
		require.NoError(t, err)
		require.Equal(t, ot.Converged, res.Status, "cols %v", cols)
		assert.LessOrEqual(t, res.MarginalError, 1e-9*floats.Sum(hard))
		// The same plan with the documented γ given explicitly.
		if c.ma < 1e-9 {
			continue
		}
		n, m := p.Dims()
		lo, hi := 1.0, 0.0
		buf := make([]float64, m)
		for i := 0; i < n; i++ {
			for _, v := range p.C.Row(i, buf) {
				lo, hi = min(lo, v), max(hi, v)
			}
		}
		g := DefaultGammaFactor * (hi - lo) * float64(max(n, m)) / floats.Sum(hard)
		want, err := (&Solver{Gamma: g, MaxIter: 500}).Solve(context.Background(), p)
		require.NoError(t, err)
		assert.InDelta(t, want.Value, res.Value, 1e-9*(1+math.Abs(want.Value)))
	}
}
