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
