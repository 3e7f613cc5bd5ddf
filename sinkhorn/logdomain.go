package sinkhorn

import (
	"math"

	"gonum.org/v1/gonum/floats"

	"github.com/otkit/otkit/internal/lse"
)

// logDomain is the log-domain iteration (docs/sinkhorn.md §3) with one pass
// of n·m exps per sweep: the f-update evaluates row i of the plan of (f, g),
// e_ij = exp((f_i + g_j − C_ij)/ε), from which it gets the row sum and the
// new f_i; the new plan's row is ρ_i e_ij with ρ_i = exp((f_i' − f_i)/ε),
// and its column sums, which the next g-update and the convergence check
// need, are accumulated while the row is in cache, together with its row
// sum and <P_i, C_i> (so a canceled solve has its figures without another
// pass). The potentials are the shifts, so no maximum is needed except
// after a cold start or when a sum leaves [tiny, huge].
type logDomain struct {
	*state
	eps     float64
	lc      []float64 // log column sums of the current plan, when lcValid
	rowErr  float64   // Σ|r_i − a_i| of the current plan, when lcValid
	lcValid bool
	gValid  bool        // g has been computed (it is a usable shift)
	expBuf  [][]float64 // per worker: a row of plan entries
	rowErrs []float64   // per block
	lins    []float64   // per block: <P, C> of its rows
	fNext   []float64   // the f-update's output, swapped with f at the end
	gPrev   []float64   // g before the g-update, restored on cancellation
	fPrev   []float64   // f before the translation step (relaxed), restored likewise
	// The figures of the plan of the last complete f-pass, when figOK: row
	// sums (rsNext is the pass's output), column sums and <P, C>.
	rs, rsNext, cs []float64
	lin            float64
	figOK          bool
	trackLin       bool // <P, C> is tracked (large problems only)
}

// trackEntries is the problem size (n·m) from which the f-pass tracks
// <P, C>: below it, a canceled solve's final pass takes a few tens of
// milliseconds, and the sweeps save the dot product. (A variable for the
// tests.)
var trackEntries = 1 << 21

func newLogDomain(s *state) *logDomain {
	e := &logDomain{state: s, lc: make([]float64, s.m), expBuf: make([][]float64, s.set.workers),
		rowErrs: make([]float64, s.nb), lins: make([]float64, s.nb),
		fNext: make([]float64, s.n), gPrev: make([]float64, s.m), fPrev: make([]float64, s.n),
		rs: make([]float64, s.n), rsNext: make([]float64, s.n), cs: make([]float64, s.m),
		trackLin: float64(s.n)*float64(s.m) >= float64(trackEntries)}
	for w := range e.expBuf {
		e.expBuf[w] = make([]float64, s.m)
	}
	return e
}

func (e *logDomain) setEps(eps float64) bool {
	e.eps = eps
	e.lcValid = false
	return true
}

func (e *logDomain) sweep() bool {
	if !e.lcValid {
		var ok bool
		if e.rowErr, ok = e.colSums(e.lc, e.eps, !e.gValid); !ok {
			return false
		}
	}
	copy(e.gPrev, e.g)
	e.updateG(e.lc, e.eps)
	moved := e.relaxed
	if moved {
		copy(e.fPrev, e.f)
		e.translate(e.eps, nil, nil)
	}
	lcValid, ok := e.fPass()
	if !ok {
		copy(e.g, e.gPrev)
		if moved {
			copy(e.f, e.fPrev)
		}
		e.lcValid = false
		return false
	}
	e.gValid = true
	e.lcValid = lcValid
	return true
}

// fPass is the (over-relaxed) f-update fused with the sums of the new plan.
// It reports whether every column sum is in [tiny, huge], in which case lc
// and rowErr describe the new plan, and false for ok when the solve was
// canceled (f unchanged).
func (e *logDomain) fPass() (lcValid, ok bool) {
	k := 1 / e.eps
	e.blocks(func(w, b, lo, hi int) {
		p := e.part[b]
		clear(p)
		var re, lin float64
		for i, next := lo, lo; i < hi; i++ {
			if i == next {
				if e.stopped() {
					return
				}
				next += e.poll
			}
			// The plan row e_j = exp((f_i + g_j − C_ij)/ε) with its sum and
			// Σ_j e_j C_ij; a SqEuclidean cloud's cost row is computed in
			// registers and only materialized for the rare fallbacks.
			row := e.expBuf[w]
			var c []float64
			var r, dot float64
			if e.sqYT != nil {
				r, dot = lse.SqDistExpSumDot(row, e.sqX.RawRowView(i), e.sqYT, e.sqScale, e.f[i], e.g, k)
			} else {
				c = e.row(w, i)
				r, dot = lse.AffineExpSumDot(row, e.f[i], e.g, c, k)
			}
			var ri, scale float64
			if r >= tiny && r <= huge {
				fi := e.fStep(i, math.Log(r))
				scale = rho(fi, e.f[i], k)
				ri = scale * r
				e.fNext[i] = fi
			} else {
				if c == nil {
					c = e.row(w, i)
				}
				fi := e.fStep(i, lse.AffineLSE(e.f[i], e.g, c, k))
				ri, dot = lse.AffineExpSumDot(row, fi, e.g, c, k)
				scale = 1
				e.fNext[i] = fi
			}
			// The new plan's row is scale·row: add it to the column sums;
			// its <P_i, C_i> is scale·dot.
			if e.trackLin {
				li := scale * dot
				if math.IsNaN(li) {
					if c == nil {
						c = e.row(w, i)
					}
					li = scale * dotSkipZeros(row, c) // forbidden pairs: 0·Inf
				}
				lin += li
			}
			lse.AddScaled(p, scale, row)
			re += e.resA(i, e.fNext[i], ri, e.eps)
			e.rsNext[i] = ri
		}
		e.rowErrs[b] = re
		e.lins[b] = lin
	})
	if e.stopped() {
		return false, false
	}
	e.f, e.fNext = e.fNext, e.f
	e.rs, e.rsNext = e.rsNext, e.rs
	e.rowErr = floats.Sum(e.rowErrs)
	e.lin = floats.Sum(e.lins)
	e.reduce(e.cs)
	e.figOK = e.trackLin && finiteSums(e.rs, e.cs, e.lin)
	e.iterate, e.curEps = true, e.eps
	for j, v := range e.cs {
		if !(v >= tiny && v <= huge) {
			return false, true
		}
		e.lc[j] = math.Log(v)
	}
	return true, true
}

// fStep is the (over-relaxed) f-update of row i given the log row sum lr
// of the current plan.
func (e *logDomain) fStep(i int, lr float64) float64 {
	if !math.IsInf(e.rhoA, 1) {
		return e.f[i] + e.omega*relaxedStep(e.f[i], e.loga[i], lr, e.eps, e.rhoA)
	}
	return e.f[i] + e.omega*e.eps*(e.loga[i]-lr)
}

// rho is exp((fi − f)/ε), the factor between the rows of the plans of f
// and of f with f_i replaced by fi.
func rho(fi, f, k float64) float64 { return math.Exp((fi - f) * k) }

// dotSkipZeros is Σ_j x_j c_j over the x_j ≠ 0 (c_j = +Inf where x_j = 0).
func dotSkipZeros(x, c []float64) float64 {
	var d float64
	for j, v := range x {
		if v != 0 {
			d += v * c[j]
		}
	}
	return d
}

func (e *logDomain) marginalError() (float64, bool) {
	if !e.lcValid {
		var ok bool
		if e.rowErr, ok = e.colSums(e.lc, e.eps, false); !ok {
			return 0, false
		}
		e.lcValid = true
	}
	colErr := 0.0
	for j, v := range e.lc {
		colErr += e.resB(j, e.g[j], math.Exp(v), e.eps)
	}
	return e.rowErr + colErr, true
}

func (e *logDomain) tracked() (r, c []float64, lin float64, ok bool) {
	return e.rs, e.cs, e.lin, e.figOK
}

func (e *logDomain) planSums() (r, c []float64, lin float64) { return e.state.planSums() }

func (e *logDomain) finish() {}
