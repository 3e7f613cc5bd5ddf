package sumofnorms

import (
	"context"
	"math"
	"testing"

	"github.com/otkit/otkit/internal/otest"
	"github.com/otkit/otkit/ot"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGroupLasso(t *testing.T) {
	p, _, _, ys, yt := cross2()
	var prev float64
	for _, eta := range []float64{0.01, 1, 10} {
		res, err := (&GroupLasso{Eps: 0.5, Eta: eta, Labels: ys, MaxIter: 200, GapTol: 1e-6}).Solve(context.Background(), p)
		require.NoError(t, err)
		assert.Equal(t, ot.Converged, res.Status, "η = %g", eta)
		assert.LessOrEqual(t, res.DualValue, res.Value)
		assert.LessOrEqual(t, res.MarginalError, 1e-9)
		// The optimal value is non-decreasing in η.
		assert.GreaterOrEqual(t, res.Value, prev-1e-6, "η = %g", eta)
		prev = res.Value
		// On CROSS-2 the group lasso does not recover the classes
		// (sum-of-norms does for λ ≥ 0.5, TestFullFusion).
		mp := Purity(res.Plan, ys, yt)
		assert.Less(t, mp, 0.9)
		t.Logf("η = %g: %v after %d, Value %.6f, gap %.2g, purity %.4f", eta, res.Status, res.Iterations, res.Value, res.Value-res.DualValue, mp)
	}
	_, err := (&GroupLasso{Labels: ys[:3]}).Solve(context.Background(), p)
	assert.ErrorIs(t, err, ot.ErrShape)
	_, err = (&GroupLasso{Eta: -1}).Solve(context.Background(), p)
	assert.ErrorIs(t, err, ot.ErrParameter)
}

// TestGroupLassoGolden compares with POT 0.8.2 sinkhorn_l1l2_gl run to
// convergence (testdata/sumofnorms/make_golden.py).
func TestGroupLassoGolden(t *testing.T) {
	type golden struct {
		Eps, Eta, Value, Linear float64
		Plan                    []float64
	}
	p, _, _, ys, _ := cross2()
	for _, g := range otest.LoadCases[golden](t, "../testdata/sumofnorms/grouplasso.json") {
		res, err := (&GroupLasso{Eps: g.Eps, Eta: g.Eta, Labels: ys, MaxIter: 2000, InnerMaxIter: 100000,
			GapTol: 1e-10, StopThr: 1e-15}).Solve(context.Background(), p)
		require.NoError(t, err)
		assert.InDelta(t, g.Value, res.Value, 1e-7*math.Abs(g.Value), "ε = %g, η = %g", g.Eps, g.Eta)
		got := ot.DenseCopy(res.Plan).RawMatrix().Data
		for k, v := range g.Plan {
			require.InDelta(t, v, got[k], 1e-6, "ε = %g, η = %g: plan[%d]", g.Eps, g.Eta, k)
		}
	}
}
