// Command scale solves one large SqEuclidean point-cloud problem with the
// sinkhorn package's defaults (the cost is never stored) and prints one
// JSON object: the time, the sweeps, the status, what Auto chose and the
// peak resident set size (getrusage), with the load average before and
// after.
//
//	go run ./bench/sinkhorn/scale -n 100000 -d 2 -rel 1e-2 -workers 2
//
// ε is rel·max C, max C computed exactly before the solve (not timed). The clouds are internal/otest's
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
	"sort"
	"strings"
	"time"

	"gonum.org/v1/gonum/floats"

	"github.com/otkit/otkit/bench/internal/rusage"
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
	timeout := flag.Duration("timeout", 0, "cancel the solve after this long (0: never); the Result then holds the last iterate")
	flag.Parse()

	shift := make([]float64, *d)
	shift[0] = 1
	p := otest.CloudProblem(rand.New(rand.NewPCG(1, 2)), *n, *n, *d, shift, false)
	maxC := maxCost(p.C.(*ot.PointCloud))
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
	ctx := context.Background()
	if *timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *timeout)
		defer cancel()
	}
	res, st, err := s.SolveStats(ctx, p)
	if err != nil {
		log.Fatal(err)
	}
	secs := time.Since(start).Seconds()
	user, peak := rusage.Self()
	out := map[string]any{
		"n": *n, "d": *d, "eps": s.Eps, "max_cost": maxC, "workers": *workers,
		"method": st.Method.String(), "stages": st.Stages, "support": st.Support, "dropped": st.Dropped,
		"status": res.Status.String(), "sweeps": res.Iterations, "seconds": secs,
		"seconds_per_sweep": secs / float64(max(res.Iterations, 1)),
		"marginal_error":    res.MarginalError, "value": res.Value,
		"peak_rss_mb": peak,
		"user_s":      user,
		"load_before": load0, "load_after": loadAvg(),
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		log.Fatal(err)
	}
}

// maxCost returns max_ij |x_i − y_j|² exactly, without the n·m pass:
// with c the centroid of Y and the y_j in decreasing order of |y_j − c|,
// the scan for x_i stops once (|x_i − c| + |y_j − c|)² (with a margin for
// rounding) cannot beat the best distance found.
func maxCost(pc *ot.PointCloud) float64 {
	n, d := pc.X.Dims()
	m, _ := pc.Y.Dims()
	c := make([]float64, d)
	for j := 0; j < m; j++ {
		floats.Add(c, pc.Y.RawRowView(j))
	}
	floats.Scale(1/float64(m), c)
	r := make([]float64, m)
	order := make([]int, m)
	for j := range r {
		r[j] = floats.Distance(pc.Y.RawRowView(j), c, 2)
		order[j] = j
	}
	sort.Slice(order, func(a, b int) bool { return r[order[a]] > r[order[b]] })
	var best float64
	for i := 0; i < n; i++ {
		x := pc.X.RawRowView(i)
		rx := floats.Distance(x, c, 2)
		for _, j := range order {
			if b := rx + r[j]; b*b*(1+1e-9) < best {
				break
			}
			var s float64
			for k, v := range pc.Y.RawRowView(j) {
				t := x[k] - v
				s += t * t
			}
			best = max(best, s)
		}
	}
	return best
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
