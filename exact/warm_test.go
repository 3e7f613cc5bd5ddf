package exact_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/otkit/otkit/exact"
	"github.com/otkit/otkit/ot"
	"github.com/otkit/otkit/sinkhorn"
)

// cloudProblem is n = m points of two 2-D Gaussian clouds, squared Euclidean
// cost as a dense matrix, uniform weights.
func cloudProblem(n int) *ot.Problem {
	rng := rand.New(rand.NewPCG(uint64(n), 11))
	x, y := mat.NewDense(n, 2, nil), mat.NewDense(n, 2, nil)
	for i := 0; i < n; i++ {
		x.Set(i, 0, rng.NormFloat64())
		x.Set(i, 1, rng.NormFloat64())
		y.Set(i, 0, rng.NormFloat64()+1)
		y.Set(i, 1, rng.NormFloat64()+1)
	}
	pc := &ot.PointCloud{X: x, Y: y, Metric: ot.SqEuclidean}
	return &ot.Problem{A: ot.Uniform(n), B: ot.Uniform(n), C: &ot.DenseCost{N: n, M: n, Data: ot.Dense(pc)}}
}

// BenchmarkWarmStart compares a cold network simplex with one started from
// Sinkhorn potentials (ε given relative to the largest cost), and times the
// Sinkhorn solve that produces them.
func BenchmarkWarmStart(b *testing.B) {
	ctx := context.Background()
	for _, n := range []int{500, 1000, 2000} {
		p := cloudProblem(n)
		_, hi := ot.MinMax(p.C)
		for _, rel := range []float64{0.01, 0.002} {
			sk := &sinkhorn.Solver{Eps: rel * hi, Tol: 1e-6, MaxIter: 100000,
				Scaling: &sinkhorn.EpsScaling{}}
			skRes, err := sk.Solve(ctx, p)
			if err != nil {
				b.Fatal(err)
			}
			init := &ot.Potentials{F: skRes.F, G: skRes.G}
			b.Run(fmt.Sprintf("n=%d/sinkhorn-eps=%gmax", n, rel), func(b *testing.B) {
				for b.Loop() {
					if _, err := sk.Solve(ctx, p); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run(fmt.Sprintf("n=%d/warm-eps=%gmax", n, rel), func(b *testing.B) {
				benchSolve(b, &exact.Solver{Init: init}, p)
			})
		}
		// Potentials of the previous solve of a problem whose costs moved by
		// about 1%, as when a routing problem is re-solved over time.
		prev := perturbed(p, 0.01)
		prevRes, err := (&exact.Solver{}).Solve(ctx, prev)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("n=%d/warm-previous", n), func(b *testing.B) {
			benchSolve(b, &exact.Solver{Init: &ot.Potentials{F: prevRes.F, G: prevRes.G}}, p)
		})
		b.Run(fmt.Sprintf("n=%d/cold", n), func(b *testing.B) {
			benchSolve(b, &exact.Solver{}, p)
		})
	}
}

// perturbed returns p with every cost multiplied by 1 + rel·N(0, 1).
func perturbed(p *ot.Problem, rel float64) *ot.Problem {
	rng := rand.New(rand.NewPCG(99, 1))
	src := p.C.(*ot.DenseCost)
	data := make([]float64, len(src.Data))
	for k, v := range src.Data {
		data[k] = v * (1 + rel*rng.NormFloat64())
	}
	return &ot.Problem{A: p.A, B: p.B, C: &ot.DenseCost{N: src.N, M: src.M, Data: data}}
}

func benchSolve(b *testing.B, s *exact.Solver, p *ot.Problem) {
	var res *ot.Result
	var err error
	for b.Loop() {
		if res, err = s.Solve(context.Background(), p); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(res.Iterations), "pivots")
}
