package cardinality

import (
	"context"
	"fmt"
	"testing"

	"github.com/otkit/otkit/ot"
)

// BenchmarkRoute is the MoE routing target: 4096 tokens × 64 experts,
// capacity 80 (capacity factor 1.25), Gaussian scores, reference settings
// (Adam, 20 steps).
func BenchmarkRoute(b *testing.B) {
	s := gaussianScores(7, 4096, 64)
	for _, w := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", w), func(b *testing.B) {
			r := Router{Capacity: 80, Workers: w}
			var out Routing
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if err := r.RouteInto(ctx, &out, s); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSemiDualEval times one semi-dual evaluation of the routing
// problem (the unit of work of every optimizer step).
func BenchmarkSemiDualEval(b *testing.B) {
	s := gaussianScores(7, 4096, 64)
	r := Router{Capacity: 80, MaxIter: 1}
	var out Routing
	if err := r.RouteInto(context.Background(), &out, s); err != nil {
		b.Fatal(err)
	}
	c := &out.ws.cols
	grad := make([]float64, 4096)
	for b.Loop() {
		c.SemiDual(out.F, grad)
	}
}

// BenchmarkSolve times general n = m = 1000 problems to Tol.
func BenchmarkSolve(b *testing.B) {
	p := randomProblem(b, 11, 1000, 1000)
	for _, k := range []int{1, 5, 50} {
		b.Run(fmt.Sprintf("k=%d", k), func(b *testing.B) {
			for b.Loop() {
				if _, err := (&Solver{K: k}).Solve(context.Background(), p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

var _ = ot.Converged
