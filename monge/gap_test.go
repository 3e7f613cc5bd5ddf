package monge

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"github.com/otkit/otkit/ot"
	"github.com/otkit/otkit/sinkhorn"
)

// fixtureA is docs/monge.md §8.5 fixture A: x_i[k] = sin(1.3i + 0.7k) +
// 0.1k, y_i[k] = x_i[k] + 0.8 sin(x_i[(k+1) mod 3]) + 0.3 (n = 6, d = 3),
// t_j[k] = sin(1.3j + 0.7k + 2) + 0.1k (5 points).
func fixtureA() (x, y, t *mat.Dense) {
	x, y, t = mat.NewDense(6, 3, nil), mat.NewDense(6, 3, nil), mat.NewDense(5, 3, nil)
	for i := 0; i < 6; i++ {
		for k := 0; k < 3; k++ {
			x.Set(i, k, math.Sin(1.3*float64(i)+0.7*float64(k))+0.1*float64(k))
		}
	}
	for i := 0; i < 6; i++ {
		for k := 0; k < 3; k++ {
			y.Set(i, k, x.At(i, k)+0.8*math.Sin(x.At(i, (k+1)%3))+0.3)
		}
	}
	for j := 0; j < 5; j++ {
		for k := 0; k < 3; k++ {
			t.Set(j, k, math.Sin(1.3*float64(j)+0.7*float64(k)+2)+0.1*float64(k))
		}
	}
	return x, y, t
}

// tight is a solver converged far enough for finite differences.
func tight() sinkhorn.Solver {
	return sinkhorn.Solver{Tol: 1e-14, MaxIter: 200000}
}

var costs = map[string]Cost{
	"sqeuclidean": {},
	"euclidean":   {Metric: ot.Euclidean},
	"elastic-l1":  {Metric: ot.Elastic, Elastic: ot.ElasticCost{Gamma: 0.5}},
	"elastic-l0":  {Metric: ot.Elastic, Elastic: ot.ElasticCost{Tau: ot.PenaltyL0, Gamma: 0.3, S: 0.5}},
}

func TestGapFixtureA(t *testing.T) {
	x, y, _ := fixtureA()
	for _, tc := range []struct {
		name string
		cost Cost
		eps  float64
		want float64
		dy0  []float64
	}{
		{"sq eps1", Cost{}, 1, 2.2906406252, []float64{0.084518, 0.027263, -0.042814}},
		{"sq eps0.5", Cost{}, 0.5, 1.0488139418, []float64{0.055930, 0.027139, -0.014416}},
		{"euclidean eps0.05", Cost{Metric: ot.Euclidean}, 0.05, 0.1014531, nil},
		{"elastic eps0.1", Cost{Metric: ot.Elastic, Elastic: ot.ElasticCost{Gamma: 0.5}}, 0.1, 0.1968640, nil},
		{"half eps0.1", Cost{Metric: ot.Elastic}, 0.1, 0.1969314, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Tol 1e-10 (the small-ε solves stop at the cap near it) moves the value by far less than the 2e-6 asserted.
			s := &Settings{Cost: tc.cost, Solver: sinkhorn.Solver{Tol: 1e-10, MaxIter: 200000}}
			g, err := s.Gap(context.Background(), x, y, tc.eps)
			require.NoError(t, err)
			assert.InDelta(t, tc.want, g.Value, 2e-6)
			assert.Greater(t, g.Value, g.Floor)
			for k, v := range tc.dy0 {
				assert.InDelta(t, v, g.Grad.At(0, k), 2e-6)
			}
		})
	}
}

func TestGapGradientFD(t *testing.T) {
	x, y, _ := fixtureA()
	for name, c := range costs {
		t.Run(name, func(t *testing.T) {
			s := &Settings{Cost: c, Solver: tight()}
			const eps = 0.5
			g, err := s.Gap(nil, x, y, eps)
			require.NoError(t, err)
			require.Equal(t, ot.Converged, g.Status)
			f := func(yy *mat.Dense) float64 {
				r, err := s.Gap(nil, x, yy, eps)
				require.NoError(t, err)
				return r.Value
			}
			checkFD(t, y, g.Grad, f)
		})
	}
}

func TestDivergenceGradientFD(t *testing.T) {
	_, y, tt := fixtureA()
	for name, c := range costs {
		t.Run(name, func(t *testing.T) {
			s := &Settings{Cost: c, Solver: tight()}
			const eps = 0.5
			g, err := s.Divergence(nil, y, tt, eps)
			require.NoError(t, err)
			require.Equal(t, ot.Converged, g.Status)
			f := func(yy *mat.Dense) float64 {
				r, err := s.Divergence(nil, yy, tt, eps)
				require.NoError(t, err)
				return r.Value
			}
			checkFD(t, y, g.Grad, f)
		})
	}
	t.Run("fixture", func(t *testing.T) {
		s := &Settings{Solver: tight()}
		g, err := s.Divergence(nil, y, tt, 0.5)
		require.NoError(t, err)
		assert.InDelta(t, 1.9140996881, g.Value, 1e-8)
		for k, v := range []float64{0.322673, 0.428185, 0.236683} {
			assert.InDelta(t, v, g.Grad.At(0, k), 2e-6)
		}
		s.Cost = Cost{Metric: ot.Elastic, Elastic: ot.ElasticCost{Gamma: 0.5}}
		g, err = s.Divergence(nil, y, tt, 0.3)
		require.NoError(t, err)
		assert.InDelta(t, 1.99237071, g.Value, 1e-7)
		for k, v := range []float64{-0.1662146, -0.1462379, -0.1411919} {
			assert.InDelta(t, v, g.Grad.At(3, k), 2e-6)
		}
	})
}

// checkFD compares grad with central differences of f at p (relative error
// of the whole gradient ≤ 1e-6).
func checkFD(t *testing.T, p, grad *mat.Dense, f func(*mat.Dense) float64) {
	t.Helper()
	n, d := p.Dims()
	const h = 1e-5
	var num2, den2 float64
	for i := 0; i < n; i++ {
		for k := 0; k < d; k++ {
			q := mat.DenseCopyOf(p)
			q.Set(i, k, p.At(i, k)+h)
			fp := f(q)
			q.Set(i, k, p.At(i, k)-h)
			fm := f(q)
			fd := (fp - fm) / (2 * h)
			num2 += (fd - grad.At(i, k)) * (fd - grad.At(i, k))
			den2 += grad.At(i, k) * grad.At(i, k)
		}
	}
	rel := math.Sqrt(num2 / den2)
	t.Logf("relative FD error %.2e", rel)
	assert.Less(t, rel, 1e-6)
}

// ring is fixture B: x_i = (1 + 0.1i)(cos(2πi/8), sin(2πi/8)).
func ring() *mat.Dense {
	x := mat.NewDense(8, 2, nil)
	for i := 0; i < 8; i++ {
		r, a := 1+0.1*float64(i), 2*math.Pi*float64(i)/8
		x.Set(i, 0, r*math.Cos(a))
		x.Set(i, 1, r*math.Sin(a))
	}
	return x
}

func TestGapFloorRotation(t *testing.T) {
	x := ring()
	rot, aff := mat.NewDense(8, 2, nil), mat.NewDense(8, 2, nil)
	for i := 0; i < 8; i++ {
		rot.Set(i, 0, -x.At(i, 1))
		rot.Set(i, 1, x.At(i, 0))
		aff.Set(i, 0, 2*x.At(i, 0)+1)
		aff.Set(i, 1, 0.5*x.At(i, 1)-1)
	}
	// Near-permutation plans converge slowly: a looser tolerance.
	s := &Settings{Solver: sinkhorn.Solver{Tol: 1e-10, MaxIter: 200000}}
	for _, tc := range []struct {
		name string
		tx   *mat.Dense
		eps  float64
		want float64
	}{
		{"affine eps0.1", aff, 0.1, 0.20841304},
		{"affine eps0.01", aff, 0.01, 0.02079442},
		{"rotation eps0.1", rot, 0.1, 3.83796419},
		{"rotation eps0.01", rot, 0.01, 3.65079442},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, err := s.Gap(nil, x, tc.tx, tc.eps)
			require.NoError(t, err)
			t.Logf("MG %.8f floor %.8f status %v", g.Value, g.Floor, g.Status)
			assert.InDelta(t, tc.want, g.Value, 1e-4)
			// Value tends to Floor exponentially fast as ε → 0: equal up to rounding here.
			assert.GreaterOrEqual(t, g.Value, g.Floor*(1-1e-10))
		})
	}
}

func TestBadInput(t *testing.T) {
	x, y, tt := fixtureA()
	nan := mat.DenseCopyOf(x)
	nan.Set(2, 1, math.NaN())
	d2 := mat.NewDense(6, 2, nil)
	for _, tc := range []struct {
		name string
		run  func() error
		want error
	}{
		{"eps0", func() error { _, err := Gap(nil, x, y, 0); return err }, ot.ErrParameter},
		{"epsneg", func() error { _, err := Divergence(nil, x, y, -1); return err }, ot.ErrParameter},
		{"nan", func() error { _, err := Gap(nil, nan, y, 1); return err }, ot.ErrNonFinite},
		{"dims", func() error { _, err := Gap(nil, x, d2, 1); return err }, ot.ErrShape},
		{"count", func() error { _, err := Gap(nil, x, tt, 1); return err }, ot.ErrShape},
		{"empty", func() error { _, err := Divergence(nil, &mat.Dense{}, y, 1); return err }, ot.ErrEmpty},
		{"metric", func() error {
			_, err := (&Settings{Cost: Cost{Metric: ot.Cosine}}).Gap(nil, x, y, 1)
			return err
		}, ot.ErrParameter},
		{"l0 gamma", func() error {
			_, err := (&Settings{Cost: Cost{Metric: ot.Elastic, Elastic: ot.ElasticCost{Tau: ot.PenaltyL0, Gamma: 3}}}).Gap(nil, x, y, 1)
			return err
		}, ot.ErrParameter},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.run()
			require.Error(t, err)
			assert.True(t, errors.Is(err, tc.want), "%v", err)
		})
	}
}
