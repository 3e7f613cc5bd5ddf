package inverse

import (
	"context"
	"math"
	"math/rand"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// gaussCrossMoments draws, for each trial, the first ns[len(ns)-1] pairs
// (x, y) of the entropic coupling of −xᵀA0y between N(0, I) and N(0, I)
// (y = Σᵀx + Lz, LLᵀ = I − ΣᵀΣ) and returns their cross moments
// (1/n) Σ x yᵀ over the first n of every n of ns (nested samples).
func gaussCrossMoments(t *testing.T, rng *rand.Rand, sigma *mat.Dense, ns []int) []*mat.Dense {
	t.Helper()
	d, _ := sigma.Dims()
	cond := mat.NewSymDense(d, nil)
	cond.SymOuterK(-1, sigma.T())
	for k := 0; k < d; k++ {
		cond.SetSym(k, k, 1+cond.At(k, k))
	}
	var ch mat.Cholesky
	if !ch.Factorize(cond) {
		t.Fatal("I − ΣᵀΣ is not positive definite")
	}
	var l mat.TriDense
	ch.LTo(&l)
	x, z, y := mat.NewVecDense(d, nil), mat.NewVecDense(d, nil), mat.NewVecDense(d, nil)
	acc := mat.NewDense(d, d, nil)
	var out []*mat.Dense
	done := 0
	for _, n := range ns {
		for ; done < n; done++ {
			for k := 0; k < d; k++ {
				x.SetVec(k, rng.NormFloat64())
				z.SetVec(k, rng.NormFloat64())
			}
			y.MulVec(sigma.T(), x)
			var lz mat.VecDense
			lz.MulVec(&l, z)
			y.AddVec(y, &lz)
			acc.RankOne(acc, 1, x, y)
		}
		s := mat.NewDense(d, d, nil)
		s.Scale(1/float64(n), acc)
		out = append(out, s)
	}
	return out
}

// recoveryRates returns, per n of ns, the fraction of trials in which the
// Gaussian estimator at λ = c·sqrt(2 log(d²)/n) recovers sign(A0) exactly.
func recoveryRates(t *testing.T, a0 *mat.Dense, eps, c float64, ns []int, trials int) []float64 {
	t.Helper()
	sigma, err := GaussianCrossCov(a0, nil, nil, eps)
	if err != nil {
		t.Fatal(err)
	}
	d, _ := a0.Dims()
	hits := make([]int, len(ns))
	for tr := 0; tr < trials; tr++ {
		moments := gaussCrossMoments(t, rand.New(rand.NewSource(int64(100+tr))), sigma, ns)
		for j, n := range ns {
			e := Estimator{Epsilon: eps, Lambda: c * math.Sqrt(2*math.Log(float64(d*d))/float64(n))}
			est, err := e.FitGaussian(context.Background(), moments[j], nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			ok := true
			for k, v := range a0.RawMatrix().Data {
				ok = ok && est.Signs[k] == sign(v)
			}
			if ok {
				hits[j]++
			}
		}
	}
	rates := make([]float64, len(ns))
	for j, h := range hits {
		rates[j] = float64(h) / float64(trials)
	}
	return rates
}

// TestT9RecoveryRate is docs/inverse.md §11 T9: on a nondegenerate instance
// the sign recovery rate does not decrease with n (within Monte-Carlo
// slack) and reaches 8/10 at n = 1e4 and 1e5; on a degenerate one it stays
// at most 2/10 for every n ≤ 1e5.
func TestT9RecoveryRate(t *testing.T) {
	ns := []int{100, 1000, 10000, 100000}
	const trials = 10
	const slack = 0.2 // two trials of ten: the cells share their samples
	a0 := ring(5, 1)
	a0.Scale(0.5, a0)
	cert, err := GaussianCertificate(a0, nil, nil, 4, nil)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(cert.MaxOff-0.2119) > 1e-4 || !cert.Nondegenerate {
		t.Fatalf("certificate %.5f, want 0.2119 (nondegenerate)", cert.MaxOff)
	}
	rates := recoveryRates(t, a0, 4, 2, ns, trials)
	t.Logf("d = 5, A0 = 0.5(L + I), ε = 4: recovery rates %v at n = %v", rates, ns)
	for j := 1; j < len(ns); j++ {
		if rates[j] < rates[j-1]-slack {
			t.Errorf("rate falls from %.2f at n = %d to %.2f at n = %d", rates[j-1], ns[j-1], rates[j], ns[j])
		}
	}
	for j := 2; j < len(ns); j++ {
		if rates[j] < 0.8 {
			t.Errorf("rate %.2f at n = %d, want ≥ 0.8", rates[j], ns[j])
		}
	}
	if testing.Short() {
		t.Skip("the degenerate instance (ε = 0.1) is slow to fit")
	}
	a0 = ring(10, 0.1)
	rates = recoveryRates(t, a0, 0.1, 2, ns, trials)
	t.Logf("d = 10, A0 = L + 0.1I, ε = 0.1: recovery rates %v at n = %v", rates, ns)
	for j, r := range rates {
		if r > 0.2 {
			t.Errorf("degenerate certificate: rate %.2f at n = %d, want ≤ 0.2", r, ns[j])
		}
	}
}
