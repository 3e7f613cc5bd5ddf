package sinkhorn

import (
	"math"

	"gonum.org/v1/gonum/floats"

	"github.com/otkit/otkit/internal/lse"
)

// logDomain is the log-domain iteration (§3 of the spec) with one pass of
// n·m exps per sweep: the f-update evaluates row i of the plan of (f, g),
// e_ij = exp((f_i + g_j − C_ij)/ε), from which it gets the row sum and the
// new f_i; the new plan's row is ρ_i e_ij with ρ_i = exp((f_i' − f_i)/ε),
// and its column sums, which the next g-update and the convergence check
// need, are accumulated while the row is in cache. The potentials are the
// shifts, so no maximum is needed except after a cold start or when a sum
// leaves [tiny, huge].
type logDomain struct {
	*state
	eps     float64
	lc      []float64 // log column sums of the current plan, when lcValid
	rowErr  float64   // Σ|r_i − a_i| of the current plan, when lcValid
	lcValid bool
	gValid  bool        // g has been computed (it is a usable shift)
	expBuf  [][]float64 // per worker: a row of plan entries
	rowErrs []float64   // per block
}

func newLogDomain(s *state) *logDomain {
	e := &logDomain{state: s, lc: make([]float64, s.m), expBuf: make([][]float64, s.set.workers),
		rowErrs: make([]float64, s.nb)}
	for w := range e.expBuf {
		e.expBuf[w] = make([]float64, s.m)
	}
	return e
}

func (e *logDomain) setEps(eps float64) {
	e.eps = eps
	e.lcValid = false
}

func (e *logDomain) sweep() {
	if !e.lcValid {
		e.colSums(e.lc, e.eps, !e.gValid)
	}
	e.updateG(e.lc, e.eps)
	e.gValid = true
	e.lcValid = e.fPass()
}

// fPass is the (over-relaxed) f-update fused with the column sums of the
// new plan. It reports whether every column sum is in [tiny, huge], in
// which case lc and rowErr describe the new plan.
func (e *logDomain) fPass() bool {
	k := 1 / e.eps
	e.blocks(func(w, b, lo, hi int) {
		p := e.part[b]
		clear(p)
		var re float64
		for i := lo; i < hi; i++ {
			c := e.row(w, i)
			row := lse.AffineExpTo(e.expBuf[w], e.f[i], e.g, c, k)
			if r := floats.Sum(row); r >= tiny && r <= huge {
				fi := e.f[i] + e.omega*e.eps*(e.loga[i]-math.Log(r))
				rho := math.Exp((fi - e.f[i]) * k)
				floats.AddScaled(p, rho, row)
				re += math.Abs(rho*r - e.a[i])
				e.f[i] = fi
			} else {
				e.f[i] += e.omega * e.eps * (e.loga[i] - lse.AffineLSE(e.f[i], e.g, c, k))
				re += math.Abs(lse.AffineAddExp(p, e.f[i], e.g, c, k) - e.a[i])
			}
		}
		e.rowErrs[b] = re
	})
	e.rowErr = 0
	for _, re := range e.rowErrs {
		e.rowErr += re
	}
	e.reduce(e.lc)
	for j, v := range e.lc {
		if !(v >= tiny && v <= huge) {
			return false
		}
		e.lc[j] = math.Log(v)
	}
	return true
}

func (e *logDomain) marginalError() float64 {
	if !e.lcValid {
		e.rowErr = e.colSums(e.lc, e.eps, false)
		e.lcValid = true
	}
	colErr := 0.0
	for j, v := range e.lc {
		colErr += math.Abs(math.Exp(v) - e.b[j])
	}
	return e.rowErr + colErr
}

func (e *logDomain) planSums() (r, c []float64, lin float64) { return e.state.planSums() }

func (e *logDomain) finish() {}
