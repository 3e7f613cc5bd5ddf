package exact

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/otkit/otkit/ot"
)

// gaussianClouds returns two n-point 2-D Gaussian clouds, the second shifted
// by (1, 1), as a point cloud with the squared Euclidean cost.
func gaussianClouds(n int, seed uint64) *ot.PointCloud {
	rng := rand.New(rand.NewPCG(seed, 7))
	x, y := mat.NewDense(n, 2, nil), mat.NewDense(n, 2, nil)
	for i := 0; i < n; i++ {
		x.Set(i, 0, rng.NormFloat64())
		x.Set(i, 1, rng.NormFloat64())
		y.Set(i, 0, rng.NormFloat64()+1)
		y.Set(i, 1, rng.NormFloat64()+1)
	}
	return &ot.PointCloud{X: x, Y: y, Metric: ot.SqEuclidean}
}

// BenchmarkSolveDense solves n×n Gaussian-cloud problems (squared Euclidean,
// uniform weights) from a dense cost matrix, the setting of bench/exact.py.
func BenchmarkSolveDense(b *testing.B) {
	for _, n := range []int{250, 500, 1000, 2000, 4000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			pc := gaussianClouds(n, 1)
			p := &ot.Problem{A: ot.Uniform(n), B: ot.Uniform(n), C: &ot.DenseCost{N: n, M: n, Data: ot.CostData(pc)}}
			var it int
			for b.Loop() {
				res, err := (&Solver{}).Solve(context.Background(), p)
				if err != nil {
					b.Fatal(err)
				}
				it = res.Iterations
			}
			b.ReportMetric(float64(it), "pivots")
		})
	}
}

// BenchmarkSolveCloud solves the same problems from the points, with cost
// rows computed on demand.
func BenchmarkSolveCloud(b *testing.B) {
	for _, n := range []int{500, 1000, 2000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			p := ot.NewProblem(gaussianClouds(n, 1))
			var it int
			for b.Loop() {
				res, err := (&Solver{}).Solve(context.Background(), p)
				if err != nil {
					b.Fatal(err)
				}
				it = res.Iterations
			}
			b.ReportMetric(float64(it), "pivots")
		})
	}
}

// BenchmarkAssign solves n×n assignment problems on Gaussian clouds.
func BenchmarkAssign(b *testing.B) {
	for _, n := range []int{250, 500, 1000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			c := &ot.DenseCost{N: n, M: n, Data: ot.CostData(gaussianClouds(n, 1))}
			for b.Loop() {
				if _, _, err := Assign(context.Background(), c, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
