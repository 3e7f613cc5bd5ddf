// Command smalleps solves a uniform 2-D point cloud at a small ε (relative
// to max C) with the sinkhorn defaults and compares the value with the
// exact optimum (package exact): the entropic bias bound ε·log n.
//
//	go run ./bench/sinkhorn/smalleps -n 1000 -rel 1e-4
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"math"
	"math/rand/v2"
	"time"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/otkit/otkit/exact"
	"github.com/otkit/otkit/ot"
	"github.com/otkit/otkit/sinkhorn"
)

func main() {
	n := flag.Int("n", 1000, "points per cloud")
	rel := flag.Float64("rel", 1e-4, "ε / max C")
	workers := flag.Int("workers", 1, "Workers")
	method := flag.Int("method", 0, "sinkhorn.Method")
	scale := flag.Bool("scale", false, "turn ε-scaling on explicitly")
	noExact := flag.Bool("noexact", false, "skip the exact solve")
	flag.Parse()
	rng := rand.New(rand.NewPCG(7, 7))
	x, y := mat.NewDense(*n, 2, nil), mat.NewDense(*n, 2, nil)
	for i := 0; i < *n; i++ {
		x.Set(i, 0, rng.Float64())
		x.Set(i, 1, rng.Float64())
		y.Set(i, 0, rng.Float64())
		y.Set(i, 1, rng.Float64())
	}
	pc := &ot.PointCloud{X: x, Y: y}
	p := ot.NewProblem(pc)
	data := ot.CostData(pc)
	maxC := floats.Max(data)
	eps := *rel * maxC
	s := &sinkhorn.Solver{Eps: eps, Workers: *workers, Method: sinkhorn.Method(*method)}
	if *scale {
		s.Scaling = &sinkhorn.EpsScaling{}
	}
	t0 := time.Now()
	res, st, err := s.SolveStats(context.Background(), p)
	if err != nil {
		log.Fatal(err)
	}
	secs := time.Since(t0).Seconds()
	fmt.Printf("n=%d eps=%.3g status=%v sweeps=%d time=%.2fs merr=%.2g lin=%.8g value=%.8g\n",
		*n, eps, res.Status, res.Iterations, secs, res.MarginalError, res.LinearCost, res.Value)
	fmt.Printf("stats: %+v\n", *st)
	if *noExact {
		return
	}
	t0 = time.Now()
	ex, err := (&exact.Solver{}).Solve(context.Background(), ot.NewProblem(&ot.DenseCost{N: *n, M: *n, Data: data}))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("exact=%.8g (%.2fs) |lin-exact|=%.3g bound eps*log n=%.3g ok=%v\n", ex.Value, time.Since(t0).Seconds(),
		math.Abs(res.LinearCost-ex.Value), eps*math.Log(float64(*n)), math.Abs(res.LinearCost-ex.Value) <= eps*math.Log(float64(*n)))
}
