// Command sinkhorn measures what bench/sinkhorn.py cannot see from the CLI:
// the log-domain iteration's exps per second per core, and the peak RSS of
// a large SqEuclidean point-cloud solve (the cost is never stored).
//
//	go run ./bench/sinkhorn -mode exps -n 2000 -sweeps 20
//	go run ./bench/sinkhorn -mode cloud -n 4000 -sweeps 10   # log-domain sweeps, cost on the fly
//	go run ./bench/sinkhorn -mode rss -n 20000 -sweeps 10000 -tol 1e-9 -workers 2
//
// It prints one JSON object.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"strings"
	"time"

	"github.com/otkit/otkit/ot"
	"github.com/otkit/otkit/sinkhorn"
)

func main() {
	mode := flag.String("mode", "exps", "exps: log-domain throughput on a dense n×n cost; cloud: the same on the point cloud (cost on the fly); rss: point-cloud solve and peak RSS")
	n := flag.Int("n", 2000, "points per cloud")
	sweeps := flag.Int("sweeps", 20, "sweeps to run (MaxIter)")
	tol := flag.Float64("tol", 1e-300, "stopping tolerance (the default never stops before -sweeps)")
	workers := flag.Int("workers", 1, "Workers")
	eps := flag.Float64("eps", 0, "ε (0: the solver default)")
	flag.Parse()

	pc := cloud(*n)
	var p *ot.Problem
	switch *mode {
	case "exps":
		p = ot.NewProblem(&ot.DenseCost{N: *n, M: *n, Data: ot.CostData(pc)})
	case "rss", "cloud":
		p = ot.NewProblem(pc)
	default:
		log.Fatalf("unknown mode %q", *mode)
	}
	// exps: LogDomain with plain sweeps; rss: the default mode (Auto, which
	// picks LogDomain here since the kernel would not fit, with adaptive
	// over-relaxation).
	s := &sinkhorn.Solver{Eps: *eps, Method: sinkhorn.LogDomain, MaxIter: *sweeps, Tol: *tol, Workers: *workers}
	if *mode == "rss" {
		s.Method = sinkhorn.Auto
	}
	if *eps == 0 {
		s.Eps = sinkhorn.DefaultEps(p.C)
	}
	start := time.Now()
	res, err := s.Solve(context.Background(), p)
	if err != nil {
		log.Fatal(err)
	}
	secs := time.Since(start).Seconds()
	nm := float64(*n) * float64(*n)
	// One pass of n·m exps per sweep, plus one for the first (max-shifted)
	// column LSE and one for the final figures.
	exps := nm * float64(res.Iterations+2)
	out := map[string]any{
		"mode": *mode, "n": *n, "m": *n, "eps": s.Eps, "workers": *workers,
		"status": res.Status.String(), "sweeps": res.Iterations, "seconds": secs,
		"marginal_error": res.MarginalError, "exps_per_second_per_core": exps / secs / float64(*workers),
		"seconds_per_sweep": secs / float64(res.Iterations),
		"peak_rss_mb":       vmHWM() / 1024,
	}
	enc := json.NewEncoder(os.Stdout)
	if err := enc.Encode(out); err != nil {
		log.Fatal(err)
	}
}

// cloud returns n Gaussian 2-D points against n Gaussian points shifted by
// (1, 0), with the SqEuclidean cost.
func cloud(n int) *ot.PointCloud {
	rng := rand.New(rand.NewPCG(1, 2))
	pts := func(shift float64) [][]float64 {
		x := make([][]float64, n)
		for i := range x {
			x[i] = []float64{rng.NormFloat64() + shift, rng.NormFloat64()}
		}
		return x
	}
	pc, err := ot.NewPointCloud(pts(0), pts(1), ot.SqEuclidean)
	if err != nil {
		log.Fatal(err)
	}
	return pc
}

// vmHWM returns the peak resident set size in KiB from /proc/self/status.
func vmHWM() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return -1
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			var kb float64
			if _, err := fmt.Sscanf(strings.TrimSpace(rest), "%g kB", &kb); err == nil {
				return kb
			}
		}
	}
	return -1
}
