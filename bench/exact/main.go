// Command exact measures what warm-starting the network simplex from
// Sinkhorn potentials saves. It prints one JSON object per line:
// {"start", "seconds", "pivots"} (the fastest of -reps runs); the
// "sinkhorn-…" lines time the entropic solve that produced the potentials.
// bench/exact.py runs it and records the table in bench/results/exact.md.
//
//	go run ./bench/exact -n 1000 -reps 3
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/otkit/otkit/exact"
	"github.com/otkit/otkit/ot"
	"github.com/otkit/otkit/sinkhorn"
)

func main() {
	n := flag.Int("n", 1000, "points per cloud")
	reps := flag.Int("reps", 3, "repetitions (the fastest counts)")
	flag.Parse()
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
	rng := rand.New(rand.NewPCG(uint64(n), 11))
	x, y := mat.NewDense(n, 2, nil), mat.NewDense(n, 2, nil)
	for i := 0; i < n; i++ {
		x.Set(i, 0, rng.NormFloat64())
		x.Set(i, 1, rng.NormFloat64())
		y.Set(i, 0, rng.NormFloat64()+1)
		y.Set(i, 1, rng.NormFloat64()+1)
	}
	pc := &ot.PointCloud{X: x, Y: y, Metric: ot.SqEuclidean}
	return &ot.Problem{A: ot.Uniform(n), B: ot.Uniform(n), C: &ot.DenseCost{N: n, M: n, Data: ot.CostData(pc)}}
}
