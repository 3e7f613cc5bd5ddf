// Command cardinality benchmarks package cardinality and writes a markdown
// report (bench/results/cardinality.md through bench/cardinality.sh):
//
//   - MoE routing, 4096 tokens × 64 experts, capacity 80 (factor 1.25),
//     Gaussian scores: the sparsity-constrained router (reference settings,
//     with Refill, L-BFGS) beside greedy top-1 routing with capacity drop
//     and Sinkhorn-based balanced routing (package sinkhorn), on dropped
//     tokens, max expert load, total score, token and expert errors, the
//     experts-per-token histogram and latency (median and minimum over
//     interleaved rounds, with the load average);
//   - general n = m = 1000 problems for k = 1, 5, 50: time to Tol beside
//     package quadratic on the same problem.
//
// Usage: go run ./bench/cardinality [-reps 15] [-quick] [-routing]
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
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
	reps := flag.Int("reps", 15, "timed rounds of the routing methods (median and minimum reported)")
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
	score                   float64 // sum of the gates of the dispatched pairs
	pairs, maxLoad, dropped int
	tokenErr, expertErr     float64 // ‖T1 − 1‖₁/n, ‖Tᵀ1 − n/m‖₁/n
	perToken                []int   // experts-per-token histogram
	latencies, cpu          []float64
	status                  string
}

func fromRouting(r *cardinality.Routing) outcome {
	o := outcome{score: r.Score, pairs: len(r.ExpertTokens), dropped: r.Dropped, tokenErr: r.TokenError,
		expertErr: r.ExpertError, perToken: slices.Clone(r.ExpertsPerToken),
		status: fmt.Sprintf("%v, %d steps", r.Status, r.Steps)}
	for j := 0; j < r.Experts; j++ {
		o.maxLoad = max(o.maxLoad, r.Load(j))
	}
	return o
}

func median(x []float64) float64 {
	s := slices.Clone(x)
	slices.Sort(s)
	return s[len(s)/2]
}

// method is one router of the table: route routes the group once and
// returns the routing; every is how often it is timed (1: every round).
type method struct {
	name  string
	route func() (*cardinality.Routing, error)
	every int
	o     outcome
}

func routing(ctx context.Context, reps int) error {
	logits := scores(1)
	s := cardinality.Scores{Tokens: tokens, Experts: experts, Data: logits}
	var methods []*method
	for _, tc := range []struct {
		name string
		r    cardinality.Router
	}{
		{"`Router` reference (Adam 20 steps), 1 worker", cardinality.Router{Capacity: capacity, Workers: 1}},
		{"`Router` reference (Adam 20 steps)", cardinality.Router{Capacity: capacity, Workers: 2}},
		{"`Router{MaxIter: 10, Refill: true}`", cardinality.Router{Capacity: capacity, MaxIter: 10, Refill: true, Workers: 2}},
		{"`Router{MaxIter: 2, Refill: true}`", cardinality.Router{Capacity: capacity, MaxIter: 2, Refill: true, Workers: 2}},
		{"`Router{Refill: true}` (Adam 20 steps)", cardinality.Router{Capacity: capacity, Refill: true, Workers: 2}},
		{"`Router{Optimizer: LBFGS, MaxIter: 100}`", cardinality.Router{Capacity: capacity, Optimizer: cardinality.LBFGS, MaxIter: 100, Workers: 2}},
	} {
		r := tc.r
		out := new(cardinality.Routing)
		methods = append(methods, &method{name: tc.name, every: 1, route: func() (*cardinality.Routing, error) {
			return out, r.RouteInto(ctx, out, s)
		}})
	}
	greedy := cardinality.GreedyRouter{Capacity: capacity}
	methods = append(methods, &method{name: "`GreedyRouter` (top-1, capacity drop)", every: 1,
		route: func() (*cardinality.Routing, error) { return greedy.Route(ctx, s) }})
	sk := cardinality.SinkhornRouter{Capacity: capacity}
	sk.Solver.Workers = 2
	methods = append(methods, &method{name: "`SinkhornRouter` (balanced, top-1 of the plan row, capacity drop)", every: 3,
		route: func() (*cardinality.Routing, error) { return sk.Route(ctx, s) }})

	load0 := loadAverage()
	// Warm-up (grows the workspaces), then rounds that time every method
	// once in turn, so that a change of the machine's load hits all alike.
	for _, m := range methods {
		out, err := m.route()
		if err != nil {
			return err
		}
		m.o = fromRouting(out)
	}
	for round := 0; round < reps; round++ {
		for _, m := range methods {
			if round%m.every != 0 {
				continue
			}
			c0, start := processCPU(), time.Now()
			if _, err := m.route(); err != nil {
				return err
			}
			m.o.latencies = append(m.o.latencies, time.Since(start).Seconds()*1e3)
			m.o.cpu = append(m.o.cpu, processCPU()-c0)
		}
	}
	load1 := loadAverage()
	// Batches of 8 groups through RouteBatch.
	const groups = 8
	batch := make([]cardinality.Scores, groups)
	for g := range batch {
		batch[g] = cardinality.Scores{Tokens: tokens, Experts: experts, Data: scores(uint64(100 + g))}
	}
	batchMedian := map[int]float64{}
	for _, w := range []int{1, 2} {
		r := cardinality.Router{Capacity: capacity, MaxIter: 10, Refill: true, Workers: w}
		dst := make([]cardinality.Routing, groups)
		if err := r.RouteBatch(ctx, dst, batch); err != nil {
			return err
		}
		var lat []float64
		for range max(3, reps/4) {
			start := time.Now()
			if err := r.RouteBatch(ctx, dst, batch); err != nil {
				return err
			}
			lat = append(lat, time.Since(start).Seconds()*1e3)
		}
		batchMedian[w] = median(lat) / groups
	}

	fmt.Printf("## cardinality: MoE routing\n\n")
	fmt.Printf("%d tokens × %d experts, capacity k = %d (CapacityFactor(%d, %d, 1.25)), Gaussian logits (seed 1), cost −softmax(logits),\n",
		tokens, experts, capacity, tokens, experts)
	fmt.Printf("2 workers unless stated. %d rounds, each timing every method once in turn (Sinkhorn every third round); median and\n", reps)
	fmt.Printf("minimum wall-clock ms per group (workspace reused), and the median CPU ms of the process per group (all workers:\n")
	fmt.Printf("on an idle machine the wall clock of w workers is about CPU/w). Load average (1 min) %s before, %s after.\n", load0, load1)
	fmt.Printf("Total score = sum of the softmax gates over the dispatched (token, expert) pairs; token error = ‖T1 − 1‖₁/n and\n")
	fmt.Printf("expert error = ‖Tᵀ1 − n/m‖₁/n of the plan (1 per pair for the hard baselines); experts per token: counts of tokens\n")
	fmt.Printf("sent to 0, 1, 2, … experts.\n\n")
	fmt.Println("| router | median ms | min ms | CPU ms | dropped | max load | total score (pairs) | token error | expert error | experts per token | status |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|---|---|")
	for _, m := range methods {
		o := m.o
		fmt.Printf("| %s | %.2f | %.2f | %.2f | %d | %d | %.1f (%d) | %.3f | %.3f | %v | %s |\n", m.name, median(o.latencies),
			slices.Min(o.latencies), median(o.cpu), o.dropped, o.maxLoad, o.score, o.pairs, o.tokenErr, o.expertErr, o.perToken, o.status)
	}
	fmt.Printf("\nRouteBatch, %d groups of the same size, Adam 10 steps + Refill: median per group %.2f ms with 1 worker, %.2f ms with 2\n",
		groups, batchMedian[1], batchMedian[2])
	fmt.Printf("workers (ratio %.2f).\n\n", batchMedian[1]/batchMedian[2])
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
