package inverse

import (
	"context"
	"math"
	"slices"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/otkit/otkit/ot"
	"github.com/otkit/otkit/sinkhorn"
)

// oracle evaluates the smooth part of the objective.
type oracle interface {
	// eval moves the oracle to theta, solving its inner problem to tol
	// (exact oracles ignore tol), writes the gradient into grad and returns
	// the value and the inner status (Converged for exact oracles).
	eval(ctx context.Context, theta []float64, tol float64, grad []float64) (float64, ot.Status)
	// model is the majorant frozen at the last eval point: J(θ, f, g) at the
	// frozen potentials for the discrete loss, the loss itself for exact
	// oracles.
	model(ctx context.Context, theta []float64) float64
	// hessian is ∇²L at the last eval point, restricted to idx.
	hessian(ctx context.Context, idx []int) (*mat.SymDense, error)
	exact() bool
}

// discrete is the sample loss with a warm-started Sinkhorn inside.
type discrete struct {
	pr       *problem
	innerMax int
	c, c2, p []float64
	f, g     []float64
	res      *ot.Result
	sweeps   int
}

func newDiscrete(pr *problem, innerMax int) *discrete {
	o := &discrete{pr: pr, innerMax: innerMax,
		f: make([]float64, pr.n), g: make([]float64, pr.m)}
	for i, v := range pr.a {
		o.f[i] = pr.eps * math.Log(v)
	}
	for j, v := range pr.b {
		o.g[j] = pr.eps * math.Log(v)
	}
	return o
}

func (o *discrete) exact() bool { return false }

// alloc returns buf, or a new slice of length n when buf is nil.
func alloc(buf []float64, n int) []float64 {
	if buf == nil {
		return make([]float64, n)
	}
	return buf
}

func (o *discrete) eval(ctx context.Context, theta []float64, tol float64, grad []float64) (float64, ot.Status) {
	pr := o.pr
	if ctx.Err() != nil {
		return math.NaN(), ot.Canceled
	}
	// The n×m buffers are allocated at first use, each followed by a
	// cancellation check: on a loaded machine first-touching or zeroing
	// one can take a noticeable time.
	if o.c = alloc(o.c, pr.n*pr.m); ctx.Err() != nil || !pr.feat.costTo(ctx, o.c, theta) {
		return math.NaN(), ot.Canceled
	}
	for _, v := range o.c {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return math.NaN(), ot.NumericalError
		}
	}
	sv := sinkhorn.Solver{Eps: pr.eps, Tol: tol, MaxIter: o.innerMax, CheckEvery: 2, Init: &ot.Potentials{F: o.f, G: o.g}, Workers: pr.workers}
	res, err := sv.Solve(ctx, &ot.Problem{A: pr.a, B: pr.b, C: &ot.DenseCost{N: pr.n, M: pr.m, Data: o.c}})
	if err != nil {
		return math.NaN(), ot.NumericalError
	}
	o.sweeps += res.Iterations
	o.res = res
	if res.Status == ot.Canceled || res.Status == ot.NumericalError {
		return math.NaN(), res.Status
	}
	copy(o.f, res.F)
	copy(o.g, res.G)
	if o.p = alloc(o.p, pr.n*pr.m); ctx.Err() != nil || !pr.planTo(ctx, o.p, o.f, o.g, o.c) || !pr.feat.adjoint(ctx, grad, o.p) {
		return math.NaN(), ot.Canceled
	}
	floats.SubTo(grad, pr.chat, grad)
	lin := pr.c0hat + floats.Dot(theta, pr.chat)
	val := lin - floats.Dot(pr.a, o.f) - floats.Dot(pr.b, o.g) + pr.eps*(floats.Sum(o.p)-pr.ent)
	return val, res.Status
}

func (o *discrete) model(ctx context.Context, theta []float64) float64 {
	if o.c2 = alloc(o.c2, o.pr.n*o.pr.m); ctx.Err() != nil || !o.pr.feat.costTo(ctx, o.c2, theta) {
		return math.NaN()
	}
	return o.pr.joint(ctx, theta, o.f, o.g, o.c2)
}

func (o *discrete) hessian(ctx context.Context, idx []int) (*mat.SymDense, error) {
	n, m := float64(o.pr.n), float64(o.pr.m)
	if n*m*m+m*m*m/3 > refineWork {
		return nil, errCanceled
	}
	return o.pr.hessian(ctx, o.p, idx)
}

// result returns the last inner result, with a plan whose cost is C_θ
// computed a row at a time (the oracle's buffers are reused).
func (o *discrete) result(theta []float64) *ot.Result {
	if o.res == nil {
		return nil
	}
	r := *o.res
	if ep, ok := r.Plan.(*ot.EntropicPlan); ok {
		r.Plan = &ot.EntropicPlan{F: ep.F, G: ep.G, Eps: ep.Eps, C: &modelCost{pr: o.pr, theta: slices.Clone(theta)}}
	}
	return &r
}

// driver is FISTA with backtracking, gradient restart and a Newton
// refinement on the support.
type driver struct {
	o        oracle
	s        int
	lam      float64
	w        []float64
	active   []bool // nil: all coordinates
	tolAbs   float64
	gscale   float64
	innerTol float64
	maxIter  int
	refine   bool
	progress ot.Progress
}

type outcome struct {
	theta, grad []float64
	loss, kkt   float64
	status      ot.Status
	iters       int
	newton      int
	history     []float64
	lbar        float64
	inner       ot.Status
}

func (d *driver) isActive(k int) bool { return d.active == nil || d.active[k] }

// kkt returns the optimality residual over the active coordinates.
func (d *driver) kkt(theta, g []float64) float64 {
	var r float64
	for k, t := range theta {
		if !d.isActive(k) {
			continue
		}
		l := d.lam * d.w[k]
		var v float64
		switch {
		case t > 0:
			v = math.Abs(g[k] + l)
		case t < 0:
			v = math.Abs(g[k] - l)
		default:
			v = math.Max(0, math.Abs(g[k])-l)
		}
		r = math.Max(r, v)
	}
	return r
}

func sign(v float64) int8 {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

// run minimizes L(θ) + λ Σ ω_k|θ_k| from theta0 with initial curvature lbar.
func (d *driver) run(ctx context.Context, theta0 []float64, lbar float64) *outcome {
	s := d.s
	theta := slices.Clone(theta0)
	for k := range theta {
		if !d.isActive(k) {
			theta[k] = 0
		}
	}
	y := slices.Clone(theta)
	tp := make([]float64, s)
	G := make([]float64, s)
	step := make([]float64, s)
	t := 1.0
	r := 1.0
	out := &outcome{lbar: lbar}
	atTheta := false // the oracle's last eval is at theta, tight
	var val float64
	sig := make([]int8, s)
	stable, lastCheck := 0, -1000
	checkR := math.Inf(1)

	finish := func(st ot.Status) *outcome {
		out.status = st
		if st != ot.Canceled && st != ot.NumericalError && !atTheta {
			v, ist := d.o.eval(ctx, theta, d.innerTol, G)
			if ist == ot.Canceled || ist == ot.NumericalError {
				out.status = ist
			} else {
				val = v
				out.inner = ist
			}
		}
		out.theta, out.grad, out.loss = theta, G, val
		out.kkt = d.kkt(theta, G)
		out.lbar = lbar
		return out
	}

	// check evaluates tightly at theta and reports whether it is optimal.
	check := func() (bool, ot.Status) {
		v, ist := d.o.eval(ctx, theta, d.innerTol, G)
		if ist == ot.Canceled || ist == ot.NumericalError {
			return false, ist
		}
		val, atTheta, out.inner = v, true, ist
		return d.kkt(theta, G) <= d.tolAbs && (ist == ot.Converged), ist
	}

	for k := 0; k < d.maxIter; k++ {
		if ctx.Err() != nil {
			return finish(ot.Canceled)
		}
		tolK := math.Max(d.innerTol, math.Min(1e-3, 0.1*r))
		if d.o.exact() {
			tolK = d.innerTol
		}
		jy, ist := d.o.eval(ctx, y, tolK, G)
		if ist == ot.Canceled || ist == ot.NumericalError {
			return finish(ist)
		}
		atTheta = false
		// Backtracking on the frozen majorant.
		var jp float64
		for bt := 0; ; bt++ {
			for i := range tp {
				if !d.isActive(i) {
					tp[i] = 0
					continue
				}
				v := y[i] - G[i]/lbar
				th := d.lam * d.w[i] / lbar
				tp[i] = 0 // +0, never −0
				if mag := math.Abs(v) - th; mag > 0 {
					tp[i] = math.Copysign(mag, v)
				}
			}
			floats.SubTo(step, tp, y)
			jp = d.o.model(ctx, tp)
			bound := jy + floats.Dot(G, step) + lbar/2*floats.Dot(step, step) + 1e-13*(1+math.Abs(jy))
			if !math.IsNaN(jp) && jp <= bound {
				break
			}
			if ctx.Err() != nil {
				return finish(ot.Canceled)
			}
			if bt >= 200 || math.IsInf(lbar, 1) {
				return finish(ot.Stalled)
			}
			lbar *= 2
		}
		rAbs := lbar * floats.Norm(step, math.Inf(1))
		r = rAbs / d.gscale
		// Gradient restart (O'Donoghue–Candès) or momentum.
		var restart float64
		for i := range tp {
			restart += (y[i] - tp[i]) * (tp[i] - theta[i])
		}
		if restart > 0 {
			// Gradient restart.
			t = 1
			copy(y, tp)
		} else {
			tn := (1 + math.Sqrt(1+4*t*t)) / 2
			beta := (t - 1) / tn
			for i := range y {
				y[i] = tp[i] + beta*(tp[i]-theta[i])
			}
			t = tn
		}
		copy(theta, tp)
		out.iters++
		out.history = append(out.history, r)
		if d.progress != nil {
			d.progress(out.iters, r)
		}
		changed := false
		for i, v := range theta {
			if s := sign(v); s != sig[i] {
				sig[i] = s
				changed = true
			}
		}
		if changed {
			stable = 0
		} else {
			stable++
		}
		due := rAbs <= d.tolAbs && (r <= checkR/2 || k-lastCheck >= 10)
		polishDue := d.refine && stable >= 20 && k-lastCheck >= 20
		if !due && !polishDue {
			continue
		}
		lastCheck, checkR = k, r
		ok, ist := check()
		if ist == ot.Canceled || ist == ot.NumericalError {
			return finish(ist)
		}
		if ok {
			return finish(ot.Converged)
		}
		if d.refine {
			ok, ist := d.newton(ctx, theta, G, &val, &atTheta, out)
			if ist == ot.Canceled || ist == ot.NumericalError {
				return finish(ist)
			}
			if ok {
				return finish(ot.Converged)
			}
			copy(y, theta)
			t = 1
			for i, v := range theta {
				sig[i] = sign(v)
			}
		}
	}
	return finish(ot.IterationLimit)
}

// newton refines theta on its support with Newton steps on
// L(θ_I) + λ Σ ω_k s_k θ_k (signs fixed), accepting a step when the KKT
// residual decreases. On entry the oracle is at theta and G its gradient.
func (d *driver) newton(ctx context.Context, theta, G []float64, val *float64, atTheta *bool, out *outcome) (bool, ot.Status) {
	kkt := d.kkt(theta, G)
	gn := make([]float64, len(G))
	tn := make([]float64, len(theta))
	for it := 0; it < 20; it++ {
		var idx []int
		for k, v := range theta {
			if v != 0 && d.isActive(k) {
				idx = append(idx, k)
			}
		}
		if len(idx) == 0 {
			return false, ot.Converged
		}
		H, err := d.o.hessian(ctx, idx)
		if err != nil {
			return false, ot.Converged
		}
		rhs := mat.NewVecDense(len(idx), nil)
		for a, k := range idx {
			rhs.SetVec(a, -(G[k] + d.lam*d.w[k]*float64(sign(theta[k]))))
		}
		var ch mat.Cholesky
		if !ch.Factorize(H) {
			var mx float64
			for a := range idx {
				mx = math.Max(mx, H.At(a, a))
			}
			for a := range idx {
				H.SetSym(a, a, H.At(a, a)+1e-10*mx)
			}
			if !ch.Factorize(H) {
				return false, ot.Converged
			}
		}
		var delta mat.VecDense
		if err := ch.SolveVecTo(&delta, rhs); err != nil {
			return false, ot.Converged
		}
		// Trust region: ‖Δ‖∞ ≤ max(1, ‖θ‖∞), so that a loss without a
		// minimizer (docs/inverse.md §3) is not chased to infinity at once.
		step := 1.0
		if dn, tr := floats.Norm(delta.RawVector().Data, math.Inf(1)), math.Max(1, floats.Norm(theta, math.Inf(1))); dn > tr {
			step = tr / dn
		}
		accepted := false
		for trial := 0; trial < 6 && !accepted; trial, step = trial+1, step/2 {
			copy(tn, theta)
			flip := false
			for a, k := range idx {
				tn[k] = theta[k] + step*delta.AtVec(a)
				if d.lam*d.w[k] > 0 && sign(tn[k]) != sign(theta[k]) {
					flip = true
				}
			}
			if flip {
				continue
			}
			v, ist := d.o.eval(ctx, tn, d.innerTol, gn)
			if ist == ot.Canceled || ist == ot.NumericalError {
				return false, ist
			}
			*atTheta = false
			out.newton++
			if kn := d.kkt(tn, gn); kn < kkt {
				accepted = true
				copy(theta, tn)
				copy(G, gn)
				*val, *atTheta, kkt, out.inner = v, true, kn, ist
			}
		}
		if !accepted {
			return false, ot.Converged
		}
		if kkt <= d.tolAbs && out.inner == ot.Converged {
			return true, ot.Converged
		}
	}
	return false, ot.Converged
}
