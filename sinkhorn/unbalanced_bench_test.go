package sinkhorn

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/otkit/otkit/internal/otest"
	"github.com/otkit/otkit/ot"
)

// BenchmarkUnbalanced: 200×200 Gaussian clouds (cost / max), ε = 0.01,
// Σa = 1, Σb = 1.5, ρ ≪ and ≫ ε, every method; reports the sweeps
// (docs/sinkhorn.md §13.2):
//
//	go test ./sinkhorn -run '^$' -bench Unbalanced -benchtime 1x
func BenchmarkUnbalanced(b *testing.B) {
	for _, rho := range []float64{1, 100} {
		for _, meth := range unbalancedMethods {
			b.Run(fmt.Sprintf("rho=%g/%s", rho, meth.name), func(b *testing.B) {
				p := otest.CloudProblem(rand.New(rand.NewPCG(7, 1)), 200, 200, 2, []float64{0.5, 0}, true)
				for j := range p.B {
					p.B[j] *= 1.5
				}
				p.RhoA, p.RhoB = rho, rho
				s := meth.s
				s.Eps, s.MaxIter = 0.01, 20000
				var res *ot.Result
				for b.Loop() {
					var err error
					if res, err = s.Solve(context.Background(), p); err != nil {
						b.Fatal(err)
					}
				}
				if res.Status != ot.Converged {
					b.Errorf("status %v", res.Status)
				}
				b.ReportMetric(float64(res.Iterations), "sweeps")
			})
		}
	}
}
