package quadratic

import (
	"context"
	"fmt"
	"os"
	"testing"

	"codeberg.org/sbinet/npyio"

	"github.com/otkit/otkit/ot"
)

// BenchmarkSolve times each method to MarginalError 1e-6 on the benchmark
// point-cloud family at γ = 0.1 (bench/quadratic.py compares with POT).
func BenchmarkSolve(b *testing.B) {
	for _, n := range []int{200, 500, 1000} {
		p := cloudProblem(b, n, n, 1)
		for _, meth := range allMethods {
			b.Run(fmt.Sprintf("n=%d/%v", n, meth), func(b *testing.B) {
				s := Solver{Gamma: 0.1, Method: meth, Tol: 1e-6}
				for b.Loop() {
					if _, err := s.Solve(context.Background(), p); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkDualPass times one full dual evaluation collecting the working
// set, and one screened evaluation, at the solution of n = m = 1000.
func BenchmarkDualPass(b *testing.B) {
	p := cloudProblem(b, 1000, 1000, 1)
	r, err := (&Solver{Gamma: 0.1, Method: Newton, Tol: 1e-6}).Solve(context.Background(), p)
	if err != nil {
		b.Fatal(err)
	}
	in := &instance{n: 1000, m: 1000, a: p.A, b: p.B, c: ot.CostData(p.C), gamma: 0.1, mass: 1, workers: 1}
	d := newDualObjective(in)
	x := append(append([]float64(nil), r.F...), r.G...)
	grad := make([]float64, len(x))
	b.Run("full", func(b *testing.B) {
		for b.Loop() {
			d.pass(x, grad, passCollect, 1e-3)
		}
	})
	b.Run("screened", func(b *testing.B) {
		for b.Loop() {
			d.pass(x, grad, passSparse, 0)
		}
	})
}

// BenchmarkNewton times Newton to MarginalError 1e-6 at γ = 0.1 on the cost
// matrices bench/quadratic.py wrote (bench/work/quadratic/C<n>_<seed>.npy,
// numpy's generator; skipped when absent), the exact problems of the
// comparison with POT.
func BenchmarkNewton(b *testing.B) {
	for _, n := range []int{500, 1000} {
		for seed := range 3 {
			b.Run(fmt.Sprintf("n=%d/seed=%d", n, seed), func(b *testing.B) {
				p := benchFile(b, fmt.Sprintf("../bench/work/quadratic/C%d_%d.npy", n, seed))
				s := Solver{Gamma: 0.1, Method: Newton, Tol: 1e-6}
				for b.Loop() {
					r, err := s.Solve(context.Background(), p)
					if err != nil || r.Status != ot.Converged {
						b.Fatal(err, r.Status)
					}
				}
			})
		}
	}
}

// benchFile reads a float64 n×m cost matrix from an .npy file, or skips.
func benchFile(b testing.TB, path string) *ot.Problem {
	f, err := os.Open(path)
	if err != nil {
		b.Skip("no bench matrix (run bench/quadratic.py):", err)
	}
	defer f.Close()
	r, err := npyio.NewReader(f)
	if err != nil {
		b.Fatal(err)
	}
	var data []float64
	if err := r.Read(&data); err != nil {
		b.Fatal(err)
	}
	shape := r.Header.Descr.Shape
	return ot.NewProblem(dense(b, shape[0], shape[1], data))
}
