package exact

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/otkit/otkit/ot"
)

// BenchmarkWarmStart compares a cold network simplex with one started from
// the optimal potentials of a previous solve of a problem whose costs moved
// by about 1% (a routing problem re-solved over time), and from those
// potentials blurred by noise of 1% of the cost range (standing in for the
// potentials of an entropic solve). bench/exact/main.go runs the same
// comparison with real Sinkhorn potentials.
func BenchmarkWarmStart(b *testing.B) {
	ctx := context.Background()
	for _, n := range []int{500, 1000, 2000} {
		pc := gaussianClouds(n, uint64(n))
		p := &ot.Problem{A: ot.Uniform(n), B: ot.Uniform(n), C: &ot.DenseCost{N: n, M: n, Data: ot.CostData(pc)}}
		prev, err := (&Solver{}).Solve(ctx, perturbed(p, 0.01))
		if err != nil {
			b.Fatal(err)
		}
		_, hi := ot.MinMax(p.C)
		rng := rand.New(rand.NewPCG(5, 5))
		noisy := &ot.Potentials{F: make([]float64, n), G: make([]float64, n)}
		for i := range noisy.F {
			noisy.F[i] = prev.F[i] + 0.01*hi*rng.NormFloat64()
			noisy.G[i] = prev.G[i] + 0.01*hi*rng.NormFloat64()
		}
		for _, c := range []struct {
			name string
			init *ot.Potentials
		}{
			{"cold", nil},
			{"previous", &ot.Potentials{F: prev.F, G: prev.G}},
			{"noisy", noisy},
		} {
			b.Run(fmt.Sprintf("n=%d/%s", n, c.name), func(b *testing.B) {
				s := &Solver{Init: c.init}
				var res *ot.Result
				for b.Loop() {
					if res, err = s.Solve(ctx, p); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(res.Iterations), "pivots")
			})
		}
	}
}

// perturbed returns p with every cost multiplied by 1 + rel·N(0, 1).
func perturbed(p *ot.Problem, rel float64) *ot.Problem {
	rng := rand.New(rand.NewPCG(99, 1))
	src := p.C.(*ot.DenseCost)
	data := make([]float64, len(src.Data))
	for k, v := range src.Data {
		data[k] = v * (1 + rel*rng.NormFloat64())
	}
	return &ot.Problem{A: p.A, B: p.B, C: &ot.DenseCost{N: src.N, M: src.M, Data: data}}
}
