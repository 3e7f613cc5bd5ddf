package quadratic

import (
	"math"
	"sync/atomic"

	"github.com/otkit/otkit/internal/parallel"
)

// chunkSize is the number of rows per unit of work of the dual's passes.
// Partial sums are kept per chunk and reduced in chunk order, so the
// results are bitwise identical for any number of workers.
const chunkSize = 64

// dualObjective evaluates the dual (docs/quadratic.md §2) at x = [F; G]:
//
//	D(F,G) = <a,F> + <b,G> − (1/(2γ)) Σ_ij [F_i + G_j − C_ij]₊²,
//
// writes ∇D = [a − T1; b − Tᵀ1] into grad and returns D. It evaluates over
// a screened working set when that is exact (see screen).
type dualObjective struct {
	*instance
	gamma   float64     // the regularization evaluated (Newton's continuation changes it)
	colPart [][]float64 // per chunk of rows: partial column sums of [X]₊
	sqPart  []float64   // per chunk: Σ [X]₊²
	cand    []candidates
	margins []float64 // per chunk: the margin its candidates were collected with
	// act holds, per chunk, the active entries X > 0 of the last complete
	// pass, at actAt; a pass writes actNext, swapped with act when it
	// completes (a pass the context cuts short leaves both act and
	// actAt alone).
	act, actNext []candidates
	actAt        []float64
	// fitMargin is the margin the last collecting pass was cut down to by
	// the candidate budget (+Inf when the budget did not bind).
	fitMargin float64
	// failMargin is the margin asked of the last collecting pass when
	// the budget cut it (0 when it did not).
	failMargin float64
	scr        *screen
	full       int // number of full passes, for tests
	// stopped is set by a pass that found the instance's ctx canceled
	// before one of its chunks: it returned NaN, its gradient and
	// candidates are garbage, and every later pass returns NaN at once.
	stopped atomic.Bool
}

func newDualObjective(in *instance) *dualObjective {
	nc := parallel.Chunks(in.n, chunkSize)
	d := &dualObjective{instance: in, gamma: in.gamma, colPart: make([][]float64, nc), sqPart: make([]float64, nc),
		cand: make([]candidates, nc), margins: make([]float64, nc),
		act: make([]candidates, nc), actNext: make([]candidates, nc), actAt: make([]float64, in.n+in.m),
		fitMargin: math.Inf(1)}
	for c := range d.colPart {
		d.colPart[c] = make([]float64, in.m)
	}
	for k := range d.actAt {
		d.actAt[k] = math.NaN() // no pass yet: nothing recorded
	}
	n := in.n
	d.scr = newScreen(in.n+in.m, func(x, ref []float64) float64 {
		return maxDiff(x[:n], ref[:n]) + maxDiff(x[n:], ref[n:])
	})
	return d
}

func (d *dualObjective) eval(x, grad []float64) float64 {
	if d.scr.sparseOK(x) {
		return d.pass(x, grad, passSparse, 0)
	}
	margin := d.scr.newMargin()
	if d.failMargin > 0 && margin > d.failMargin/retryFactor {
		// The last collecting pass could not afford a comparable
		// margin (large steps, as in the first continuation stage):
		// collecting again would be wasted.
		return d.pass(x, grad, passActive, 0)
	}
	return d.pass(x, grad, passCollect, margin)
}

// cover makes sure that the candidates contain every entry that can be
// active on the segment [x, y] (the drift bound is convex along a segment,
// so its endpoints suffice), with a full pass at x if they do not. When the
// candidates needed do not fit, later evaluations on the segment are full.
func (d *dualObjective) cover(x, y, scratch []float64) {
	if d.scr.covers(x) && d.scr.covers(y) {
		return
	}
	margin := 1.25 * math.Max(0, d.scr.drift(y, x))
	if margin > d.fitMargin {
		// The last collecting pass could not afford this margin: a pass
		// now would be wasted, the evaluations on the segment are full.
		return
	}
	d.pass(x, scratch, passCollect, margin)
}

// retryFactor: after a collecting pass whose margin the budget cut, the
// next ones only evaluate (passActive) until the margin wanted has
// dropped by this factor (about 5% fewer instructions on the benchmark
// family, where the first continuation stage never affords its margin).
const retryFactor = 8

// candidateShare: a collecting pass keeps at most 1/candidateShare of the
// entries of a chunk (a screened evaluation costs about 2–3 times more per
// entry than a full pass, and measured totals were lowest at 1/16–1/32).
const candidateShare = 16

// minMargin is the smallest positive margin a collecting pass halves to.
const minMargin = 1e-12

type passKind int

const (
	passSparse  passKind = iota // over the candidates only
	passCollect                 // full, collecting candidates X > −margin
	passActive                  // full, collecting nothing (the candidates are kept)
)

// pass evaluates D and ∇D. A collecting pass makes x the screen's new
// reference. Each chunk keeps at most 1/candidateShare of its entries: when the
// candidates outrun that budget the margin is halved for the remaining
// rows (the chunk's margin is the last one used), down to minMargin and
// then 0.
func (d *dualObjective) pass(x, grad []float64, kind passKind, margin float64) float64 {
	n, m := d.n, d.m
	f, g := x[:n], x[n:]
	gf, gg := grad[:n], grad[n:]
	invGamma := 1 / d.gamma
	parallel.For(d.workers, len(d.colPart), func(_, c int) {
		if d.stopped.Load() || (d.ctx != nil && d.ctx.Err() != nil) {
			d.stopped.Store(true)
			return
		}
		cs := d.colPart[c]
		clear(cs)
		lo, hi := c*chunkSize, min((c+1)*chunkSize, n)
		cd := &d.cand[c]
		ac := &d.actNext[c]
		ac.reset(hi-lo, 0)
		act := ac.idx
		var sq float64
		if kind == passSparse {
			for i := lo; i < hi; i++ {
				fi := f[i]
				k0, k1 := cd.ptr[i-lo], cd.ptr[i-lo+1]
				var rs, rsq float64
				act, rs, rsq = screenedRow(d.c[i*m:(i+1)*m], g, cs, cd.idx[k0:k1], act, fi)
				sq += rsq
				ac.ptr[i-lo+1] = int32(len(act))
				gf[i] = d.a[i] - rs*invGamma
			}
			ac.idx = act
			d.sqPart[c] = sq
			return
		}
		if kind == passActive {
			for i := lo; i < hi; i++ {
				var rs, rsq float64
				act, rs, rsq = activeRow(d.c[i*m:(i+1)*m], g, cs, act, f[i])
				sq += rsq
				ac.ptr[i-lo+1] = int32(len(act))
				gf[i] = d.a[i] - rs*invGamma
			}
			ac.idx = act
			d.sqPart[c] = sq
			return
		}
		limit := (hi - lo) * m / candidateShare
		// Room for the limit plus two more rows (the one that overflows
		// and one with margin 0 after it), so that the stores below
		// need no bounds growth; k advances only for candidates.
		cd.reset(hi-lo, limit+2*m+1)
		idx := cd.idx[:limit+2*m+1]
		mg := margin
		if math.IsInf(mg, 1) {
			mg = 0
		}
		k := 0
		collect := true
		for i := lo; i < hi; i++ {
			fi := f[i]
			row := d.c[i*m : (i+1)*m]
			g := g[:len(row)]
			cs := cs[:len(row)]
			var rs float64
			if collect {
				var rsq float64
				k, act, rs, rsq = collectRow(row, g, cs, idx, act, k, fi, -mg)
				sq += rsq
				// Keep within the budget pro rata: halve the margin while
				// the candidates run ahead of it, down to margin 0 (only
				// the active entries), and stop collecting (the working
				// set is then unusable) if even those do not fit.
				switch {
				case k > limit && mg > 0:
					mg = 0
				case k > limit:
					collect = false
					mg = math.Inf(-1)
				case k > limit*(i+1-lo)/(hi-lo) && mg > minMargin:
					mg /= 2
				}
			} else {
				var rsq float64
				act, rs, rsq = activeRow(row, g, cs, act, fi)
				sq += rsq
			}
			cd.ptr[i-lo+1] = int32(k)
			ac.ptr[i-lo+1] = int32(len(act))
			gf[i] = d.a[i] - rs*invGamma
		}
		cd.idx = idx[:k]
		ac.idx = act
		d.margins[c] = mg
		d.sqPart[c] = sq
	})
	if d.stopped.Load() {
		// Some chunks kept their old candidates.
		d.scr.invalidate()
		return math.NaN()
	}
	d.act, d.actNext = d.actNext, d.act
	copy(d.actAt, x)
	if kind == passCollect {
		d.full++
		mg := math.Inf(1)
		for _, v := range d.margins {
			mg = math.Min(mg, v)
		}
		d.scr.rebuilt(x, mg, mg >= 0)
		d.fitMargin = math.Inf(1)
		d.failMargin = 0
		if mg < margin {
			d.fitMargin = math.Max(mg, 0)
			d.failMargin = margin
		}
	}
	var sq, val float64
	for c, cs := range d.colPart {
		sq += d.sqPart[c]
		if c == 0 {
			copy(gg, cs)
			continue
		}
		for j, v := range cs {
			gg[j] += v
		}
	}
	for i, fi := range f {
		val += d.a[i] * fi
	}
	for j, gj := range g {
		val += d.b[j] * gj
		gg[j] = d.b[j] - gg[j]*invGamma
	}
	return val - sq*invGamma/2
}

// activeSet returns the entries with F_i + G_j − C_ij > 0 at x in CSR form
// (row pointers and column indices), using the working set when it is
// exact at x. It reuses and returns ptr and idx; both are empty when the
// instance's context is canceled during a pass over the cost.
func (d *dualObjective) activeSet(x []float64, ptr, idx []int32) ([]int32, []int32) {
	n, m := d.n, d.m
	f, g := x[:n], x[n:]
	ptr = append(ptr[:0], 0)
	idx = idx[:0]
	if equal(x, d.actAt) {
		// Recorded by the last pass.
		for _, ac := range d.act {
			base := int32(len(idx))
			idx = append(idx, ac.idx...)
			for _, p := range ac.ptr[1:] {
				ptr = append(ptr, base+p)
			}
		}
		return ptr, idx
	}
	sparse := d.scr.covers(x)
	for c := range d.colPart {
		lo, hi := c*chunkSize, min((c+1)*chunkSize, n)
		cd := &d.cand[c]
		if !sparse && d.canceled(lo) {
			return ptr[:0], idx[:0]
		}
		for i := lo; i < hi; i++ {
			fi := f[i]
			if sparse {
				k0, k1 := cd.ptr[i-lo], cd.ptr[i-lo+1]
				row := d.c[i*m : (i+1)*m]
				for _, j := range cd.idx[k0:k1] {
					if fi+g[j]-row[j] > 0 {
						idx = append(idx, j)
					}
				}
			} else {
				for j, cij := range d.c[i*m : (i+1)*m] {
					if fi+g[j]-cij > 0 {
						idx = append(idx, int32(j))
					}
				}
			}
			ptr = append(ptr, int32(len(idx)))
		}
	}
	return ptr, idx
}

// collectRow is the inner loop of a collecting pass over one row:
// v_j = fi + g_j − row_j; the column index is appended to idx (from k) when
// v_j > negMargin, and the positive parts are accumulated into cs, their
// sum and their sum of squares, their indices appended to act. idx must
// have room for len(row) more entries. The candidates are a small fraction
// of the row (the pass keeps them under a budget), so the loop tests four
// entries at once and usually skips them together (about a third faster
// than one at a time); a separate function keeps the variables in
// registers.
func collectRow(row, g, cs []float64, idx, act []int32, k int, fi, negMargin float64) (kk int, actOut []int32, rs, sq float64) {
	g = g[:len(row)]
	cs = cs[:len(row)]
	idx = idx[k : k+len(row)]
	n, j := 0, 0
	for ; j+4 <= len(row); j += 4 {
		r, gj := row[j:j+4:j+4], g[j:j+4:j+4]
		v0 := fi + gj[0] - r[0]
		v1 := fi + gj[1] - r[1]
		v2 := fi + gj[2] - r[2]
		v3 := fi + gj[3] - r[3]
		if v0 <= negMargin && v1 <= negMargin && v2 <= negMargin && v3 <= negMargin {
			continue
		}
		for q, v := range [4]float64{v0, v1, v2, v3} {
			if v > negMargin {
				idx[n] = int32(j + q)
				n++
				if v > 0 {
					rs += v
					cs[j+q] += v
					sq += v * v
					act = append(act, int32(j+q))
				}
			}
		}
	}
	for ; j < len(row); j++ {
		if v := fi + g[j] - row[j]; v > negMargin {
			idx[n] = int32(j)
			n++
			if v > 0 {
				rs += v
				cs[j] += v
				sq += v * v
				act = append(act, int32(j))
			}
		}
	}
	return k + n, act, rs, sq
}

func equal(x, y []float64) bool {
	for k, v := range x {
		if v != y[k] {
			return false
		}
	}
	return true
}

// screenedRow is the inner loop of a screened pass over one row: over the
// candidate columns cand, v_j = fi + g_j − row_j; the positive parts are
// accumulated into cs, their sum and their sum of squares, their indices
// appended to act.
func screenedRow(row, g, cs []float64, cand, act []int32, fi float64) (actOut []int32, rs, sq float64) {
	g = g[:len(row)]
	cs = cs[:len(row)]
	for _, j := range cand {
		if v := fi + g[j] - row[j]; v > 0 {
			rs += v
			cs[j] += v
			sq += v * v
			act = append(act, j)
		}
	}
	return act, rs, sq
}

// activeRow is collectRow without the candidates (margin 0, no idx).
func activeRow(row, g, cs []float64, act []int32, fi float64) (actOut []int32, rs, sq float64) {
	g = g[:len(row)]
	cs = cs[:len(row)]
	j := 0
	for ; j+4 <= len(row); j += 4 {
		r, gj := row[j:j+4:j+4], g[j:j+4:j+4]
		v0 := fi + gj[0] - r[0]
		v1 := fi + gj[1] - r[1]
		v2 := fi + gj[2] - r[2]
		v3 := fi + gj[3] - r[3]
		if v0 <= 0 && v1 <= 0 && v2 <= 0 && v3 <= 0 {
			continue
		}
		for q, v := range [4]float64{v0, v1, v2, v3} {
			if v > 0 {
				rs += v
				cs[j+q] += v
				sq += v * v
				act = append(act, int32(j+q))
			}
		}
	}
	for ; j < len(row); j++ {
		if v := fi + g[j] - row[j]; v > 0 {
			rs += v
			cs[j] += v
			sq += v * v
			act = append(act, int32(j))
		}
	}
	return act, rs, sq
}

// activeValue returns D(F, G) at x from its active set in CSR form (ptr,
// idx as activeSet returns them), in O(n + m + nnz).
func (d *dualObjective) activeValue(x []float64, ptr, idx []int32) float64 {
	n, m := d.n, d.m
	f, g := x[:n], x[n:]
	var val, sq float64
	for i, fi := range f {
		val += d.a[i] * fi
		row := d.c[i*m : (i+1)*m]
		for _, j := range idx[ptr[i]:ptr[i+1]] {
			v := fi + g[j] - row[j]
			sq += v * v
		}
	}
	for j, gj := range g {
		val += d.b[j] * gj
	}
	return val - sq/(2*d.gamma)
}
