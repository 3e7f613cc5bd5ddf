package sinkhorn

import (
	"math"

	"gonum.org/v1/gonum/floats"

	"github.com/otkit/otkit/internal/lse"
)

// stabilized is the scaling-domain iteration with absorption (§5 of the
// spec): the plan is P_ij = u_i K_ij v_j with the stored kernel
// K_ij = exp((f_i + g_j − C_ij)/ε); a sweep is two matrix-vector products.
type stabilized struct {
	*state
	eps        float64
	k          []float64 // n×m kernel, row-major
	u, v       []float64
	s          []float64 // Kᵀu, when sValid
	t          []float64 // K v (row sums of K v before the u-update)
	scratch    []float64
	lc         []float64
	sValid     bool
	started    bool
	lo, hi     float64 // e^−τ, e^τ
	absorbed   int     // number of absorptions (for tests and tuning)
	rebalanced int     // number of gauge rebalancings
}

func newStabilized(s *state) *stabilized {
	e := &stabilized{state: s, k: make([]float64, s.n*s.m),
		u: make([]float64, s.n), v: make([]float64, s.m),
		s: make([]float64, s.m), t: make([]float64, s.n),
		scratch: make([]float64, max(s.n, s.m)), lc: make([]float64, s.m),
		lo: math.Exp(-s.set.tau), hi: math.Exp(s.set.tau)}
	return e
}

func (e *stabilized) setEps(eps float64) {
	if e.started {
		e.absorb()
	}
	e.eps = eps
	if !e.started {
		// Cold (or warm) start: a log-domain g-update makes g a c-transform
		// of f, so the kernel's columns cannot all underflow.
		e.colSums(e.lc, eps, true)
		e.updateG(e.lc, eps)
		e.started = true
	}
	e.build()
}

// absorb moves the scalings into the potentials: f += ε log u, g += ε log v.
func (e *stabilized) absorb() {
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

// build recomputes the kernel from (f, g), sets u = v = 1 and t to the
// kernel's row sums.
func (e *stabilized) build() {
	k := 1 / e.eps
	e.blocks(func(w, _, lo, hi int) {
		for i := lo; i < hi; i++ {
			row := e.k[i*e.m : (i+1)*e.m]
			lse.AffineExpTo(row, e.f[i], e.g, e.row(w, i), k)
			e.t[i] = floats.Sum(row)
		}
	})
	for i := range e.u {
		e.u[i] = 1
	}
	for j := range e.v {
		e.v[j] = 1
	}
	e.sValid = false
}

// colKu sets s = Kᵀu, with per-block partial sums reduced in block order.
func (e *stabilized) colKu() {
	e.blocks(func(_, b, lo, hi int) {
		p := e.part[b]
		clear(p)
		for i := lo; i < hi; i++ {
			floats.AddScaled(p, e.u[i], e.k[i*e.m:(i+1)*e.m])
		}
	})
	e.reduce(e.s)
	e.sValid = true
}

// scale sets dst_i = w_i / den_i, or with over-relaxation ω ≠ 1
// dst_i = x_i^(1−ω) (w_i/den_i)^ω, and reports whether every denominator
// was in [tiny, huge] and every new scaling finite and positive.
func scale(dst, x, w, den []float64, omega float64) bool {
	for i, d := range den {
		if !(d >= tiny && d <= huge) {
			return false
		}
		q := w[i] / d
		if omega != 1 {
			q = x[i] * math.Pow(q/x[i], omega)
		}
		if math.IsInf(q, 0) || q == 0 || q != q {
			return false
		}
		dst[i] = q
	}
	return true
}

func (e *stabilized) sweep() {
	if !e.sValid {
		e.colKu()
	}
	e.sValid = false
	if v := e.scratch[:e.m]; scale(v, e.v, e.b, e.s, e.omega) {
		copy(e.v, v)
	} else {
		// Fallback: log-domain g-update from the absorbed potentials.
		e.absorb()
		e.colSums(e.lc, e.eps, false)
		e.updateG(e.lc, e.eps)
		e.build()
	}
	e.blocks(func(_, _, lo, hi int) {
		for i := lo; i < hi; i++ {
			e.t[i] = floats.Dot(e.k[i*e.m:(i+1)*e.m], e.v)
		}
	})
	if u := e.scratch[:e.n]; scale(u, e.u, e.a, e.t, e.omega) {
		copy(e.u, u)
	} else {
		// Fallback: log-domain f-update.
		e.absorb()
		e.updateF(e.eps)
		e.build()
		return
	}
	if !e.inBounds() {
		e.absorb()
		e.build()
	}
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
	tau := e.set.tau
	lo := math.Max(math.Log(umax)-tau, -tau-math.Log(vmin))
	hi := math.Min(math.Log(umin)+tau, tau-math.Log(vmax))
	if !(lo <= hi) {
		return false
	}
	c := math.Exp((lo + hi) / 2)
	for i := range e.u {
		e.u[i] /= c
		e.t[i] *= c // t = K v
	}
	for j := range e.v {
		e.v[j] *= c
	}
	e.rebalanced++
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

func (e *stabilized) marginalError() float64 {
	e.colKu()
	var err float64
	for j, x := range e.s {
		err += math.Abs(e.v[j]*x - e.b[j])
	}
	for i, x := range e.t {
		err += math.Abs(e.u[i]*x - e.a[i])
	}
	return err
}

func (e *stabilized) finish() {
	if e.started {
		e.absorb()
	}
}
