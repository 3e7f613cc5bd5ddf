package quadratic

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"

	"github.com/otkit/otkit/internal/parallel"
	"github.com/otkit/otkit/internal/semidual"
	"github.com/otkit/otkit/internal/support"
	"github.com/otkit/otkit/ot"
)

// Semi-relaxed quadratic OT (docs/quadratic.md §11): one marginal hard,
// the other replaced by the penalty ρ KL(·‖w),
//
//	min_{T ≥ 0, Tᵀ1 = b} <T,C> + (γ/2)‖T‖² + ρ KL(T1 ‖ a)   (RhoA = ρ, RhoB hard).
//
// Dualizing the rows with F as in the semi-dual (§3) replaces <a, F> by the
// conjugate of ρ KL(·‖a) at −F:
//
//	S_ρ(F) = −ρ Σ a_i (e^{−F_i/ρ} − 1) − Σ_j M_j(F − c_j),
//	∇S_ρ(F) = a e^{−F/ρ} − T1,
//
// concave and smooth, strictly so along F + t·1 (no gauge). It runs on the
// semi-dual engine unchanged: its evaluation gives <a, F> − Σ M_j and the
// gradient a − T1 less its mean (Σ(a − T1) = Σa − Σb, the columns being
// exact), to which the marginal term's difference is added. The stopping
// rule is ‖∇S_ρ‖₁ ≤ Tol·Σb (the KKT residual, relative to the hard side's
// mass, which is the plan's; the default γ uses the same mass); RhoB with
// the rows hard is solved on the transposed problem.

// solveRelaxed solves a problem with one relaxed marginal.
func (s *Solver) solveRelaxed(ctx context.Context, p *ot.Problem, gamma, tol float64) (*ot.Result, error) {
	if !p.HardA() && !p.HardB() {
		return nil, fmt.Errorf("%w: quadratic: both marginals relaxed (RhoA = %g, RhoB = %g); the semi-dual keeps one hard (docs/quadratic.md §11)",
			ot.ErrUnsupported, p.RhoA, p.RhoB)
	}
	if s.Method == DualLBFGS {
		return nil, fmt.Errorf("%w: quadratic: DualLBFGS solves balanced problems; a relaxed marginal runs SemiDualLBFGS (Method Newton or SemiDualLBFGS)",
			ot.ErrUnsupported)
	}
	if !p.HardB() {
		// Columns relaxed: solve the transposed problem, rows relaxed.
		q := &ot.Problem{A: p.B, B: p.A, C: ot.Transpose(p.C), RhoA: p.RhoB}
		t := *s
		if s.Init != nil {
			t.Init = &ot.Potentials{F: s.Init.G, G: s.Init.F}
		}
		res, err := t.solveRelaxed(ctx, q, gamma, tol)
		if err != nil {
			return nil, err
		}
		res.F, res.G = res.G, res.F
		res.Plan = transposePlan(res.Plan)
		return res, nil
	}
	red := support.Reduce(p)
	in, sc, err := s.setup(ctx, red, gamma)
	if err != nil {
		return nil, err
	}
	if in == nil {
		return relaxedCanceled(p), nil
	}
	defer in.release()
	// The tolerance and the default γ are relative to the hard side's mass
	// (the plan's), not to Σa: with Σa ≪ Σb, Tol·Σa would be far below the
	// plan's rounding and γ ∝ 1/Σa far too large.
	ref := floats.Sum(in.b)
	if gamma == 0 {
		in.gamma = defaultGamma(in) * in.mass / ref
	}
	f0, _ := s.initial(red)
	f0 = scaled(f0, -sc.costExp)
	rho := math.Ldexp(p.RhoA, -sc.costExp)
	run := *s
	if s.Progress != nil && sc.massExp != 0 {
		run.Progress = func(it int, merr float64) { s.Progress(it, math.Ldexp(merr, sc.massExp)) }
	}
	st := run.relaxedSemiDual(ctx, in, f0, rho, tol*ref)
	if ctx.Err() != nil && st.status != ot.Converged {
		st.status = ot.Canceled
	}
	if st.f == nil || st.cols == nil {
		return relaxedCanceled(p), nil
	}
	res := s.result(p, red, in, &st)
	scaleBack(res, sc, p, red, &st)
	// The balanced figures in the caller's units, made relaxed: Value gains
	// ρ KL(T1 ‖ a), DualValue trades <a, F> for the conjugate term, and
	// MarginalError is the columns' (the hard side's).
	r, _ := ot.Marginals(res.Plan)
	res.Value += p.RhoA * klDiv(r, p.A)
	for i, a := range p.A {
		if a > 0 {
			res.DualValue -= a*res.F[i] + p.RhoA*a*math.Expm1(-res.F[i]/p.RhoA)
		}
	}
	res.MarginalError = p.MarginalError(res.Plan)
	if !finite(res.Value) || !finite(res.DualValue) || !finite(res.MarginalError) {
		res.Status = ot.NumericalError
	}
	if res.Status == ot.Converged && !(res.MarginalError <= tol*floats.Sum(p.B)) {
		res.Status = ot.Stalled
	}
	return res, nil
}

// relaxedCanceled is canceledResult for a row-relaxed problem: the empty
// plan of the zero potentials, whose Value is ρ KL(0 ‖ a) = ρ Σa, DualValue
// S_ρ(0) = 0 and MarginalError the columns' Σb.
func relaxedCanceled(p *ot.Problem) *ot.Result {
	res := canceledResult(p)
	res.Value = p.RhoA * floats.Sum(p.A)
	res.MarginalError = p.MarginalError(res.Plan)
	return res
}

// relaxedSemiDual maximizes S_ρ by L-BFGS from f0 (nil: zeros); the state's
// dualValue is the balanced semi-dual at f, which result expects.
func (s *Solver) relaxedSemiDual(ctx context.Context, in *instance, f0 []float64, rho, tol float64) state {
	var st state
	pool := parallel.NewPool(in.workers)
	defer pool.Close()
	c := newSemiDual(ctx, in, pool)
	if c == nil {
		st.status = ot.Canceled
		return st
	}
	f := make([]float64, in.n)
	copy(f, f0)
	shift := (floats.Sum(in.a) - floats.Sum(in.b)) / float64(in.n)
	obj := func(x, grad []float64) float64 {
		v := c.SemiDual(x, grad)
		var lin, conj float64
		for i, a := range in.a {
			e := math.Expm1(-x[i] / rho)
			grad[i] += shift + a*e
			lin += a * x[i]
			conj += a * e
		}
		return v - lin - rho*conj
	}
	rec := semidual.Record{}
	var d semidual.Driver
	d.LBFGS(ctx, obj, f, semidual.Settings{Tol: tol, MaxIter: s.maxIter(1000), Memory: s.Memory,
		Progress: s.Progress}, &rec)
	st.iterations, st.history, st.status = rec.Iterations, rec.History, rec.Status
	if x, _, ok := c.Last(); ok && ctx.Err() == nil && !equal(x, f) {
		c.SemiDual(f, make([]float64, in.n)) // the columns of f, not of a rejected trial
	}
	x, v, ok := c.Last()
	if !ok {
		return st
	}
	st.f, st.g, st.dualValue = append([]float64(nil), x...), c.PotentialG(make([]float64, in.m)), v
	st.cols = c
	return st
}

// klDiv is the generalized Kullback–Leibler divergence Σ x log(x/y) − x + y
// over the y > 0 (x = 0 where y = 0), each term as y·((1+d) log(1+d) − d)
// with d = (x − y)/y, accurate near x = y (where a large ρ multiplies it).
func klDiv(x, y []float64) float64 {
	var sum float64
	for k, v := range x {
		if y[k] == 0 {
			continue
		}
		d := (v - y[k]) / y[k]
		switch {
		case d <= -1:
			sum += y[k]
		case math.Abs(d) < 1e-3:
			sum += y[k] * d * d * (1.0/2 + d*(-1.0/6+d*(1.0/12+d*(-1.0/20+d/30))))
		default:
			sum += y[k] * ((1+d)*math.Log1p(d) - d)
		}
	}
	return sum
}

// transposePlan returns the plan of the transposed problem.
func transposePlan(pl ot.Plan) ot.Plan {
	sp, ok := pl.(*ot.SparsePlan)
	if !ok { // every Result of this package has a sparse plan
		d := ot.DenseCopy(pl)
		n, m := d.Dims()
		sp = &ot.SparsePlan{N: n, M: m, RowPtr: make([]int, n+1)}
		for i := 0; i < n; i++ {
			for j := 0; j < m; j++ {
				if v := d.At(i, j); v != 0 {
					sp.ColIdx = append(sp.ColIdx, j)
					sp.Val = append(sp.Val, v)
				}
			}
			sp.RowPtr[i+1] = len(sp.Val)
		}
	}
	out := &ot.SparsePlan{N: sp.M, M: sp.N, RowPtr: make([]int, sp.M+1),
		ColIdx: make([]int, len(sp.ColIdx)), Val: make([]float64, len(sp.Val))}
	for _, j := range sp.ColIdx {
		out.RowPtr[j+1]++
	}
	for j := 0; j < sp.M; j++ {
		out.RowPtr[j+1] += out.RowPtr[j]
	}
	fill := append([]int(nil), out.RowPtr[:sp.M]...)
	for i := 0; i < sp.N; i++ {
		for q := sp.RowPtr[i]; q < sp.RowPtr[i+1]; q++ {
			j := sp.ColIdx[q]
			out.ColIdx[fill[j]] = i
			out.Val[fill[j]] = sp.Val[q]
			fill[j]++
		}
	}
	return out
}
