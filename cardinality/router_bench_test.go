package cardinality

import (
	"context"
	"testing"
)

// BenchmarkRouterRefill is the latency target of the router: 4096 tokens ×
// 64 experts, capacity 80, Gaussian logits, 2 workers, Adam 10 steps with
// Refill (no token dropped). It reports the dropped tokens per routing.
func BenchmarkRouterRefill(b *testing.B) {
	s := gaussianScores(7, 4096, 64)
	r := Router{Capacity: 80, MaxIter: 10, Refill: true, Workers: 2}
	var out Routing
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := r.RouteInto(ctx, &out, s); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(out.Dropped), "dropped")
}

// softmaxCostRef is the plain cost pass (copy, softmaxRow, negate,
// transpose) that softmaxCost fuses; the two agree bitwise.
func softmaxCostRef(ct []float64, s *Scores, rowSparse bool, lo, hi int) error {
	n, m := s.Tokens, s.Experts
	row := make([]float64, m)
	for i := lo; i < hi; i++ {
		s.row(i, row)
		if err := softmaxRow(row, i); err != nil {
			return err
		}
		for j, g := range row {
			if rowSparse {
				ct[i*m+j] = -g
			} else {
				ct[j*n+i] = -g
			}
		}
	}
	return nil
}

// BenchmarkSoftmaxCost times the cost pass of a 4096 × 64 group on one
// goroutine: fused (softmaxCost) against the plain reference.
func BenchmarkSoftmaxCost(b *testing.B) {
	s := gaussianScores(7, 4096, 64)
	ct := make([]float64, 4096*64)
	buf := make([]float64, costTile*64)
	b.Run("fused", func(b *testing.B) {
		for b.Loop() {
			if err := softmaxCost(ct, &s, false, buf, 0, 4096); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("plain", func(b *testing.B) {
		for b.Loop() {
			if err := softmaxCostRef(ct, &s, false, 0, 4096); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkRouterRefill2 is BenchmarkRouterRefill with 2 Adam steps, the
// low-latency setting (no token dropped either).
func BenchmarkRouterRefill2(b *testing.B) {
	s := gaussianScores(7, 4096, 64)
	r := Router{Capacity: 80, MaxIter: 2, Refill: true, Workers: 2}
	var out Routing
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := r.RouteInto(ctx, &out, s); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(out.Dropped), "dropped")
}
