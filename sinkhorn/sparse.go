package sinkhorn

import (
	"math"

	"github.com/otkit/otkit/internal/lse"
	"github.com/otkit/otkit/internal/parallel"
)

// sparseKernel is the sparse stabilized scaling iteration (Schmitzer 2019,
// docs/sinkhorn.md §5 with truncation): the plan is P_ij = u_i K_ij v_j
// with K_ij = exp((f_i + g_j − C_ij)/ε) kept only where K_ij ≥ θ, stored
// twice (by rows and by columns) so that both half-sweeps are gathers,
// parallel and deterministic for any number of workers; a sweep costs
// O(nnz). When a scaling leaves [e^−τ, e^τ] (after a gauge rebalancing) it
// is absorbed into the potentials and the kernel is rebuilt, which
// re-truncates it around the moved potentials.
//
// Error control: a build drops d entries, each below θ, so the dropped plan
// mass is at most δ = d·θ·max u·max v, and the row and column sums of the
// full plan differ from the truncated ones by at most δ in total each. The
// convergence check reports the truncated marginal error plus 2δ, an upper
// bound on the full plan's, and θ is chosen so that 2δ ≤ Tol·M/100.
type sparseKernel struct {
	*state
	eps      float64
	logTheta float64
	tau      float64
	lo, hi   float64 // e^−τ, e^τ
	// By rows: row i's entries are rowCol/rowVal[rowPtr[i]:rowPtr[i+1]].
	rowPtr []int
	rowCol []int32
	rowVal []float64
	// By columns.
	colPtr []int
	colRow []int32
	colVal []float64
	// Per-block build output.
	bCol     [][]int32
	bVal     [][]float64
	bLen     [][]int
	bDropped []int
	dropped  int // entries dropped by the last build

	u, v, s, t, scratch []float64
	lc                  []float64
	bad                 []bool
	sValid, kValid      bool
	started             bool
	builds, absorbed    int
	maxNNZ              int
	lastBound           float64 // δ at the last check
}

// sparseTau is the absorption threshold τ of the sparse iteration.
const sparseTau = 7

// droppedShare is the bound 2δ on the dropped mass's share of the
// marginal error, relative to Tol·M.
const droppedShare = 0.01

func newSparse(s *state) *sparseKernel {
	tau := math.Min(s.set.tau, sparseTau)
	e := &sparseKernel{state: s, tau: tau, lo: math.Exp(-tau), hi: math.Exp(tau),
		u: make([]float64, s.n), v: make([]float64, s.m), s: make([]float64, s.m), t: make([]float64, s.n),
		scratch: make([]float64, max(s.n, s.m)), lc: make([]float64, s.m), bad: make([]bool, s.nb),
		bCol: make([][]int32, s.nb), bVal: make([][]float64, s.nb), bLen: make([][]int, s.nb),
		bDropped: make([]int, s.nb), rowPtr: make([]int, s.n+1), colPtr: make([]int, s.m+1)}
	// 2·n·m·θ·e^{2τ} ≤ droppedShare·Tol·M.
	nm := float64(s.n) * float64(s.m)
	e.logTheta = math.Log(droppedShare*s.set.tol*s.ref/(2*nm)) - 2*tau
	if s.set.theta > 0 {
		e.logTheta = math.Log(s.set.theta)
	}
	for i := range e.u {
		e.u[i] = 1
	}
	for j := range e.v {
		e.v[j] = 1
	}
	return e
}

func (e *sparseKernel) setEps(eps float64) bool {
	if e.started {
		e.absorb()
	}
	e.eps = eps
	if !e.started {
		if !e.minShift() {
			return false
		}
		e.started = true
	}
	return e.build()
}

func (e *sparseKernel) absorb() {
	if !e.kValid {
		return
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

// build truncates the kernel of (f, g) at ε (scalings 1): one pass over
// the cost, exps only for the kept entries; false: canceled.
func (e *sparseKernel) build() bool {
	k := 1 / e.eps
	lt := e.logTheta
	e.sValid = false
	e.blocks(func(w, b, lo, hi int) {
		cols, vals := e.bCol[b][:0], e.bVal[b][:0]
		lens := e.bLen[b][:0]
		dropped := 0
		for i, next := lo, lo; i < hi; i++ {
			if i == next {
				if e.stopped() {
					return
				}
				next += e.poll
			}
			fi := e.f[i]
			start := len(cols)
			for j, c := range e.row(w, i) {
				if z := (fi + e.g[j] - c) * k; z >= lt {
					cols = append(cols, int32(j))
					vals = append(vals, z)
				}
			}
			kept := vals[start:]
			lse.ExpTo(kept, kept)
			var t float64
			for _, x := range kept {
				t += x
			}
			e.t[i] = t
			dropped += e.m - len(kept)
			lens = append(lens, len(kept))
		}
		e.bCol[b], e.bVal[b], e.bLen[b], e.bDropped[b] = cols, vals, lens, dropped
	})
	if e.stopped() {
		return false
	}
	nnz := 0
	e.dropped = 0
	for b := range e.bCol {
		nnz += len(e.bCol[b])
		e.dropped += e.bDropped[b]
	}
	e.maxNNZ = max(e.maxNNZ, nnz)
	if cap(e.rowCol) < nnz {
		e.rowCol, e.rowVal = make([]int32, nnz), make([]float64, nnz)
		e.colRow, e.colVal = make([]int32, nnz), make([]float64, nnz)
	}
	e.rowCol, e.rowVal = e.rowCol[:nnz], e.rowVal[:nnz]
	e.colRow, e.colVal = e.colRow[:nnz], e.colVal[:nnz]
	// By rows, in block order.
	off, i := 0, 0
	for b := range e.bCol {
		copy(e.rowCol[off:], e.bCol[b])
		copy(e.rowVal[off:], e.bVal[b])
		for _, l := range e.bLen[b] {
			e.rowPtr[i] = off
			off += l
			i++
		}
	}
	e.rowPtr[e.n] = off
	// By columns: counting sort, rows in increasing order within a column.
	cp := e.colPtr
	clear(cp)
	for _, j := range e.rowCol {
		cp[j+1]++
	}
	for j := 0; j < e.m; j++ {
		cp[j+1] += cp[j]
	}
	fill := make([]int, e.m)
	copy(fill, cp[:e.m])
	for i := 0; i < e.n; i++ {
		for q := e.rowPtr[i]; q < e.rowPtr[i+1]; q++ {
			j := e.rowCol[q]
			d := fill[j]
			e.colRow[d] = int32(i)
			e.colVal[d] = e.rowVal[q]
			fill[j]++
		}
	}
	e.kValid = true
	e.builds++
	e.iterate, e.curEps = true, e.eps
	return true
}

// colChunk is the number of columns of a chunk of the column pass.
const colChunk = 64

// colKu sets s = Kᵀu by column gathers; false: canceled.
func (e *sparseKernel) colKu() bool {
	chunks := parallel.Chunks(e.m, colChunk)
	e.pool.For(chunks, func(_, c int) {
		if e.stopped() {
			return
		}
		lo, hi := parallel.Bounds(c, colChunk, e.m)
		for j := lo; j < hi; j++ {
			var sum float64
			for q := e.colPtr[j]; q < e.colPtr[j+1]; q++ {
				sum += e.colVal[q] * e.u[e.colRow[q]]
			}
			e.s[j] = sum
		}
	})
	if e.stopped() {
		return false
	}
	e.sValid = true
	return true
}

func (e *sparseKernel) sweep() bool {
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
		e.bad[b] = false
		for i := lo; i < hi; i++ {
			if (i-lo)%e.poll == 0 && e.stopped() {
				return
			}
			var t float64
			for q := e.rowPtr[i]; q < e.rowPtr[i+1]; q++ {
				t += e.rowVal[q] * e.v[e.rowCol[q]]
			}
			e.t[i] = t
			q, ok := e.scaleU(i, e.u[i], t, e.eps)
			if !ok {
				e.bad[b] = true
				return
			}
			u[i] = q
		}
	})
	if e.stopped() {
		return false
	}
	for _, bad := range e.bad {
		if bad {
			e.absorb()
			return e.updateF(e.eps) && e.build()
		}
	}
	copy(e.u, u)
	if !e.keepScalings(e.u, e.v, e.t, e.tau) {
		e.absorb()
		return e.build()
	}
	return e.colKu()
}

// droppedBound is δ, the bound on the plan mass of the dropped entries.
func (e *sparseKernel) droppedBound() float64 {
	if e.dropped == 0 {
		return 0
	}
	_, umax := minMax(e.u)
	_, vmax := minMax(e.v)
	return float64(e.dropped) * math.Exp(e.logTheta) * umax * vmax
}

func (e *sparseKernel) marginalError() (float64, bool) {
	if !e.sValid && !e.colKu() {
		return 0, false
	}
	err := e.scaledResidual(e.u, e.t, e.v, e.s, e.eps)
	e.lastBound = e.droppedBound()
	return err + 2*e.lastBound, true
}

// planSums evaluates the full (untruncated) plan: the figures of a result
// never depend on the truncation.
func (e *sparseKernel) planSums() (r, c []float64, lin float64) {
	e.finish()
	return e.state.planSums()
}

func (e *sparseKernel) finish() { e.absorb() }

func (e *sparseKernel) tracked() (r, c []float64, lin float64, ok bool) { return nil, nil, 0, false }
