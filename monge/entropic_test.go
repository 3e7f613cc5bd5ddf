package monge

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"github.com/otkit/otkit/ot"
	"github.com/otkit/otkit/sinkhorn"
)

func TestEntropicMapFixtureA(t *testing.T) {
	x, _, tt := fixtureA()
	s := &MapSettings{Eps: 0.2, Solver: tight()}
	tm, err := NewEntropicMap(nil, x, tt, s)
	require.NoError(t, err)
	assert.InDeltaSlice(t, []float64{0.837551, 0.504587, -0.018661}, tm.Map([]float64{0.3, -0.2, 0.5}), 2e-6)
	assert.InDeltaSlice(t, []float64{0.47488712, 0.04528390, -0.35858548}, tm.Map(x.RawRowView(2)), 2e-8)
	// γ = 0 elastic at ε/2 is the same map.
	s.Eps = 0.1
	em, err := NewElasticMap(nil, x, tt, ot.ElasticCost{}, s)
	require.NoError(t, err)
	assert.InDeltaSlice(t, tm.Map(x.RawRowView(4)), em.Map(x.RawRowView(4)), 1e-9)
	// So is STVS at γ = 0 (τ_0 = 0).
	sm, err := NewElasticMap(nil, x, tt, ot.ElasticCost{Tau: ot.PenaltySTVS}, s)
	require.NoError(t, err)
	assert.InDeltaSlice(t, tm.Map(x.RawRowView(4)), sm.Map(x.RawRowView(4)), 1e-9)
}

func TestElasticMapFixtureA(t *testing.T) {
	x, _, tt := fixtureA()
	for _, tc := range []struct {
		gamma float64
		t0    []float64
		zeros int
	}{
		{0, []float64{-0.286286, 0.462681, 1.041073}, 0},
		{0.3, []float64{-0.352331, 0.427182, 1.048981}, 5},
		{1, []float64{-0.373622, 0.411757, 1.050427}, 9},
	} {
		em, err := NewElasticMap(nil, x, tt, ot.ElasticCost{Gamma: tc.gamma}, &MapSettings{Eps: 0.1, Solver: tight()})
		require.NoError(t, err)
		assert.InDeltaSlice(t, tc.t0, em.Map(x.RawRowView(0)), 2e-6)
		tx, err := em.Apply(nil, x)
		require.NoError(t, err)
		zeros := 0
		for i := 0; i < 6; i++ {
			for k := 0; k < 3; k++ {
				if tx.At(i, k) == x.At(i, k) {
					zeros++
				}
			}
		}
		assert.Equal(t, tc.zeros, zeros, "γ = %v", tc.gamma)
	}
}

// gaussFixture is docs/monge.md §8.1: μ = N(0, A), A = [[2,1],[1,2]];
// ν = N((1,2), diag(1, 4)).
func gaussSample(rng *rand.Rand, n int, target bool) *mat.Dense {
	x := mat.NewDense(n, 2, nil)
	for i := 0; i < n; i++ {
		u, v := rng.NormFloat64(), rng.NormFloat64()
		if target {
			x.Set(i, 0, 1+u)
			x.Set(i, 1, 2+2*v)
		} else {
			// A^{1/2} = [[a, b], [b, a]], a = (√3+1)/2, b = (√3−1)/2.
			a, b := (math.Sqrt(3)+1)/2, (math.Sqrt(3)-1)/2
			x.Set(i, 0, a*u+b*v)
			x.Set(i, 1, b*u+a*v)
		}
	}
	return x
}

// affineFit returns the least-squares (c, J) of t ≈ c + J q.
func affineFit(q, t *mat.Dense) (c []float64, J *mat.Dense) {
	n, d := q.Dims()
	X := mat.NewDense(n, d+1, nil)
	for i := 0; i < n; i++ {
		X.Set(i, 0, 1)
		for k := 0; k < d; k++ {
			X.Set(i, k+1, q.At(i, k))
		}
	}
	var B mat.Dense
	if err := B.Solve(X, t); err != nil {
		panic(err)
	}
	c = mat.Row(nil, 0, &B)
	J = mat.NewDense(d, d, nil)
	J.Copy(B.Slice(1, d+1, 0, d).T())
	return c, J
}

func TestEntropicMapGaussian(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 1))
	x, y := gaussSample(rng, 1000, false), gaussSample(rng, 1000, true)
	q := gaussSample(rng, 500, false)
	for _, tc := range []struct {
		eps float64
		J   []float64
	}{
		{0.5, []float64{0.72537455, -0.24143545, -0.24143545, 1.45288551}},
		{2, []float64{0.53809896, -0.15162866, -0.15162866, 1.24262391}},
	} {
		tm, err := NewEntropicMap(nil, x, y, &MapSettings{Eps: tc.eps, Workers: 2})
		require.NoError(t, err)
		require.Equal(t, ot.Converged, tm.Result().Status)
		tq, err := tm.Apply(nil, q)
		require.NoError(t, err)
		c, J := affineFit(q, tq)
		t.Logf("ε %v: c = %.4f, J = %.4f (entropic closed form %v; %d iterations)", tc.eps, c, mat.Formatted(J), tc.J, tm.Result().Iterations)
		assert.InDeltaSlice(t, tc.J, J.RawMatrix().Data, 0.06)
		assert.InDeltaSlice(t, []float64{1, 2}, c, 0.1)
	}
}

// sparseTask draws x ~ N(0, I_d) (n points) and y = x' + c on the first s
// coordinates (x' an independent sample): the optimal map for every
// convex translation-invariant cost is the translation, whose displacement
// support is {0, …, s−1}.
func sparseTask(rng *rand.Rand, n, d, s int, shift float64) (x, y *mat.Dense) {
	x, y = mat.NewDense(n, d, nil), mat.NewDense(n, d, nil)
	for i := 0; i < n; i++ {
		for k := 0; k < d; k++ {
			x.Set(i, k, rng.NormFloat64())
		}
	}
	for i := 0; i < n; i++ {
		for k := 0; k < d; k++ {
			v := rng.NormFloat64()
			if k < s {
				v += shift
			}
			y.Set(i, k, v)
		}
	}
	return x, y
}

// supportScores returns precision and recall of the predicted displacement
// support {k : |T(x)_k − x_k| > thr} against {0, …, s−1}, averaged over
// points.
func supportScores(q, tq *mat.Dense, s int, thr float64) (prec, rec float64) {
	n, d := q.Dims()
	for i := 0; i < n; i++ {
		var tp, pred float64
		for k := 0; k < d; k++ {
			if math.Abs(tq.At(i, k)-q.At(i, k)) > thr {
				pred++
				if k < s {
					tp++
				}
			}
		}
		if pred > 0 {
			prec += tp / pred
		} else {
			prec++
		}
		rec += tp / float64(s)
	}
	return prec / float64(n), rec / float64(n)
}

// TestElasticMapSparse: d = 20, 3 coordinates translated by 4. The ℓ1 and
// STVS maps recover the support from the exact zeros of the displacement
// (no threshold) at large γ and large ε (the weights p_j(x) then spread over
// many targets, and the threshold acts on a coordinate-wise median-like
// average); STVS at γ behaves like ℓ1 at 2γ on displacements ≪ γ
// (τ_γ(z) = γ|z| − z²/4 + O(|z|³)). The smoothed-ℓ0 elastic map only
// shrinks (τ_s is smooth at 0, so its prox is zero only at 0, see
// TestElasticProxBruteForce, and γ ≤ 2.24 s² bounds the shrinkage), so even
// with a threshold of 0.5 its precision stays near 0.5 (docs/monge.md §5).
// The held-out figures for d = 10 … 50 are in bench/results/monge.md.
func TestElasticMapSparse(t *testing.T) {
	n, d, s := 400, 20, 3
	rng := rand.New(rand.NewPCG(11, 2))
	x, y := sparseTask(rng, n, d, s, 4)
	q, _ := sparseTask(rng, 200, d, s, 4)
	for _, tc := range []struct {
		name       string
		cost       ot.ElasticCost
		epsScale   float64
		thr, minPr float64
	}{
		{"l1", ot.ElasticCost{Gamma: 50}, 10, 0, 0.85},
		{"stvs", ot.ElasticCost{Tau: ot.PenaltySTVS, Gamma: 25}, 10, 0, 0.85},
		{"l0", ot.ElasticCost{Tau: ot.PenaltyL0, Gamma: 2.2, S: 1}, 3, 0.5, 0.45},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if testing.Short() && tc.name != "stvs" {
				t.Skip("short: the STVS case only")
			}
			c := tc.cost
			eps := tc.epsScale * sinkhorn.DefaultEps(&ot.PointCloud{X: x, Y: y, Metric: ot.Elastic, Elastic: &c})
			em, err := NewElasticMap(nil, x, y, c, &MapSettings{Eps: eps, Solver: sinkhorn.Solver{Tol: 1e-6}, Workers: 2})
			require.NoError(t, err)
			tq, err := em.Apply(nil, q)
			require.NoError(t, err)
			prec, rec := supportScores(q, tq, s, tc.thr)
			t.Logf("%s: ε %.3g precision %.3f recall %.3f (status %v)", tc.name, eps, prec, rec, em.Result().Status)
			assert.GreaterOrEqual(t, prec, tc.minPr)
			assert.GreaterOrEqual(t, rec, 0.9)
		})
	}
}

func TestApplyWorkersBitwise(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	x, y := sparseTask(rng, 100, 5, 2, 2)
	a, err := NewEntropicMap(nil, x, y, &MapSettings{Workers: 1})
	require.NoError(t, err)
	b, err := NewEntropicMap(nil, x, y, &MapSettings{Workers: 3})
	require.NoError(t, err)
	ta, _ := a.Apply(nil, x)
	tb, _ := b.Apply(nil, x)
	assert.Equal(t, ta.RawMatrix().Data, tb.RawMatrix().Data)
}
