package sinkhorn

import "math"

// logDomain is the log-domain iteration (§3 of the spec): every sweep is a
// streaming pass for the column sums and one for the row sums, each n·m
// exps, with the potentials as shifts so no maximum is needed except after
// a cold start.
type logDomain struct {
	*state
	eps     float64
	lc      []float64 // log column sums of the current plan, when lcValid
	lcValid bool
	gValid  bool // g has been computed (it is a usable shift)
}

func newLogDomain(s *state) *logDomain {
	return &logDomain{state: s, lc: make([]float64, s.m)}
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
	e.gValid, e.lcValid = true, false
	e.updateF(e.eps)
}

func (e *logDomain) marginalError() float64 {
	rowErr := e.colSums(e.lc, e.eps, false)
	e.lcValid = true
	colErr := 0.0
	for j, v := range e.lc {
		colErr += math.Abs(math.Exp(v) - e.b[j])
	}
	return rowErr + colErr
}

func (e *logDomain) planSums() (r, c []float64, lin float64) { return e.state.planSums() }

func (e *logDomain) finish() {}
