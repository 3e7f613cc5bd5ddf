// Package semidual is the column engine shared by packages quadratic and
// cardinality: the semi-dual of quadratically-regularized optimal transport
// with at most k nonzeros per column (docs/cardinality.md §3; k = n is the
// semi-dual of docs/quadratic.md §3),
//
//	S_k(F) = <a, F> − Σ_j M_{k,j}(F − c_j),
//	M_{k,j}(x) = max { <x, t> − (γ/2)‖t‖² : t ≥ 0, Σt = b_j, ‖t‖₀ ≤ k },
//
// whose column operator is the k-sparse simplex projection (the plain one for
// k = n), its top-k dual D_k(F, G) (docs/cardinality.md §4), the plan builder
// and the optimizer driver (L-BFGS with a stall rule and a kink escape, and
// fixed-step Adam).
//
// Columns evaluates the objectives column by column, in parallel over
// columns on an internal/parallel Pool. Each column's result depends on its
// own data only and the reductions run in column order, so results are
// bitwise identical for any worker count. An evaluation scans only the
// candidates of every column: the rows that can be in its support, bounded
// by the previous evaluation's threshold and the largest change of F
// (the threshold is 1-Lipschitz in the ∞-norm), with blocks of rows whose
// bound falls below skipped whole.
package semidual

import (
	"context"
	"math"
	"sync/atomic"

	"github.com/otkit/otkit/internal/parallel"
	"github.com/otkit/otkit/internal/simplex"
)

// Columns is a column-sparse problem laid out for the per-column kernels:
// the cost transposed so that every column of C is contiguous, and the
// per-column results of the last evaluation. It is reused across
// evaluations and across problems; once its buffers have grown an
// evaluation allocates nothing.
//
// Use: Reset, fill CT (or SetCT), set A, B, Gamma (and Pool), then evaluate
// with SemiDual or Dual.
type Columns struct {
	// A and B are the row and column weights, Gamma the regularization γ.
	A, B  []float64
	Gamma float64
	// Pool runs the per-column work; nil means the calling goroutine.
	Pool *parallel.Pool
	// Ctx, if not nil, is checked between chunks of columns (and inside
	// CostRange): once it is done, an evaluation skips the remaining
	// columns and returns the value and gradient of the last complete
	// evaluation, whose results (Last, Column, Plan, PotentialG) are kept
	// whole; the caller reports Canceled.
	Ctx context.Context

	n, m, k int
	ct      []float64 // m×n, ct[j*n+i] = C_ij (nil with src)
	// src, if not nil, computes the cost instead of ct (see SetSource).
	src Source
	// ct when FillCT allocated it, and FillCT's context (see Release).
	owned    []float64
	ownedCtx context.Context

	// cur holds the results of the last complete evaluation; an
	// evaluation writes into next, and the two are swapped when it
	// completes.
	cur, next results
	cut       atomic.Bool // the running evaluation skipped columns
	// The point of the last complete evaluation (F, or F and G), its
	// gradient and its value; hasLast false: none yet.
	lastX    []float64
	lastGrad []float64
	lastVal  float64
	hasLast  bool

	// The largest change of F since the last complete semi-dual
	// evaluation (at lastX; hasPrev false: cold start), for the candidate
	// filter.
	dF      float64
	hasPrev bool

	// Block bounds for skipping most of a column's scan: rows in blocks of
	// blockSize, fmax[b] and fmin[b] the largest and smallest F_i of
	// block b at the current evaluation, negC[j][b] the largest −C_ij of
	// block b in column j (computed on first use: empty until then).
	nb         int
	fmax, fmin []float64
	negC       [][]float64

	// Retained candidate lists of the semi-dual for k = n (see
	// candidates): lists[j] holds, ascending, the rows i with
	// u_i(ref) ≥ listTau[j] at the reference point ref of generation gen;
	// it is valid while listGen[j] == gen. A column that finds its list
	// insufficient sets stale, and the next evaluation rebuilds every
	// list at its own point, keeping rows within listMargin (in units
	// of F) below its bound.
	lists      [][]int32
	listTau    []float64
	listGen    []uint64
	gen        uint64
	ref        []float64
	hasRef     bool
	refDist    float64 // ‖F − ref‖∞ of the running evaluation (NaN: none)
	rebuild    bool    // the running evaluation rebuilds the lists
	listMargin float64
	stale      atomic.Bool

	// The arguments of the running pass, read by the bound chunk function.
	mode    evalMode
	curF    []float64
	curG    []float64
	chunkFn func(w, k int)

	ws []worker // per worker
}

// results are the per-column results of one evaluation: rows (ascending)
// and plan entries T_ij (some may be 0), the semi-dual thresholds (cost
// units / γ) and M_{k,j} (semi-dual) or δ_k (dual).
type results struct {
	rows   [][]int32
	vals   [][]float64
	theta  []float64
	colObj []float64
}

// reset sizes r for m columns.
func (r *results) reset(m int) {
	if len(r.rows) < m {
		r.rows = append(r.rows, make([][]int32, m-len(r.rows))...)
		r.vals = append(r.vals, make([][]float64, m-len(r.vals))...)
	}
	r.rows, r.vals = r.rows[:m], r.vals[:m]
	// The columns' slices grow in the evaluations (m small allocations
	// here would delay a cancellation).
	for j := range r.rows {
		r.rows[j] = r.rows[j][:0]
		r.vals[j] = r.vals[j][:0]
	}
	r.theta = grow(r.theta, m)
	r.colObj = grow(r.colObj, m)
}

// worker is the scratch memory of one worker.
type worker struct {
	v    []float64 // length n: candidate values
	col  []float64 // length n: the column computed by src
	negC []float64 // length nb: its block maxima of −C (with src)
	scan scanBuf   // scratch of a scanner src
	ci   []int     // length n + nb: candidate rows, then blocks
	lb   []float64 // length nb: block lower bounds (cold start)
	sw   simplex.Workspace
}

// blockSize is the number of rows per block of the candidate scan.
const blockSize = 8

// colChunk is the number of columns per unit of parallel work.
const colChunk = 8

// checkEntries is about the number of cost entries a pass reads between
// two checks of its context.
const checkEntries = 1 << 16

// Reset sizes c for an n×m problem with at most k nonzeros per column
// (k ≥ n, or k < 1, means n: the plain semi-dual) and forgets the previous
// evaluation. The cost must then be written with CT or SetCT.
func (c *Columns) Reset(n, m, k int) {
	if k < 1 || k > n {
		k = n
	}
	c.n, c.m, c.k = n, m, k
	c.Release()
	c.src = nil
	if cap(c.ct) >= n*m {
		c.ct = c.ct[:n*m]
	} else {
		c.ct = nil
	}
	c.cur.reset(m)
	c.next.reset(m)
	c.hasPrev, c.hasLast = false, false
	c.nb = (n + blockSize - 1) / blockSize
	c.fmax = grow(c.fmax, c.nb)
	c.fmin = grow(c.fmin, c.nb)
	if len(c.negC) < m {
		c.negC = append(c.negC, make([][]float64, m-len(c.negC))...)
	}
	c.negC = c.negC[:m]
	for j := range c.negC {
		c.negC[j] = c.negC[j][:0]
	}
	if c.chunkFn == nil {
		c.chunkFn = c.chunk
	}
	c.gen++ // every list is stale
	c.hasRef = false
	if k >= n {
		if len(c.lists) < m {
			c.lists = append(c.lists, make([][]int32, m-len(c.lists))...)
		}
		c.lists = c.lists[:m]
		c.listTau = grow(c.listTau, m)
		if cap(c.listGen) < m {
			c.listGen = make([]uint64, m)
		}
		c.listGen = c.listGen[:m]
	}
}

// Dims returns n, m and k.
func (c *Columns) Dims() (n, m, k int) { return c.n, c.m, c.k }

// CT returns the m×n transposed cost, ct[j*n+i] = C_ij, for the caller to
// fill (allocated with make on first use: see SetCT for a large one).
func (c *Columns) CT() []float64 {
	if c.ct == nil {
		c.ct = make([]float64, c.n*c.m)
	}
	return c.ct
}

// SetCT makes ct (m×n, not copied; Alloc suits a large one) the
// transposed cost.
func (c *Columns) SetCT(ct []float64) { c.ct = ct[:c.n*c.m] }

// SetSource makes src, which computes the columns on demand, the cost
// (after Reset, instead of CT, SetCT or FillCT): no n×m buffer is formed,
// and the memory is O(n) per worker besides the source's own. Each
// evaluation computes the columns whose retained candidates do not
// suffice; the results are bitwise those of the transposed cost filled
// with the same entries.
func (c *Columns) SetSource(src Source) { c.src, c.ct = src, nil }

// workers sizes the per-worker scratch and returns the worker count.
func (c *Columns) workers() int {
	w := c.Pool.Workers()
	for len(c.ws) < w {
		c.ws = append(c.ws, worker{})
	}
	for q := range c.ws[:w] {
		c.ws[q].v = grow(c.ws[q].v, c.n)
		c.ws[q].ci = growInt(c.ws[q].ci, c.n+c.nb)
		c.ws[q].lb = grow(c.ws[q].lb, c.nb)
		if c.src != nil {
			c.ws[q].col = grow(c.ws[q].col, c.n)
		}
	}
	return w
}

func grow(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}

func growInt(s []int, n int) []int {
	if cap(s) < n {
		return make([]int, n)
	}
	return s[:n]
}

// evalMode selects the per-column kernel run by sweep.
type evalMode int

const (
	modeSemiDual evalMode = iota
	modeDual
)

// sweep runs the per-column kernel over all columns at F (and G for the
// dual), chunks of colChunk columns spread over the pool's workers, into
// c.next, and makes them c.cur when every column was done; it reports
// whether they were (false: Ctx ended the sweep). Each column's result
// depends only on its own data, so the results do not depend on the
// worker count.
func (c *Columns) sweep(mode evalMode, F, G []float64) bool {
	c.workers()
	for b := range c.fmax {
		hi, lo := math.Inf(-1), math.Inf(1)
		for _, f := range F[b*blockSize : min((b+1)*blockSize, c.n)] {
			hi = max(hi, f)
			lo = min(lo, f)
		}
		c.fmax[b], c.fmin[b] = hi, lo
	}
	if sc, ok := c.src.(scanner); ok {
		sc.prepare(F)
	}
	c.mode, c.curF, c.curG = mode, F, G
	c.cut.Store(false)
	c.Pool.For(parallel.Chunks(c.m, colChunk), c.chunkFn)
	c.curF, c.curG = nil, nil
	if c.cut.Load() {
		return false
	}
	c.cur, c.next = c.next, c.cur
	return true
}

func (c *Columns) chunk(w, k int) {
	if c.cut.Load() || (c.Ctx != nil && c.Ctx.Err() != nil) {
		c.cut.Store(true)
		return
	}
	ws := &c.ws[w]
	lo, hi := parallel.Bounds(k, colChunk, c.m)
	for j := lo; j < hi; j++ {
		if c.mode == modeSemiDual {
			c.semiDualColumn(j, c.curF, ws)
		} else {
			c.dualColumn(j, c.curF, c.curG[j], ws)
		}
	}
}

// SemiDual evaluates S_k(F) = <a,F> − Σ_j M_{k,j}(F − c_j) and writes its
// gradient a − T1 into grad. S_k is invariant under F → F + t·1 and its
// gradient sums to zero in exact arithmetic (balanced weights); for k = n
// (the smooth objective) the rounding residue of that sum is removed,
// which keeps the iterates from drifting along the gauge (the drift would
// magnify the rounding of (F − c_j)/γ).
func (c *Columns) SemiDual(F, grad []float64) float64 {
	c.dF = math.Inf(1)
	if c.hasPrev {
		c.dF = 0
		for i, f := range F {
			if d := math.Abs(f - c.lastX[i]); d > c.dF {
				c.dF = d
			}
		}
	}
	c.prepareLists(F)
	if !c.sweep(modeSemiDual, F, nil) {
		return c.lastEval(grad)
	}
	c.hasPrev = true
	copy(grad, c.A)
	obj := dot(c.A, F)
	for j := 0; j < c.m; j++ {
		vals := c.cur.vals[j]
		for s, i := range c.cur.rows[j] {
			grad[i] -= vals[s]
		}
		obj -= c.cur.colObj[j]
	}
	if c.k < c.n {
		// Nonsmooth: the kink escape decides the landing point, and
		// removing the residue moved it (measured on the 32-point 1-D
		// example with k = 1: 1.1e-2 relative farther from the relaxed
		// optimum at γ = 0.1, against 1e-3 without).
		return c.setLast(F, grad, obj)
	}
	var gs float64
	for _, g := range grad {
		gs += g
	}
	gs /= float64(len(grad))
	for i := range grad {
		grad[i] -= gs
	}
	return c.setLast(F, grad, obj)
}

// setLast records x, its gradient and its value as the last complete
// evaluation and returns the value.
func (c *Columns) setLast(x, grad []float64, v float64) float64 {
	c.lastX = append(c.lastX[:0], x...)
	c.lastGrad = append(c.lastGrad[:0], grad...)
	c.lastVal, c.hasLast = v, true
	return v
}

// lastEval is the result of an evaluation that Ctx cut short: the value
// and gradient of the last complete evaluation, or NaN and a zero gradient
// before any.
func (c *Columns) lastEval(grad []float64) float64 {
	if !c.hasLast {
		clear(grad)
		return math.NaN()
	}
	copy(grad, c.lastGrad)
	return c.lastVal
}

// Last returns the point of the last complete evaluation (F for SemiDual,
// F and G for Dual; valid until the next evaluation) and its value; ok is
// false before the first. Column, Plan and PotentialG describe that
// evaluation. After an evaluation that Ctx cut short this is the point
// whose results a canceled solve reports.
func (c *Columns) Last() (x []float64, value float64, ok bool) {
	return c.lastX, c.lastVal, c.hasLast
}

// Dual evaluates D_k(F,G) = <a,F> + <b,G> − Σ_j δ_k(F + G_j − c_j) at
// x = (F, G) and writes its gradient (a − T1, b − Tᵀ1) into grad.
func (c *Columns) Dual(x, grad []float64) float64 {
	F, G := x[:c.n], x[c.n:]
	if !c.sweep(modeDual, F, G) {
		return c.lastEval(grad)
	}
	gF, gG := grad[:c.n], grad[c.n:]
	copy(gF, c.A)
	obj := dot(c.A, F) + dot(c.B, G)
	for j := 0; j < c.m; j++ {
		colSum := 0.0
		vals := c.cur.vals[j]
		for s, i := range c.cur.rows[j] {
			t := vals[s]
			gF[i] -= t
			colSum += t
		}
		gG[j] = c.B[j] - colSum
		obj -= c.cur.colObj[j]
	}
	return c.setLast(x, grad, obj)
}

// Column returns the rows (ascending) and plan entries of column j at the
// last complete evaluation; some entries may be 0. The slices are valid
// until the next evaluation.
func (c *Columns) Column(j int) (rows []int32, vals []float64) { return c.cur.rows[j], c.cur.vals[j] }

// PotentialG writes G_j = −γ·θ_j, the column potentials of the last
// complete semi-dual evaluation in cost units, into dst (length m) and
// returns it.
func (c *Columns) PotentialG(dst []float64) []float64 {
	for j, th := range c.cur.theta[:c.m] {
		dst[j] = -c.Gamma * th
	}
	return dst
}

// Cost returns C_ij.
func (c *Columns) Cost(i, j int) float64 {
	if c.src != nil {
		return c.src.Entry(i, j)
	}
	return c.ct[j*c.n+i]
}

// CostRange returns max − min of the finite costs, or 1 when that is zero
// (also when Ctx ends the pass, which checks it every few columns).
func (c *Columns) CostRange() float64 {
	lo, hi := math.Inf(1), math.Inf(-1)
	if c.src != nil {
		col := make([]float64, c.n)
		step := max(1, checkEntries/max(c.n, 1))
		for j := 0; j < c.m; j++ {
			if j%step == 0 && c.Ctx != nil && c.Ctx.Err() != nil {
				return 1
			}
			c.src.Column(j, col)
			lo, hi = rangeUpdate(col, lo, hi)
		}
		return costRange(lo, hi)
	}
	ct := c.ct[:c.n*c.m]
	step := max(c.n, checkEntries/max(c.n, 1)*c.n)
	for k := 0; k < len(ct); k += step {
		if c.Ctx != nil && c.Ctx.Err() != nil {
			return 1
		}
		lo, hi = rangeUpdate(ct[k:min(k+step, len(ct))], lo, hi)
	}
	return costRange(lo, hi)
}

// costRange returns hi − lo, or 1 when that is not positive and finite.
func costRange(lo, hi float64) float64 {
	if r := hi - lo; r > 0 && !math.IsInf(r, 0) {
		return r
	}
	return 1
}

// rangeUpdate widens [lo, hi] to the entries of x (hi to the finite
// ones).
func rangeUpdate(x []float64, lo, hi float64) (float64, float64) {
	for _, v := range x {
		if v < lo {
			lo = v
		}
		if v > hi && !math.IsInf(v, 1) {
			hi = v
		}
	}
	return lo, hi
}

func dot(x, y []float64) float64 {
	var s float64
	for i, v := range x {
		s += v * y[i]
	}
	return s
}

// listMaxShare bounds a retained candidate list to n/listMaxShare rows;
// a longer one is not kept (the block scan reads about as much).
const listMaxShare = 4

// prepareLists decides, before a semi-dual sweep at F, whether the
// retained candidate lists are used (refDist is then ‖F − ref‖∞) or
// rebuilt at F (k = n only; both leave the results unchanged).
func (c *Columns) prepareLists(F []float64) {
	c.refDist, c.rebuild = math.NaN(), false
	if c.k < c.n || !c.hasPrev || math.IsInf(c.dF, 0) || math.IsNaN(c.dF) {
		return
	}
	if !c.hasRef || c.stale.Load() {
		// A margin of a few times the last step: the lists then serve
		// the next few steps of a converging run.
		c.listMargin = 4 * c.dF
		c.gen++
		c.ref = append(c.ref[:0], F...)
		c.hasRef, c.rebuild = true, true
		c.stale.Store(false)
		return
	}
	var d float64
	for i, f := range F {
		e := math.Abs(f - c.ref[i])
		if !(e <= d) { // NaN propagates
			d = e
			if math.IsNaN(e) {
				break
			}
		}
	}
	c.refDist = d
}
