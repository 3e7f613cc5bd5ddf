package quadratic

import "math"

// dualObjective evaluates the dual (spec §2) at x = [F; G]:
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
	scr     *screen
	full    int // number of full evaluations, for tests
	evals   int // number of evaluations, for tests
}

func newDualObjective(in *instance) *dualObjective {
	nc := numChunks(in.n)
	d := &dualObjective{instance: in, gamma: in.gamma, colPart: make([][]float64, nc), sqPart: make([]float64, nc),
		cand: make([]candidates, nc), margins: make([]float64, nc)}
	for c := range d.colPart {
		d.colPart[c] = make([]float64, in.m)
	}
	n := in.n
	d.scr = newScreen(in.n+in.m, func(x, ref []float64) float64 {
		return maxDiff(x[:n], ref[:n]) + maxDiff(x[n:], ref[n:])
	})
	return d
}

func (d *dualObjective) eval(x, grad []float64) float64 {
	d.evals++
	if d.scr.sparseOK(x) {
		return d.pass(x, grad, passSparse, 0)
	}
	margin := d.scr.newMargin()
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
	d.pass(x, scratch, passCollect, margin)
}

type passKind int

const (
	passSparse  passKind = iota // over the candidates only
	passCollect                 // full, collecting candidates X > −margin
)

// pass evaluates D and ∇D. A collecting pass makes x the screen's new
// reference; a chunk whose candidates exceed a quarter of its entries
// collects only the active entries (margin 0) from there on.
func (d *dualObjective) pass(x, grad []float64, kind passKind, margin float64) float64 {
	n, m := d.n, d.m
	f, g := x[:n], x[n:]
	gf, gg := grad[:n], grad[n:]
	invGamma := 1 / d.gamma
	forChunks(d.workers, len(d.colPart), func(_, c int) {
		cs := d.colPart[c]
		clear(cs)
		lo, hi := c*chunkSize, min((c+1)*chunkSize, n)
		cd := &d.cand[c]
		var sq float64
		if kind == passSparse {
			for i := lo; i < hi; i++ {
				fi := f[i]
				k0, k1 := cd.ptr[i-lo], cd.ptr[i-lo+1]
				idx, cost := cd.idx[k0:k1], cd.cost[k0:k1]
				var rs float64
				for k, j := range idx {
					if v := fi + g[j] - cost[k]; v > 0 {
						rs += v
						cs[j] += v
						sq += v * v
					}
				}
				gf[i] = d.a[i] - rs*invGamma
			}
			d.sqPart[c] = sq
			return
		}
		limit := (hi - lo) * m / 4
		cd.reset(hi - lo)
		mg := margin
		if math.IsInf(mg, 1) {
			mg = 0
		}
		for i := lo; i < hi; i++ {
			fi := f[i]
			row := d.c[i*m : (i+1)*m]
			g := g[:len(row)]
			var rs float64
			for j, cij := range row {
				v := fi + g[j] - cij
				if v <= -mg {
					continue
				}
				cd.idx = append(cd.idx, int32(j))
				cd.cost = append(cd.cost, cij)
				if v > 0 {
					rs += v
					cs[j] += v
					sq += v * v
				}
			}
			if mg > 0 && len(cd.idx) > limit {
				mg = 0
			}
			cd.ptr[i-lo+1] = int32(len(cd.idx))
			gf[i] = d.a[i] - rs*invGamma
		}
		d.margins[c] = mg
		d.sqPart[c] = sq
	})
	if kind == passCollect {
		d.full++
		mg := math.Inf(1)
		for _, v := range d.margins {
			mg = math.Min(mg, v)
		}
		d.scr.rebuilt(x, mg, true)
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
// exact at x. It reuses and returns ptr and idx.
func (d *dualObjective) activeSet(x []float64, ptr, idx []int32) ([]int32, []int32) {
	n, m := d.n, d.m
	f, g := x[:n], x[n:]
	ptr = append(ptr[:0], 0)
	idx = idx[:0]
	sparse := d.scr.covers(x)
	for c := range d.colPart {
		lo, hi := c*chunkSize, min((c+1)*chunkSize, n)
		cd := &d.cand[c]
		for i := lo; i < hi; i++ {
			fi := f[i]
			if sparse {
				k0, k1 := cd.ptr[i-lo], cd.ptr[i-lo+1]
				cost := cd.cost[k0:k1]
				for k, j := range cd.idx[k0:k1] {
					if fi+g[j]-cost[k] > 0 {
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
