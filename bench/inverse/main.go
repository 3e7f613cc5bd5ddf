// Command inverse benchmarks package inverse: n = 500 observed pairs, d = 5
// (25 parameters), one fit and a 20-point regularization path, with the
// savings of warm starts and of strong-rule screening as same-run ratios.
//
// Data: pairs drawn from the Gaussian entropic coupling of N(0, I) and
// N(0, I) for the cost −xᵀA0y, A0 = 0.5(L_ring + I) on 5 nodes, ε = 4
// (docs/inverse.md §9.2), seed 1.
//
//	go run ./bench/inverse [-n 500] [-reps 3]
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand"
	"os"
	"slices"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/otkit/otkit/inverse"
)

func main() {
	n := flag.Int("n", 500, "number of pairs")
	reps := flag.Int("reps", 3, "repetitions (the median is reported)")
	flag.Parse()
	const d, eps = 5, 4.0
	a0 := mat.NewDense(d, d, nil)
	for i := 0; i < d; i++ {
		a0.Set(i, i, 0.5*3)
		a0.Set(i, (i+1)%d, -0.5)
		a0.Set(i, (i+d-1)%d, -0.5)
	}
	x, y := sample(a0, eps, *n, 1)
	data := inverse.Pairs(x, y)
	ctx := context.Background()
	e := inverse.Estimator{Epsilon: eps}
	lm, err := e.LambdaMax(ctx, data)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	cert, _ := inverse.GaussianCertificate(a0, nil, nil, eps, nil)
	fmt.Printf("n = %d pairs, d = %d (25 parameters), ε = %g, A0 = 0.5(L_ring + I), population certificate %.4f, λ_max = %.4g\n\n",
		*n, d, eps, cert.MaxOff, lm)

	median := func(f func() time.Duration) time.Duration {
		var ts []time.Duration
		for r := 0; r < *reps; r++ {
			ts = append(ts, f())
		}
		slices.Sort(ts)
		return ts[len(ts)/2]
	}

	fmt.Println("| run | CPU ms (median) | outer steps | Newton trials | Sinkhorn sweeps | status | support size | sign recovery |")
	fmt.Println("|---|---|---|---|---|---|---|---|")
	var est *inverse.Estimate
	fit := func(name string, e inverse.Estimator) time.Duration {
		t := median(func() time.Duration {
			t0 := cpu()
			est, _ = e.Fit(ctx, data)
			return cpu() - t0
		})
		fmt.Printf("| %s | %.1f | %d | %d | %d | %v | %d | %v |\n", name, ms(t), est.Iterations, est.NewtonSteps, est.InnerSweeps,
			est.Status, len(est.Support), recovered(est, a0))
		return t
	}
	fit("fit, λ = 0.1 λ_max", inverse.Estimator{Epsilon: eps, Lambda: 0.1 * lm})
	tRef := fit("fit, λ = 0.1 λ_max, NoRefine", inverse.Estimator{Epsilon: eps, Lambda: 0.1 * lm, NoRefine: true})
	_ = tRef
	fit("fit, λ = 0.01 λ_max", inverse.Estimator{Epsilon: eps, Lambda: 0.01 * lm})

	fmt.Println()
	fmt.Println("20-point path, λ from λ_max down to 0.01 λ_max:")
	fmt.Println()
	fmt.Println("| path | CPU ms (median) | total outer steps | total Sinkhorn sweeps | converged points | screened / readmitted | ratio to warm |")
	fmt.Println("|---|---|---|---|---|---|---|")
	var warm time.Duration
	for _, pc := range []struct {
		name string
		ps   inverse.PathSettings
	}{
		{"warm starts (default)", inverse.PathSettings{N: 20, MinRatio: 0.01}},
		{"cold starts", inverse.PathSettings{N: 20, MinRatio: 0.01, Cold: true}},
		{"warm starts + strong-rule screening", inverse.PathSettings{N: 20, MinRatio: 0.01, Screen: true}},
	} {
		var p *inverse.Path
		t := median(func() time.Duration {
			t0 := cpu()
			p, _ = e.Path(ctx, data, pc.ps)
			return cpu() - t0
		})
		if warm == 0 {
			warm = t
		}
		steps, sweeps, conv := 0, 0, 0
		for _, est := range p.Estimates {
			steps += est.Iterations
			sweeps += est.InnerSweeps
			if est.Status.Err() == nil {
				conv++
			}
		}
		fmt.Printf("| %s | %.1f | %d | %d | %d/%d | %d / %d | %.2f |\n", pc.name, ms(t), steps, sweeps, conv, len(p.Estimates),
			p.Screened, p.Readmitted, float64(t)/float64(warm))
	}
}

func ms(t time.Duration) float64 { return float64(t.Microseconds()) / 1000 }

func recovered(est *inverse.Estimate, a0 *mat.Dense) bool {
	for k, v := range a0.RawMatrix().Data {
		s := int8(0)
		if v > 0 {
			s = 1
		} else if v < 0 {
			s = -1
		}
		if est.Signs[k] != s {
			return false
		}
	}
	return true
}

// sample draws n pairs from N(0, [[I, Σ], [Σᵀ, I]]), Σ = Σ(A0) at ε.
func sample(a0 *mat.Dense, eps float64, n int, seed int64) (x, y *mat.Dense) {
	d, _ := a0.Dims()
	sig, err := inverse.GaussianCrossCov(a0, nil, nil, eps)
	if err != nil {
		panic(err)
	}
	g := mat.NewSymDense(2*d, nil)
	for i := 0; i < 2*d; i++ {
		g.SetSym(i, i, 1)
	}
	for i := 0; i < d; i++ {
		for j := 0; j < d; j++ {
			g.SetSym(i, d+j, sig.At(i, j))
		}
	}
	var ch mat.Cholesky
	if !ch.Factorize(g) {
		panic("covariance not positive definite")
	}
	var l mat.TriDense
	ch.LTo(&l)
	rng := rand.New(rand.NewSource(seed))
	x, y = mat.NewDense(n, d, nil), mat.NewDense(n, d, nil)
	z := mat.NewVecDense(2*d, nil)
	w := mat.NewVecDense(2*d, nil)
	for i := 0; i < n; i++ {
		for k := 0; k < 2*d; k++ {
			z.SetVec(k, rng.NormFloat64())
		}
		w.MulVec(&l, z)
		for k := 0; k < d; k++ {
			x.Set(i, k, w.AtVec(k))
			y.Set(i, k, w.AtVec(d+k))
		}
	}
	return x, y
}
