// Command cardinality benchmarks package cardinality and writes a markdown
// report (bench/results/cardinality.md through bench/cardinality.sh):
//
//   - MoE routing, 4096 tokens × 64 experts, capacity 80 (factor 1.25),
//     Gaussian scores: the sparsity-constrained router (1 and 2 workers)
//     beside greedy top-1 routing with capacity drop and Sinkhorn-based
//     balanced routing (package sinkhorn), on total score, max expert load,
//     dropped tokens and median latency;
//   - general n = m = 1000 problems for k = 1, 5, 50: time to Tol beside
//     package quadratic on the same problem.
//
// Usage: go run ./bench/cardinality [-reps 15] [-quick]
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/otkit/otkit/cardinality"
	"github.com/otkit/otkit/exact"
	"github.com/otkit/otkit/ot"
	"github.com/otkit/otkit/quadratic"
)

const (
	tokens   = 4096
	experts  = 64
	capacity = 80
)

func main() {
	reps := flag.Int("reps", 15, "timed repetitions per routing method (median reported)")
	quick := flag.Bool("quick", false, "smaller general problems (n = m = 300) for a fast check")
	routingOnly := flag.Bool("routing", false, "only the MoE routing table")
	flag.Parse()
	ctx := context.Background()
	if err := routing(ctx, *reps); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if *routingOnly {
		return
	}
	size := 1000
	if *quick {
		size = 300
	}
	if err := general(ctx, size); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// scores returns Gaussian logits (seeded).
func scores(seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 42))
	s := make([]float64, tokens*experts)
	for i := range s {
		s[i] = rng.NormFloat64()
	}
	return s
}

// outcome summarises one routing.
type outcome struct {
	score          float64 // sum of the gates of the dispatched pairs
	massScore      float64 // Σ mass·gate: plan-weighted (each kept token has mass 1 in hard routings)
	pairs, maxLoad int
	dropped        int
	marginalErr    float64 // sparsity-constrained router only
	latencies, cpu []float64
	status         string
}

func (o *outcome) median() float64 { return median(o.latencies) }

func fromRouting(r *cardinality.Routing) outcome {
	o := outcome{score: r.Score, pairs: len(r.ExpertTokens), dropped: r.Dropped, marginalErr: r.MarginalError,
		status: fmt.Sprintf("%v, %d steps", r.Status, r.Steps)}
	for j := 0; j < r.Experts; j++ {
		o.maxLoad = max(o.maxLoad, r.Load(j))
	}
	for q, t := range r.ExpertPlan {
		o.massScore += t * r.ExpertWeights[q]
	}
	return o
}

// timeIt returns the wall-clock latencies (ms) of reps calls of f, and
// the CPU time of the calling OS thread per call (ms): on a shared machine
// the latter is what one uncontended core would need for single-worker
// code (it excludes time spent descheduled).
func timeIt(reps int, f func() error) (wall, cpu []float64, err error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	for r := 0; r < reps; r++ {
		c0 := threadCPU()
		start := time.Now()
		if err := f(); err != nil {
			return nil, nil, err
		}
		wall = append(wall, time.Since(start).Seconds()*1e3)
		cpu = append(cpu, (threadCPU()-c0)*1e3)
	}
	return wall, cpu, nil
}

func median(x []float64) float64 {
	s := slices.Clone(x)
	slices.Sort(s)
	return s[len(s)/2]
}

func routing(ctx context.Context, reps int) error {
	logits := scores(1)
	s := cardinality.Scores{Tokens: tokens, Experts: experts, Data: logits}
	type row struct {
		name string
		o    outcome
	}
	var rows []row
	for _, tc := range []struct {
		name string
		r    cardinality.Router
	}{
		{"sparsity-constrained, Adam 20 steps (reference), 1 worker", cardinality.Router{Capacity: capacity, Workers: 1}},
		{"sparsity-constrained, Adam 20 steps (reference), 2 workers", cardinality.Router{Capacity: capacity, Workers: 2}},
		{"sparsity-constrained, Adam 10 steps + Refill, 2 workers", cardinality.Router{Capacity: capacity, MaxIter: 10, Refill: true, Workers: 2}},
		{"sparsity-constrained, Adam 20 steps + Refill, 2 workers", cardinality.Router{Capacity: capacity, Refill: true, Workers: 2}},
		{"sparsity-constrained, L-BFGS ≤ 100 iterations, 1 worker", cardinality.Router{Capacity: capacity, Optimizer: cardinality.LBFGS, MaxIter: 100}},
		{"sparsity-constrained, L-BFGS ≤ 100 iterations, 2 workers", cardinality.Router{Capacity: capacity, Optimizer: cardinality.LBFGS, MaxIter: 100, Workers: 2}},
	} {
		var out cardinality.Routing
		if err := tc.r.RouteInto(ctx, &out, s); err != nil { // warm-up: grows the workspace
			return err
		}
		lat, cpu, err := timeIt(reps, func() error { return tc.r.RouteInto(ctx, &out, s) })
		if err != nil {
			return err
		}
		o := fromRouting(&out)
		o.latencies, o.cpu = lat, cpu
		rows = append(rows, row{tc.name, o})
	}
	// Batches of 8 groups through RouteBatch.
	const groups = 8
	batch := make([]cardinality.Scores, groups)
	for g := range batch {
		batch[g] = cardinality.Scores{Tokens: tokens, Experts: experts, Data: scores(uint64(100 + g))}
	}
	batchMedian := map[int]float64{}
	for _, w := range []int{1, 2} {
		r := cardinality.Router{Capacity: capacity, Workers: w}
		dst := make([]cardinality.Routing, groups)
		if err := r.RouteBatch(ctx, dst, batch); err != nil {
			return err
		}
		lat, _, err := timeIt(max(3, reps/4), func() error { return r.RouteBatch(ctx, dst, batch) })
		if err != nil {
			return err
		}
		batchMedian[w] = median(lat) / groups
	}
	greedy := cardinality.GreedyRouter{Capacity: capacity}
	var gr *cardinality.Routing
	lat, cpu, err := timeIt(reps, func() error {
		var err error
		gr, err = greedy.Route(ctx, s)
		return err
	})
	if err != nil {
		return err
	}
	o := fromRouting(gr)
	o.latencies, o.cpu, o.status, o.marginalErr = lat, cpu, "-", 0
	rows = append(rows, row{"greedy top-1, capacity drop", o})
	sk := cardinality.SinkhornRouter{Capacity: capacity}
	var sr *cardinality.Routing
	lat, cpu, err = timeIt(max(3, reps/3), func() error {
		var err error
		sr, err = sk.Route(ctx, s)
		return err
	})
	if err != nil {
		return err
	}
	so := fromRouting(sr)
	so.latencies, so.cpu, so.marginalErr = lat, cpu, 0
	rows = append(rows, row{"Sinkhorn balanced (ε default, Tol 1e-6), top-1 of plan row, capacity drop", so})

	fmt.Printf("## cardinality: MoE routing\n\n")
	fmt.Printf("%d tokens × %d experts, capacity k = %d (capacity factor 1.25), Gaussian logits (seed 1), cost −softmax(logits).\n", tokens, experts, capacity)
	fmt.Printf("Median latency of %d runs per group (one call routes one group; workspace reused), wall clock and CPU time of the calling\n", reps)
	fmt.Printf("thread (single-worker rows: the cost on one uncontended core; Sinkhorn runs on one worker too). Total score = sum of the softmax gates\n")
	fmt.Printf("over the dispatched (token, expert) pairs; the sparsity-constrained router may send a token to several experts (pairs > tokens − dropped).\n")
	fmt.Printf("Mass-weighted score = Σ plan mass × gate (a hard routing gives every kept token mass 1; the plan carries n = %d in all),\n", tokens)
	fmt.Printf("the like-for-like figure. Target: ≤ 20 ms per group on one core.\n\n")
	fmt.Println("| method | median ms | median thread-CPU ms | total score | mass-weighted score | pairs | max load | dropped tokens | marginal error (tokens) | status |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|---|")
	for _, r := range rows {
		me := "-"
		if r.o.marginalErr > 0 {
			me = fmt.Sprintf("%.1f", r.o.marginalErr)
		}
		cpu := "-"
		if !strings.Contains(r.name, "2 workers") {
			cpu = fmt.Sprintf("%.2f", median(r.o.cpu))
		}
		fmt.Printf("| %s | %.2f | %s | %.2f | %.2f | %d | %d | %d | %s | %s |\n", r.name, r.o.median(), cpu, r.o.score, r.o.massScore, r.o.pairs,
			r.o.maxLoad, r.o.dropped, me, r.o.status)
	}
	fmt.Printf("\nRouteBatch, %d groups of the same size, Adam 20 steps: median per group %.2f ms with 1 worker, %.2f ms with 2 workers (ratio %.2f).\n\n",
		groups, batchMedian[1], batchMedian[2], batchMedian[1]/batchMedian[2])
	return nil
}

// generalProblem is n×n with unit masses, squared Euclidean cost between
// 2-D Gaussian clouds (shifted by 1) scaled to max 1.
func generalProblem(n int) *ot.Problem {
	rng := rand.New(rand.NewPCG(7, 7))
	x := make([][]float64, n)
	y := make([][]float64, n)
	for i := range x {
		x[i] = []float64{rng.NormFloat64(), rng.NormFloat64()}
		y[i] = []float64{rng.NormFloat64() + 1, rng.NormFloat64()}
	}
	c := make([]float64, n*n)
	var mx float64
	for i := range x {
		for j := range y {
			dx, dy := x[i][0]-y[j][0], x[i][1]-y[j][1]
			c[i*n+j] = dx*dx + dy*dy
			mx = max(mx, c[i*n+j])
		}
	}
	for k := range c {
		c[k] /= mx
	}
	a, b := make([]float64, n), make([]float64, n)
	for i := range a {
		a[i], b[i] = 1, 1
	}
	cost, _ := ot.NewDenseCost(n, n, c)
	return &ot.Problem{A: a, B: b, C: cost}
}

func general(ctx context.Context, n int) error {
	for _, gamma := range []float64{1, 0.01} {
		if err := generalGamma(ctx, n, gamma); err != nil {
			return err
		}
	}
	return nil
}

func generalGamma(ctx context.Context, n int, gamma float64) error {
	p := generalProblem(n)
	fmt.Printf("## cardinality: general problems\n\n")
	fmt.Printf("n = m = %d, unit masses (a_i = b_j = 1), squared Euclidean cost between 2-D Gaussian clouds scaled to max 1, γ = %g,\n", n, gamma)
	fmt.Printf("Tol 1e-9 on the marginal error, MaxIter 1000, one worker. The quadratic solve (package quadratic, semi-dual L-BFGS) is the k ≥ n end\n")
	fmt.Printf("and runs on the same problem in the same process.\n\n")
	fmt.Println("| solver | k | seconds | iterations | status | marginal error | relaxed value | Value(T) | max nnz/column |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|")
	start := time.Now()
	q, err := (&quadratic.Solver{Gamma: gamma}).Solve(ctx, p)
	if err != nil {
		return err
	}
	qs := time.Since(start).Seconds()
	fmt.Printf("| quadratic | - | %.3f | %d | %v | %.1e | %.9g | %.9g | %d |\n", qs, q.Iterations, q.Status, q.MarginalError,
		q.DualValue, q.Value, maxPerColumn(q.Plan))
	lp, err := (&exact.Solver{}).Solve(ctx, p)
	if err != nil {
		return err
	}
	var sb2 float64
	for _, v := range p.B {
		sb2 += v * v
	}
	defer fmt.Printf("The k = 1 relaxation's maximum is OT + (γ/2)Σb² = %.9g (OT = %.9g from package exact); the relaxed values of the\n"+
		"table are lower estimates of the maxima S*(k), which decrease from it to the quadratic value as k grows.\n\n", lp.LinearCost+gamma/2*sb2, lp.LinearCost)
	for _, k := range []int{1, 5, 50} {
		start := time.Now()
		res, err := (&cardinality.Solver{K: k, Gamma: gamma}).Solve(ctx, p)
		if err != nil {
			return err
		}
		secs := time.Since(start).Seconds()
		fmt.Printf("| cardinality semi-dual | %d | %.3f (%.2f× quadratic) | %d | %v | %.1e | %.9g | %.9g | %d |\n", k, secs, secs/qs,
			res.Iterations, res.Status, res.MarginalError, res.DualValue, res.Value, maxPerColumn(res.Plan))
	}
	fmt.Println()
	return nil
}

func maxPerColumn(p ot.Plan) int {
	n, m := p.Dims()
	cnt := make([]int, m)
	row := make([]float64, m)
	for i := 0; i < n; i++ {
		for j, v := range p.Row(i, row) {
			if v != 0 {
				cnt[j]++
			}
		}
	}
	return slices.Max(cnt)
}
