package sinkhorn

import (
	"math"

	"github.com/otkit/otkit/internal/lse"
	"github.com/otkit/otkit/ot"
)

// planSums evaluates the plan of (f, g) at the target ε in one streaming
// pass (n·m exps) and returns its row sums, column sums and <P, C>. It is
// the figures of the result and does not stop for cancellation.
func (s *state) planSums() (r, col []float64, lin float64) {
	k := 1 / s.eps
	r = make([]float64, s.n)
	lins := make([]float64, s.nb)
	bufs := make([][]float64, s.set.workers)
	for w := range bufs {
		bufs[w] = make([]float64, s.m)
	}
	s.blocks(func(w, b, lo, hi int) {
		p := s.part[b]
		clear(p)
		var l float64
		for i := lo; i < hi; i++ {
			c := s.row(w, i)
			row := lse.AffineExpTo(bufs[w], s.f[i], s.g, c, k)
			r[i], l = addRow(row, c, p, l)
		}
		lins[b] = l
	})
	col = make([]float64, s.m)
	s.reduce(col)
	for _, l := range lins {
		lin += l
	}
	return r, col, lin
}

// summarize fills LinearCost, MarginalError, Value (Value_K) and DualValue
// from the plan's row sums r, column sums c and <P, C> = lin:
//
//	Value_K = Σ r_i (f_i − ε log a_i) + Σ c_j (g_j − ε log b_j) + ε (M² − Σ P)
//	D       = Σ a_i (f_i − ε log a_i) + Σ b_j (g_j − ε log b_j) + ε (M² − Σ P)
//
// with M = Σ a.
func (s *state) summarize(res *ot.Result, r, col []float64, lin, eps float64) {
	var mass, total, primal, dual, merr float64
	for i, ri := range r {
		ft := s.f[i] - eps*s.loga[i]
		primal += ri * ft
		dual += s.a[i] * ft
		total += ri
		mass += s.a[i]
		merr += math.Abs(ri - s.a[i])
	}
	for j, cj := range col {
		gt := s.g[j] - eps*s.logb[j]
		primal += cj * gt
		dual += s.b[j] * gt
		merr += math.Abs(cj - s.b[j])
	}
	res.LinearCost = lin
	res.MarginalError = merr
	if s.relaxed {
		s.summarizeRelaxed(res, r, col, lin, eps)
		return
	}
	res.Value = primal + eps*(mass*mass-total)
	res.DualValue = dual + eps*(mass*mass-total)
}

// finalize is a log-domain f-update at the target ε with a max-shifted
// log-sum-exp, fused with the sums of the new plan, whose rows sum to a
// (so its entries are at most a_i, whatever g). It makes a result from
// potentials that are not an iterate at the target ε, in one pass that
// does not stop for cancellation.
func (s *state) finalize() (r, col []float64, lin float64) {
	k := 1 / s.eps
	r = make([]float64, s.n)
	lins := make([]float64, s.nb)
	bufs := make([][]float64, s.set.workers)
	for w := range bufs {
		bufs[w] = make([]float64, s.m)
	}
	s.blocks(func(w, b, lo, hi int) {
		p := s.part[b]
		clear(p)
		var l float64
		for i := lo; i < hi; i++ {
			c := s.row(w, i)
			if lr := lse.AffineLSE(s.f[i], s.g, c, k); s.relaxed && !math.IsInf(s.rhoA, 1) {
				s.f[i] += relaxedStep(s.f[i], s.loga[i], lr, s.eps, s.rhoA)
			} else {
				s.f[i] += s.eps * (s.loga[i] - lr)
			}
			row := lse.AffineExpTo(bufs[w], s.f[i], s.g, c, k)
			r[i], l = addRow(row, c, p, l)
		}
		lins[b] = l
	})
	col = make([]float64, s.m)
	s.reduce(col)
	for _, l := range lins {
		lin += l
	}
	s.curEps = s.eps
	return r, col, lin
}

// addRow adds a plan row to the column sums p and its part of <P, C> to l,
// and returns the row's sum and the new l (zero entries skipped, so +Inf
// costs of zero mass add nothing).
func addRow(row, c, p []float64, l float64) (ri, lout float64) {
	for j, x := range row {
		if x != 0 {
			ri += x
			p[j] += x
			l += x * c[j]
		}
	}
	return ri, l
}
