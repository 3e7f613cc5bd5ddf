package inverse

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/otkit/otkit/ot"
)

// gauss holds validated Gaussian marginals.
type gauss struct {
	dx, dy   int
	sa, sb   *mat.SymDense // Σα, Σβ
	saInv    *mat.SymDense
	sbh      *mat.SymDense // Σβ^{1/2}
	ldb      float64       // log det Σβ
	eps      float64
	lmA, lmB float64 // largest eigenvalues
}

func symOrIdentity(name string, s mat.Symmetric, d int) (*mat.SymDense, error) {
	out := mat.NewSymDense(d, nil)
	if s == nil {
		for i := 0; i < d; i++ {
			out.SetSym(i, i, 1)
		}
		return out, nil
	}
	if s.SymmetricDim() != d {
		return nil, fmt.Errorf("%w: %s is %d×%d, want %d×%d", ot.ErrShape, name, s.SymmetricDim(), s.SymmetricDim(), d, d)
	}
	for i := 0; i < d; i++ {
		for j := i; j < d; j++ {
			v := s.At(i, j)
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("%w: %s[%d,%d] = %v", ot.ErrNonFinite, name, i, j, v)
			}
			out.SetSym(i, j, v)
		}
	}
	return out, nil
}

// symFunc returns V diag(f(λ)) Vᵀ for the symmetric s = V diag(λ) Vᵀ.
func symFunc(s mat.Symmetric, f func(float64) float64) (*mat.SymDense, []float64, bool) {
	var es mat.EigenSym
	if !es.Factorize(s, true) {
		return nil, nil, false
	}
	vals := es.Values(nil)
	var v mat.Dense
	es.VectorsTo(&v)
	d := len(vals)
	out := mat.NewSymDense(d, nil)
	for i := 0; i < d; i++ {
		for j := i; j < d; j++ {
			var x float64
			for k := 0; k < d; k++ {
				x += v.At(i, k) * f(vals[k]) * v.At(j, k)
			}
			out.SetSym(i, j, x)
		}
	}
	return out, vals, true
}

func newGauss(sa, sb mat.Symmetric, dx, dy int, eps float64) (*gauss, error) {
	if math.IsNaN(eps) || math.IsInf(eps, 0) || eps <= 0 {
		return nil, fmt.Errorf("%w: ε = %v (want ε > 0)", ot.ErrParameter, eps)
	}
	g := &gauss{dx: dx, dy: dy, eps: eps}
	var err error
	if g.sa, err = symOrIdentity("Σα", sa, dx); err != nil {
		return nil, err
	}
	if g.sb, err = symOrIdentity("Σβ", sb, dy); err != nil {
		return nil, err
	}
	var vals []float64
	var ok bool
	if g.saInv, vals, ok = symFunc(g.sa, func(v float64) float64 { return 1 / v }); !ok || floats.Min(vals) <= 0 {
		return nil, fmt.Errorf("%w: Σα is not positive definite", ot.ErrParameter)
	}
	g.lmA = floats.Max(vals)
	if g.sbh, vals, ok = symFunc(g.sb, math.Sqrt); !ok || floats.Min(vals) <= 0 {
		return nil, fmt.Errorf("%w: Σβ is not positive definite", ot.ErrParameter)
	}
	g.lmB = floats.Max(vals)
	for _, v := range vals {
		g.ldb += math.Log(v)
	}
	return g, nil
}

// cross returns Σ(A) = Σα A Σβ^{1/2} (Δ + ε/2 I)⁻¹ Σβ^{1/2},
// Δ = (Σβ^{1/2} Aᵀ Σα A Σβ^{1/2} + ε²/4 I)^{1/2}.
func (g *gauss) cross(A mat.Matrix) *mat.Dense {
	var sA, ata, m2, m1 mat.Dense
	sA.Mul(g.sa, A)     // Σα A
	ata.Mul(A.T(), &sA) // Aᵀ Σα A
	m2.Mul(g.sbh, &ata) // Σβ^{1/2} Aᵀ Σα A
	m1.Mul(&m2, g.sbh)  // … Σβ^{1/2}
	ms := mat.NewSymDense(g.dy, nil)
	for i := 0; i < g.dy; i++ {
		for j := i; j < g.dy; j++ {
			ms.SetSym(i, j, (m1.At(i, j)+m1.At(j, i))/2)
		}
	}
	e4 := g.eps * g.eps / 4
	inv, _, _ := symFunc(ms, func(v float64) float64 { return 1 / (math.Sqrt(math.Max(v, 0)+e4) + g.eps/2) })
	var t1, t2, out mat.Dense
	t1.Mul(&sA, g.sbh)
	t2.Mul(&t1, inv)
	out.Mul(&t2, g.sbh)
	return &out
}

// schur returns Σβ − Σᵀ Σα⁻¹ Σ.
func (g *gauss) schur(sig *mat.Dense) *mat.SymDense {
	var t, u mat.Dense
	t.Mul(g.saInv, sig)
	u.Mul(sig.T(), &t)
	out := mat.NewSymDense(g.dy, nil)
	for i := 0; i < g.dy; i++ {
		for j := i; j < g.dy; j++ {
			out.SetSym(i, j, g.sb.At(i, j)-(u.At(i, j)+u.At(j, i))/2)
		}
	}
	return out
}

// loss returns L(A) − L(0) = <A, Σ(A) − Σ̂> + (ε/2) log det(I − Σβ⁻¹ΣᵀΣα⁻¹Σ).
func (g *gauss) loss(A, sig, sigHat *mat.Dense) float64 {
	var ch mat.Cholesky
	if !ch.Factorize(g.schur(sig)) {
		return math.Inf(1)
	}
	var diff mat.Dense
	diff.Sub(sig, sigHat)
	return mat.Sum(mulElem(A, &diff)) + g.eps/2*(ch.LogDet()-g.ldb)
}

func mulElem(a, b *mat.Dense) *mat.Dense {
	var out mat.Dense
	out.MulElem(a, b)
	return &out
}

// hessian returns dΣ(A)/dA as an (dx·dy)² matrix over row-major vec, by
// implicit differentiation of ε Σα⁻¹ Σ = A (Σβ − ΣᵀΣα⁻¹Σ).
func (g *gauss) hessian(A *mat.Dense) (*mat.SymDense, error) {
	dx, dy := g.dx, g.dy
	s := dx * dy
	sig := g.cross(A)
	var kSig mat.Dense
	kSig.Mul(g.saInv, sig) // Σα⁻¹Σ
	var aSt mat.Dense
	aSt.Mul(A, kSig.T()) // A Σᵀ Σα⁻¹ (Σα⁻¹ symmetric)
	sc := g.schur(sig)
	tm := mat.NewDense(s, s, nil)
	rm := mat.NewDense(s, s, nil)
	e := mat.NewDense(dx, dy, nil)
	for p := 0; p < s; p++ {
		var t1, t2, t3, t4 mat.Dense
		e.Zero()
		e.Set(p/dy, p%dy, 1)
		t1.Mul(g.saInv, e)
		t1.Scale(g.eps, &t1) // ε Σα⁻¹ E
		t2.Mul(e.T(), &kSig) // Eᵀ Σα⁻¹ Σ
		t3.Mul(A, &t2)
		t1.Add(&t1, &t3)
		var t5 mat.Dense
		t5.Mul(&aSt, e) // A Σᵀ Σα⁻¹ E
		t1.Add(&t1, &t5)
		t4.Mul(e, sc) // E Sc
		for q := 0; q < s; q++ {
			tm.Set(q, p, t1.At(q/dy, q%dy))
			rm.Set(q, p, t4.At(q/dy, q%dy))
		}
	}
	var h mat.Dense
	if err := h.Solve(tm, rm); err != nil {
		return nil, fmt.Errorf("%w: Gaussian Hessian: %v", ot.ErrNumerical, err)
	}
	out := mat.NewSymDense(s, nil)
	for i := 0; i < s; i++ {
		for j := i; j < s; j++ {
			out.SetSym(i, j, (h.At(i, j)+h.At(j, i))/2)
		}
	}
	return out, nil
}

func checkA(A *mat.Dense) (int, int, error) {
	if A == nil {
		return 0, 0, fmt.Errorf("%w: A is nil", ot.ErrEmpty)
	}
	if err := checkMatrix("A", A); err != nil {
		return 0, 0, err
	}
	dx, dy := A.Dims()
	return dx, dy, nil
}

// GaussianCrossCov returns the cross-covariance Σ(A) = E[x yᵀ] of the
// entropic coupling of N(0, Σα) and N(0, Σβ) for the cost −xᵀAy at ε
// (docs/inverse.md §8): the coupling is N(0, [[Σα, Σ], [Σᵀ, Σβ]]) and its
// precision has cross block −A/ε. A may be rectangular or singular; nil
// covariances mean identity.
func GaussianCrossCov(A *mat.Dense, sa, sb mat.Symmetric, eps float64) (*mat.Dense, error) {
	dx, dy, err := checkA(A)
	if err != nil {
		return nil, err
	}
	g, err := newGauss(sa, sb, dx, dy, eps)
	if err != nil {
		return nil, err
	}
	return g.cross(A), nil
}

// GaussianHessian returns the Hessian of the Gaussian population loss at A,
// H[B] = dΣ(A)[B], as a (dx·dy)² symmetric matrix over row-major vec(A).
func GaussianHessian(A *mat.Dense, sa, sb mat.Symmetric, eps float64) (*mat.SymDense, error) {
	dx, dy, err := checkA(A)
	if err != nil {
		return nil, err
	}
	g, err := newGauss(sa, sb, dx, dy, eps)
	if err != nil {
		return nil, err
	}
	return g.hessian(A)
}

// GaussianCertificate returns the certificate of the truth A0 for Gaussian
// marginals (nil means identity) at ε, with penalty weights w (nil means
// all 1), from the closed-form Hessian.
func GaussianCertificate(A0 *mat.Dense, sa, sb mat.Symmetric, eps float64, w []float64) (*Certificate, error) {
	H, err := GaussianHessian(A0, sa, sb, eps)
	if err != nil {
		return nil, err
	}
	e := Estimator{Weights: w}
	ww, err := e.weights(H.SymmetricDim())
	if err != nil {
		return nil, err
	}
	return certificateOf(H, A0.RawMatrix().Data, ww)
}

// gaussOracle is the exact Gaussian loss.
type gaussOracle struct {
	g      *gauss
	sigHat *mat.Dense
	lastA  *mat.Dense
}

func (o *gaussOracle) exact() bool { return true }

func (o *gaussOracle) eval(ctx context.Context, theta []float64, _ float64, grad []float64) (float64, ot.Status) {
	A := mat.NewDense(o.g.dx, o.g.dy, append([]float64(nil), theta...))
	sig := o.g.cross(A)
	o.lastA = A
	r := mat.NewDense(o.g.dx, o.g.dy, grad)
	r.Sub(sig, o.sigHat)
	return o.g.loss(A, sig, o.sigHat), ot.Converged
}

func (o *gaussOracle) model(_ context.Context, theta []float64) float64 {
	A := mat.NewDense(o.g.dx, o.g.dy, theta)
	return o.g.loss(A, o.g.cross(A), o.sigHat)
}

func (o *gaussOracle) hessian(ctx context.Context, idx []int) (*mat.SymDense, error) {
	H, err := o.g.hessian(o.lastA)
	if err != nil {
		return nil, err
	}
	out := mat.NewSymDense(len(idx), nil)
	for a, k := range idx {
		for b := a; b < len(idx); b++ {
			out.SetSym(a, b, H.At(k, idx[b]))
		}
	}
	return out, nil
}

// FitGaussian is the Gaussian-parametric estimator (docs/inverse.md §5.4):
// it minimizes the closed-form population loss of the cost −xᵀAy between
// N(0, Σα) and N(0, Σβ) (nil means identity) given the empirical cross
// moment sigmaHat = (1/n) Σ x_i y_iᵀ of centered pairs, plus λ Σ ω|A_kl|.
// Each step costs O(d³), independently of the number of samples. The
// Estimator's Epsilon, Lambda, Weights, Tol, MaxIter, NoRefine and Progress
// apply; Inner is nil and InnerSweeps 0.
func (e *Estimator) FitGaussian(ctx context.Context, sigmaHat *mat.Dense, sa, sb mat.Symmetric) (*Estimate, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	set, err := e.settings()
	if err != nil {
		return nil, err
	}
	dx, dy, err := checkA(sigmaHat)
	if err != nil {
		return nil, err
	}
	g, err := newGauss(sa, sb, dx, dy, set.eps)
	if err != nil {
		return nil, err
	}
	w, err := e.weights(dx * dy)
	if err != nil {
		return nil, err
	}
	gs := floats.Norm(sigmaHat.RawMatrix().Data, math.Inf(1))
	if !(gs > 0) {
		gs = 1
	}
	o := &gaussOracle{g: g, sigHat: mat.DenseCopyOf(sigmaHat)}
	dr := &driver{o: o, s: dx * dy, lam: set.lam, w: w, tolAbs: set.tol * gs, gscale: gs, innerTol: 0,
		maxIter: set.maxIter, refine: !e.NoRefine, progress: e.Progress}
	lg := 2 / set.eps * g.lmA * g.lmB
	out := dr.run(ctx, make([]float64, dx*dy), lg/16)
	est := &Estimate{Theta: out.theta, Params: mat.NewDense(dx, dy, out.theta), Lambda: set.lam, Loss: out.loss,
		Grad: out.grad, KKT: out.kkt, Status: out.status, Iterations: out.iters, NewtonSteps: out.newton,
		History: out.history, Signs: make([]int8, dx*dy)}
	var pen float64
	for k, v := range out.theta {
		est.Signs[k] = sign(v)
		if v != 0 {
			est.Support = append(est.Support, k)
			pen += w[k] * math.Abs(v)
		}
	}
	est.Objective = est.Loss + set.lam*pen
	return est, nil
}
