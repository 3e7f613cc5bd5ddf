package sinkhorn

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/floats"

	"github.com/otkit/otkit/internal/otest"
	"github.com/otkit/otkit/ot"
)

// BenchmarkUnbalanced: 200×200 Gaussian clouds (cost / max), ε = 0.01,
// Σa = 1, Σb = 1.5, ρ = 1 and 100 (both ≫ ε, where the translation step
// matters), every method; reports the sweeps (docs/sinkhorn.md §13.2):
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

// BenchmarkUnbalancedSeeds: 40×30 uniform random costs, ε = 0.01, Σa = 1,
// Σb = 1.5, ρ = 1, 100, 1000 on both sides, seeds 1–6, plain and
// over-relaxed iterations; reports the sweeps (bench/results/unbalanced.md):
//
//	go test ./sinkhorn -run '^$' -bench UnbalancedSeeds -benchtime 1x
func BenchmarkUnbalancedSeeds(b *testing.B) {
	for _, rho := range []float64{1, 100, 1000} {
		for _, cfg := range []struct {
			name string
			s    Solver
		}{
			{"Auto", Solver{}},
			{"LogDomain", Solver{Method: LogDomain}},
			{"LogDomainRelax1.3", Solver{Method: LogDomain, Relax: 1.3}},
			{"Stabilized", Solver{Method: Stabilized}},
			{"StabilizedRelax1.3", Solver{Method: Stabilized, Relax: 1.3}},
			{"Sparse", Solver{Method: Sparse}},
		} {
			for seed := uint64(1); seed <= 6; seed++ {
				b.Run(fmt.Sprintf("rho=%g/%s/seed=%d", rho, cfg.name, seed), func(b *testing.B) {
					p := randomProblem(40, 30, seed)
					floats.Scale(1.5, p.B)
					p.RhoA, p.RhoB = rho, rho
					s := cfg.s
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
}
