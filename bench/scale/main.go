// Command scale solves one large point-cloud problem and prints one JSON
// object: the solver, the size, the solve time, the status and figures of
// the result, and the process's peak resident set (getrusage; run it under
// /usr/bin/time -v for the same figure from outside). The problem is
// internal/otest.CloudProblem: two 2-D Gaussian clouds N(0, I) and
// N((1, 1), I) of n points each, squared Euclidean cost given as an
// *ot.PointCloud (never materialized by this program), uniform weights.
// bench/results/scale.md records the runs.
//
//	/usr/bin/time -v go run ./bench/scale -solver exact -n 10000 -workers 2
//	/usr/bin/time -v go run ./bench/scale -solver quadratic -n 20000 -workers 2
//
// Progress goes to standard error (every 10 iterations, every 65 536
// pivots), so that a run stopped early still says how far it got.
// -maxdense sets the solvers' MaxDenseBytes (0: their default), so that the
// dense and on-demand paths can be compared on one size; -cancel cancels the
// solve after a delay and reports the time from the cancel to the return.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"log"
	"math/rand/v2"
	"os"
	"runtime/pprof"
	"time"

	"github.com/otkit/otkit/bench/internal/rusage"
	"github.com/otkit/otkit/cardinality"
	"github.com/otkit/otkit/exact"
	"github.com/otkit/otkit/internal/otest"
	"github.com/otkit/otkit/ot"
	"github.com/otkit/otkit/quadratic"
)

func main() {
	solver := flag.String("solver", "exact", "exact, quadratic or cardinality")
	n := flag.Int("n", 1000, "points per cloud")
	workers := flag.Int("workers", 2, "Workers of quadratic and cardinality")
	seed := flag.Uint64("seed", 1, "problem seed")
	tol := flag.Float64("tol", 0, "Tol of quadratic and cardinality (0: default)")
	maxIter := flag.Int("maxiter", 0, "MaxIter (0: default)")
	maxDense := flag.Int64("maxdense", 0, "MaxDenseBytes (0: default)")
	k := flag.Int("k", 0, "cardinality K (0: 8)")
	method := flag.String("method", "SemiDualLBFGS", "quadratic method")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile to this file")
	cancelAfter := flag.Duration("cancel", 0, "cancel the solve after this delay and report the latency (0: never)")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			log.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatal(err)
		}
		defer pprof.StopCPUProfile()
	}

	progress := func(it int, merr float64) {
		if it%10 == 0 {
			log.Printf("iteration %d: MarginalError %.3e", it, merr)
		}
	}
	p := otest.CloudProblem(rand.New(rand.NewPCG(*seed, 0)), *n, *n, 2, []float64{1, 1}, false)
	var s ot.Solver
	switch *solver {
	case "exact":
		s = &exact.Solver{MaxIter: *maxIter, Progress: func(it int, rc float64) {
			if it%(64*1024) == 0 {
				log.Printf("pivot %d: entering reduced cost %.3e", it, rc)
			}
		}}
	case "quadratic":
		q := &quadratic.Solver{Workers: *workers, Tol: *tol, MaxIter: *maxIter, MaxDenseBytes: *maxDense, Progress: progress}
		for m := quadratic.Newton; m <= quadratic.DualLBFGS; m++ {
			if m.String() == *method {
				q.Method = m
			}
		}
		s = q
	case "cardinality":
		kk := *k
		if kk == 0 {
			kk = 8
		}
		s = &cardinality.Solver{K: kk, Workers: *workers, Tol: *tol, MaxIter: *maxIter, MaxDenseBytes: *maxDense,
			Progress: progress}
	default:
		log.Fatalf("unknown solver %q", *solver)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var canceledAt time.Time
	if *cancelAfter > 0 {
		time.AfterFunc(*cancelAfter, func() {
			canceledAt = time.Now()
			cancel()
		})
	}
	start := time.Now()
	res, err := s.Solve(ctx, p)
	end := time.Now()
	secs := end.Sub(start).Seconds()
	_, peakMiB := rusage.Self()
	out := map[string]any{"solver": *solver, "n": *n, "workers": *workers, "seconds": secs, "maxrss_mib": peakMiB}
	if *cancelAfter > 0 && ctx.Err() != nil {
		out["cancel_latency_ms"] = float64(end.Sub(canceledAt).Microseconds()) / 1000
	}
	if *solver == "quadratic" {
		out["method"] = *method
	}
	if err != nil {
		out["error"] = err.Error()
	} else {
		nnz := 0
		if sp, ok := res.Plan.(*ot.SparsePlan); ok {
			nnz = len(sp.Val)
		}
		out["status"] = res.Status.String()
		out["iterations"] = res.Iterations
		out["marginal_error"] = res.MarginalError
		out["value"] = res.Value
		out["nnz"] = nnz
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		log.Fatal(err)
	}
}
