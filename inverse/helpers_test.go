package inverse

import (
	"context"
	"math"
	"math/rand"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/otkit/otkit/ot"
	"github.com/otkit/otkit/sinkhorn"
)

// randn draws an r×c matrix, row-major NormFloat64.
func randn(rng *rand.Rand, r, c int) *mat.Dense {
	m := mat.NewDense(r, c, nil)
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			m.Set(i, j, rng.NormFloat64())
		}
	}
	return m
}

// exactPlan returns the entropic plan of c_A = −xᵀAy between uniform
// weights, evaluated as exp((f + g − C)/ε) from Sinkhorn potentials: exactly
// of the model's form, whatever the Sinkhorn accuracy.
func exactPlan(t testing.TB, x, y, A *mat.Dense, eps float64) *mat.Dense {
	t.Helper()
	n, _ := x.Dims()
	m, _ := y.Dims()
	c := mat.NewDense(n, m, nil)
	xa := mat.NewDense(n, A.RawMatrix().Cols, nil)
	xa.Mul(x, A)
	c.Mul(xa, y.T())
	c.Scale(-1, c)
	s := sinkhorn.Solver{Eps: eps, Tol: 1e-14, MaxIter: 100000}
	res, err := s.Solve(context.Background(), &ot.Problem{A: ot.Uniform(n), B: ot.Uniform(m), C: ot.DenseCostOf(c)})
	if err != nil {
		t.Fatal(err)
	}
	p := mat.NewDense(n, m, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			p.Set(i, j, math.Exp((res.F[i]+res.G[j]-c.At(i, j))/eps))
		}
	}
	return p
}

// t1 is docs/inverse.md's T1 instance: seed 7, n = 7, m = 6, dx = 3, dy = 2.
func t1(t testing.TB) (x, y, A0, p *mat.Dense, eps float64) {
	rng := rand.New(rand.NewSource(7))
	x = randn(rng, 7, 3)
	y = randn(rng, 6, 2)
	A0 = mat.NewDense(3, 2, []float64{1, 0, 0, -0.5, 0.7, 0})
	eps = 0.5
	return x, y, A0, exactPlan(t, x, y, A0, eps), eps
}

func maxAbsDiff(a, b []float64) float64 {
	var d float64
	for i := range a {
		d = math.Max(d, math.Abs(a[i]-b[i]))
	}
	return d
}
