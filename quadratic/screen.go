package quadratic

import "math"

// screen implements exact working-set evaluation. The entries that can be
// active, X_ij = F_i + G_j − C_ij > 0, are a subset of the candidates
// {X⁰_ij > −margin} found at the last full evaluation (reference point x⁰)
// as long as X_ij − X⁰_ij < margin for every (i, j), which a cheap O(n + m)
// drift bound certifies. While it does, objectives evaluate over the
// candidates only (O(#candidates) instead of O(nm)); otherwise they make a
// full pass and collect new candidates. The margin follows the step sizes:
// 16 times the recent drift between consecutive evaluations (a running
// maximum decaying by 0.8 per evaluation), so that a rebuild is needed only every several iterations
// and the candidate set shrinks as the iterates converge.
type screen struct {
	ref, prev []float64
	margin    float64 // candidates collected with this margin (+Inf: none)
	maxStep   float64
	valid     bool // candidates are usable
	started   bool
	since     int // evaluations since the last rebuild
	drift     func(x, ref []float64) float64
}

const (
	marginFactor = 16
	stepDecay    = 0.8 // per evaluation, so old large steps are forgotten
)

func newScreen(dim int, drift func(x, ref []float64) float64) *screen {
	return &screen{ref: make([]float64, dim), prev: make([]float64, dim), margin: math.Inf(1), drift: drift}
}

// sparseOK records x as evaluated and reports whether the candidates cover
// every entry that can be active at x. When it returns false the caller
// makes a full evaluation and must call rebuilt with the margin it used
// (newMargin) and whether the candidates fit.
func (s *screen) sparseOK(x []float64) bool {
	if s.started {
		s.maxStep = math.Max(stepDecay*s.maxStep, math.Max(0, s.drift(x, s.prev)))
	}
	s.started = true
	copy(s.prev, x)
	s.since++
	if s.valid && s.since >= shrinkAfter && marginFactor*s.maxStep < s.margin/shrinkRatio {
		// The steps have become much smaller than the margin: rebuild
		// now to shrink the working set.
		return false
	}
	return s.covers(x)
}

// covers reports whether the candidates contain every entry that can be
// active at x: X_ij − X⁰_ij ≤ drift(x, x⁰) ≤ margin, so X_ij > 0 implies
// X⁰_ij > −margin.
func (s *screen) covers(x []float64) bool {
	return s.valid && s.drift(x, s.ref) <= s.margin
}

// A rebuild is forced after shrinkAfter evaluations when the margin it
// would use is below 1/shrinkRatio of the current one.
const (
	shrinkAfter = 8
	shrinkRatio = 8
)

// newMargin returns the margin for a full evaluation (+Inf before any step
// size is known: then only the active entries are collected).
func (s *screen) newMargin() float64 {
	if s.maxStep == 0 {
		return math.Inf(1)
	}
	return marginFactor * s.maxStep
}

// rebuilt records a full evaluation at x with candidates collected at
// margin (ok = false: they did not fit and are unusable).
func (s *screen) rebuilt(x []float64, margin float64, ok bool) {
	copy(s.ref, x)
	s.margin = margin
	s.valid = ok
	s.maxStep = 0
	s.since = 0
}

// invalidate forces the next evaluation to be a full one.
func (s *screen) invalidate() { s.valid = false }

// maxDiff returns max_k (x_k − y_k).
func maxDiff(x, y []float64) float64 {
	m := math.Inf(-1)
	y = y[:len(x)]
	for k, v := range x {
		if d := v - y[k]; d > m {
			m = d
		}
	}
	return m
}

// candidates are the working set of one chunk of rows of the dual: for
// local row r, entries ptr[r]:ptr[r+1] of idx (the columns; the costs are
// read from the dense matrix).
type candidates struct {
	ptr []int32
	idx []int32
}

// reset prepares for lines lines and up to size entries.
func (c *candidates) reset(lines, size int) {
	if cap(c.ptr) < lines+1 {
		c.ptr = make([]int32, lines+1)
	}
	c.ptr = c.ptr[:lines+1]
	c.ptr[0] = 0
	if cap(c.idx) < size {
		c.idx = make([]int32, size)
	}
	c.idx = c.idx[:0]
}
