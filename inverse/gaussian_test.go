package inverse

import (
	"context"
	"math"
	"math/rand"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/otkit/otkit/ot"
	"github.com/otkit/otkit/sinkhorn"
)

func randSPD(rng *rand.Rand, d int) *mat.SymDense {
	b := randn(rng, d, d)
	s := mat.NewSymDense(d, nil)
	s.SymOuterK(1, b)
	for i := 0; i < d; i++ {
		s.SetSym(i, i, s.At(i, i)+0.5)
	}
	return s
}

// TestGaussianClosedForm checks the fixed point ε Σα⁻¹Σ = A(Σβ − ΣᵀΣα⁻¹Σ),
// the precision cross block −A/ε, the gradient Σ(A) − Σ̂ of the loss and
// the implicit Hessian against central differences (docs/inverse.md §8).
func TestGaussianClosedForm(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	sa, sb := randSPD(rng, 3), randSPD(rng, 2)
	A := randn(rng, 3, 2)
	for _, eps := range []float64{0.1, 0.7, 5} {
		g, err := newGauss(sa, sb, 3, 2, eps)
		if err != nil {
			t.Fatal(err)
		}
		sig := g.cross(A)
		// Fixed point.
		var lhs, rhs mat.Dense
		lhs.Mul(g.saInv, sig)
		lhs.Scale(eps, &lhs)
		rhs.Mul(A, g.schur(sig))
		lhs.Sub(&lhs, &rhs)
		if r := mat.Norm(&lhs, math.Inf(1)); r > 1e-13 {
			t.Errorf("ε=%g: fixed-point residual %.3g", eps, r)
		}
		// Precision cross block.
		gam := mat.NewSymDense(5, nil)
		for i := 0; i < 5; i++ {
			for j := i; j < 5; j++ {
				var v float64
				switch {
				case j < 3:
					v = sa.At(i, j)
				case i >= 3:
					v = sb.At(i-3, j-3)
				default:
					v = sig.At(i, j-3)
				}
				gam.SetSym(i, j, v)
			}
		}
		var ch mat.Cholesky
		if !ch.Factorize(gam) {
			t.Fatalf("ε=%g: Γ_A not positive definite", eps)
		}
		var prec mat.SymDense
		ch.InverseTo(&prec)
		for i := 0; i < 3; i++ {
			for j := 0; j < 2; j++ {
				if d := math.Abs(prec.At(i, 3+j) + A.At(i, j)/eps); d > 1e-11*math.Max(1, 1/eps) {
					t.Errorf("ε=%g: precision cross block [%d,%d] off by %.3g", eps, i, j, d)
				}
			}
		}
		// Gradient of the loss.
		sigHat := randn(rng, 3, 2)
		sigHat.Scale(0.1, sigHat)
		const h = 1e-5
		a := A.RawMatrix().Data
		for k := range a {
			ap := mat.DenseCopyOf(A)
			am := mat.DenseCopyOf(A)
			ap.RawMatrix().Data[k] += h
			am.RawMatrix().Data[k] -= h
			fd := (g.loss(ap, g.cross(ap), sigHat) - g.loss(am, g.cross(am), sigHat)) / (2 * h)
			if want := sig.RawMatrix().Data[k] - sigHat.RawMatrix().Data[k]; math.Abs(fd-want) > 1e-8 {
				t.Errorf("ε=%g: ∂L/∂A_%d = %.10g, central difference %.10g", eps, k, want, fd)
			}
		}
		// Hessian.
		H, err := g.hessian(A)
		if err != nil {
			t.Fatal(err)
		}
		for k := range a {
			ap := mat.DenseCopyOf(A)
			am := mat.DenseCopyOf(A)
			ap.RawMatrix().Data[k] += h
			am.RawMatrix().Data[k] -= h
			sp, sm := g.cross(ap), g.cross(am)
			for l := range a {
				fd := (sp.RawMatrix().Data[l] - sm.RawMatrix().Data[l]) / (2 * h)
				if math.Abs(fd-H.At(l, k)) > 1e-8 {
					t.Errorf("ε=%g: H[%d,%d] = %.10g, central difference %.10g", eps, l, k, H.At(l, k), fd)
				}
			}
		}
	}
}

// ring returns the shifted ring Laplacian L + δI on d nodes.
func ring(d int, delta float64) *mat.Dense {
	a := mat.NewDense(d, d, nil)
	for i := 0; i < d; i++ {
		a.Set(i, i, 2+delta)
		a.Set(i, (i+1)%d, -1)
		a.Set(i, (i+d-1)%d, -1)
	}
	return a
}

// TestRingCertificateTable reproduces the certificate table of
// docs/inverse.md §9.1 for d = 10 to 1e-4.
func TestRingCertificateTable(t *testing.T) {
	eps := []float64{0.01, 0.1, 1, 2, 5, 10, 100}
	for _, tc := range []struct {
		delta float64
		want  []float64
	}{
		{0.1, []float64{3.1445, 2.8300, 1.1405, 0.7716, 0.3315, 0.1241, 0.0016}},
		{1.0, []float64{0.9174, 0.9059, 0.7775, 0.6349, 0.3448, 0.1487, 0.0021}},
	} {
		A0 := ring(10, tc.delta)
		for i, e := range eps {
			c, err := GaussianCertificate(A0, nil, nil, e, nil)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(c.MaxOff-tc.want[i]) > 1e-4 {
				t.Errorf("δ=%g ε=%g: max off-support |z| = %.5f, want %.4f", tc.delta, e, c.MaxOff, tc.want[i])
			}
			if c.Nondegenerate != (tc.want[i] < 1) {
				t.Errorf("δ=%g ε=%g: Nondegenerate = %v", tc.delta, e, c.Nondegenerate)
			}
		}
	}
}

// TestGaussianLimits: ε → ∞ gives the Lasso Hessian Σα ⊗ Σβ / ε with a
// relative error O(ε⁻²).
func TestGaussianLimits(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	sa, sb := randSPD(rng, 3), randSPD(rng, 2)
	A := randn(rng, 3, 2)
	rel := func(eps float64) float64 {
		H, err := GaussianHessian(A, sa, sb, eps)
		if err != nil {
			t.Fatal(err)
		}
		var num, den float64
		for p := 0; p < 6; p++ {
			for q := 0; q < 6; q++ {
				lasso := sa.At(p/2, q/2) * sb.At(q%2, p%2) / eps
				num = math.Max(num, math.Abs(H.At(p, q)-lasso))
				den = math.Max(den, math.Abs(lasso))
			}
		}
		return num / den
	}
	r100, r1000 := rel(100), rel(1000)
	if r1000 > 1e-3 || r100/r1000 < 50 || r100/r1000 > 200 {
		t.Errorf("relative distance to the Lasso Hessian: %.3g at ε = 100, %.3g at ε = 1000 (want O(ε⁻²))", r100, r1000)
	}
	// ε → 0, Σα = Σβ = I, A SPD: on symmetric B, H[B] = (ε/2) A⁻¹BA⁻¹ + O(ε²).
	a := ring(4, 1)
	var ai mat.Dense
	if err := ai.Inverse(a); err != nil {
		t.Fatal(err)
	}
	b := mat.NewDense(4, 4, nil)
	for i := 0; i < 4; i++ {
		for j := i; j < 4; j++ {
			v := rng.NormFloat64()
			b.Set(i, j, v)
			b.Set(j, i, v)
		}
	}
	var want, tmp mat.Dense
	tmp.Mul(&ai, b)
	want.Mul(&tmp, &ai)
	for _, eps := range []float64{1e-2, 1e-3} {
		H, err := GaussianHessian(a, nil, nil, eps)
		if err != nil {
			t.Fatal(err)
		}
		got := mat.NewVecDense(16, nil)
		got.MulVec(H, mat.NewVecDense(16, b.RawMatrix().Data))
		var d float64
		for k := 0; k < 16; k++ {
			d = math.Max(d, math.Abs(got.AtVec(k)*2/eps-want.RawMatrix().Data[k]))
		}
		if d > 10*eps*mat.Norm(&want, math.Inf(1)) {
			t.Errorf("ε=%g: ‖(2/ε)H[B] − A⁻¹BA⁻¹‖ = %.3g, want O(ε)", eps, d)
		}
	}
}

// TestGaussianVsSinkhorn compares Σ(A) with XᵀPY of the entropic plan
// between Gaussian samples (statistical: a few times 1/√n).
func TestGaussianVsSinkhorn(t *testing.T) {
	const n, eps = 600, 1.0
	rng := rand.New(rand.NewSource(5))
	x := randn(rng, n, 2)
	y := randn(rng, n, 2)
	A := mat.NewDense(2, 2, []float64{0.8, 0.3, 0, -0.5})
	c := mat.NewDense(n, n, nil)
	var xa mat.Dense
	xa.Mul(x, A)
	c.Mul(&xa, y.T())
	c.Scale(-1, c)
	res, err := (&sinkhorn.Solver{Eps: eps}).Solve(context.Background(), ot.NewProblem(ot.DenseCostOf(c)))
	if err != nil || res.Status != ot.Converged {
		t.Fatal(err, res.Status)
	}
	p := ot.DenseCopy(res.Plan)
	var t1m, got mat.Dense
	t1m.Mul(x.T(), p)
	got.Mul(&t1m, y)
	want, err := GaussianCrossCov(A, nil, nil, eps)
	if err != nil {
		t.Fatal(err)
	}
	var d mat.Dense
	d.Sub(&got, want)
	if r := mat.Norm(&d, math.Inf(1)); r > 4/math.Sqrt(n) {
		t.Errorf("‖XᵀPY − Σ(A)‖ = %.3g > 4/√n = %.3g", r, 4/math.Sqrt(n))
	}
}

// TestFitGaussian: with the population moment Σ̂ = Σ(A0) and λ = 0 the
// estimator returns A0; with λ > 0 on a nondegenerate ring it recovers the
// signs.
func TestFitGaussian(t *testing.T) {
	A0 := ring(5, 1)
	A0.Scale(0.5, A0)
	sig, err := GaussianCrossCov(A0, nil, nil, 4)
	if err != nil {
		t.Fatal(err)
	}
	e := Estimator{Epsilon: 4, Tol: 1e-12}
	est, err := e.FitGaussian(context.Background(), sig, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d := maxAbsDiff(est.Theta, A0.RawMatrix().Data); est.Status != ot.Converged || d > 1e-9 {
		t.Errorf("λ=0: status %v, max|Â − A0| = %.3g", est.Status, d)
	}
	e = Estimator{Epsilon: 4, Lambda: 1e-3}
	est, err = e.FitGaussian(context.Background(), sig, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range A0.RawMatrix().Data {
		if est.Signs[k] != sign(v) {
			t.Fatalf("λ=1e-3: sign of entry %d is %d, want %d (status %v)", k, est.Signs[k], sign(v), est.Status)
		}
	}
}
