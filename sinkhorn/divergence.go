package sinkhorn

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/otkit/otkit/internal/lse"
	"github.com/otkit/otkit/internal/parallel"
	"github.com/otkit/otkit/ot"
)

// Divergence is the debiased Sinkhorn divergence between two weighted point
// clouds (Feydy et al. 2019),
//
//	S_ε(a, b) = OT_ε(a, b) − ½ OT_ε(a, a) − ½ OT_ε(b, b) + (ε/2)(Σa − Σb)²,
//
// with OT_ε the regularized optimum Value (the same number under the K and
// E conventions; not POT's empirical_sinkhorn_divergence, which uses linear
// costs and clips at 0). The mass term is zero for balanced problems; for
// relaxed marginals (RhoA = RhoB = ρ, the same penalty in all three
// problems) S_ε is the unbalanced divergence of Séjourné et al., "Sinkhorn
// divergences for unbalanced optimal transport" (2019), which the term
// makes nonnegative for SqEuclidean costs (OTT-JAX's sinkhorn_divergence
// adds the same term).
type Divergence struct {
	// Value is S_ε. It is ≥ 0 for SqEuclidean costs, and 0 for identical
	// weighted clouds.
	Value float64
	// XY, XX and YY are the three solves.
	XY, XX, YY *ot.Result
	// GradA and GradB are ∂S/∂a and ∂S/∂b, centred for a balanced
	// problem (see Gradient).
	GradA, GradB []float64
	// GradX and GradY are ∂S/∂x_i and ∂S/∂y_j for SqEuclidean clouds
	// (nil for other metrics).
	GradX, GradY *mat.Dense
	// Status is the worst of the three solves' statuses (NumericalError,
	// then Canceled, then IterationLimit or Stalled, then Converged).
	Status ot.Status
}

// Divergence solves the three problems of S_ε for p, whose cost must be an
// *ot.PointCloud, all at the same ε (the solver's Eps, or the default ε of
// the x–y cost). The symmetric problems OT_ε(a, a) and OT_ε(b, b) start
// with the symmetric update F ← ½(F + T(F)) (T the soft c-transform against
// the same measure; Feydy et al. 2019, OTT-JAX's default for these terms),
// which converges in tens of iterations where alternating sweeps may take
// thousands, and end with the solver's own sweeps (at least CheckEvery), so
// their Results obey the same stopping rule. Init, when set, warm-starts the
// x–y solve, and its F and G the x–x and y–y solves. The statuses of the
// three solves are in XY, XX and YY; Status is the worst of them.
func (s *Solver) Divergence(ctx context.Context, p *ot.Problem) (*Divergence, error) {
	if err := p.ValidateFor("sinkhorn.Divergence", ot.Support{RelaxA: true, RelaxB: true}, s.Init); err != nil {
		return nil, err
	}
	if !p.Balanced() && !(p.RhoA == p.RhoB && !p.HardA()) {
		return nil, fmt.Errorf("%w: sinkhorn: Divergence with relaxed marginals needs RhoA = RhoB (the same penalty in the three problems), got RhoA = %g, RhoB = %g",
			ot.ErrUnsupported, p.RhoA, p.RhoB)
	}
	if _, err := s.settings(); err != nil {
		return nil, err
	}
	if ctx == nil {
		ctx = context.Background()
	}
	pc, ok := p.C.(*ot.PointCloud)
	if !ok {
		return nil, fmt.Errorf("%w: sinkhorn: Divergence needs a point-cloud cost, got %T", ot.ErrParameter, p.C)
	}
	solver := *s
	if solver.Eps == 0 {
		solver.Eps, _ = defaultEps(p.C, func() bool { return ctx.Err() != nil })
	}
	var initX, initY []float64
	if s.Init != nil {
		initX, initY = s.Init.F, s.Init.G
	}
	self := func(x *mat.Dense, w []float64) *ot.Problem {
		// Every exported field of pc (a fresh value: PointCloud holds a
		// sync.Once and caches that must not be copied).
		return &ot.Problem{A: w, B: w, C: &ot.PointCloud{X: x, Y: x, Metric: pc.Metric, P: pc.P, Elastic: pc.Elastic},
			RhoA: p.RhoA, RhoB: p.RhoB}
	}
	probs := []*ot.Problem{p, self(pc.X, p.A), self(pc.Y, p.B)}
	inits := [][]float64{nil, initX, initY}
	res := make([]*ot.Result, 3)
	grads := make([]*Gradient, 3)
	for k, q := range probs {
		var r *ot.Result
		var err error
		if k == 0 && !sameCloud(pc.X, pc.Y, p.A, p.B) {
			r, err = solver.Solve(ctx, q)
		} else {
			r, err = solver.solveSelf(ctx, q, inits[k])
		}
		if err != nil {
			return nil, err
		}
		if grads[k], err = Grad(q, r); err != nil {
			return nil, err
		}
		res[k] = r
	}
	// The mass term (ε/2)(Σa − Σb)² (zero when balanced) and its
	// derivatives ±ε (Σa − Σb).
	var dm float64
	if !p.Balanced() {
		dm = floats.Sum(p.A) - floats.Sum(p.B)
	}
	d := &Divergence{XY: res[0], XX: res[1], YY: res[2],
		Value:  res[0].Value - 0.5*res[1].Value - 0.5*res[2].Value + 0.5*solver.Eps*dm*dm,
		Status: worst(res[0].Status, res[1].Status, res[2].Status)}
	// a enters OT(a, a) through both marginals: ∂/∂a = f̃ + g̃ there.
	d.GradA = make([]float64, len(p.A))
	for i := range d.GradA {
		d.GradA[i] = grads[0].A[i] - 0.5*(grads[1].A[i]+grads[1].B[i]) + solver.Eps*dm
	}
	d.GradB = make([]float64, len(p.B))
	for j := range d.GradB {
		d.GradB[j] = grads[0].B[j] - 0.5*(grads[2].A[j]+grads[2].B[j]) - solver.Eps*dm
	}
	if p.Balanced() {
		centre(d.GradA)
		centre(d.GradB)
	}
	if grads[0].X != nil {
		// x enters C(x, x) through both indices.
		d.GradX = selfGrad(grads[0].X, grads[1])
		d.GradY = selfGrad(grads[0].Y, grads[2])
	}
	return d, nil
}

// worst returns the least favourable status: NumericalError, then
// Canceled, then any other non-converged status, then Converged.
func worst(sts ...ot.Status) ot.Status {
	rank := func(s ot.Status) int {
		switch s {
		case ot.Converged:
			return 0
		case ot.Canceled:
			return 2
		case ot.NumericalError:
			return 3
		}
		return 1
	}
	w := ot.Converged
	for _, s := range sts {
		if rank(s) > rank(w) {
			w = s
		}
	}
	return w
}

// sameCloud reports whether the x–y problem is symmetric: the same points
// with the same weights.
func sameCloud(x, y *mat.Dense, a, b []float64) bool {
	return mat.Equal(x, y) && floats.Equal(a, b)
}

// selfRows is the number of rows in a chunk of the symmetric iteration.
const selfRows = 64

// solveSelf solves a symmetric problem (C = Cᵀ, a = b, RhoA = RhoB):
// symmetric updates F ← ½(F + T(F)), T(F)_i = ε log a_i − τ ε
// LSE_j((F_j − C_ij)/ε) (τ = ρ/(ρ+ε), 1 when balanced), until the plan of
// (F, F) meets the stopping rule, then the solver's sweeps from (F, F).
// Iterations counts both.
func (s *Solver) solveSelf(ctx context.Context, q *ot.Problem, init []float64) (*ot.Result, error) {
	set, err := s.settings()
	if err != nil {
		return nil, err
	}
	n, _ := q.Dims()
	scale := normScale(s.Eps)
	eps := s.Eps * scale
	k := 1 / eps
	c := q.C
	if scale != 1 {
		c = &scaledCost{c: c, scale: scale}
	}
	f, t := make([]float64, n), make([]float64, n)
	if init != nil {
		floats.ScaleTo(f, scale, init)
	}
	loga := make([]float64, n)
	for i, w := range q.A {
		loga[i] = math.Log(w)
		if w == 0 {
			f[i] = math.Inf(-1)
		}
	}
	mass := floats.Sum(q.A)
	tauS := 1.0
	if !q.HardA() {
		tauS = tau(q.RhoA*scale, eps)
	}
	chunks := parallel.Chunks(n, selfRows)
	errs := make([]float64, chunks)
	bufs := make([][]float64, set.workers)
	poll := max(1, pollEntries/n)
	it := 0
	for it < set.maxIter && ctx.Err() == nil {
		parallel.For(set.workers, chunks, func(w, ch int) {
			if bufs[w] == nil {
				bufs[w] = make([]float64, n)
			}
			lo, hi := parallel.Bounds(ch, selfRows, n)
			var e float64
			for i := lo; i < hi; i++ {
				if (i-lo)%poll == 0 && ctx.Err() != nil {
					return
				}
				if q.A[i] == 0 {
					t[i] = math.Inf(-1)
					continue
				}
				l := lse.AffineLSE(0, f, rowOf(c, i, bufs[w]), k)
				if tauS == 1 {
					t[i] = eps * (loga[i] - l)
					e += math.Abs(q.A[i]*math.Exp((f[i]-t[i])*k) - q.A[i])
					continue
				}
				// Relaxed: the residual of the stopping rule, r_i |e^{δ/ε} − 1|.
				t[i] = eps*loga[i] - tauS*eps*l
				e += stepChange(math.Exp(f[i]*k+l), t[i]-f[i], eps)
			}
			errs[ch] = 2 * e
		})
		if ctx.Err() != nil {
			break
		}
		e := floats.Sum(errs)
		if !(e > set.tol*mass) { // converged, or NaN: the sweeps decide
			break
		}
		for i, ti := range t {
			f[i] = 0.5 * (f[i] + ti)
		}
		it++
	}
	floats.Scale(1/scale, f)
	solver := *s
	solver.Init = &ot.Potentials{F: f, G: f}
	solver.Scaling = nil
	solver.MaxIter = max(set.maxIter-it, set.checkEvery)
	res, err := solver.Solve(ctx, q)
	if err != nil {
		return nil, err
	}
	res.Iterations += it
	return res, nil
}

// selfGrad returns g − ½(∂/∂x + ∂/∂y) of a symmetric problem's gradient.
func selfGrad(g *mat.Dense, self *Gradient) *mat.Dense {
	var out mat.Dense
	out.Add(self.X, self.Y)
	out.Scale(-0.5, &out)
	out.Add(&out, g)
	return &out
}
