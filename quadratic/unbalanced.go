package quadratic

import (
	"context"
	"math"

	"gonum.org/v1/gonum/floats"

	"github.com/otkit/otkit/internal/semidual"
	"github.com/otkit/otkit/internal/support"
	"github.com/otkit/otkit/ot"
)

// Unbalanced quadratic OT on the dual (docs/quadratic.md §11.2): each
// relaxed marginal's linear term of the dual (§2) is replaced by the
// conjugate of its penalty ρ KL(·‖w) at −F (or −G),
//
//	D_ρ(F,G) = φ_a(F) + φ_b(G) − (1/(2γ)) Σ_ij [F_i + G_j − C_ij]₊²,
//	φ(x) = −ρ Σ w_i (e^{−x_i/ρ} − 1)  (relaxed),  <w, x>  (hard),
//	∇_F D_ρ = a e^{−F/ρa} − T1 (relaxed rows), a − T1 (hard rows),
//
// concave and smooth. DualLBFGS maximizes it with the balanced dual's
// passes (screening included) and stops when ‖∇D_ρ‖₁ ≤ Tol·ΣA, the KKT
// residual: T = [F + G − C]₊/γ and, for a relaxed side, T1 = a e^{−F/ρa}.

// solveUnbalanced solves a problem with at least one relaxed marginal on
// D_ρ: semismooth Newton (Method Newton, see newton_relax.go) or DualLBFGS.
func (s *Solver) solveUnbalanced(ctx context.Context, p *ot.Problem, gamma, tol float64) (*ot.Result, error) {
	red := support.Reduce(p)
	in, sc, err := s.setup(ctx, red, gamma)
	if err != nil {
		return nil, err
	}
	if in == nil {
		return unbalancedCanceled(p), nil
	}
	defer in.release()
	f0, g0 := s.initial(red)
	f0, g0 = scaled(f0, -sc.costExp), scaled(g0, -sc.costExp)
	// ρ' = ρ/cost: e^{−F'/ρ'} = e^{−F/ρ}, and the penalty scales with the
	// mass as the rest of the objective (docs/quadratic.md §11.2).
	rhoA, rhoB := math.Inf(1), math.Inf(1)
	if !p.HardA() {
		rhoA = math.Ldexp(p.RhoA, -sc.costExp)
	}
	if !p.HardB() {
		rhoB = math.Ldexp(p.RhoB, -sc.costExp)
	}
	run := *s
	if s.Progress != nil && sc.massExp != 0 {
		run.Progress = func(it int, merr float64) { s.Progress(it, math.Ldexp(merr, sc.massExp)) }
	}
	var st state
	if s.Method == Newton {
		st = run.newtonDual(ctx, in, f0, g0, rhoA, rhoB, tol*in.mass)
	} else {
		st = run.unbalancedDual(ctx, in, f0, g0, rhoA, rhoB, tol*in.mass)
	}
	if ctx.Err() != nil && st.status != ot.Converged {
		st.status = ot.Canceled
	}
	if st.f == nil || st.active == nil || len(st.active.ptr) != in.n+1 {
		return unbalancedCanceled(p), nil
	}
	res := s.result(p, red, in, &st)
	scaleBack(res, sc, p, red, &st)
	// The balanced figures in the caller's units, made relaxed: Value gains
	// the KL terms, DualValue trades each relaxed side's linear term for
	// its conjugate, MarginalError is the hard side's (0 when both are
	// relaxed).
	r, c := ot.Marginals(res.Plan)
	if !p.HardA() {
		res.Value += p.RhoA * klDiv(r, p.A)
		res.DualValue -= conjugateGap(p.A, res.F, p.RhoA)
	}
	if !p.HardB() {
		res.Value += p.RhoB * klDiv(c, p.B)
		res.DualValue -= conjugateGap(p.B, res.G, p.RhoB)
	}
	res.MarginalError = p.MarginalError(res.Plan)
	if !finite(res.Value) || !finite(res.DualValue) || !finite(res.MarginalError) {
		res.Status = ot.NumericalError
	}
	if res.Status == ot.Converged && !(res.MarginalError <= tol*floats.Sum(p.A)) {
		res.Status = ot.Stalled
	}
	return res, nil
}

// conjugateGap is <w, x> − φ(x) = Σ w_i (x_i + ρ (e^{−x_i/ρ} − 1)) over
// the w_i > 0: the balanced linear term less the relaxed one.
func conjugateGap(w, x []float64, rho float64) float64 {
	var sum float64
	for i, wi := range w {
		if wi > 0 {
			sum += wi * (x[i] + rho*math.Expm1(-x[i]/rho))
		}
	}
	return sum
}

// unbalancedCanceled is canceledResult for a relaxed problem: the empty
// plan of the zero potentials, whose Value is ρa Σa + ρb Σb over the
// relaxed sides (KL(0 ‖ w) = Σw), DualValue D_ρ(0, 0) = 0 and
// MarginalError the hard side's.
func unbalancedCanceled(p *ot.Problem) *ot.Result {
	res := canceledResult(p)
	if !p.HardA() {
		res.Value += p.RhoA * floats.Sum(p.A)
	}
	if !p.HardB() {
		res.Value += p.RhoB * floats.Sum(p.B)
	}
	res.MarginalError = p.MarginalError(res.Plan)
	return res
}

// unbalancedDual maximizes D_ρ by L-BFGS from (f0, g0) (nil: zeros); ρ =
// +Inf marks a hard side. The state's dualValue is the balanced dual D at
// (f, g), which the caller corrects.
func (s *Solver) unbalancedDual(ctx context.Context, in *instance, f0, g0 []float64, rhoA, rhoB, tol float64) state {
	obj := newDualObjective(in)
	n := in.n
	eval := func(x, grad []float64) float64 {
		v := obj.eval(x, grad)
		if math.IsNaN(v) {
			return v // a canceled pass
		}
		return v + conjugateTerms(in.a, x[:n], grad[:n], rhoA) + conjugateTerms(in.b, x[n:], grad[n:], rhoB)
	}
	x := make([]float64, in.n+in.m)
	copy(x[:n], f0)
	copy(x[n:], g0)
	if f0 == nil && g0 == nil {
		// The quadratic term is invariant along (F + t, G − t), where
		// only the conjugate terms move: from zeros their maximizer is
		// t = ρaρb/(ρa + ρb) log(Σa/Σb) (t = ρ log(Σa/Σb) with the other
		// side hard), which L-BFGS would otherwise have to find along a
		// direction of curvature only (Σa + Σb)/ρ.
		t := gaugeShift(floats.Sum(in.a), floats.Sum(in.b), rhoA, rhoB)
		for i := range x[:n] {
			x[i] = t
		}
		for j := range x[n:] {
			x[n+j] = -t
		}
	}
	var rec semidual.Record
	var d semidual.Driver
	d.LBFGS(ctx, eval, x, semidual.Settings{Tol: tol, MaxIter: s.maxIter(1000), Memory: s.Memory,
		Progress: s.Progress}, &rec)
	st := state{status: rec.Status, iterations: rec.Iterations, history: rec.History}
	if ctx.Err() != nil {
		// No more passes over the cost: the last complete pass and its
		// recorded active set.
		if math.IsNaN(obj.actAt[0]) {
			return st
		}
		copy(x, obj.actAt)
	}
	ptr, idx := obj.activeSet(x, nil, nil)
	if len(ptr) != in.n+1 || (ctx.Err() != nil && len(idx) > cancelMaxNNZ) {
		return st
	}
	st.f, st.g = x[:n], x[n:]
	st.active = &activeSet{ptr: ptr, idx: idx}
	st.dualValue = obj.activeValue(x, ptr, idx)
	return st
}

// gaugeShift is the t maximizing the conjugate terms at (t·1, −t·1):
// Σa e^{−t/ρa} = Σb e^{t/ρb}, t = log(Σa/Σb)/(1/ρa + 1/ρb) (a hard side
// has 1/ρ = 0; 0 when both are hard).
func gaugeShift(sa, sb, rhoA, rhoB float64) float64 {
	k := 1/rhoA + 1/rhoB
	if !(k > 0) || math.IsInf(k, 1) {
		return 0
	}
	return math.Log(sa/sb) / k
}
