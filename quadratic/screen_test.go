package quadratic

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/otkit/otkit/ot"
)

// The screened evaluations must equal full ones wherever the screen
// claims coverage: compare a warm objective (working set collected at a
// reference point) with a fresh one (full pass) at random nearby points.
// (The semi-dual's screening is tested in internal/semidual.)
func TestScreenedEvaluationIsExact(t *testing.T) {
	p := cloudProblem(t, 90, 70, 4)
	in := &instance{n: 90, m: 70, a: p.A, b: p.B, c: ot.CostData(p.C), gamma: 0.05, mass: 1, workers: 2}
	ref := solve(t, Solver{Gamma: 0.05, Method: Newton, Tol: 1e-6}, p)
	r := rand.New(rand.NewPCG(1, 2))

	t.Run("dual", func(t *testing.T) {
		// Collect at x0 with margin μ, then compare screened and full
		// passes wherever the screen claims coverage, with moves up to 3μ
		// so that the bound is exercised at its edge.
		const mu = 1e-4
		warm := newDualObjective(in)
		x0 := append(append([]float64(nil), ref.F...), ref.G...)
		g1, g2 := make([]float64, len(x0)), make([]float64, len(x0))
		warm.pass(x0, g1, passCollect, mu)
		require.True(t, warm.scr.valid)
		require.Equal(t, mu, warm.scr.margin)
		covered := 0
		for trial := 0; trial < 300; trial++ {
			// Raise F almost uniformly: X rises by about s everywhere,
			// so entries up to s below zero become active.
			y := append([]float64(nil), x0...)
			s := 2 * mu * r.Float64()
			for i := 0; i < in.n; i++ {
				y[i] += s * (0.9 + 0.1*r.Float64())
			}
			if !warm.scr.covers(y) {
				continue
			}
			covered++
			v1 := warm.pass(y, g1, passSparse, 0)
			v2 := newDualObjective(in).eval(y, g2)
			require.InDelta(t, v2, v1, 1e-12)
			require.InDeltaSlice(t, g2, g1, 1e-12)
		}
		require.Greater(t, covered, 100)
	})

}
