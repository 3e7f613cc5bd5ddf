package quadratic

import (
	"context"
	"math"

	"gonum.org/v1/gonum/floats"

	"github.com/otkit/otkit/ot"
)

// Newton globalization constants (docs/quadratic.md §5.3).
const (
	armijoTheta = 0.1  // sufficient decrease
	armijoKappa = 0.5  // backtracking factor
	armijoMax   = 30   // halvings before the step is refused
	deltaFloor  = 1e-5 // Hessian shift δ, lower bound
	deltaCeil   = 1e5

	deltaFloorRelaxed = 1e-12 // δ's lower bound on D_ρ (docs/quadratic.md §11.2)

	newtonStallMax = 20 // iterations without progress before the exact block updates, then the L-BFGS fallback
	cgMaxIter      = 1000
	stageTol       = 1e-2 // MarginalError target of the intermediate stages, × mass
	cgEtaMax       = 0.03 // CG relative residual min(cgEtaMax, sqrt(MarginalError))

	gamma0Factor  = 4   // γ₀ = max(γ, gamma0Factor·range(C))
	stageFactor   = 8   // γ divisor between stages
	stepCapFactor = 0.1 // first-trial cap on the potential change, × range(C)
	deltaMerr     = 0.1 // δ ≥ deltaMerr·MarginalError/mass (Levenberg–Marquardt-like)

	// cancelMaxNNZ: a canceled solve whose last iterate has more active
	// entries returns no iterate (building its plan would take more than
	// a few tens of milliseconds).
	cancelMaxNNZ = 1 << 17
)

// newton holds the semismooth Newton state on the dual, minimizing
// Φ = −γ·D (docs/quadratic.md §5.3) with Hessian H = [[diag(σ1), σ], [σᵀ, diag(σᵀ1)]] + shift·I.
type newton struct {
	obj             *dualObjective
	n, m            int
	ptr, idx        []int32   // active set σ in CSR
	rowOf           []int32   // the row of each entry of idx
	rowCnt, colCnt  []float64 // σ1, σᵀ1
	grad, gradT, xt []float64
	d, r, z, p, hp  []float64
	rhs, invDiag    []float64
	stepCap         float64 // largest potential change of a trial step
	delta           float64 // δ of docs/quadratic.md §5.3, adapted by the backtracking
	shift           float64 // the diagonal shift used in H
	actOK           bool    // ptr, idx hold the active set at the current iterate
	// exact enables the exact block updates of every trial point (for
	// widely spread weights or after a stall; see reproject).
	exact bool
	rp    reprojector
	// rhoA, rhoB are the relaxed marginals' ρ (+Inf: hard) of D_ρ
	// (docs/quadratic.md §11.2); relaxed reports a finite one.
	rhoA, rhoB float64
	relaxed    bool
	// deltaMin is δ's lower bound: deltaFloor, or deltaFloorRelaxed for
	// D_ρ, whose own curvature along the gauge direction (F + t, G − t)
	// is only about γ·mass/ρ.
	deltaMin float64
}

func newNewton(obj *dualObjective) *newton {
	n, m := obj.n, obj.m
	k := n + m
	return &newton{obj: obj, n: n, m: m, rowCnt: make([]float64, n), colCnt: make([]float64, m),
		grad: make([]float64, k), gradT: make([]float64, k), xt: make([]float64, k),
		d: make([]float64, k), r: make([]float64, k), z: make([]float64, k), p: make([]float64, k),
		hp: make([]float64, k), rhs: make([]float64, k), invDiag: make([]float64, k), delta: deltaFloor,
		rhoA: math.Inf(1), rhoB: math.Inf(1), deltaMin: deltaFloor}
}

// setActive derives the counts σ1, σᵀ1 and the row of each entry from the
// active set in ptr, idx. It reports false, leaving them incomplete, when
// the context is canceled.
func (nt *newton) setActive() bool {
	clear(nt.colCnt)
	if cap(nt.rowOf) < len(nt.idx) {
		nt.rowOf = make([]int32, len(nt.idx))
	}
	nt.rowOf = nt.rowOf[:len(nt.idx)]
	for i := range nt.rowCnt {
		if nt.obj.canceled(i) {
			return false
		}
		p0, p1 := nt.ptr[i], nt.ptr[i+1]
		nt.rowCnt[i] = float64(p1 - p0)
		for e := p0; e < p1; e++ {
			nt.rowOf[e] = int32(i)
		}
	}
	for _, j := range nt.idx {
		nt.colCnt[j]++
	}
	return true
}

// schurMul sets out = S·v for the Schur complement of the column block,
// S = diag(σ1) + shift − σ diag(σᵀ1 + shift)⁻¹ σᵀ (n×n), using w (length
// m) as scratch; inv2 holds 1/(σᵀ1 + shift).
func (nt *newton) schurMul(v, out, w, inv2 []float64) {
	clear(w)
	nt.scatter(v, w)
	for j, x := range w {
		w[j] = x * inv2[j]
	}
	for i := range out {
		s := (nt.rowCnt[i] + nt.shift) * v[i]
		for _, j := range nt.idx[nt.ptr[i]:nt.ptr[i+1]] {
			s -= w[j]
		}
		out[i] = s
	}
}

// scatter adds σᵀv to w (one loop over the entries: the rows are short,
// and a loop per row costs a mispredicted branch each).
func (nt *newton) scatter(v, w []float64) {
	rows := nt.rowOf[:len(nt.idx)]
	for e, j := range nt.idx {
		w[j] += v[rows[e]]
	}
}

// direction solves H d = rhs to relative residual eta (‖H d − rhs‖₂ ≤
// eta‖rhs‖₂). H = [[D1, σ], [σᵀ, D2]] is 2-cyclic, so the column block
// is eliminated: Jacobi-preconditioned conjugate gradients on the Schur
// complement S d_F = rhs_F − σ D2⁻¹ rhs_G, then d_G = D2⁻¹(rhs_G − σᵀ d_F).
// The residual of H is that of S (its G part is zero), and CG on S takes
// about half the iterations of Jacobi-preconditioned CG on H (the two are
// equivalent for 2-cyclic matrices, one step on S for two on H), each
// iteration costing about the same.
func (nt *newton) direction(rhs []float64, eta float64) {
	n := nt.n
	k := len(nt.d)
	d, r, z, p, sp := nt.d[:n], nt.r[:n], nt.z[:n], nt.p[:n], nt.hp[:n]
	w, inv2 := nt.hp[n:k], nt.invDiag[n:k]
	inv := nt.invDiag[:n]
	for i := range inv {
		inv[i] = 1 / (nt.rowCnt[i] + nt.shift)
	}
	for j := range inv2 {
		inv2[j] = 1 / (nt.colCnt[j] + nt.shift)
	}
	var r0 float64
	for _, v := range rhs {
		r0 += v * v
	}
	// r = rhs_F − σ D2⁻¹ rhs_G (the residual at d = 0).
	rg := rhs[n:k]
	for j, v := range rg {
		w[j] = v * inv2[j]
	}
	for i := range r {
		s := rhs[i]
		for _, j := range nt.idx[nt.ptr[i]:nt.ptr[i+1]] {
			s -= w[j]
		}
		r[i] = s
	}
	clear(d)
	var rz float64
	for i, v := range r {
		z[i] = v * inv[i]
		rz += v * z[i]
	}
	copy(p, z)
	stop := eta * eta * r0
	for it := 0; it < cgMaxIter; it++ {
		if nt.obj.ctx != nil && nt.obj.ctx.Err() != nil {
			return // the caller checks the context
		}
		nt.schurMul(p, sp, w, inv2)
		var psp float64
		for i, v := range p {
			psp += v * sp[i]
		}
		if !(psp > 0) {
			break
		}
		alpha := rz / psp
		var rr, rzNew float64
		for i := range d {
			d[i] += alpha * p[i]
			ri := r[i] - alpha*sp[i]
			r[i] = ri
			rr += ri * ri
			zi := ri * inv[i]
			z[i] = zi
			rzNew += ri * zi
		}
		if rr <= stop {
			break
		}
		beta := rzNew / rz
		rz = rzNew
		for i := range p {
			p[i] = z[i] + beta*p[i]
		}
	}
	// d_G = D2⁻¹(rhs_G − σᵀ d_F).
	dg := nt.d[n:k]
	clear(dg)
	nt.scatter(d, dg)
	for j, v := range rg {
		dg[j] = (v - dg[j]) * inv2[j]
	}
}

func (s *Solver) solveNewton(ctx context.Context, in *instance, f0, g0 []float64, tol float64) state {
	return s.newtonDual(ctx, in, f0, g0, math.Inf(1), math.Inf(1), tol)
}

// newtonDual runs the semismooth Newton method with γ-continuation on D
// (rhoA = rhoB = +Inf) or on D_ρ (a finite ρ: a relaxed side,
// docs/quadratic.md §11.2). On a stall it falls back to the semi-dual
// L-BFGS (balanced) or to the dual L-BFGS on D_ρ (relaxed) from the
// current iterate. The state's dualValue is the balanced D.
func (s *Solver) newtonDual(ctx context.Context, in *instance, f0, g0 []float64, rhoA, rhoB, tol float64) state {
	obj := newDualObjective(in)
	n := in.n
	nt := newNewton(obj)
	nt.rhoA, nt.rhoB = rhoA, rhoB
	nt.relaxed = !math.IsInf(rhoA, 1) || !math.IsInf(rhoB, 1)
	if nt.relaxed {
		nt.deltaMin = deltaFloorRelaxed
	}
	nt.exact = !nt.relaxed && (spread(in.a) > exactSpread || spread(in.b) > exactSpread)
	var st state
	maxIter := s.maxIter(200)

	// γ-continuation: γ₀ = max(γ, 4·range(C)), divided by 8 per stage
	// down to γ.
	gamma := math.Max(in.gamma, gamma0Factor*(in.cmax-in.cmin))
	nt.stepCap = stepCapFactor * (in.cmax - in.cmin)
	if f0 != nil && g0 != nil {
		gamma = in.gamma // a full warm start needs no continuation
	}
	f, g := cTransformStart(in, gamma, f0, g0)
	if f == nil {
		st.status = ot.Canceled
		return st // no iterate
	}
	if nt.relaxed && f0 == nil && g0 == nil {
		relaxedStart(f, g, in, rhoA, rhoB)
	}
	x := append(f, g...)
	it := 0
	for {
		final := gamma <= in.gamma
		if final {
			gamma = in.gamma
		}
		obj.gamma = gamma
		target := tol
		if !final {
			target = math.Max(tol, stageTol*in.mass)
		}
		status := nt.stage(ctx, s, x, target, &it, maxIter, &st)
		if status == ot.Stalled && nt.relaxed {
			// Fall back to the dual L-BFGS on D_ρ from the current
			// iterate.
			fb := s.unbalancedDual(ctx, in, x[:n], x[n:], rhoA, rhoB, tol)
			fb.iterations += st.iterations
			fb.history = append(st.history, fb.history...)
			return fb
		}
		if status == ot.Stalled {
			// Fall back to the semi-dual L-BFGS from the current F (more
			// robust than the dual's on the hard families).
			return s.solveSemiDual(ctx, in, x[:n], tol, st)
		}
		if status != ot.Converged || final {
			st.status = status
			break
		}
		gamma = math.Max(in.gamma, gamma/stageFactor)
	}
	obj.gamma = in.gamma
	if st.status == ot.Canceled {
		// No more passes over the cost: the figures of the last iterate
		// come from its active set, when known.
		if !nt.actOK || len(nt.idx) > cancelMaxNNZ {
			return st // building the plan would take too long
		}
		st.f, st.g = x[:n], x[n:]
		st.active = &activeSet{ptr: nt.ptr, idx: nt.idx}
		st.dualValue = obj.activeValue(x, nt.ptr, nt.idx)
		return st
	}
	if !nt.actOK {
		// Recorded by the last pass, which was at x.
		nt.ptr, nt.idx = obj.activeSet(x, nt.ptr, nt.idx)
	}
	st.f, st.g = x[:n], x[n:]
	st.active = &activeSet{ptr: nt.ptr, idx: nt.idx}
	st.dualValue = obj.activeValue(x, nt.ptr, nt.idx)
	return st
}

// stage runs Newton at the objective's current γ until the MarginalError is
// at most target, for at most maxIter iterations. It returns Converged, IterationLimit, Canceled,
// NumericalError or Stalled (the caller falls back to L-BFGS).
func (nt *newton) stage(ctx context.Context, s *Solver, x []float64, target float64, it *int, maxIter int, st *state) ot.Status {
	obj := nt.obj
	gamma := obj.gamma
	mass := obj.mass
	start := *it
	// Φ = −γ D and ∇Φ = −γ ∇D; rhs of the Newton system is γ ∇D.
	dval := nt.eval(x, nt.grad)
	if obj.stopped.Load() {
		return ot.Canceled
	}
	phi := -gamma * dval
	best := l1(nt.grad)
	stall := 0
	for {
		merr := l1(nt.grad)
		if math.IsNaN(merr) || math.IsNaN(phi) {
			return ot.NumericalError
		}
		if merr <= target {
			return ot.Converged
		}
		if *it-start >= maxIter {
			return ot.IterationLimit
		}
		if ctx.Err() != nil {
			return ot.Canceled
		}
		if !nt.actOK {
			nt.ptr, nt.idx = obj.activeSet(x, nt.ptr, nt.idx)
			nt.actOK = true
		}
		if !nt.setActive() {
			return ot.Canceled
		}
		if nt.relaxed {
			nt.addConjugateCurvature(x, gamma)
		}
		rhs := nt.rhs
		var slope float64
		for q, v := range nt.grad {
			rhs[q] = gamma * v
		}
		// The shift is δ, but at least deltaMerr·MarginalError/mass
		// (Levenberg–Marquardt-like: short, gradient-like steps far from
		// the solution, Newton steps near it). Inexact Newton: relative
		// residual min(cgEtaMax, sqrt(‖∇D‖₁)).
		nt.shift = math.Max(nt.delta, deltaMerr*merr/mass)
		nt.direction(rhs, math.Min(cgEtaMax, math.Sqrt(merr)))
		if ctx.Err() != nil {
			return ot.Canceled
		}
		for q, v := range nt.d {
			slope -= rhs[q] * v // <∇Φ, d>
		}
		accepted := false
		if slope < 0 {
			// Cap the first trial so that no potential moves by more
			// than stepCap (near-null directions of H, one per connected
			// component of the active graph, are scaled by 1/δ; the cap
			// grows when a capped step is accepted at once and shrinks
			// when it needs backtracking), and collect the working set
			// covering every trial step.
			t := 1.0
			capped := false
			if dmax := maxAbs(nt.d); dmax > nt.stepCap {
				t, capped = nt.stepCap/dmax, true
			}
			for q := range x {
				nt.xt[q] = x[q] + t*nt.d[q]
			}
			obj.cover(x, nt.xt, nt.gradT)
			for h := 0; h <= armijoMax; h++ {
				for q := range x {
					nt.xt[q] = x[q] + t*nt.d[q]
				}
				if nt.exact && !nt.rp.reproject(obj.instance, gamma, nt.xt) {
					return ot.Canceled
				}
				dt := nt.eval(nt.xt, nt.gradT)
				if obj.stopped.Load() {
					return ot.Canceled
				}
				phiT := -gamma * dt
				// Armijo, with a rounding allowance relative to |Φ|;
				// near the optimum the decrease drops below float64
				// resolution, so a step that also reduces the
				// MarginalError is taken.
				if phiT <= phi+armijoTheta*t*slope+1e-14*math.Abs(phi) ||
					(phiT <= phi+1e-12*math.Abs(phi) && l1(nt.gradT) < merr) {
					copy(x, nt.xt)
					copy(nt.grad, nt.gradT)
					phi = phiT
					accepted = true
					// The last pass was at the new iterate: its active
					// set is recorded (no pass over the cost).
					nt.ptr, nt.idx = obj.activeSet(x, nt.ptr, nt.idx)
					switch {
					case h == 0 && !capped:
						nt.delta = math.Max(nt.deltaMin, nt.delta/10)
					case h == 0:
						nt.stepCap *= 4 // the cap was too cautious
					case h >= 2 && capped:
						nt.stepCap /= 2
					}
					break
				}
				t *= armijoKappa
			}
		}
		if !accepted {
			nt.delta = math.Min(deltaCeil, nt.delta*10)
		}
		*it++
		merr = l1(nt.grad)
		s.record(st, *it, merr)
		if merr < best*(1-1e-3) {
			best, stall = merr, 0
		} else if stall++; stall >= newtonStallMax {
			if nt.exact || nt.relaxed {
				return ot.Stalled
			}
			// Weights spanning many orders of magnitude (see
			// reproject): continue with the exact block updates.
			nt.exact, stall = true, 0
			if !nt.rp.reproject(obj.instance, gamma, x) {
				return ot.Canceled
			}
			phi = -gamma * nt.eval(x, nt.grad)
			if obj.stopped.Load() {
				return ot.Canceled
			}
			nt.ptr, nt.idx = obj.activeSet(x, nt.ptr, nt.idx)
			nt.actOK = true
		}
	}
}

// exactSpread: weights whose largest/smallest ratio exceeds it start with
// the exact block updates (see reproject).
const exactSpread = 1e6

// spread returns max(w)/min(w) for positive weights.
func spread(w []float64) float64 {
	return floats.Max(w) / floats.Min(w)
}

func maxAbs(x []float64) float64 {
	var m float64
	for _, v := range x {
		if v < 0 {
			v = -v
		}
		if v > m {
			m = v
		}
	}
	return m
}
