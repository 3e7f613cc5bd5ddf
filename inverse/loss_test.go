package inverse

import (
	"context"
	"math"
	"math/rand"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/otkit/otkit/ot"
)

// lossAt evaluates L and ∇L with a tight Sinkhorn solve.
func lossAt(t *testing.T, ft *fitter, theta []float64) (float64, []float64) {
	t.Helper()
	g := make([]float64, len(theta))
	v, st := ft.o.eval(context.Background(), theta, 1e-14, g)
	if st != ot.Converged {
		t.Fatalf("inner status %v", st)
	}
	return v, g
}

func TestGradientAndIdentities(t *testing.T) {
	x, y, A0, p, eps := t1(t)
	e := Estimator{Epsilon: eps}
	ft, err := e.newFitter(Coupled(x, y, p))
	if err != nil {
		t.Fatal(err)
	}
	// T2: ∇L at a generic point against central differences.
	a := []float64{0.3, 0.2, -0.4, 0.1, 0.5, -0.6}
	_, g := lossAt(t, ft, a)
	const h = 1e-5
	for k := range a {
		ap, am := append([]float64(nil), a...), append([]float64(nil), a...)
		ap[k] += h
		am[k] -= h
		lp, _ := lossAt(t, ft, ap)
		lm, _ := lossAt(t, ft, am)
		if fd := (lp - lm) / (2 * h); math.Abs(fd-g[k]) > 1e-8 {
			t.Errorf("∂L/∂θ_%d = %.12g, central difference %.12g", k, g[k], fd)
		}
	}
	// At the truth: ∇L = 0 and L(A0) = −ε KL(P̂ | a⊗b).
	l0, g0 := lossAt(t, ft, A0.RawMatrix().Data)
	if m := maxAbs(g0); m > 1e-12 {
		t.Errorf("‖∇L(A0)‖∞ = %.3g, want ≤ 1e-12", m)
	}
	if math.Abs(l0-(-0.2804511282)) > 1e-9 {
		t.Errorf("L(A0) = %.12g, want −0.2804511282", l0)
	}
	var kl float64
	n, m := p.Dims()
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			v := p.At(i, j)
			kl += v * math.Log(v/(ft.pr.a[i]*ft.pr.b[j]))
		}
	}
	if math.Abs(l0+eps*kl) > 1e-10 {
		t.Errorf("L(A0) = %.12g, −ε KL(P̂|a⊗b) = %.12g", l0, -eps*kl)
	}
}

func maxAbs(v []float64) float64 {
	var m float64
	for _, x := range v {
		m = math.Max(m, math.Abs(x))
	}
	return m
}

func TestHessianFiniteDifferences(t *testing.T) {
	x, y, _, p, eps := t1(t)
	for _, tc := range []struct {
		name string
		d    *Data
	}{
		{"bilinear", Coupled(x, y, p)},
		{"linear", linearOf(x, y, p)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := Estimator{Epsilon: eps}
			ft, err := e.newFitter(tc.d)
			if err != nil {
				t.Fatal(err)
			}
			a := []float64{0.3, 0.2, -0.4, 0.1, 0.5, -0.6}
			lossAt(t, ft, a)
			idx := []int{0, 1, 2, 3, 4, 5}
			H, err := ft.pr.hessian(context.Background(), ft.o.p, idx)
			if err != nil {
				t.Fatal(err)
			}
			const h = 1e-5
			for k := range a {
				ap, am := append([]float64(nil), a...), append([]float64(nil), a...)
				ap[k] += h
				am[k] -= h
				_, gp := lossAt(t, ft, ap)
				_, gm := lossAt(t, ft, am)
				for l := range a {
					if fd := (gp[l] - gm[l]) / (2 * h); math.Abs(fd-H.At(l, k)) > 1e-7 {
						t.Errorf("H[%d,%d] = %.10g, central difference %.10g", l, k, H.At(l, k), fd)
					}
				}
			}
			lb := ft.pr.feat.scale2(ft.pr.a, ft.pr.b) / eps
			var es mat.EigenSym
			es.Factorize(H, false)
			v := es.Values(nil)
			if v[0] < -1e-12 || v[len(v)-1] > lb {
				t.Errorf("eigenvalues of H in [%g, %g], want in [0, L_B = %g]", v[0], v[len(v)-1], lb)
			}
		})
	}
}

// linearOf writes the bilinear model of x, y as a linear one with dense
// basis costs −x_k y_lᵀ.
func linearOf(x, y, p *mat.Dense) *Data {
	n, dx := x.Dims()
	m, dy := y.Dims()
	var basis []*mat.Dense
	for k := 0; k < dx; k++ {
		for l := 0; l < dy; l++ {
			c := mat.NewDense(n, m, nil)
			for i := 0; i < n; i++ {
				for j := 0; j < m; j++ {
					c.Set(i, j, -x.At(i, k)*y.At(j, l))
				}
			}
			basis = append(basis, c)
		}
	}
	return Linear(p, basis...)
}

func TestLambdaMax(t *testing.T) {
	x, y, _, p, eps := t1(t)
	e := Estimator{Epsilon: eps}
	d := Coupled(x, y, p)
	lm, err := e.LambdaMax(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	// ∇L(0) = Xᵀ(a⊗b − P̂)Y exactly.
	n, m := p.Dims()
	ab := mat.NewDense(n, m, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			ab.Set(i, j, (1/float64(n))*(1/float64(m)))
		}
	}
	ab.Sub(ab, p)
	var t1m, g0 mat.Dense
	t1m.Mul(x.T(), ab)
	g0.Mul(&t1m, y)
	if want := maxAbs(g0.RawMatrix().Data); math.Abs(lm-want) > 1e-12 {
		t.Errorf("λ_max = %.15g, want %.15g", lm, want)
	}
	for _, tc := range []struct {
		f    float64
		zero bool
	}{{1.001, true}, {0.99, false}} {
		e := Estimator{Epsilon: eps, Lambda: tc.f * lm}
		est, err := e.Fit(context.Background(), d)
		if err != nil {
			t.Fatal(err)
		}
		if est.Status != ot.Converged || (len(est.Support) == 0) != tc.zero {
			t.Errorf("λ = %g λ_max: status %v, support %v", tc.f, est.Status, est.Support)
		}
	}
}

// TestCertificatePredictsRecovery is docs/inverse.md's discrete certificate test
// (docs/inverse.md §11, T5).
func TestCertificatePredictsRecovery(t *testing.T) {
	want := []float64{1.443, 1.038, 1.049, 1.628, 0.711, 0.624, 0.909, 1.073}
	A0 := mat.NewDense(3, 3, []float64{1, 0, 0, 0, -0.7, 0, 0.5, 0, 0})
	for seed := 1; seed <= 8; seed++ {
		rng := rand.New(rand.NewSource(int64(seed)))
		x := randn(rng, 8, 3)
		y := randn(rng, 8, 3)
		p := exactPlan(t, x, y, A0, 0.5)
		d := Coupled(x, y, p)
		e := Estimator{Epsilon: 0.5, Lambda: 1e-3, Tol: 1e-9}
		c, err := e.Certificate(context.Background(), d, A0.RawMatrix().Data)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(c.MaxOff-want[seed-1]) > 5e-4 {
			t.Errorf("seed %d: max off-support |z| = %.4f, want %.3f", seed, c.MaxOff, want[seed-1])
		}
		est, err := e.Fit(context.Background(), d)
		if err != nil {
			t.Fatal(err)
		}
		rec := true
		for k, v := range A0.RawMatrix().Data {
			rec = rec && est.Signs[k] == sign(v)
		}
		if est.Status != ot.Converged || rec != c.Nondegenerate {
			t.Errorf("seed %d: z = %.3f, status %v, sign recovery %v, Â = %v", seed, c.MaxOff, est.Status, rec, est.Theta)
		}
	}
}
