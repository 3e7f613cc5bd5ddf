package monge

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"github.com/otkit/otkit/ot"
	"github.com/otkit/otkit/sinkhorn"
)

// TestSTVSGapDivergenceFD: the Monge gap and Sinkhorn-divergence gradients
// with the STVS elastic cost against central differences (fixture A,
// docs/monge.md §8.5), as TestGapGradientFD and TestDivergenceGradientFD do
// for the other costs.
func TestSTVSGapDivergenceFD(t *testing.T) {
	x, y, tt := fixtureA()
	s := &Settings{Cost: Cost{Metric: ot.Elastic, Elastic: ot.ElasticCost{Tau: ot.PenaltySTVS, Gamma: 0.4}}, Solver: tight()}
	const eps = 0.5
	t.Run("gap", func(t *testing.T) {
		g, err := s.Gap(nil, x, y, eps)
		require.NoError(t, err)
		require.Equal(t, ot.Converged, g.Status)
		checkFD(t, y, g.Grad, func(yy *mat.Dense) float64 {
			r, err := s.Gap(nil, x, yy, eps)
			require.NoError(t, err)
			return r.Value
		})
	})
	t.Run("divergence", func(t *testing.T) {
		g, err := s.Divergence(nil, y, tt, eps)
		require.NoError(t, err)
		require.Equal(t, ot.Converged, g.Status)
		checkFD(t, y, g.Grad, func(yy *mat.Dense) float64 {
			r, err := s.Divergence(nil, yy, tt, eps)
			require.NoError(t, err)
			return r.Value
		})
	})
}

// TestSTVSMapAssignment: with n = m and ε → 0 the STVS elastic map sends
// each x_i to its partner y_σ(i) in the optimal assignment for the STVS cost
// (found by brute force over the 720 permutations of fixture A), since
// prox_{τ_γ} ∘ ∇h = id (docs/monge.md §7 sign check). The plans are near
// permutations, where Sinkhorn stops at its iteration cap (§10); the map
// needs only the potential's shape.
func TestSTVSMapAssignment(t *testing.T) {
	x, y, _ := fixtureA()
	c := ot.ElasticCost{Tau: ot.PenaltySTVS, Gamma: 0.5}
	n, d := x.Dims()
	best, bestPerm := math.Inf(1), []int(nil)
	var perm func(p []int, k int)
	perm = func(p []int, k int) {
		if k == n {
			var s float64
			z := make([]float64, d)
			for i, j := range p {
				for l := range z {
					z[l] = x.At(i, l) - y.At(j, l)
				}
				s += c.H(z)
			}
			if s < best {
				best, bestPerm = s, append([]int(nil), p...)
			}
			return
		}
		for i := k; i < n; i++ {
			p[k], p[i] = p[i], p[k]
			perm(p, k+1)
			p[k], p[i] = p[i], p[k]
		}
	}
	perm([]int{0, 1, 2, 3, 4, 5}, 0)
	for _, tc := range []struct{ eps, tol float64 }{{0.05, 0.15}, {0.01, 0.01}} {
		em, err := NewElasticMap(nil, x, y, c, &MapSettings{Eps: tc.eps, Solver: sinkhorn.Solver{Tol: 1e-6, MaxIter: 20000}})
		require.NoError(t, err)
		var worst float64
		for i, j := range bestPerm {
			tx := em.Map(x.RawRowView(i))
			for l := range tx {
				worst = math.Max(worst, math.Abs(tx[l]-y.At(j, l)))
			}
		}
		t.Logf("ε %v: assignment %v, max |T(x_i) − y_σ(i)| = %.2e (%v, %d iterations)", tc.eps, bestPerm, worst, em.Result().Status, em.Result().Iterations)
		assert.Less(t, worst, tc.tol)
	}
}
