package semidual

import (
	"math"

	"github.com/otkit/otkit/internal/simplex"
)

// candidates writes into v, ci the entries u_i = (F_i − C_ij)·scale of
// column j that are ≥ some bound L, in ascending row order, and returns
// their number. L is the larger of two valid bounds, so that the candidates
// contain the k largest entries or (when lo is used) every entry above the
// full simplex threshold:
//
//   - any k distinct entries: their minimum is at most the k-th largest
//     value. The previous evaluation's selection is used (it barely moves
//     once the iterates settle) or, on a cold start, the k-th largest of
//     the lower bounds (min F + max(−C))·scale of the blocks of rows, each
//     of which is at most an entry of its block (when k exceeds the number
//     of blocks: the smallest of the maxima of k runs of rows);
//   - lo, a lower bound on the threshold of the projection of the whole
//     column (the threshold is 1-Lipschitz in the ∞-norm, so the previous
//     threshold minus the largest change of F/γ qualifies).
//
// The top-k kernels then see about k entries instead of n.
func (c *Columns) candidates(j int, F []float64, scale, lo float64, ws *worker) int {
	v, lbuf, ci := ws.v, ws.lb, ws.ci
	var col []float64
	if c.src == nil {
		col = c.ct[j*c.n : (j+1)*c.n]
	} else if c.k < c.n {
		col = ws.col[:c.n]
		c.src.Column(j, col)
	}
	F = F[:c.n]
	tau := math.Inf(-1)
	switch prev := c.cur.rows[j]; {
	case c.k >= c.n:
	case len(prev) == c.k:
		tau = math.Inf(1)
		for _, i := range prev {
			if u := (F[i] - col[i]) * scale; u < tau {
				tau = u
			}
		}
	case len(prev) == 0 && c.k <= c.nb:
		// Every block b holds an entry of at least
		// (min F + max(−C))·scale over the block (rounding is
		// monotone), so the k-th largest of these bounds over distinct
		// blocks is at most the k-th largest entry; it reads nb block
		// figures instead of the n rows.
		lb := lbuf[:c.nb]
		negC := c.blockNegCost(j, col, ws)
		for b, nc := range negC {
			u := (c.fmin[b] + nc) * scale
			if u != u { // NaN (a diverging trial point): no bound
				u = math.Inf(-1)
			}
			lb[b] = u
		}
		tau = simplex.KthLargest(lb, c.k)
	case len(prev) == 0:
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
	if c.mode == modeSemiDual && !math.IsInf(tau, -1) {
		if cnt, ok := c.listCandidates(j, F, col, scale, tau, ws); ok {
			return cnt
		}
	}
	if math.IsInf(tau, -1) {
		if col == nil {
			col = ws.col[:c.n]
			c.src.Column(j, col)
		}
		cnt := 0
		v, ci = v[:len(col)], ci[:len(col)]
		for i, x := range col {
			u := (F[i] - x) * scale
			v[cnt], ci[cnt] = u, i
			cnt += int(^math.Float64bits(u-tau) >> 63)
		}
		return cnt
	}
	return c.blockScan(j, F, col, scale, tau, ws)
}

// blockScan writes into v, ci the entries u_i ≥ tau (finite) of column j,
// in ascending row order, and returns their number.
func (c *Columns) blockScan(j int, F, col []float64, scale, tau float64, ws *worker) int {
	cnt := 0
	v, ci := ws.v[:c.n], ws.ci[:c.n+c.nb]
	blk := ci[c.n:]
	ci = ci[:c.n]
	if c.src != nil {
		if sc, ok := c.src.(scanner); ok {
			return sc.scan(j, F, scale, tau, v, ci, &ws.scan)
		}
		// A pass over the column to bound its blocks would read as much
		// as the scan itself.
		if col == nil {
			col = ws.col[:c.n]
			c.src.Column(j, col)
		}
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
	negC := c.blockNegCost(j, col, ws)
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

// listCandidates writes the candidates u_i ≥ tau of column j from its
// retained list when the list is known to hold all of them, or builds the
// list when the running evaluation rebuilds them; ok false: neither (the
// caller scans the column). The candidates are those of a scan of every
// row, in the same order: the list holds every row i with
// u_i(ref) ≥ listTau[j], and u_i moves by at most ‖F − ref‖∞·scale plus
// its rounding (a few ulps), so when tau − ‖F − ref‖∞·scale, less a margin
// for the rounding, is still at least listTau[j], no row outside the list
// reaches tau.
func (c *Columns) listCandidates(j int, F, col []float64, scale, tau float64, ws *worker) (cnt int, ok bool) {
	if c.k < c.n || c.listGen == nil {
		return 0, false
	}
	v, ci := ws.v, ws.ci
	if c.rebuild {
		// Rows within the margin of tau, from the block scan at that
		// lower bound; the candidates are filtered from them.
		lt := tau - c.listMargin*scale
		if math.IsNaN(lt) || math.IsInf(lt, -1) {
			return 0, false
		}
		n := c.blockScan(j, F, col, scale, lt, ws)
		if n > c.n/listMaxShare {
			c.listGen[j] = 0
			return c.filter(v[:n], ci[:n], tau), true
		}
		list := c.lists[j][:0]
		for _, i := range ci[:n] {
			list = append(list, int32(i))
		}
		c.lists[j], c.listTau[j], c.listGen[j] = list, lt, c.gen
		return c.filter(v[:n], ci[:n], tau), true
	}
	if c.listGen[j] != c.gen {
		// No list (too long, or the evaluation that built them was
		// cut short): rebuild them, with the margin of that point.
		c.stale.Store(true)
		return 0, false
	}
	d := c.refDist * scale
	lt := c.listTau[j]
	if !(tau-d-1e-12*(math.Abs(tau)+math.Abs(lt)+d) >= lt) {
		c.stale.Store(true)
		return 0, false
	}
	if col == nil {
		// Only the listed entries are computed.
		for _, i := range c.lists[j] {
			u := (F[i] - c.src.Entry(int(i), j)) * scale
			v[cnt], ci[cnt] = u, int(i)
			cnt += int(^math.Float64bits(u-tau) >> 63)
		}
		return cnt, true
	}
	for _, i := range c.lists[j] {
		u := (F[i] - col[i]) * scale
		v[cnt], ci[cnt] = u, int(i)
		cnt += int(^math.Float64bits(u-tau) >> 63)
	}
	return cnt, true
}

// filter keeps, in place and in order, the entries of v (rows ci) that are
// at least tau, as the scans do, and returns their number.
func (c *Columns) filter(v []float64, ci []int, tau float64) int {
	cnt := 0
	for q, u := range v {
		v[cnt], ci[cnt] = u, ci[q]
		cnt += int(^math.Float64bits(u-tau) >> 63)
	}
	return cnt
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// blockNegCost returns the block maxima of −C_ij in column j (col),
// computing them on first use; with a Source they are computed into the
// worker's scratch every time (an n×m/blockSize store would defeat it).
func (c *Columns) blockNegCost(j int, col []float64, ws *worker) []float64 {
	negC := c.negC[j]
	if c.src != nil {
		negC = ws.negC[:0]
	}
	if len(negC) != c.nb {
		negC = grow(negC, c.nb)
		for b := range negC {
			m := math.Inf(-1)
			for _, x := range col[b*blockSize : min((b+1)*blockSize, c.n)] {
				m = max(m, -x)
			}
			negC[b] = m
		}
		if c.src != nil {
			ws.negC = negC
		} else {
			c.negC[j] = negC
		}
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
func (c *Columns) semiDualColumn(j int, F []float64, ws *worker) {
	v, ci, sw := ws.v, ws.ci, &ws.sw
	g := c.Gamma
	lo := math.Inf(-1)
	if len(c.cur.rows[j]) > 0 {
		// The margin covers the rounding of v and θ (a few ulps of
		// numbers of size |θ| + b_j + dF/γ).
		d := c.dF / g
		th := c.cur.theta[j]
		lo = th - d - 1e-12*(math.Abs(th)+c.B[j]+d)
	}
	cnt := c.candidates(j, F, 1/g, lo, ws)
	if cnt == 0 { // cannot happen in exact arithmetic; rescan everything
		cnt = c.candidates(j, F, 1/g, math.Inf(-1), ws)
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
	idx, val := c.next.rows[j][:0], c.next.vals[j][:0]
	// When Σ(v − min v) < b_j the full projection's threshold lies below
	// every candidate (by a margin far above the rounding of θ), so all of
	// them are positive and, with more than k, the projection is skipped.
	var theta float64
	s := cnt
	z := c.B[j]
	if cnt <= c.k || z-(sum-float64(cnt)*vmin) <= 1e-9*(z+float64(cnt)*math.Abs(vmin)-sum) {
		var err error
		if theta, err = simplex.Threshold(v, z, sw); err != nil {
			theta = math.NaN() // no candidate: the value becomes NaN
		}
		s = 0
		for _, x := range v {
			if x > theta {
				s++
			}
		}
	}
	var obj, mass float64
	if s <= c.k {
		for q, x := range v {
			if t := x - theta; t > 0 {
				idx = append(idx, int32(ci[q]))
				val = append(val, t)
				obj += t * (x - t/2)
				mass += t
			}
		}
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
		var err error
		if theta, sel, err = simplex.ThresholdK(v, c.B[j], c.k, sw); err != nil {
			theta = math.NaN()
		}
		for _, q := range sel {
			idx = append(idx, int32(ci[q]))
			t := v[q] - theta
			if t > 0 {
				obj += t * (v[q] - t/2)
				mass += t
			} else {
				t = 0
			}
			val = append(val, t)
		}
	}
	c.next.rows[j], c.next.vals[j] = idx, val
	c.next.theta[j] = theta + vmax
	c.next.colObj[j] = g * (obj + vmax*mass)
}

// dualColumn selects the k largest F_i − C_ij and keeps their positive
// parts (F_i + G_j − C_ij)₊/γ.
func (c *Columns) dualColumn(j int, F []float64, Gj float64, ws *worker) {
	v, ci, sw := ws.v, ws.ci, &ws.sw
	cnt := c.candidates(j, F, 1, math.Inf(-1), ws)
	idx, val := c.next.rows[j][:0], c.next.vals[j][:0]
	sel := simplex.TopK(v[:cnt], c.k, sw)
	var obj float64
	for _, q := range sel {
		idx = append(idx, int32(ci[q]))
		u := v[q] + Gj
		t := 0.0
		if u > 0 {
			t = u / c.Gamma
			obj += u * u
		}
		val = append(val, t)
	}
	c.next.rows[j], c.next.vals[j] = idx, val
	c.next.colObj[j] = obj / (2 * c.Gamma)
}
