package sinkhorn

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"

	"github.com/otkit/otkit/internal/lse"
)

// Precision is the floating-point type of a stored dense kernel
// (Stabilized).
//
// A Float32 kernel halves the bytes each sweep reads: a sweep streams the
// kernel once, and beyond the caches it is bound by memory bandwidth.
// Rounding an entry to float32 changes it by a relative error of at most
// 2^−24, so the sweeps are exact Sinkhorn sweeps on a cost C′ with
// |C′_ij − C_ij| ≤ ε·2^−24/(1 − 2^−24) ≈ 6e-8·ε, and the marginals of their
// plan, evaluated on C, differ by at most 2^−24·M each (M = Σa; 2^−23·M in
// MarginalError; typically far less, the rounding errors having random
// signs). Entries below 2^−126, which float32 does not hold to that
// relative error, stand for plan entries whose total mass is at most
// 1e-3·Tol·M: the absorption threshold τ is lowered to
//
//	τ₃₂ = min(τ, ½(ln(1e-3·Tol·M/(n·m)) + 126 ln 2)),
//
// Float32 sweeps run until a convergence check passes; then the figures
// of the returned plan are computed from the potentials and C (n·m exps),
// and when its MarginalError exceeds Tol·M the kernel is rebuilt in float64
// and the sweeps go on. The Result's figures, Converged included, are
// always those of the returned plan, as with Float64.
type Precision int

const (
	// AutoPrecision is Float32 for Method Auto when it uses Stabilized on
	// a kernel of at least f32MinEntries entries with τ₃₂ ≥ ln(1e3), and
	// Float64 otherwise.
	AutoPrecision Precision = iota
	// Float64 stores the kernel in float64.
	Float64
	// Float32 stores the kernel in float32 until the first convergence
	// (see Precision).
	Float32
)

var precisionNames = [...]string{AutoPrecision: "AutoPrecision", Float64: "Float64", Float32: "Float32"}

// String returns the precision's name.
func (p Precision) String() string {
	if p >= 0 && int(p) < len(precisionNames) {
		return precisionNames[p]
	}
	return fmt.Sprintf("Precision(%d)", int(p))
}

// f32MinEntries: Auto uses a float32 kernel from n·m ≥ f32MinEntries (a
// float64 kernel of 8 MiB, beyond a core's L2 cache: the sweep is bound by
// memory bandwidth).
const f32MinEntries = 1 << 20

// f32MinTau: below ln(1e3) absorptions (n·m exps each) become frequent.
var f32MinTau = math.Log(1e3)

// resolvePrecision returns the kernel type of a solve with the given
// method (never AutoPrecision for Stabilized).
func (s *state) resolvePrecision(method Method) Precision {
	p := s.set.precision
	switch {
	case method != Stabilized:
		return AutoPrecision
	case p != AutoPrecision:
		return p
	case s.set.method == Auto && !s.relaxed && float64(s.n)*float64(s.m) >= f32MinEntries &&
		s.tau32() >= f32MinTau:
		return Float32
	}
	return Float64
}

// tau32 is τ₃₂ (see Precision).
func (s *state) tau32() float64 {
	nm := float64(s.n) * float64(s.m)
	t := 0.5 * (math.Log(1e-3*s.set.tol*s.ref/nm) + 126*math.Ln2)
	if t != t {
		return 0
	}
	return math.Min(s.set.tau, t)
}

// f32kernel is the float32 kernel of stabilized (single set), row block by
// row block, and the per-worker float64 rows of its builds.
type f32kernel struct {
	k32    [][]float32
	buf    [][]float64
	single bool
}

// initPrecision sets the kernel type and the absorption threshold.
func (e *stabilized) initPrecision() {
	e.tau = e.set.tau
	if e.set.precision == Float32 {
		e.single = true
		e.k32 = make([][]float32, e.nb)
		e.buf = make([][]float64, e.set.workers)
		e.tau = math.Max(e.tau32(), 1)
	}
	e.lo, e.hi = math.Exp(-e.tau), math.Exp(e.tau)
}

// toFloat64 absorbs the scalings and makes the next build a float64 one.
func (e *stabilized) toFloat64() {
	e.absorb()
	e.kValid = false
	e.single = false
	e.k32, e.buf = nil, nil
	e.tau = e.set.tau
	e.lo, e.hi = math.Exp(-e.tau), math.Exp(e.tau)
}

// allocBlock allocates block b's rows of the kernel if needed; false:
// canceled.
func (e *stabilized) allocBlock(b, rows int) bool {
	if e.single {
		if e.k32[b] == nil {
			if e.stopped() {
				return false
			}
			e.k32[b] = make([]float32, rows*e.m)
		}
		return true
	}
	if e.k[b] == nil {
		if e.stopped() {
			return false
		}
		e.k[b] = make([]float64, rows*e.m)
	}
	return true
}

// buildRow sets kernel row i from the potentials at 1/ε = k (worker w)
// and returns its sum.
func (e *stabilized) buildRow(w, i int, k float64) float64 {
	if e.single {
		if e.buf[w] == nil {
			e.buf[w] = make([]float64, e.m)
		}
		row := lse.AffineExpTo(e.buf[w], e.f[i], e.g, e.row(w, i), k)
		return lse.To32(e.krow32(i), row)
	}
	row := e.krow(i)
	lse.AffineExpTo(row, e.f[i], e.g, e.row(w, i), k)
	return floats.Sum(row)
}

// krow32 returns row i of the float32 kernel.
func (e *stabilized) krow32(i int) []float32 {
	b := i / e.blockLen
	r := i - b*e.blockLen
	return e.k32[b][r*e.m : (r+1)*e.m]
}

// dotRow returns Σ_j K_ij v_j.
func (e *stabilized) dotRow(i int, v []float64) float64 {
	if e.single {
		return lse.Dot32(e.krow32(i), v)
	}
	return lse.Dot(e.krow(i), v)
}

// addRow sets p_j += q·K_ij.
func (e *stabilized) addRow(p []float64, q float64, i int) {
	if e.single {
		lse.AddScaled32(p, q, e.krow32(i))
		return
	}
	lse.AddScaled(p, q, e.krow(i))
}

// leaveFloat32 reports whether eng is a stabilized iteration on a float32
// kernel with sweeps left; it then absorbs the scalings and makes the next
// build a float64 one.
func (s *state) leaveFloat32(eng engine, it int) bool {
	e, ok := eng.(*stabilized)
	if !ok || !e.single || it >= s.set.maxIter {
		return false
	}
	e.toFloat64()
	return true
}
