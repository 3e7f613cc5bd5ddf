package quadratic

import (
	"context"
	"math"

	"github.com/otkit/otkit/ot"
)

// Newton globalization constants (spec §5.3).
const (
	armijoTheta = 0.1  // sufficient decrease
	armijoKappa = 0.5  // backtracking factor
	armijoMax   = 30   // halvings before the step is refused
	deltaFloor  = 1e-5 // Hessian shift δ, lower bound
	deltaCeil   = 1e5

	newtonStallMax = 20 // iterations without progress before the L-BFGS fallback
	cgMaxIter      = 1000
	stageTol       = 1e-2 // MarginalError target of the intermediate stages, × mass
	cgEtaMax       = 0.03 // CG relative residual min(cgEtaMax, sqrt(MarginalError))

	gamma0Factor  = 4   // γ₀ = max(γ, gamma0Factor·range(C))
	stageFactor   = 8   // γ divisor between stages
	stepCapFactor = 0.1 // first-trial cap on the potential change, × range(C)
	deltaMerr     = 0.1 // δ ≥ deltaMerr·MarginalError/mass (Levenberg–Marquardt-like)
)

// newton holds the semismooth Newton state on the dual, minimizing
// Φ = −γ·D (spec §5.3) with Hessian H = [[diag(σ1), σ], [σᵀ, diag(σᵀ1)]] + shift·I.
type newton struct {
	obj             *dualObjective
	n, m            int
	ptr, idx        []int32   // active set σ in CSR
	rowCnt, colCnt  []float64 // σ1, σᵀ1
	grad, gradT, xt []float64
	d, r, z, p, hp  []float64
	rhs, invDiag    []float64
	stepCap         float64 // largest potential change of a trial step
	delta           float64 // δ of spec §5.3, adapted by the backtracking
	shift           float64 // the diagonal shift used in H
}

func newNewton(obj *dualObjective) *newton {
	n, m := obj.n, obj.m
	k := n + m
	return &newton{obj: obj, n: n, m: m, rowCnt: make([]float64, n), colCnt: make([]float64, m),
		grad: make([]float64, k), gradT: make([]float64, k), xt: make([]float64, k),
		d: make([]float64, k), r: make([]float64, k), z: make([]float64, k), p: make([]float64, k),
		hp: make([]float64, k), rhs: make([]float64, k), invDiag: make([]float64, k), delta: deltaFloor}
}

// hessMul sets out = H·v for the current active set.
func (nt *newton) hessMul(v, out []float64) {
	n := nt.n
	vf, vg := v[:n], v[n:]
	of, og := out[:n], out[n:]
	for j := range og {
		og[j] = (nt.colCnt[j] + nt.shift) * vg[j]
	}
	for i := 0; i < n; i++ {
		s := (nt.rowCnt[i] + nt.shift) * vf[i]
		vi := vf[i]
		for _, j := range nt.idx[nt.ptr[i]:nt.ptr[i+1]] {
			s += vg[j]
			og[j] += vi
		}
		of[i] = s
	}
}

// direction solves H d = rhs by Jacobi-preconditioned conjugate gradients
// to relative residual eta.
func (nt *newton) direction(rhs []float64, eta float64) {
	d, r, z, p, hp, inv := nt.d, nt.r, nt.z, nt.p, nt.hp, nt.invDiag
	n := nt.n
	for k := range inv {
		if k < n {
			inv[k] = 1 / (nt.rowCnt[k] + nt.shift)
		} else {
			inv[k] = 1 / (nt.colCnt[k-n] + nt.shift)
		}
	}
	clear(d)
	copy(r, rhs)
	r, z, p, hp, inv = r[:len(d)], z[:len(d)], p[:len(d)], hp[:len(d)], inv[:len(d)]
	var rz, r0 float64
	for k, v := range r {
		z[k] = v * inv[k]
		rz += v * z[k]
		r0 += v * v
	}
	copy(p, z)
	stop := eta * eta * r0
	for it := 0; it < cgMaxIter; it++ {
		nt.hessMul(p, hp)
		var php float64
		for k, v := range p {
			php += v * hp[k]
		}
		if !(php > 0) {
			return
		}
		alpha := rz / php
		var rr, rzNew float64
		for k := range d {
			d[k] += alpha * p[k]
			rk := r[k] - alpha*hp[k]
			r[k] = rk
			rr += rk * rk
			zk := rk * inv[k]
			z[k] = zk
			rzNew += rk * zk
		}
		if rr <= stop {
			return
		}
		beta := rzNew / rz
		rz = rzNew
		for k := range p {
			p[k] = z[k] + beta*p[k]
		}
	}
}

func (s *Solver) solveNewton(ctx context.Context, in *instance, f0, g0 []float64, tol float64) state {
	obj := newDualObjective(in)
	n := in.n
	nt := newNewton(obj)
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
	st.dualValue = obj.eval(x, nt.grad)
	st.f, st.g = x[:n], x[n:]
	ptr, idx := obj.activeSet(x, nt.ptr, nt.idx)
	st.active = &activeSet{ptr, idx}
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
	dval := obj.eval(x, nt.grad)
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
		nt.ptr, nt.idx = obj.activeSet(x, nt.ptr, nt.idx)
		clear(nt.colCnt)
		for i := range nt.rowCnt {
			nt.rowCnt[i] = float64(nt.ptr[i+1] - nt.ptr[i])
		}
		for _, j := range nt.idx {
			nt.colCnt[j]++
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
				dt := obj.eval(nt.xt, nt.gradT)
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
					switch {
					case h == 0 && !capped:
						nt.delta = math.Max(deltaFloor, nt.delta/10)
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
			return ot.Stalled
		}
	}
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
