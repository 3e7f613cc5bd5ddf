// Command monge benchmarks package monge: the entropic map's throughput
// (10 000 queries against 5 000 targets in d = 10) and the wall time of a
// Monge-gap map fit on the Gaussian task in d = 5, with its relative L2
// error to the closed-form map on fresh samples.
//
//	go run ./bench/monge [-workers N] [-epochs N]
package main

import (
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/otkit/otkit/internal/otest"
	"github.com/otkit/otkit/monge"
	"github.com/otkit/otkit/sinkhorn"
)

func main() {
	workers := flag.Int("workers", 1, "goroutines")
	epochs := flag.Int("epochs", 20, "epochs of the d = 5 fit")
	flag.Parse()

	// Entropic map: 5 000 × 5 000 samples, 10 000 queries, d = 10.
	rng := rand.New(rand.NewPCG(1, 2))
	shift := make([]float64, 10)
	shift[0] = 2
	x, y := otest.GaussianClouds(rng, 5000, 5000, 10, shift)
	q, _ := otest.GaussianClouds(rng, 10000, 1, 10, nil)
	start := time.Now()
	tm, err := monge.NewEntropicMap(nil, x, y, &monge.MapSettings{Workers: *workers})
	if err != nil {
		panic(err)
	}
	fit := time.Since(start)
	start = time.Now()
	if _, err := tm.Apply(nil, q); err != nil {
		panic(err)
	}
	app := time.Since(start)
	fmt.Printf("entropic map d=10, 5000 targets: solve %.2fs (%v, %d iterations, ε %.3g); 10000 queries %.2fs = %.0f points/s (workers %d)\n",
		fit.Seconds(), tm.Result().Status, tm.Result().Iterations, tm.Eps(), app.Seconds(), 10000/app.Seconds(), *workers)

	// Gaussian d = 5: μ = N(0, I), ν = N(m, diag(σ²)): T(x) = m + σ ⊙ x.
	const d = 5
	sig := []float64{0.5, 1, 1.5, 2, 0.8}
	draw := func(n int, target bool) *mat.Dense {
		a := mat.NewDense(n, d, nil)
		for i := 0; i < n; i++ {
			for k := 0; k < d; k++ {
				v := rng.NormFloat64()
				if target {
					v = 1 + sig[k]*v
				}
				a.Set(i, k, v)
			}
		}
		return a
	}
	xs, ys, qs := draw(2000, false), draw(2000, true), draw(2000, false)
	start = time.Now()
	f, err := monge.Fit(nil, xs, ys, &monge.FitSettings{Lambda: 1, Epochs: *epochs, BatchSize: 256, LearningRate: 3e-3,
		Hidden: []int{64, 64}, Workers: *workers, Solver: sinkhorn.Solver{MaxIter: 200}})
	if err != nil {
		panic(err)
	}
	wall := time.Since(start)
	tq, _ := f.Map.Apply(qs)
	var num, den float64
	for i := 0; i < 2000; i++ {
		for k := 0; k < d; k++ {
			want := 1 + sig[k]*qs.At(i, k)
			num += (tq.At(i, k) - want) * (tq.At(i, k) - want)
			den += sig[k] * sig[k] * qs.At(i, k) * qs.At(i, k)
		}
	}
	fmt.Printf("fit Gaussian d=5, 2000 samples: %d steps in %.1fs, relative L2 error %.4f (unconverged solves %d)\n",
		f.Steps, wall.Seconds(), math.Sqrt(num/den), f.Unconverged)
}
