// Command roofline measures the machine figures that bound a Sinkhorn
// sweep and the sweeps themselves, and prints one JSON object:
//
//   - bandwidth: p += α·x (internal/lse AddScaled, 24 bytes per element:
//     two reads and a write) and Σ x·y (lse Dot, 16 bytes read) over arrays
//     of 16 KiB to 256 MiB each, on 1 and 2 goroutines (GB/s, all
//     goroutines together);
//   - exp throughput: lse.ExpTo and lse.AffineExpSumDot on arrays that stay
//     in L1 (exps/s on one core);
//   - the log-domain row kernel of a SqEuclidean cloud (lse.SqDistExpSumDot
//     then AddScaled into the column sums, d = 2) for rows of m = 4000 and
//     m = 100 000 (entries/s on one core);
//   - whole sweeps, 1 worker, user CPU time (t(40 sweeps) − t(10))/30: the
//     LogDomain cloud sweep (n = m = 4000, cost on the fly) and the
//     Stabilized stored-kernel sweep (n = m = 4000, dense cost, float64 and
//     float32 kernels).
//
// Each micro figure is the best of many short repetitions (the machine is
// shared), so it is what the core does when it runs alone.
//
//	go run ./bench/sinkhorn/roofline
package main

import (
	"context"
	"encoding/json"
	"log"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/otkit/otkit/bench/internal/rusage"
	"github.com/otkit/otkit/internal/lse"
	"github.com/otkit/otkit/internal/otest"
	"github.com/otkit/otkit/ot"
	"github.com/otkit/otkit/sinkhorn"
)

// best returns the smallest wall time of reps runs of f.
func best(reps int, f func()) float64 {
	b := 1e300
	for range reps {
		t := time.Now()
		f()
		b = min(b, time.Since(t).Seconds())
	}
	return b
}

func bandwidth(elems, workers int) (axpyGBs, dotGBs float64) {
	type arr struct{ p, x []float64 }
	as := make([]arr, workers)
	for w := range as {
		as[w] = arr{make([]float64, elems), make([]float64, elems)}
		for i := range as[w].x {
			as[w].x[i] = 1e-9
		}
	}
	passes := max(1, (4<<20)/(elems*8)) // about 4 MiB per goroutine and run
	run := func(f func(a arr)) float64 {
		return best(max(10, 300/passes), func() {
			var wg sync.WaitGroup
			for w := range as {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range passes {
						f(as[w])
					}
				}()
			}
			wg.Wait()
		})
	}
	var sink float64
	bytes := float64(workers) * float64(passes) * float64(elems) * 8
	t := run(func(a arr) { lse.AddScaled(a.p, 0.5, a.x) })
	axpyGBs = 3 * bytes / t / 1e9
	var mu sync.Mutex
	t = run(func(a arr) {
		d := lse.Dot(a.p, a.x)
		mu.Lock()
		sink += d
		mu.Unlock()
	})
	dotGBs = 2 * bytes / t / 1e9
	_ = sink
	return axpyGBs, dotGBs
}

func main() {
	out := map[string]any{"load_before": loadAvg()}
	bw := map[string]any{}
	for _, kib := range []int{16, 256, 4 << 10, 256 << 10} {
		for _, w := range []int{1, 2} {
			a, d := bandwidth(kib<<10/8, w)
			bw[strings.Join([]string{itoa(kib), "KiB_w", itoa(w)}, "")] = map[string]float64{"axpy_GBs": a, "dot_GBs": d}
		}
	}
	out["bandwidth"] = bw

	// Exp throughput, L1-resident.
	rng := rand.New(rand.NewPCG(1, 1))
	const l1 = 1024
	x, dst, g, c := make([]float64, l1), make([]float64, l1), make([]float64, l1), make([]float64, l1)
	for i := range x {
		x[i] = -50 * rng.Float64()
		g[i], c[i] = 10*rng.Float64(), 10*rng.Float64()
	}
	const reps = 100
	t := best(300, func() {
		for range reps {
			lse.ExpTo(dst, x)
		}
	})
	out["expto_per_s"] = l1 * reps / t
	t = best(300, func() {
		for range reps {
			lse.AffineExpSumDot(dst, -10, g, c, 2)
		}
	})
	out["affine_exp_sum_dot_per_s"] = l1 * reps / t

	// The cloud row kernel.
	for _, m := range []int{4000, 100000} {
		xp := []float64{0.3, -0.2}
		yt := make([]float64, 2*m)
		for i := range yt {
			yt[i] = rng.NormFloat64()
		}
		g, row, p := make([]float64, m), make([]float64, m), make([]float64, m)
		for j := range g {
			g[j] = 0.5
		}
		rows := max(1, 250_000/m)
		t := best(300, func() {
			for range rows {
				r, _ := lse.SqDistExpSumDot(row, xp, yt, 1, -1, g, 5)
				lse.AddScaled(p, 1/r, row)
			}
		})
		out["cloud_row_m"+itoa(m)+"_entries_per_s"] = float64(rows*m) / t
	}

	// Whole sweeps.
	pc := otest.CloudProblem(rand.New(rand.NewPCG(1, 2)), 4000, 4000, 2, []float64{1, 0}, false)
	dense := otest.CloudProblem(rand.New(rand.NewPCG(1, 2)), 4000, 4000, 2, []float64{1, 0}, true)
	sweep := func(p *ot.Problem, s sinkhorn.Solver) float64 {
		s.Eps = 0.05 * maxOf(p)
		s.Tol, s.Workers = 1e-300, 1
		u := func(k int) float64 {
			s.MaxIter = k
			t0 := userTime()
			if _, err := s.Solve(context.Background(), p); err != nil {
				log.Fatal(err)
			}
			return userTime() - t0
		}
		b := 1e300
		for range 5 {
			b = min(b, (u(40)-u(10))/30)
		}
		return b
	}
	out["sweep_logdomain_cloud_4000_s"] = sweep(pc, sinkhorn.Solver{Method: sinkhorn.LogDomain})
	out["sweep_logdomain_dense_4000_s"] = sweep(dense, sinkhorn.Solver{Method: sinkhorn.LogDomain})
	out["sweep_stabilized64_dense_4000_s"] = sweep(dense, sinkhorn.Solver{Method: sinkhorn.Stabilized, Precision: sinkhorn.Float64})
	out["sweep_stabilized32_dense_4000_s"] = sweep(dense, sinkhorn.Solver{Method: sinkhorn.Stabilized, Precision: sinkhorn.Float32})
	out["load_after"] = loadAvg()
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", " ")
	if err := enc.Encode(out); err != nil {
		log.Fatal(err)
	}
}

func maxOf(p *ot.Problem) float64 {
	n, m := p.Dims()
	row := make([]float64, m)
	var mx float64
	for i := range n {
		for _, v := range p.C.Row(i, row) {
			mx = max(mx, v)
		}
	}
	return mx
}

func userTime() float64 {
	u, _ := rusage.Self()
	return u
}

func itoa(v int) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:min(3, len(f))], " ")
}
