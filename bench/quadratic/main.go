// Command quadratic times package quadratic's methods on a cost matrix
// written by bench/quadratic.py, for the side-by-side benchmark against POT.
//
//	go run ./bench/quadratic -cost C.npy -gamma 0.1 -tol 1e-6 -repeat 3
//
// It prints one JSON object per method and worker count with the best
// wall time of the solve over the repeats.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"time"

	"codeberg.org/sbinet/npyio"

	"github.com/otkit/otkit/ot"
	"github.com/otkit/otkit/quadratic"
)

func main() {
	costPath := flag.String("cost", "", "cost matrix (.npy, float64, n×m)")
	gamma := flag.Float64("gamma", 0.1, "regularization γ")
	tol := flag.Float64("tol", 1e-6, "MarginalError tolerance")
	repeat := flag.Int("repeat", 3, "repeats per method (best time is reported)")
	workers := flag.Int("workers", 1, "also run with this many workers when > 1")
	flag.Parse()
	f, err := os.Open(*costPath)
	if err != nil {
		log.Fatal(err)
	}
	var data []float64
	r, err := npyio.NewReader(f)
	if err != nil {
		log.Fatal(err)
	}
	shape := r.Header.Descr.Shape
	if err := r.Read(&data); err != nil {
		log.Fatal(err)
	}
	f.Close()
	c, err := ot.NewDenseCost(shape[0], shape[1], data)
	if err != nil {
		log.Fatal(err)
	}
	p := ot.NewProblem(c)
	ws := []int{1}
	if *workers > 1 {
		ws = append(ws, *workers)
	}
	enc := json.NewEncoder(os.Stdout)
	for _, meth := range []quadratic.Method{quadratic.Newton, quadratic.SemiDualLBFGS, quadratic.DualLBFGS} {
		for _, w := range ws {
			best := time.Duration(1 << 62)
			var res *ot.Result
			for k := 0; k < *repeat; k++ {
				s := quadratic.Solver{Gamma: *gamma, Method: meth, Tol: *tol, Workers: w}
				t0 := time.Now()
				res, err = s.Solve(context.Background(), p)
				if err != nil {
					log.Fatal(err)
				}
				best = min(best, time.Since(t0))
			}
			enc.Encode(map[string]any{
				"method": meth.String(), "workers": w, "seconds": best.Seconds(),
				"status": res.Status.String(), "iterations": res.Iterations,
				"marginal_error": res.MarginalError, "value": res.Value, "nnz": res.Plan.NNZ(),
			})
		}
	}
	fmt.Fprintln(os.Stderr, "done")
}
