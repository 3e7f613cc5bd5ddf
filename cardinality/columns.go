package cardinality

import (
	"math"
	"sync"

	"github.com/otkit/otkit/internal/simplex"
)

// columns is a column-sparse problem laid out for the per-column kernels:
// the cost transposed so that every column of C is contiguous, and the
// per-column results of the last evaluation. It is reused across
// evaluations, so an evaluation allocates nothing (with one worker).
type columns struct {
	n, m    int
	ct      []float64 // m×n, ct[j*n+i] = C_ij
	a, b    []float64
	gamma   float64
	k       int // ≤ n
	workers int

	// Results of the last evaluation, column j at [j*k, j*k+cnt[j]).
	sel    []int
	val    []float64 // plan entries T_ij
	cnt    []int
	theta  []float64 // semi-dual thresholds (cost units / γ)
	colObj []float64 // M_{k,j} (semi-dual) or δ_k (dual) per column

	// The potentials of the previous semi-dual evaluation and the largest
	// change since, for the candidate filter (hasPrev false: cold start).
	prevF   []float64
	dF      float64
	hasPrev bool

	// Block bounds for skipping most of a column's scan: rows in blocks of
	// blockSize, fmax[b] the largest F_i of block b at the current
	// evaluation, negC[j*nb+b] the largest −C_ij of block b in column j
	// (set on first use, when negOK[j]).
	nb    int
	fmax  []float64
	negC  []float64
	negOK []bool

	// Helper goroutines of a parallel solve (between start and stop):
	// worker w ≥ 1 takes its chunks from jobs, the calling goroutine is
	// worker 0.
	jobs chan job
	done chan struct{}

	scratch [][]float64         // per worker, length n: candidate values
	cand    [][]int             // per worker, length n + nb: candidate rows, then blocks
	sw      []simplex.Workspace // per worker
}

// reset sizes the workspace for an n×m problem with cardinality k.
func (c *columns) reset(n, m, k, workers int) {
	c.n, c.m, c.k = n, m, k
	if workers < 1 {
		workers = 1
	}
	if workers > m {
		workers = m
	}
	c.workers = workers
	c.ct = grow(c.ct, n*m)
	c.sel = growInt(c.sel, m*k)
	c.val = grow(c.val, m*k)
	c.cnt = growInt(c.cnt, m)
	clear(c.cnt) // no previous selection to warm-start the filter
	c.prevF = grow(c.prevF, n)
	c.hasPrev = false
	c.nb = (n + blockSize - 1) / blockSize
	c.fmax = grow(c.fmax, c.nb)
	c.negC = grow(c.negC, m*c.nb)
	if cap(c.negOK) < m {
		c.negOK = make([]bool, m)
	}
	c.negOK = c.negOK[:m]
	clear(c.negOK)
	c.theta = grow(c.theta, m)
	c.colObj = grow(c.colObj, m)
	if len(c.scratch) < workers {
		c.scratch = append(c.scratch, make([][]float64, workers-len(c.scratch))...)
	}
	if len(c.sw) < workers {
		c.sw = append(c.sw, make([]simplex.Workspace, workers-len(c.sw))...)
	}
	if len(c.cand) < workers {
		c.cand = append(c.cand, make([][]int, workers-len(c.cand))...)
	}
	for w := range c.scratch[:workers] {
		c.scratch[w] = grow(c.scratch[w], n)
		c.cand[w] = growInt(c.cand[w], n+c.nb)
	}
}

// blockSize is the number of rows per block of the candidate scan.
const blockSize = 8

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

// job is worker w's share of one parallel pass: its chunk of the columns
// for an evaluation, or of the rows for a rows function.
type job struct {
	w    int
	mode evalMode
	F, G []float64
	rows func(w, lo, hi int)
	n    int
}

func (jb *job) run(c *columns) {
	if jb.rows != nil {
		jb.rows(jb.w, jb.w*jb.n/c.workers, (jb.w+1)*jb.n/c.workers)
		return
	}
	c.chunk(jb.mode, jb.F, jb.G, jb.w, jb.w*c.m/c.workers, (jb.w+1)*c.m/c.workers)
}

// start launches the helper goroutines of a solve with several workers;
// stop ends them. Without start, parallel passes start goroutines of their
// own.
func (c *columns) start() {
	if c.workers <= 1 || c.jobs != nil {
		return
	}
	c.jobs, c.done = make(chan job), make(chan struct{})
	for w := 1; w < c.workers; w++ {
		go func(jobs chan job, done chan struct{}) {
			for jb := range jobs {
				jb.run(c)
				done <- struct{}{}
			}
		}(c.jobs, c.done)
	}
}

func (c *columns) stop() {
	if c.jobs != nil {
		close(c.jobs)
		c.jobs, c.done = nil, nil
	}
}

// parallel runs jb for every worker, worker 0 on the calling goroutine.
func (c *columns) parallel(jb job) {
	if c.workers == 1 {
		jb.run(c)
		return
	}
	if c.jobs == nil {
		var wg sync.WaitGroup
		wg.Add(c.workers - 1)
		for w := 1; w < c.workers; w++ {
			go func(jb job) {
				defer wg.Done()
				jb.run(c)
			}(job{w: w, mode: jb.mode, F: jb.F, G: jb.G, rows: jb.rows, n: jb.n})
		}
		jb.run(c)
		wg.Wait()
		return
	}
	for w := 1; w < c.workers; w++ {
		wj := jb
		wj.w = w
		c.jobs <- wj
	}
	jb.run(c)
	for w := 1; w < c.workers; w++ {
		<-c.done
	}
}

// rows runs f(w, lo, hi) over static contiguous chunks [lo, hi) of [0, n),
// one per worker.
func (c *columns) rows(n int, f func(w, lo, hi int)) {
	c.parallel(job{rows: f, n: n})
}

// sweep runs the per-column kernel over all columns at F (and G for the
// dual), in static contiguous chunks, one per worker. The chunking depends
// only on m and the worker count and each column's result only on its own
// data, so the results do not depend on the worker count.
func (c *columns) sweep(mode evalMode, F, G []float64) {
	for b := range c.fmax {
		m := math.Inf(-1)
		for _, f := range F[b*blockSize : min((b+1)*blockSize, c.n)] {
			m = max(m, f)
		}
		c.fmax[b] = m
	}
	c.parallel(job{mode: mode, F: F, G: G})
}

func (c *columns) chunk(mode evalMode, F, G []float64, w, lo, hi int) {
	v, ci, sw := c.scratch[w], c.cand[w], &c.sw[w]
	for j := lo; j < hi; j++ {
		if mode == modeSemiDual {
			c.semiDualColumn(j, F, v, ci, sw)
		} else {
			c.dualColumn(j, F, G[j], v, ci, sw)
		}
	}
}

// semiDual evaluates S_k(F) = <a,F> − Σ_j M_{k,j}(F − c_j) and writes its
// gradient a − T1 into grad.
func (c *columns) semiDual(F, grad []float64) float64 {
	c.dF = math.Inf(1)
	if c.hasPrev {
		c.dF = 0
		for i, f := range F {
			if d := math.Abs(f - c.prevF[i]); d > c.dF {
				c.dF = d
			}
		}
	}
	c.sweep(modeSemiDual, F, nil)
	copy(c.prevF, F)
	c.hasPrev = true
	copy(grad, c.a)
	obj := dot(c.a, F)
	for j := 0; j < c.m; j++ {
		base := j * c.k
		for s := 0; s < c.cnt[j]; s++ {
			grad[c.sel[base+s]] -= c.val[base+s]
		}
		obj -= c.colObj[j]
	}
	return obj
}

// candidates writes into v, ci the entries u_i = (F_i − C_ij)·scale of
// column j that are ≥ some bound L, in ascending row order, and returns
// their number. L is the larger of two valid bounds, so that the candidates
// contain the k largest entries or (when lo is used) every entry above the
// full simplex threshold:
//
//   - any k distinct entries: their minimum is at most the k-th largest
//     value. The previous evaluation's selection is used (it barely moves
//     once the iterates settle) or, on a cold start, the maxima of k blocks
//     of the column;
//   - lo, a lower bound on the threshold of the projection of the whole
//     column (the threshold is 1-Lipschitz in the ∞-norm, so the previous
//     threshold minus the largest change of F/γ qualifies).
//
// The top-k kernels then see about k entries instead of n.
func (c *columns) candidates(j int, F []float64, scale, lo float64, v []float64, ci []int) int {
	col := c.ct[j*c.n : (j+1)*c.n]
	F = F[:len(col)]
	tau := math.Inf(-1)
	switch {
	case c.k >= c.n:
	case c.cnt[j] == c.k:
		tau = math.Inf(1)
		for _, i := range c.sel[j*c.k : (j+1)*c.k] {
			if u := (F[i] - col[i]) * scale; u < tau {
				tau = u
			}
		}
	case c.cnt[j] == 0:
		tau = math.Inf(1)
		for b := 0; b < c.k; b++ {
			bmax := math.Inf(-1)
			for i := b * c.n / c.k; i < (b+1)*c.n/c.k; i++ {
				if u := (F[i] - col[i]) * scale; u > bmax {
					bmax = u
				}
			}
			if bmax < tau {
				tau = bmax
			}
		}
	}
	if lo > tau {
		tau = lo
	}
	// Branch-free compaction: every entry is written at the end of the
	// list and the length grows when it passes (u − τ is non-negative,
	// i.e. its sign bit is clear, exactly when u ≥ τ, for finite u or
	// τ = −∞). An entry of −∞ (a forbidden pair) against τ = −∞ gives NaN,
	// whose sign is platform-dependent; either way it carries no mass.
	cnt := 0
	blk := ci[len(col) : len(col)+c.nb]
	v, ci = v[:len(col)], ci[:len(col)]
	if math.IsInf(tau, -1) {
		for i, x := range col {
			u := (F[i] - x) * scale
			v[cnt], ci[cnt] = u, i
			cnt += int(^math.Float64bits(u-tau) >> 63)
		}
		return cnt
	}
	// Blocks whose bound (max F + max(−C))·scale is below τ hold no
	// candidate and are skipped: rounding is monotone, so every u_i of the
	// block rounds to at most the rounded bound. The candidates come out
	// the same, in the same order, as from a scan of every row.
	// The blocks to scan are listed first, without branches (a block
	// passes about as often as not).
	negC := c.blockNegCost(j)
	nblk := 0
	fmax := c.fmax[:len(negC)]
	for b, nc := range negC {
		blk[nblk] = b
		nblk += b2i(!(float64(fmax[b]+nc)*scale < tau))
	}
	for _, b := range blk[:nblk] {
		lo, hi := b*blockSize, min((b+1)*blockSize, len(col))
		for i, x := range col[lo:hi] {
			u := (F[lo+i] - x) * scale
			v[cnt], ci[cnt] = u, lo+i
			cnt += int(^math.Float64bits(u-tau) >> 63)
		}
	}
	return cnt
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// blockNegCost returns the block maxima of −C_ij in column j, computing
// them on first use.
func (c *columns) blockNegCost(j int) []float64 {
	negC := c.negC[j*c.nb : (j+1)*c.nb]
	if !c.negOK[j] {
		col := c.ct[j*c.n : (j+1)*c.n]
		for b := range negC {
			m := math.Inf(-1)
			for _, x := range col[b*blockSize : min((b+1)*blockSize, c.n)] {
				m = max(m, -x)
			}
			negC[b] = m
		}
		c.negOK[j] = true
	}
	return negC
}

// semiDualColumn projects v = (F − c_j)/γ onto the k-sparse simplex of mass
// b_j and stores the column's plan entries (ascending rows), threshold and
// value.
//
// The projection of the candidates onto the full simplex comes first (no
// selection, no sort): when its support has at most k entries it is the
// k-sparse projection too (the support is the set of largest entries, so it
// lies in the top k, and the threshold balances the mass on it). Only when
// more than k entries are positive is the top-k selection needed. The
// candidates are shifted by their maximum first (the projection is
// shift-equivariant): thresholds are then computed on numbers of the size of
// b_j, however large the potentials.
func (c *columns) semiDualColumn(j int, F, v []float64, ci []int, sw *simplex.Workspace) {
	g := c.gamma
	lo := math.Inf(-1)
	if c.cnt[j] > 0 {
		// The margin covers the rounding of v and θ (a few ulps of
		// numbers of size |θ| + b_j + dF/γ).
		d := c.dF / g
		lo = c.theta[j] - d - 1e-12*(math.Abs(c.theta[j])+c.b[j]+d)
	}
	cnt := c.candidates(j, F, 1/g, lo, v, ci)
	if cnt == 0 { // cannot happen in exact arithmetic; rescan everything
		cnt = c.candidates(j, F, 1/g, math.Inf(-1), v, ci)
	}
	v = v[:cnt]
	vmax := math.Inf(-1)
	for _, x := range v {
		if x > vmax {
			vmax = x
		}
	}
	vmin, sum := math.Inf(1), 0.0
	for q := range v {
		v[q] -= vmax
		vmin = min(vmin, v[q])
		sum += v[q]
	}
	base := j * c.k
	idx, val := c.sel[base:base+c.k], c.val[base:base+c.k]
	// When Σ(v − min v) < b_j the full projection's threshold lies below
	// every candidate (by a margin far above the rounding of θ), so all of
	// them are positive and, with more than k, the projection is skipped.
	var theta float64
	s := cnt
	z := c.b[j]
	if cnt <= c.k || z-(sum-float64(cnt)*vmin) <= 1e-9*(z+float64(cnt)*math.Abs(vmin)-sum) {
		theta = simplex.Threshold(v, z, sw)
		s = 0
		for _, x := range v {
			if x > theta {
				s++
			}
		}
	}
	var obj, mass float64
	if s <= c.k {
		s = 0
		for q, x := range v {
			if t := x - theta; t > 0 {
				idx[s], val[s] = ci[q], t
				s++
				obj += t * (x - t/2)
				mass += t
			}
		}
		c.cnt[j] = s
	} else {
		// More than k positive entries: the top k are among them.
		if s < cnt {
			s = 0
			for q, x := range v {
				if x > theta {
					v[s], ci[s] = x, ci[q]
					s++
				}
			}
			v = v[:s]
		}
		var sel []int
		theta, sel = simplex.ThresholdK(v, c.b[j], c.k, sw)
		c.cnt[j] = len(sel)
		for s, q := range sel {
			idx[s] = ci[q]
			if t := v[q] - theta; t > 0 {
				val[s] = t
				obj += t * (v[q] - t/2)
				mass += t
			} else {
				val[s] = 0
			}
		}
	}
	c.theta[j] = theta + vmax
	c.colObj[j] = g * (obj + vmax*mass)
}

// dual evaluates D_k(F,G) = <a,F> + <b,G> − Σ_j δ_k(F + G_j − c_j) at
// x = (F, G) and writes its gradient (a − T1, b − Tᵀ1) into grad.
func (c *columns) dual(x, grad []float64) float64 {
	F, G := x[:c.n], x[c.n:]
	c.sweep(modeDual, F, G)
	gF, gG := grad[:c.n], grad[c.n:]
	copy(gF, c.a)
	obj := dot(c.a, F) + dot(c.b, G)
	for j := 0; j < c.m; j++ {
		base := j * c.k
		colSum := 0.0
		for s := 0; s < c.cnt[j]; s++ {
			t := c.val[base+s]
			gF[c.sel[base+s]] -= t
			colSum += t
		}
		gG[j] = c.b[j] - colSum
		obj -= c.colObj[j]
	}
	return obj
}

// dualColumn selects the k largest F_i − C_ij and keeps their positive
// parts (F_i + G_j − C_ij)₊/γ.
func (c *columns) dualColumn(j int, F []float64, Gj float64, v []float64, ci []int, sw *simplex.Workspace) {
	cnt := c.candidates(j, F, 1, math.Inf(-1), v, ci)
	base := j * c.k
	idx, val := c.sel[base:base+c.k], c.val[base:base+c.k]
	sel := simplex.TopK(v[:cnt], c.k, sw)
	var obj float64
	for s, q := range sel {
		idx[s] = ci[q]
		u := v[q] + Gj
		if u > 0 {
			val[s] = u / c.gamma
			obj += u * u
		} else {
			val[s] = 0
		}
	}
	c.cnt[j] = len(sel)
	c.colObj[j] = obj / (2 * c.gamma)
}

// linearAndSquare returns <T,C> and ‖T‖² of the plan of the last evaluation.
func (c *columns) linearAndSquare() (lin, sq float64) {
	for j := 0; j < c.m; j++ {
		base := j * c.k
		for s := 0; s < c.cnt[j]; s++ {
			if t := c.val[base+s]; t != 0 {
				lin += t * c.ct[j*c.n+c.sel[base+s]]
				sq += t * t
			}
		}
	}
	return lin, sq
}

// costRange returns max − min of the finite costs, or 1 when that is zero.
func (c *columns) costRange() float64 {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, x := range c.ct[:c.n*c.m] {
		if x < lo {
			lo = x
		}
		if x > hi && !math.IsInf(x, 1) {
			hi = x
		}
	}
	if r := hi - lo; r > 0 && !math.IsInf(r, 0) {
		return r
	}
	return 1
}

func dot(x, y []float64) float64 {
	var s float64
	for i, v := range x {
		s += v * y[i]
	}
	return s
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
