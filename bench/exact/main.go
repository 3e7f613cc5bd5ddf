// Command exact measures what warm-starting the network simplex from
// Sinkhorn potentials saves. It prints one JSON object per line:
// {"start", "seconds", "pivots"} (the fastest of -reps runs); the
// "sinkhorn-…" lines time the entropic solve that produced the potentials.
// bench/exact.py runs it and records the table in bench/results/exact.md.
//
//	go run ./bench/exact -n 1000 -reps 3
//
// With -latency it measures instead how soon a solve returns once its
// context is canceled: n-point clouds (squared Euclidean, d = 2, cost rows
// computed on demand) are solved with the context canceled after each delay
// of -delays, and each line {"delay", "latency", "status", "pivots"} gives
// the time from cancel to return.
//
//	go run ./bench/exact -latency -n 20000
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"strings"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/otkit/otkit/exact"
	"github.com/otkit/otkit/ot"
	"github.com/otkit/otkit/sinkhorn"
)

func main() {
	n := flag.Int("n", 1000, "points per cloud")
	reps := flag.Int("reps", 3, "repetitions (the fastest counts)")
	latency := flag.Bool("latency", false, "measure the cancellation latency instead")
	delays := flag.String("delays", "0,1ms,5ms,20ms,50ms,100ms,200ms,500ms,1s,2s,3s,5s,10s,20s",
		"with -latency: cancel after these delays")
	flag.Parse()
	if *latency {
		measureLatency(*n, *delays)
		return
	}
	ctx := context.Background()
	p := cloudProblem(*n)
	_, hi := ot.MinMax(p.C)
	enc := json.NewEncoder(os.Stdout)
	report := func(name string, s ot.Solver) *ot.Result {
		var best time.Duration
		var res *ot.Result
		for r := 0; r < *reps; r++ {
			start := time.Now()
			var err error
			if res, err = s.Solve(ctx, p); err != nil {
				log.Fatalf("%s: %v", name, err)
			}
			if d := time.Since(start); r == 0 || d < best {
				best = d
			}
		}
		pivots := 0
		if _, ok := s.(*exact.Solver); ok {
			pivots = res.Iterations
		}
		if err := enc.Encode(map[string]any{"start": name, "seconds": best.Seconds(), "pivots": pivots}); err != nil {
			log.Fatal(err)
		}
		return res
	}
	report("cold", &exact.Solver{})
	for _, rel := range []float64{0.01, 0.002} {
		sk := &sinkhorn.Solver{Eps: rel * hi, Tol: 1e-6, MaxIter: 100000, Scaling: &sinkhorn.EpsScaling{}}
		res := report(fmt.Sprintf("sinkhorn-eps=%gmax", rel), sk)
		report(fmt.Sprintf("warm-eps=%gmax", rel), &exact.Solver{Init: &ot.Potentials{F: res.F, G: res.G}})
	}
}

// cloudProblem is n = m points of two 2-D Gaussian clouds (the second shifted
// by (1, 1)), squared Euclidean cost as a dense matrix, uniform weights.
func cloudProblem(n int) *ot.Problem {
	pc := cloudPoints(n)
	return &ot.Problem{A: ot.Uniform(n), B: ot.Uniform(n), C: &ot.DenseCost{N: n, M: n, Data: ot.CostData(pc)}}
}

// cloudPoints returns the point clouds of cloudProblem.
func cloudPoints(n int) *ot.PointCloud {
	rng := rand.New(rand.NewPCG(uint64(n), 11))
	x, y := mat.NewDense(n, 2, nil), mat.NewDense(n, 2, nil)
	for i := 0; i < n; i++ {
		x.Set(i, 0, rng.NormFloat64())
		x.Set(i, 1, rng.NormFloat64())
		y.Set(i, 0, rng.NormFloat64()+1)
		y.Set(i, 1, rng.NormFloat64()+1)
	}
	return &ot.PointCloud{X: x, Y: y, Metric: ot.SqEuclidean}
}

// measureLatency solves an n-point cloud problem once per delay, canceling
// its context after the delay, and prints the time from cancel to return.
func measureLatency(n int, delays string) {
	pc := cloudPoints(n)
	p := &ot.Problem{A: ot.Uniform(n), B: ot.Uniform(n), C: pc}
	enc := json.NewEncoder(os.Stdout)
	var worst time.Duration
	for _, field := range strings.Split(delays, ",") {
		d, err := time.ParseDuration(field)
		if err != nil {
			log.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		at := make(chan time.Time, 1)
		t := time.AfterFunc(d, func() {
			at <- time.Now()
			cancel()
		})
		res, err := (&exact.Solver{}).Solve(ctx, p)
		end := time.Now()
		var lat time.Duration
		if !t.Stop() {
			lat = end.Sub(<-at)
		}
		cancel()
		if err != nil {
			log.Fatal(err)
		}
		worst = max(worst, lat)
		if err := enc.Encode(map[string]any{"delay": d.String(), "latency": lat.Seconds(),
			"status": res.Status.String(), "pivots": res.Iterations, "cost": res.LinearCost,
			"marginal_error": res.MarginalError}); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Printf("worst latency %v\n", worst)
}
