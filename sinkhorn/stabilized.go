package sinkhorn

import (
	"math"

	"github.com/otkit/otkit/internal/lse"
)

// stabilized is the scaling-domain iteration with absorption
// (docs/sinkhorn.md §5): the plan is P_ij = u_i K_ij v_j with the stored kernel
// K_ij = exp((f_i + g_j − C_ij)/ε); a sweep is two matrix-vector products
// done in one pass over K.
type stabilized struct {
	*state
	eps        float64
	k          [][]float64 // per row block: its rows of the n×m kernel, row-major (allocated by build)
	u, v       []float64
	s          []float64 // Kᵀu, when sValid
	t          []float64 // K v, before the u-update
	scratch    []float64
	lc         []float64
	bad        []bool // per block: a row sum left [tiny, huge]
	sValid     bool
	kValid     bool // k is the kernel of (f, g) at eps (a pass was not canceled)
	started    bool
	lo, hi     float64 // e^−τ, e^τ
	absorbed   int     // number of absorptions (for tests and tuning)
	rebalanced int     // number of gauge rebalancings
	builds     int     // number of kernel builds
	tau        float64 // the absorption threshold of the current kernel
	f32kernel
}

func newStabilized(s *state) *stabilized {
	e := &stabilized{state: s, k: make([][]float64, s.nb),
		u: make([]float64, s.n), v: make([]float64, s.m),
		s: make([]float64, s.m), t: make([]float64, s.n),
		scratch: make([]float64, max(s.n, s.m)), lc: make([]float64, s.m), bad: make([]bool, s.nb),
		lo: math.Exp(-s.set.tau), hi: math.Exp(s.set.tau)}
	for i := range e.u {
		e.u[i] = 1
	}
	for j := range e.v {
		e.v[j] = 1
	}
	e.initPrecision()
	return e
}

func (e *stabilized) setEps(eps float64) bool {
	if e.started {
		e.absorb()
	}
	e.eps = eps
	if !e.started {
		// Cold (or warm) start: g_j = min_i (C_ij − f_i) puts a 1 in every
		// column of the kernel, so no column underflows and none overflows.
		// The first v-update cancels this choice: the iterates are those of
		// LogDomain.
		if !e.minShift() {
			return false
		}
		e.started = true
	}
	return e.build()
}

// absorb moves the scalings into the potentials: f += ε log u, g += ε log v.
// The kernel, if any, must be rebuilt.
func (e *stabilized) absorb() {
	if !e.kValid {
		return // u = v = 1
	}
	e.kValid = false
	for i, x := range e.u {
		e.f[i] += e.eps * math.Log(x)
		e.u[i] = 1
	}
	for j, x := range e.v {
		e.g[j] += e.eps * math.Log(x)
		e.v[j] = 1
	}
	e.absorbed++
}

// build recomputes the kernel from (f, g) (the scalings are 1) and sets t
// to the kernel's row sums; false: canceled, the kernel is unusable.
func (e *stabilized) build() bool {
	k := 1 / e.eps
	e.sValid = false
	e.blocks(func(w, b, lo, hi int) {
		if !e.allocBlock(b, hi-lo) { // block by block: a cancellation does not wait for n·m bytes
			return
		}
		for i, next := lo, lo; i < hi; i++ {
			if i == next {
				if e.stopped() {
					return
				}
				next += e.poll
			}
			e.t[i] = e.buildRow(w, i, k)
		}
	})
	if e.stopped() {
		return false
	}
	e.kValid = true
	e.builds++
	e.iterate, e.curEps = true, e.eps
	return true
}

// krow returns row i of the kernel.
func (e *stabilized) krow(i int) []float64 {
	b := i / e.blockLen
	r := i - b*e.blockLen
	return e.k[b][r*e.m : (r+1)*e.m]
}

// colKu sets s = Kᵀu, with per-block partial sums reduced in block order;
// false: canceled.
func (e *stabilized) colKu() bool {
	e.blocks(func(_, b, lo, hi int) {
		p := e.part[b]
		clear(p)
		for i, next := lo, lo; i < hi; i++ {
			if i == next {
				if e.stopped() {
					return
				}
				next += e.poll
			}
			e.addRow(p, e.u[i], i)
		}
	})
	if e.stopped() {
		return false
	}
	e.reduce(e.s)
	e.sValid = true
	return true
}

// newScale returns the updated scaling w/d, or with over-relaxation ω ≠ 1
// x^(1−ω) (w/d)^ω, and whether the denominator d was in [tiny, huge] and
// the result is finite and positive.
// scaleV is the v-update of a stored-kernel sweep: v_j from s_j = (Kᵀu)_j
// (over-relaxed by omega), computed into scratch and copied into v only if
// every new scaling is safe; it reports whether it was.
func scaleV(v, b, s, scratch []float64, omega float64) bool {
	for j, sj := range s {
		var ok bool
		if scratch[j], ok = newScale(v[j], b[j], sj, omega); !ok {
			return false
		}
	}
	copy(v, scratch)
	return true
}

// storedKernel is a kernel kept between sweeps (dense or truncated).
type storedKernel interface {
	absorb()     // move the scalings into the potentials
	build() bool // rebuild the kernel at the potentials; false if canceled
}

// gFallback is the v-update when a scaling leaves the safe range: a
// log-domain g-update from the absorbed potentials, then a rebuilt kernel.
func (s *state) gFallback(k storedKernel, lc []float64, eps float64) bool {
	k.absorb()
	if _, ok := s.colSums(lc, eps, false); !ok {
		return false
	}
	s.updateG(lc, eps)
	return k.build()
}

func newScale(x, w, d, omega float64) (float64, bool) {
	if !(d >= tiny && d <= huge) {
		return 0, false
	}
	q := w / d
	if omega != 1 {
		q = x * lse.Exp(omega*math.Log(q/x)) // (q/x)^ω, cheaper than math.Pow
	}
	return q, !(math.IsInf(q, 0) || q == 0 || q != q)
}

// sweep is a v-update from s = Kᵀu, then one pass over K that computes
// t = K v, the new u_i row by row and, with the row still in cache, the
// partial sums of Kᵀu for the next sweep and the next check.
func (e *stabilized) sweep() bool {
	if !e.kValid && !e.build() {
		return false
	}
	if !e.sValid && !e.colKu() {
		return false
	}
	e.sValid = false
	if !e.updateV(e.v, e.s, e.scratch[:e.m], e.eps) && !e.gFallback(e, e.lc, e.eps) {
		return false
	}
	e.translate(e.eps, e.u, e.v)
	u := e.scratch[:e.n]
	e.blocks(func(_, b, lo, hi int) {
		p := e.part[b]
		clear(p)
		e.bad[b] = false
		for i, next := lo, lo; i < hi; i++ {
			if i == next {
				if e.stopped() {
					return
				}
				next += e.poll
			}
			e.t[i] = e.dotRow(i, e.v)
			q, ok := e.scaleU(i, e.u[i], e.t[i], e.eps)
			if !ok {
				e.bad[b] = true
				return
			}
			u[i] = q
			e.addRow(p, q, i)
		}
	})
	if e.stopped() {
		return false // the plan u K v (new v) is an iterate
	}
	for _, bad := range e.bad {
		if bad {
			// Fallback: log-domain f-update.
			e.absorb()
			return e.updateF(e.eps) && e.build()
		}
	}
	copy(e.u, u)
	e.reduce(e.s)
	e.sValid = true
	if !e.inBounds() {
		e.absorb()
		return e.build()
	}
	return true
}

// inBounds reports whether the scalings can stay: every u_i and v_j in
// [e^−τ, e^τ] possibly after moving a common factor c between them
// (u/c, v·c leave the plan unchanged), which it then does. Scalings drift
// along this gauge direction during slow convergence; rebalancing avoids
// the n·m exps of an absorption.
func (e *stabilized) inBounds() bool {
	umin, umax := minMax(e.u)
	vmin, vmax := minMax(e.v)
	if umin >= e.lo && umax <= e.hi && vmin >= e.lo && vmax <= e.hi {
		return true
	}
	if e.relaxed || !rebalance(e.u, e.v, e.t, e.s, e.tau) {
		return false
	}
	e.rebalanced++
	return true
}

// rebalance reports whether every u_i and v_j is in [e^−τ, e^τ], possibly
// after moving a common factor c between them (u/c, v·c), which it then
// does, keeping t = K v and s = Kᵀu (when not nil) consistent.
func rebalance(u, v, t, s []float64, tau float64) bool {
	umin, umax := minMax(u)
	vmin, vmax := minMax(v)
	lo0, hi0 := math.Exp(-tau), math.Exp(tau)
	if umin >= lo0 && umax <= hi0 && vmin >= lo0 && vmax <= hi0 {
		return true
	}
	lo := math.Max(math.Log(umax)-tau, -tau-math.Log(vmin))
	hi := math.Min(math.Log(umin)+tau, tau-math.Log(vmax))
	if !(lo <= hi) {
		return false
	}
	c := math.Exp((lo + hi) / 2)
	for i := range u {
		u[i] /= c
		t[i] *= c
	}
	for j := range v {
		v[j] *= c
		if s != nil {
			s[j] /= c
		}
	}
	return true
}

func minMax(x []float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, v := range x {
		lo = math.Min(lo, v)
		hi = math.Max(hi, v)
	}
	return lo, hi
}

func (e *stabilized) marginalError() (float64, bool) {
	if !e.sValid && !e.colKu() {
		return 0, false
	}
	return e.scaledResidual(e.u, e.t, e.v, e.s, e.eps), true
}

// minShift sets g_j = min_i (C_ij − f_i), by per-block minima; false:
// canceled (g unchanged).
func (e *state) minShift() bool {
	e.blocks(func(w, b, lo, hi int) {
		p := e.part[b]
		for j := range p {
			p[j] = math.Inf(1)
		}
		for i, next := lo, lo; i < hi; i++ {
			if i == next {
				if e.stopped() {
					return
				}
				next += e.poll
			}
			fi := e.f[i]
			for j, c := range e.row(w, i) {
				p[j] = min(p[j], c-fi)
			}
		}
	})
	if e.stopped() {
		return false
	}
	copy(e.g, e.part[0])
	for _, p := range e.part[1:] {
		for j, x := range p {
			e.g[j] = min(e.g[j], x)
		}
	}
	return true
}

// planSums computes the plan's sums from the stored kernel, P = u K v,
// without exps when the kernel is at the target ε and absorbing the
// scalings into the potentials is accurate; otherwise it absorbs and
// evaluates the plan of the potentials that the Result returns.
func (e *stabilized) planSums() (r, c []float64, lin float64) {
	if e.single {
		e.toFloat64() // absorbs: the figures below are those of the exact plan
	}
	if !e.kValid || e.eps != e.state.eps || e.relaxed || e.lossyAbsorb() {
		e.finish()
		return e.state.planSums()
	}
	r = make([]float64, e.n)
	lins := make([]float64, e.nb)
	e.blocks(func(w, b, lo, hi int) {
		p := e.part[b]
		clear(p)
		var l float64
		for i := lo; i < hi; i++ {
			ui := e.u[i]
			cost := e.row(w, i)
			var ri, li float64
			for j, kij := range e.krow(i) {
				if x := kij * e.v[j]; x != 0 {
					ri += x
					p[j] += ui * x
					li += x * cost[j]
				}
			}
			r[i] = ui * ri
			l += ui * li
		}
		lins[b] = l
	})
	c = make([]float64, e.m)
	e.reduce(c)
	for _, l := range lins {
		lin += l
	}
	return r, c, lin
}

func (e *stabilized) finish() { e.absorb() }

// lossyAbsorb reports whether absorbing the scalings would move some
// potential by an amount that differs from ε log u_i (or ε log v_j) by more
// than Tol/1000 in units of ε: the potentials are so large relative to ε
// that the plan they give is not u K v (a plan entry's relative error is
// about that amount).
func (e *stabilized) lossyAbsorb() bool {
	lim := 1e-3 * e.set.tol * e.eps
	lossy := func(p, x []float64) bool {
		for i, xi := range x {
			d := e.eps * math.Log(xi)
			if math.Abs((p[i]+d)-p[i]-d) > lim {
				return true
			}
		}
		return false
	}
	return lossy(e.f, e.u) || lossy(e.g, e.v)
}

func (e *stabilized) tracked() (r, c []float64, lin float64, ok bool) { return nil, nil, 0, false }
