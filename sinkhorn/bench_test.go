package sinkhorn

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/otkit/otkit/ot"
)

// gaussProblem is the bench/ problem: uniform weights, Gaussian 2-D point
// clouds, squared Euclidean cost divided by its maximum.
func gaussProblem(n int, seed uint64) *ot.Problem {
	rng := rand.New(rand.NewPCG(seed, 7))
	pts := func(shift float64) [][]float64 {
		x := make([][]float64, n)
		for i := range x {
			x[i] = []float64{rng.NormFloat64() + shift, rng.NormFloat64()}
		}
		return x
	}
	pc, _ := ot.NewPointCloud(pts(0), pts(1), ot.SqEuclidean)
	data := ot.CostData(pc)
	_, hi := ot.MinMax(pc)
	for k := range data {
		data[k] /= hi
	}
	c, _ := ot.NewDenseCost(n, n, data)
	return ot.NewProblem(c)
}

func BenchmarkSolve(b *testing.B) {
	for _, n := range []int{1000, 2000} {
		p := gaussProblem(n, 1)
		for _, eps := range []float64{0.01, 0.001} {
			for _, meth := range []Method{Auto, LogDomain} {
				b.Run(fmt.Sprintf("n=%d/eps=%g/%v", n, eps, meth), func(b *testing.B) {
					var res *ot.Result
					for b.Loop() {
						res, _ = (&Solver{Eps: eps, Method: meth}).Solve(context.Background(), p)
					}
					b.ReportMetric(float64(res.Iterations), "sweeps")
					b.ReportMetric(res.MarginalError, "marg-err")
				})
			}
		}
	}
}

// BenchmarkLogDomainSweeps reports the log-domain iteration's throughput:
// n·m exps per sweep plus two passes (first column LSE, final figures).
func BenchmarkLogDomainSweeps(b *testing.B) {
	const n, sweeps = 1000, 20
	p := gaussProblem(n, 1)
	s := &Solver{Eps: 0.01, Method: LogDomain, MaxIter: sweeps, Tol: 1e-300}
	for b.Loop() {
		if _, err := s.Solve(context.Background(), p); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)*n*n*(sweeps+2)/b.Elapsed().Seconds(), "exps/s")
	b.ReportMetric(float64(b.N)*sweeps/b.Elapsed().Seconds(), "sweeps/s")
}

// BenchmarkDivergence is the debiased divergence of two 200-point Gaussian
// clouds in 2-D at ε = 0.1 (three solves).
func BenchmarkDivergence(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 5))
	pts := func(shift float64) [][]float64 {
		x := make([][]float64, 200)
		for i := range x {
			x[i] = []float64{rng.NormFloat64() + shift, rng.NormFloat64()}
		}
		return x
	}
	pc, _ := ot.NewPointCloud(pts(0), pts(1), ot.SqEuclidean)
	p := ot.NewProblem(pc)
	var d *Divergence
	for b.Loop() {
		var err error
		if d, err = (&Solver{Eps: 0.1}).Divergence(context.Background(), p); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(d.XY.Iterations), "xy-sweeps")
	b.ReportMetric(float64(d.XX.Iterations+d.YY.Iterations), "self-sweeps")
}
