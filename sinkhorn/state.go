package sinkhorn

import (
	"context"
	"math"
	"sync"

	"github.com/otkit/otkit/internal/lse"
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
	blockLen int         // rows per block
	nb       int         // number of blocks
	part     [][]float64 // per-block partial column sums
	rowBuf   [][]float64 // per-worker cost row buffers
	cols     []*lse.Cols // per-block robust column accumulators (lazily)
}

func newState(p *ot.Problem, eps float64, set settings) *state {
	n, m := p.Dims()
	s := &state{a: p.A, b: p.B, c: p.C, n: n, m: m, eps: eps, set: set,
		f: make([]float64, n), g: make([]float64, m), omega: 1,
		loga: make([]float64, n), logb: make([]float64, m)}
	s.dense, _ = p.C.(*ot.DenseCost)
	for i, v := range p.A {
		s.loga[i] = math.Log(v)
	}
	for j, v := range p.B {
		s.logb[j] = math.Log(v)
	}
	s.blockLen = max((n+maxBlocks-1)/maxBlocks, 1)
	s.nb = (n + s.blockLen - 1) / s.blockLen
	s.set.workers = min(s.set.workers, s.nb)
	s.part = make([][]float64, s.nb)
	for k := range s.part {
		s.part[k] = make([]float64, m)
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
	return s.c.Row(i, s.rowBuf[w])
}

// blocks runs fn(w, k, lo, hi) for every row block k = [lo, hi); worker w
// takes blocks w, w+W, … (static assignment).
func (s *state) blocks(fn func(w, k, lo, hi int)) {
	bounds := func(k int) (int, int) { return k * s.blockLen, min((k+1)*s.blockLen, s.n) }
	if s.set.workers <= 1 {
		for k := 0; k < s.nb; k++ {
			lo, hi := bounds(k)
			fn(0, k, lo, hi)
		}
		return
	}
	var wg sync.WaitGroup
	for w := 0; w < s.set.workers; w++ {
		wg.Go(func() {
			for k := w; k < s.nb; k += s.set.workers {
				lo, hi := bounds(k)
				fn(w, k, lo, hi)
			}
		})
	}
	wg.Wait()
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
func (s *state) colSums(lc []float64, eps float64, robust bool) (rowErr float64) {
	k := 1 / eps
	rowErrs := make([]float64, s.nb)
	if !robust {
		s.blocks(func(w, b, lo, hi int) {
			p := s.part[b]
			clear(p)
			var e float64
			for i := lo; i < hi; i++ {
				r := lse.AffineAddExp(p, s.f[i], s.g, s.row(w, i), k)
				e += math.Abs(r - s.a[i])
			}
			rowErrs[b] = e
		})
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
			return rowErr
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
		for i := lo; i < hi; i++ {
			acc.AddAffineRow(s.f[i], s.g, s.row(w, i), k)
		}
	})
	for _, acc := range s.cols[1:] {
		s.cols[0].Merge(acc)
	}
	s.cols[0].LSE(lc)
	return rowErr
}

// updateG sets g_j ← g_j + ω ε (log b_j − lc_j), the (over-relaxed)
// log-domain g-update given the log column sums of the current plan.
func (s *state) updateG(lc []float64, eps float64) {
	for j, v := range lc {
		s.g[j] += s.omega * eps * (s.logb[j] - v)
	}
}

// updateF is the log-domain f-update f_i ← ε log a_i − ε LSE_j((g_j − C_ij)/ε)
// (over-relaxed by ω), shifted by f_i, with a max-shifted log-sum-exp when the plain sum leaves
// [tiny, huge].
func (s *state) updateF(eps float64) {
	k := 1 / eps
	s.blocks(func(w, _, lo, hi int) {
		for i := lo; i < hi; i++ {
			c := s.row(w, i)
			r := lse.AffineSumExp(s.f[i], s.g, c, k)
			var lr float64
			if r >= tiny && r <= huge {
				lr = math.Log(r)
			} else {
				lr = lse.AffineLSE(s.f[i], s.g, c, k)
			}
			s.f[i] += s.omega * eps * (s.loga[i] - lr)
		}
	})
}

// engine is one Sinkhorn iteration on the shared state.
type engine interface {
	// setEps prepares sweeps at ε = eps (the first call starts the solve).
	setEps(eps float64)
	// sweep performs one g-update and one f-update.
	sweep()
	// marginalError returns ‖P1 − a‖₁ + ‖Pᵀ1 − b‖₁ of the current plan.
	marginalError() float64
	// planSums returns the row sums, column sums and <P, C> of the plan
	// of the current potentials at the target ε.
	planSums() (r, c []float64, lin float64)
	// finish leaves the current plan's potentials in state.f, state.g.
	finish()
}

// run iterates until convergence, MaxIter, cancellation or a numerical
// failure, and fills the Result's figures from a final pass.
func (s *state) run(ctx context.Context, progress ot.Progress) *ot.Result {
	res := &ot.Result{}
	var eng engine
	method := s.set.method
	if method == Auto {
		method = LogDomain
		if float64(s.n)*float64(s.m)*8 <= float64(s.set.kernelMax) {
			method = Stabilized
		}
	}
	if method == Stabilized {
		eng = newStabilized(s)
	} else {
		eng = newLogDomain(s)
	}
	stages := []float64{s.eps}
	if s.set.scale {
		start := s.set.scaling.Start
		if start == 0 {
			lo, hi := ot.MinMax(s.c)
			start = hi - lo
		}
		stages = stages[:0]
		for e := start; e > s.eps; e *= s.set.scaling.Decay {
			stages = append(stages, e)
		}
		stages = append(stages, s.eps)
	}
	relax := newRelaxation(s.set.omega, s.set.checkEvery)
	it := 0
	status := ot.IterationLimit
	if ctx.Err() != nil {
		status = ot.Canceled
	}
stages:
	for k, eps := range stages {
		if status == ot.Canceled {
			break
		}
		final := k == len(stages)-1
		eng.setEps(eps)
		relax.reset()
		for stageIt := 1; it < s.set.maxIter; stageIt++ {
			s.omega = relax.omega
			eng.sweep()
			it++
			stageDone := !final && stageIt >= s.set.scaling.StageMaxIter
			if it%s.set.checkEvery != 0 && it != s.set.maxIter {
				if stageDone {
					continue stages
				}
				continue
			}
			e := eng.marginalError()
			relax.update(e)
			res.History = append(res.History, e)
			if progress != nil {
				progress(it, e)
			}
			switch {
			case math.IsNaN(e) || math.IsInf(e, 0):
				status = ot.NumericalError
				break stages
			case final && e <= s.set.tol:
				status = ot.Converged
				break stages
			case ctx.Err() != nil:
				status = ot.Canceled
				break stages
			case !final && (e <= s.set.scaling.StageTol || stageDone):
				continue stages
			}
		}
		break
	}
	r, c, lin := eng.planSums()
	eng.finish()
	res.Status = status
	res.Iterations = it
	s.summarize(res, r, c, lin)
	return res
}

// Parameters of the adaptive over-relaxation.
const (
	maxOmega = 1.95
	// relaxStart: estimate the rate only once the error is below it, when
	// convergence is in its linear regime.
	relaxStart = 1e-3
	// relaxGrowth: back to plain sweeps when the error exceeds this
	// multiple of the smallest error seen since ω was raised (over-relaxed
	// errors are not monotone).
	relaxGrowth = 4
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
		r.prev = math.NaN()
	case !(e < prev && e < relaxStart):
	case r.fixed > 0:
		if r.omega == 1 {
			r.omega = 1 + r.damp*(r.fixed-1)
			r.best = e
		}
	default:
		// The observed rate λ per sweep at ω gives the plain rate κ through
		// the SOR relation (λ + ω − 1)² = λ ω² κ (Young), valid while
		// λ > ω − 1, i.e. below the optimal ω = 2/(1 + √(1 − κ)).
		w := r.omega
		lambda := math.Pow(e/prev, 1/float64(r.checkEvery))
		if lambda > w-1 {
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
