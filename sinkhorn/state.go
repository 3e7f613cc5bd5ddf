package sinkhorn

import (
	"context"
	"math"
	"sync/atomic"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/otkit/otkit/internal/lse"
	"github.com/otkit/otkit/internal/parallel"
	"github.com/otkit/otkit/ot"
)

// maxBlocks bounds the number of row blocks. Block boundaries depend on n
// only, and partial column sums are reduced in block order, so results do
// not depend on the number of workers.
const maxBlocks = 32

// Kernel sums outside [tiny, huge] are recomputed with a max-shifted
// log-sum-exp (LogDomain) or trigger the log-domain fallback (Stabilized).
const (
	tiny = 1e-280
	huge = 1e280
)

// state is what both iterations share: the (reduced, positive-weight)
// problem, the potentials in cost units, ε and the row-block scheduler.
type state struct {
	a, b     []float64
	loga     []float64 // log a_i
	logb     []float64 // log b_j
	c        ot.Cost
	dense    *ot.DenseCost // c when dense
	n, m     int
	f, g     []float64
	eps      float64 // target ε
	omega    float64 // over-relaxation of the updates (1: plain Sinkhorn)
	set      settings
	pool     *parallel.Pool // set.workers goroutines, closed by run
	blockLen int            // rows per block
	nb       int            // number of blocks
	part     [][]float64    // per-block partial column sums
	rowBuf   [][]float64    // per-worker cost row buffers
	cols     []*lse.Cols    // per-block robust column accumulators (lazily)
	mass     float64        // M = Σ a
	ref      float64        // the tolerance's reference mass (see relaxedRef)
	poll     int            // rows between two polls of stop within a block
	ctx      context.Context
	stop     atomic.Bool // set once the context is done: passes return early
	iterate  bool        // (f, g) is an iterate whose plan has finite sums
	nonneg   bool        // the cost is known to be ≥ 0 (a point cloud)
	curEps   float64     // the ε of the iterate in f, g
	// relaxed marginals (unbalanced.go): ρ_a, ρ_b in the solve's cost
	// units, +Inf for a hard side; relaxed when one is finite.
	rhoA, rhoB float64
	relaxed    bool
	stats      Stats
	// A SqEuclidean point cloud, its cost computed by lse.SqDistRow (bitwise
	// PointCloud.Row) from the points Y stored by coordinate, times sqScale.
	sqX     *mat.Dense
	sqYT    []float64
	sqScale float64
}

// pollEntries is about the number of cost entries a pass handles between
// two polls of the cancellation flag (a few tens of microseconds).
const pollEntries = 1 << 14

// stopped reports whether the solve was canceled (ctx.Err of the usual
// contexts is an atomic load).
func (s *state) stopped() bool {
	if s.stop.Load() {
		return true
	}
	if s.ctx.Err() != nil {
		s.stop.Store(true)
		return true
	}
	return false
}

func newState(p *ot.Problem, eps float64, set settings) *state {
	n, m := p.Dims()
	s := &state{a: p.A, b: p.B, c: p.C, n: n, m: m, eps: eps, set: set,
		f: make([]float64, n), g: make([]float64, m), omega: 1, ctx: context.Background(),
		loga: make([]float64, n), logb: make([]float64, m), rhoA: math.Inf(1), rhoB: math.Inf(1)}
	s.dense, _ = p.C.(*ot.DenseCost)
	s.mass = floats.Sum(p.A)
	s.ref = s.mass
	s.poll = max(1, pollEntries/m)
	for i, v := range p.A {
		s.loga[i] = math.Log(v)
	}
	for j, v := range p.B {
		s.logb[j] = math.Log(v)
	}
	s.blockLen = max((n+maxBlocks-1)/maxBlocks, 1)
	s.nb = parallel.Chunks(n, s.blockLen)
	s.set.workers = min(s.set.workers, s.nb)
	s.pool = parallel.NewPool(s.set.workers)
	s.part = make([][]float64, s.nb)
	for k := range s.part {
		s.part[k] = make([]float64, m)
	}
	s.sqScale = 1
	c := p.C
	if sc, ok := c.(*scaledCost); ok {
		c, s.sqScale = sc.c, sc.scale
	}
	if pc, ok := c.(*ot.PointCloud); ok && pc.Metric == ot.SqEuclidean {
		_, d := pc.Y.Dims()
		s.sqX = pc.X
		s.sqYT = make([]float64, d*m)
		for j := 0; j < m; j++ {
			for k, v := range pc.Y.RawRowView(j) {
				s.sqYT[k*m+j] = v
			}
		}
	}
	if s.dense == nil {
		s.rowBuf = make([][]float64, s.set.workers)
		for w := range s.rowBuf {
			s.rowBuf[w] = make([]float64, m)
		}
	}
	return s
}

// row returns cost row i for worker w.
func (s *state) row(w, i int) []float64 {
	if s.dense != nil {
		return s.dense.RowView(i)
	}
	if s.sqYT != nil {
		row := lse.SqDistRow(s.rowBuf[w], s.sqX.RawRowView(i), s.sqYT)
		if s.sqScale != 1 {
			floats.Scale(s.sqScale, row)
		}
		return row
	}
	return s.c.Row(i, s.rowBuf[w])
}

// blocks runs fn(w, k, lo, hi) for every row block k = [lo, hi) on the
// solve's pool; worker w takes blocks w, w+W, … (static assignment).
func (s *state) blocks(fn func(w, k, lo, hi int)) {
	s.pool.For(s.nb, func(w, k int) {
		lo, hi := parallel.Bounds(k, s.blockLen, s.n)
		fn(w, k, lo, hi)
	})
}

// reduce sums the per-block partial column sums into dst, in block order.
func (s *state) reduce(dst []float64) {
	copy(dst, s.part[0])
	for _, p := range s.part[1:] {
		for j, v := range p {
			dst[j] += v
		}
	}
}

// colSums sets lc_j = log Σ_i exp((f_i + g_j − C_ij)/ε) for the current
// potentials, shifted by g (sums of plan entries, no maximum needed), and
// returns Σ_i |r_i − a_i| with r the plan's row sums. A column sum that
// underflows or is not finite is recomputed with a running-max
// log-sum-exp (all columns; rare). With robust set (g is not yet a useful
// shift) only the running-max pass is done and rowErr is not measured.
// It reports false, with lc unusable, when the solve was canceled.
func (s *state) colSums(lc []float64, eps float64, robust bool) (rowErr float64, ok bool) {
	k := 1 / eps
	rowErrs := make([]float64, s.nb)
	if !robust {
		s.blocks(func(w, b, lo, hi int) {
			p := s.part[b]
			clear(p)
			var e float64
			for i, next := lo, lo; i < hi; i++ {
				if i == next {
					if s.stopped() {
						return
					}
					next += s.poll
				}
				r := lse.AffineAddExp(p, s.f[i], s.g, s.row(w, i), k)
				e += s.resA(i, s.f[i], r, eps)
			}
			rowErrs[b] = e
		})
		if s.stopped() {
			return 0, false
		}
		s.reduce(lc)
		for j, v := range lc {
			if !(v >= tiny && v <= huge) {
				robust = true
				break
			}
			lc[j] = math.Log(v)
		}
		for _, e := range rowErrs {
			rowErr += e
		}
		if !robust {
			return rowErr, true
		}
	}
	if s.cols == nil {
		s.cols = make([]*lse.Cols, s.nb)
		for b := range s.cols {
			s.cols[b] = lse.NewCols(s.m)
		}
	}
	s.blocks(func(w, b, lo, hi int) {
		acc := s.cols[b]
		acc.Reset()
		for i, next := lo, lo; i < hi; i++ {
			if i == next {
				if s.stopped() {
					return
				}
				next += s.poll
			}
			acc.AddAffineRow(s.f[i], s.g, s.row(w, i), k)
		}
	})
	if s.stopped() {
		return 0, false
	}
	for _, acc := range s.cols[1:] {
		s.cols[0].Merge(acc)
	}
	s.cols[0].LSE(lc)
	return rowErr, true
}

// updateG sets g_j ← g_j + ω ε (log b_j − lc_j), the (over-relaxed)
// log-domain g-update given the log column sums of the current plan.
func (s *state) updateG(lc []float64, eps float64) {
	if !math.IsInf(s.rhoB, 1) {
		for j, v := range lc {
			s.g[j] += s.omega * relaxedStep(s.g[j], s.logb[j], v, eps, s.rhoB)
		}
		return
	}
	for j, v := range lc {
		s.g[j] += s.omega * eps * (s.logb[j] - v)
	}
}

// updateF is the log-domain f-update f_i ← ε log a_i − ε LSE_j((g_j − C_ij)/ε)
// (over-relaxed by ω), shifted by f_i, with a max-shifted log-sum-exp when
// the plain sum leaves [tiny, huge]. It reports false when the solve was
// canceled, leaving some f_i updated and others not.
func (s *state) updateF(eps float64) bool {
	k := 1 / eps
	s.blocks(func(w, _, lo, hi int) {
		for i, next := lo, lo; i < hi; i++ {
			if i == next {
				if s.stopped() {
					return
				}
				next += s.poll
			}
			c := s.row(w, i)
			r := lse.AffineSumExp(s.f[i], s.g, c, k)
			var lr float64
			if r >= tiny && r <= huge {
				lr = math.Log(r)
			} else {
				lr = lse.AffineLSE(s.f[i], s.g, c, k)
			}
			s.f[i] += s.omega * s.stepA(i, s.f[i], lr, eps)
		}
	})
	return !s.stopped()
}

// engine is one Sinkhorn iteration on the shared state. Its passes poll
// state.stop and return early when the solve is canceled, leaving in
// state.f, state.g (after finish) the last complete iterate.
type engine interface {
	// setEps prepares sweeps at ε = eps (the first call starts the solve);
	// false: canceled.
	setEps(eps float64) bool
	// sweep performs one g-update and one f-update; false: canceled.
	sweep() bool
	// marginalError returns ‖P1 − a‖₁ + ‖Pᵀ1 − b‖₁ of the current plan;
	// false: canceled.
	marginalError() (float64, bool)
	// tracked returns the row sums, column sums and <P, C> of the plan of
	// the current iterate (at state.curEps) when known without a pass.
	tracked() (r, c []float64, lin float64, ok bool)
	// planSums returns the row sums, column sums and <P, C> of the plan
	// of the current iterate, which is at the target ε (one pass).
	planSums() (r, c []float64, lin float64)
	// finish leaves the current plan's potentials in state.f, state.g.
	finish()
}

// run iterates until convergence, MaxIter, cancellation or a numerical
// failure, and fills the Result's figures; the potentials of the returned
// plan are left in s.f, s.g and its ε in s.curEps.
func (s *state) run(ctx context.Context, progress ot.Progress) *ot.Result {
	if ctx == nil {
		ctx = context.Background()
	}
	s.ctx = ctx
	defer s.pool.Close()
	res := &ot.Result{}
	var eng engine
	method := s.set.method
	stages := []float64{s.eps}
	var lo, hi float64
	rangeOK := false
	if method == Auto || s.set.scale && s.set.scaling.Start == 0 {
		var ok bool
		if lo, hi, ok = s.minMax(); !ok {
			stages = nil // canceled
		}
		rangeOK = ok && hi > lo
	}
	if method == Auto && !s.set.scale && s.set.ratio > 0 && rangeOK && hi-lo > s.set.ratio*s.eps {
		s.set.scale = true
		s.set.scaling = EpsScaling{Start: (hi - lo) / autoScalingStart}
		s.set.scaling.defaults()
	}
	nm := float64(s.n) * float64(s.m)
	if method == Auto {
		switch kb := float64(s.set.kernelMax); {
		case s.tinyRho():
			method = LogDomain // a few sweeps, potentials exact (see tinyRho)
		case s.set.scale && rangeOK && hi-lo > sparseRatio*s.eps && 24*nm <= kb:
			method = Sparse
		case 8*nm <= kb:
			method = Stabilized
		default:
			method = LogDomain
		}
	}
	s.stats.Method = method
	s.set.precision = s.resolvePrecision(method)
	s.stats.Precision = s.set.precision
	var sp *sparseKernel
	var stab *stabilized
	switch method {
	case Stabilized:
		stab = newStabilized(s)
		eng = stab
	case Sparse:
		sp = newSparse(s)
		eng = sp
	default:
		eng = newLogDomain(s)
	}
	defer func() {
		switch {
		case sp != nil:
			s.stats.Builds, s.stats.Support, s.stats.Dropped = sp.builds, sp.maxNNZ, sp.dropped
			s.stats.DroppedMass = sp.lastBound
		case stab != nil:
			s.stats.Builds = stab.builds
		}
	}()
	canceled := s.stopped
	if s.set.scale && stages != nil {
		start := s.set.scaling.Start
		if start == 0 {
			start = math.Min(hi-lo, math.MaxFloat64)
		}
		stages = stages[:0]
		for e := start; e > s.eps; e *= s.set.scaling.Decay {
			stages = append(stages, e)
		}
		stages = append(stages, s.eps)
	}
	s.stats.Stages = len(stages)
	tol := s.set.tol * s.ref
	relax := newRelaxation(s.set.omega, s.set.checkEvery)
	it := 0
	status := ot.IterationLimit
	first, resume := 0, false
	var r, c []float64
	var lin float64
	for {
		status = s.iterate1(eng, stages[first:], resume, tol, relax, &it, res, progress, canceled)
		if status != ot.Converged {
			break
		}
		if !s.leaveFloat32(eng, it) {
			// The check's error and the final pass's may differ by rounding:
			// Converged is promised for the returned figures.
			r, c, lin = eng.planSums()
			if s.residual(r, c, s.eps) <= tol {
				break
			}
			if it >= s.set.maxIter {
				// The returned plan misses Tol (rounding of potentials far
				// larger than ε): Converged is promised for it only.
				status = ot.IterationLimit
				break
			}
		}
		// Float32 sweeps converged, or the returned plan misses Tol
		// (rounding): plain float64 sweeps, each checked (the check is free;
		// what remains is mostly fast modes, gone within a sweep or two).
		first, resume = len(stages)-1, true
		relax.reset()
		relax.checkEvery = 1
		r = nil
	}
	figEps := s.eps
	if r == nil && status == ot.Canceled {
		var ok bool
		if r, c, lin, ok = eng.tracked(); ok {
			figEps = s.curEps
		} else {
			r = nil
		}
	}
	large := s.nonneg && float64(s.n)*float64(s.m) >= float64(trackEntries)
	if r == nil && s.iterate && s.curEps == s.eps && !(status == ot.Canceled && large) {
		r, c, lin = eng.planSums()
		if !finiteSums(r, c, lin) && status != ot.NumericalError {
			r = nil
		}
	}
	eng.finish()
	switch {
	case r != nil:
	case status == ot.Canceled && large:
		// Canceled without tracked figures (before the first sweep, or
		// Stabilized) on a large problem: a pass would take too long.
		// The plan of F = −750 ε, G = 0 is exactly 0 (C ≥ 0), with exact
		// figures and no pass.
		for i := range s.f {
			s.f[i] = -750 * s.eps
		}
		clear(s.g)
		r, c, lin = make([]float64, s.n), make([]float64, s.m), 0
	default:
		// No usable iterate at the target ε (canceled before the first
		// sweep, ε-scaling stopped early): one more f-update at the
		// target ε gives a plan with rows summing to a.
		r, c, lin = s.finalize()
	}
	s.curEps = figEps
	res.Status = status
	res.Iterations = it
	s.summarize(res, r, c, lin, figEps)
	return res
}

// iterate1 runs the sweeps and checks of the given stages (the last one at
// the target ε), from the current iterate when resume is set.
func (s *state) iterate1(eng engine, stages []float64, resume bool, tol float64, relax *relaxation,
	itp *int, res *ot.Result, progress ot.Progress, canceled func() bool) ot.Status {
	it := *itp
	defer func() { *itp = it }()
	if canceled() {
		return ot.Canceled
	}
stages:
	for k, eps := range stages {
		final := k == len(stages)-1
		if !resume {
			if !eng.setEps(eps) {
				return ot.Canceled
			}
			relax.reset()
		}
		for stageIt := 1; it < s.set.maxIter; stageIt++ {
			s.omega = relax.omega
			if !eng.sweep() {
				return ot.Canceled
			}
			it++
			stageDone := !final && stageIt >= s.set.scaling.StageMaxIter
			if !resume && it%s.set.checkEvery != 0 && it != s.set.maxIter {
				if stageDone {
					continue stages
				}
				continue
			}
			e, ok := eng.marginalError()
			if !ok {
				return ot.Canceled
			}
			relax.update(e / s.ref)
			res.History = append(res.History, e)
			if progress != nil {
				progress(it, e)
			}
			switch {
			case math.IsNaN(e) || math.IsInf(e, 0):
				return ot.NumericalError
			case final && e <= tol:
				return ot.Converged
			case canceled():
				return ot.Canceled
			case !final && (e <= s.set.scaling.StageTol*s.ref || stageDone):
				continue stages
			}
		}
		break
	}
	return ot.IterationLimit
}

// marginalError is ‖r − a‖₁ + ‖c − b‖₁.
func marginalError(r, c, a, b []float64) float64 {
	return floats.Distance(r, a, 1) + floats.Distance(c, b, 1)
}

// finiteSums reports whether the plan sums are all finite.
func finiteSums(r, c []float64, lin float64) bool {
	return !math.IsNaN(floats.Sum(r)+floats.Sum(c)) && !math.IsInf(floats.Sum(r)+floats.Sum(c), 0) &&
		!math.IsNaN(lin) && !math.IsInf(lin, 0)
}

// minMax returns the smallest and largest finite cost entries, polling
// for cancellation (ok false).
func (s *state) minMax() (lo, hi float64, ok bool) {
	los, his := make([]float64, s.nb), make([]float64, s.nb)
	s.blocks(func(w, b, rlo, rhi int) {
		l, h := math.Inf(1), math.Inf(-1)
		for i, next := rlo, rlo; i < rhi; i++ {
			if i == next {
				if s.stopped() {
					return
				}
				next += s.poll
			}
			for _, v := range s.row(w, i) {
				if !math.IsInf(v, 0) {
					l, h = math.Min(l, v), math.Max(h, v)
				}
			}
		}
		los[b], his[b] = l, h
	})
	return floats.Min(los), floats.Max(his), !s.stopped()
}

// autoScalingStart: the ε-scaling that Auto turns on starts at
// (max C − min C)/autoScalingStart, where plain Sinkhorn converges in a few
// tens of sweeps and the truncated kernel starts to be sparse.
const autoScalingStart = 64

// sparseRatio: Auto uses Sparse (with ε-scaling) when (max C − min C)/ε
// exceeds it; below, truncation keeps most of the kernel.
const sparseRatio = 200

// Parameters of the adaptive over-relaxation.
const (
	maxOmega = 1.95
	// relaxStart: estimate the rate only once the error is below it, when
	// convergence is in its linear regime.
	relaxStart = 0.1
	// relaxSlack, relaxLower: a rate per sweep below ω − 1 + relaxSlack is
	// that of an ω above the optimum; ω − 1 is then multiplied by
	// relaxLower.
	relaxSlack = 0.01
	relaxLower = 0.8
	// relaxGrowth: back to plain sweeps when the error exceeds this
	// multiple of the smallest error seen since ω was raised (over-relaxed
	// errors are not monotone).
	relaxGrowth = 4
	// relaxCalm: decreasing checks in a row after which a halved step is
	// doubled again.
	relaxCalm = 10
)

// relaxation chooses ω at each check: fixed or adaptive (from the observed
// linear rate), with a reset to plain sweeps and a halved step towards the
// target ω when the error grows.
type relaxation struct {
	fixed      float64 // > 0: always this ω
	checkEvery int
	omega      float64
	prev       float64 // error at the previous check (NaN: none)
	best       float64 // smallest error since ω was raised
	damp       float64 // fraction of ω* − 1 applied; halved at each reset
	calm       int     // consecutive decreasing checks since the last reset
}

func newRelaxation(fixed float64, checkEvery int) *relaxation {
	return &relaxation{fixed: fixed, checkEvery: checkEvery, damp: 1}
}

// reset starts a stage with plain sweeps.
func (r *relaxation) reset() {
	r.prev = math.NaN()
	r.omega = 1
}

// update records the error at a check and sets the ω of the next sweeps.
// Over-relaxation starts only once the error is below relaxStart and
// decreasing (it is only locally convergent), fixed or adaptive.
func (r *relaxation) update(e float64) {
	prev := r.prev
	r.prev = e
	switch {
	case r.omega > 1 && (e > relaxGrowth*r.best || e != e):
		r.omega = 1
		r.damp /= 2
		r.calm = 0
		r.prev = math.NaN()
	case !(e < prev && e < relaxStart):
		r.calm = 0
	case r.fixed > 0:
		if r.omega == 1 {
			r.omega = 1 + r.damp*(r.fixed-1)
			r.best = e
		}
	default:
		// After relaxCalm decreasing checks in a row, the halving of the
		// last reset (taken far from the solution, where the iteration is
		// not yet linear) is undone step by step.
		if r.calm++; r.calm >= relaxCalm && r.damp < 1 {
			r.damp = math.Min(1, 2*r.damp)
			r.calm = 0
		}
		// The observed rate λ per sweep at ω gives the plain rate κ through
		// the SOR relation (λ + ω − 1)² = λ ω² κ (Young), valid while
		// λ > ω − 1, i.e. below the optimal ω = 2/(1 + √(1 − κ)).
		w := r.omega
		lambda := math.Pow(e/prev, 1/float64(r.checkEvery))
		if w > 1 && lambda < w-1+relaxSlack {
			// The rate of an ω above the optimum, |λ| = ω − 1: lower ω
			// (below the optimum the next check raises it again).
			r.omega = 1 + relaxLower*(w-1)
			r.best = e
		} else if lambda > w-1 {
			kappa := math.Min((lambda+w-1)*(lambda+w-1)/(lambda*w*w), 1)
			opt := 1 + r.damp*(math.Min(2/(1+math.Sqrt(1-kappa)), maxOmega)-1)
			if opt > w {
				r.omega = opt
				r.best = e
			}
		}
	}
	r.best = math.Min(r.best, e)
}
