// Command sumofnorms times package sumofnorms on the Segments family
// (5 classes, adversarial geometry): PDHG and the smoothed-dual FISTA to a
// relative duality gap ≤ -gap, and the group-lasso baseline (generalized
// conditional gradient) to a relative conditional-gradient gap ≤ -gap and
// with POT's stopping rule (grouplasso-pot).
//
//	go run ./bench/sumofnorms -n 200,1000 -lambda 1 -gap 1e-6 [-progress]
//	go run ./bench/sumofnorms -n 200 -write bench/work/sumofnorms  # data for bench/sumofnorms.py
//
// It prints one JSON object per solve: method, n, status, iterations,
// wall time of Solve, final relative gap, Value, purity and label-transfer
// accuracy. With -write it also writes the points, labels and cost of
// each size as .npy files for the POT side of the comparison.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"codeberg.org/sbinet/npyio"
	"gonum.org/v1/gonum/mat"

	"github.com/otkit/otkit/ot"
	"github.com/otkit/otkit/sumofnorms"
)

type row struct {
	Method     string  `json:"method"`
	N          int     `json:"n"`
	Lambda     float64 `json:"lambda,omitempty"`
	Status     string  `json:"status"`
	Iterations int     `json:"iterations"`
	Seconds    float64 `json:"seconds"`
	Gap        float64 `json:"gap"`
	Value      float64 `json:"value"`
	Purity     float64 `json:"purity"`
	Accuracy   float64 `json:"accuracy"`
}

func main() {
	sizes := flag.String("n", "200", "comma-separated n = m (multiples of 5)")
	lambda := flag.Float64("lambda", 1, "sum-of-norms λ")
	eta := flag.Float64("eta", 1, "group-lasso η")
	eps := flag.Float64("eps", 0, "group-lasso ε (0: 0.05·std(C))")
	gap := flag.Float64("gap", 1e-6, "relative gap")
	maxIter := flag.Int("maxiter", 20000, "iteration bound of PDHG and FISTA")
	methods := flag.String("methods", "pdhg,fista,grouplasso", "methods to run")
	workers := flag.Int("workers", 1, "workers")
	write := flag.String("write", "", "directory for the .npy data (and nothing is solved)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the solves to this file")
	progress := flag.Bool("progress", false, "print the gap at each check to stderr")
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
	enc := json.NewEncoder(os.Stdout)
	for _, f := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(f)
		if err != nil {
			log.Fatal(err)
		}
		xs, xt, ys, yt := sumofnorms.Segments(1, n/5, 5)
		pc := &ot.PointCloud{X: xs, Y: xt}
		cost := ot.DenseCostOf(dense(pc))
		p := ot.NewProblem(cost)
		if *write != "" {
			writeData(*write, n, cost, ys, yt)
			continue
		}
		for _, meth := range strings.Split(*methods, ",") {
			var s ot.Solver
			switch meth {
			case "pdhg":
				s = &sumofnorms.Solver{Lambda: *lambda, Labels: ys, GapTol: *gap, MaxIter: *maxIter, Workers: *workers}
			case "fista":
				s = &sumofnorms.Solver{Lambda: *lambda, Labels: ys, GapTol: *gap, MaxIter: *maxIter, Workers: *workers, Method: sumofnorms.SmoothedDual}
			case "grouplasso":
				s = &sumofnorms.GroupLasso{Eps: *eps, Eta: *eta, Labels: ys, GapTol: *gap, MaxIter: 1000, Workers: *workers}
			case "grouplasso-pot": // POT's settings: 10 iterations of 200 Sinkhorn sweeps, or a relative change below 1e-9
				s = &sumofnorms.GroupLasso{Eps: *eps, Eta: *eta, Labels: ys, MaxIter: 10, InnerMaxIter: 200, GapTol: 1e-300, Workers: *workers}
			default:
				log.Fatalf("unknown method %q", meth)
			}
			if *progress {
				t1 := time.Now()
				pr := func(it int, gap float64) {
					fmt.Fprintf(os.Stderr, "%s %d %.3fs gap %.3g\n", meth, it, time.Since(t1).Seconds(), gap)
				}
				switch v := s.(type) {
				case *sumofnorms.Solver:
					v.Progress = pr
				case *sumofnorms.GroupLasso:
					v.Progress = pr
				}
			}
			t0 := time.Now()
			res, err := s.Solve(context.Background(), p)
			if err != nil {
				log.Fatal(err)
			}
			r := row{Method: meth, N: n, Lambda: *lambda, Status: res.Status.String(), Iterations: res.Iterations,
				Seconds: time.Since(t0).Seconds(), Value: res.Value,
				Purity: sumofnorms.Purity(res.Plan, ys, yt), Accuracy: sumofnorms.TransferAccuracy(res.Plan, ys, yt)}
			if h := res.History; len(h) > 0 {
				r.Gap = h[len(h)-1]
			}
			if err := enc.Encode(r); err != nil {
				log.Fatal(err)
			}
		}
	}
}

func dense(c ot.Cost) *mat.Dense {
	n, m := c.Dims()
	d := mat.NewDense(n, m, nil)
	row := make([]float64, m)
	for i := 0; i < n; i++ {
		d.SetRow(i, c.Row(i, row))
	}
	return d
}

func writeData(dir string, n int, c *ot.DenseCost, ys, yt []int) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		log.Fatal(err)
	}
	save := func(name string, v any) {
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("%s_%d.npy", name, n)))
		if err != nil {
			log.Fatal(err)
		}
		defer f.Close()
		if err := npyio.Write(f, v); err != nil {
			log.Fatal(err)
		}
	}
	save("cost", mat.NewDense(c.N, c.M, c.Data))
	ints := func(x []int) []int64 {
		out := make([]int64, len(x))
		for k, v := range x {
			out[k] = int64(v)
		}
		return out
	}
	save("ys", ints(ys))
	save("yt", ints(yt))
}
