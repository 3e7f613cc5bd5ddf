// Command scale solves one large SqEuclidean point-cloud problem with the
// sinkhorn package's defaults (the cost is never stored) and prints one
// JSON object: the time, the sweeps, the status, what Auto chose and the
// peak resident set size (getrusage), with the load average before and
// after.
//
//	go run ./bench/sinkhorn/scale -n 100000 -d 2 -rel 1e-2 -workers 2
//
// ε is rel·max C, max C computed exactly by a pass over the cost rows
// before the solve (not timed). The clouds are internal/otest's
// GaussianClouds (seed 1, 2), the second one shifted by 1 along the first
// axis.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"log"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/otkit/otkit/internal/lse"
	"github.com/otkit/otkit/internal/otest"
	"github.com/otkit/otkit/ot"
	"github.com/otkit/otkit/sinkhorn"
)

func main() {
	n := flag.Int("n", 10000, "points per cloud")
	d := flag.Int("d", 2, "dimension")
	rel := flag.Float64("rel", 1e-2, "ε relative to max C")
	workers := flag.Int("workers", 2, "Workers")
	tol := flag.Float64("tol", 0, "Tol (0: the solver default)")
	maxIter := flag.Int("maxiter", 0, "MaxIter (0: the solver default)")
	method := flag.String("method", "auto", "auto, logdomain or sparse")
	flag.Parse()

	shift := make([]float64, *d)
	shift[0] = 1
	p := otest.CloudProblem(rand.New(rand.NewPCG(1, 2)), *n, *n, *d, shift, false)
	maxC := maxCost(p.C.(*ot.PointCloud), *workers)
	s := &sinkhorn.Solver{Eps: *rel * maxC, Tol: *tol, MaxIter: *maxIter, Workers: *workers}
	switch *method {
	case "auto":
	case "logdomain":
		s.Method = sinkhorn.LogDomain
	case "sparse":
		s.Method = sinkhorn.Sparse
	default:
		log.Fatalf("unknown method %q", *method)
	}
	load0 := loadAvg()
	start := time.Now()
	res, st, err := s.SolveStats(context.Background(), p)
	if err != nil {
		log.Fatal(err)
	}
	secs := time.Since(start).Seconds()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		log.Fatal(err)
	}
	out := map[string]any{
		"n": *n, "d": *d, "eps": s.Eps, "max_cost": maxC, "workers": *workers,
		"method": st.Method.String(), "stages": st.Stages, "support": st.Support, "dropped": st.Dropped,
		"status": res.Status.String(), "sweeps": res.Iterations, "seconds": secs,
		"seconds_per_sweep": secs / float64(max(res.Iterations, 1)),
		"marginal_error":    res.MarginalError, "value": res.Value,
		"peak_rss_mb": float64(ru.Maxrss) / 1024,
		"user_s":      time.Duration(ru.Utime.Nano()).Seconds(),
		"load_before": load0, "load_after": loadAvg(),
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		log.Fatal(err)
	}
}

// maxCost returns max_ij |x_i − y_j|² by rows, on w goroutines.
func maxCost(pc *ot.PointCloud, w int) float64 {
	n, d := pc.X.Dims()
	m, _ := pc.Y.Dims()
	yt := make([]float64, d*m)
	for j := 0; j < m; j++ {
		for k := 0; k < d; k++ {
			yt[k*m+j] = pc.Y.At(j, k)
		}
	}
	mx := make([]float64, w)
	var wg sync.WaitGroup
	for t := 0; t < w; t++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			row := make([]float64, m)
			for i := t; i < n; i += w {
				for _, v := range lse.SqDistRow(row, pc.X.RawRowView(i), yt) {
					mx[t] = max(mx[t], v)
				}
			}
		}()
	}
	wg.Wait()
	var r float64
	for _, v := range mx {
		r = max(r, v)
	}
	return r
}

// loadAvg returns /proc/loadavg's first three fields.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:min(3, len(f))], " ")
}
