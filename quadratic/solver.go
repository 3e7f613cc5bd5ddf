package quadratic

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"

	"github.com/otkit/otkit/internal/semidual"
	"github.com/otkit/otkit/internal/support"
	"github.com/otkit/otkit/ot"
)

// Method selects the formulation and the optimizer.
type Method int

const (
	// Newton is the semismooth Newton method on the dual (Lorenz, Manns,
	// Meyer) with the globalization described in the package doc; by far
	// the fastest on the benchmarks, especially for tight tolerances. The
	// default.
	Newton Method = iota
	// SemiDualLBFGS maximizes the semi-dual S(F) by L-BFGS; each column
	// of the plan is a projection onto the scaled simplex, so the column
	// marginals hold exactly.
	SemiDualLBFGS
	// DualLBFGS maximizes the dual D(F, G) by L-BFGS; each evaluation is
	// one pass over the cost without sorting, both marginals approximate.
	DualLBFGS
)

var methodNames = [...]string{Newton: "Newton", SemiDualLBFGS: "SemiDualLBFGS", DualLBFGS: "DualLBFGS"}

// String returns the method name.
func (m Method) String() string {
	if m >= 0 && int(m) < len(methodNames) {
		return methodNames[m]
	}
	return fmt.Sprintf("Method(%d)", int(m))
}

// Solver solves quadratically-regularized OT,
//
//	min_{T ∈ U(a,b)} <T,C> + (γ/2)‖T‖²_F.
//
// The zero value is ready to use: a data-relative γ (see Gamma),
// semismooth Newton, MarginalError tolerance 1e-9 × mass.
//
// Relaxed marginals (Problem.RhoA, Problem.RhoB: penalties ρ KL(·‖w) in
// place of the constraints, docs/quadratic.md §11) are solved too: one
// side relaxed by the semi-dual (Newton and SemiDualLBFGS) or the dual
// (DualLBFGS), both sides relaxed by DualLBFGS whatever Method says. Tol
// then bounds the KKT residual ‖∇‖₁ of that dual, which includes the hard
// side's MarginalError.
type Solver struct {
	// Gamma is the regularization strength γ > 0, in cost units per unit
	// mass (see the package doc on scaling); 0 means DefaultGammaFactor ×
	// (max C − min C) × max(n, m) / mass over the finite costs of the rows
	// and columns of positive weight (n, m count them).
	Gamma float64
	// Method selects the algorithm; the zero value is Newton.
	Method Method
	// Tol is the target MarginalError ‖T1 − a‖₁ + ‖Tᵀ1 − b‖₁ relative to
	// the total mass ΣA: Converged means MarginalError ≤ Tol·ΣA; 0 means
	// 1e-9.
	Tol float64
	// MaxIter bounds the iterations; 0 means 1000 for the L-BFGS methods and
	// 200 Newton iterations per γ-continuation stage for Newton (whose
	// L-BFGS fallback gets MaxIter, or 1000, more).
	MaxIter int
	// Memory is the number of L-BFGS correction pairs; 0 means 10.
	Memory int
	// Init, if not nil, warm-starts from potentials in cost units (the F, G
	// of an earlier Result). SemiDualLBFGS uses only F; a nil F or G
	// starts that side from zeros (DualLBFGS) or from the c-transform
	// (Newton).
	Init *ot.Potentials
	// Workers is the number of goroutines used to evaluate the objective;
	// 0 or 1 means the calling goroutine only. Results are bitwise
	// identical for any value.
	Workers int
	// MaxDenseBytes bounds the memory of the dense n×m matrix built from a
	// cost that is not an *ot.DenseCost (an *ot.PointCloud of 20 000 ×
	// 20 000 points would take 3.2 GB). Beyond it, a squared-Euclidean or
	// Euclidean *ot.PointCloud is solved by SemiDualLBFGS with the cost
	// columns computed on demand from the points (memory O((n+m)·d) plus
	// O(n) per worker and the plan; the same result, bit for bit, as with
	// the matrix), while the other methods and costs are an error wrapping
	// ot.ErrParameter. 0 means DefaultMaxDenseBytes (1 GiB). An
	// *ot.DenseCost is used in place (copied once, scaled by a power of
	// two, when its largest |entry| is outside [1/√2, √2)).
	MaxDenseBytes int64
	// Progress, if not nil, is called after every iteration with the
	// iteration count and the current MarginalError.
	Progress ot.Progress
}

// instance is the reduced problem (positive weights only) in dense form.
type instance struct {
	n, m int
	a, b []float64
	c    []float64 // n×m row-major (nil with src)
	// src, if not nil, computes the columns of the cost on demand instead
	// of c (a point cloud above MaxDenseBytes; SemiDualLBFGS only).
	src        *semidual.Cloud
	ct         []float64 // m×n, built on demand by transpose
	cmin, cmax float64   // finite range of c
	gamma      float64
	mass       float64
	workers    int
	// ctx, if not nil, is checked inside the long passes (every chunk of
	// rows or columns), so that cancellation is honoured within a pass.
	ctx context.Context
	// owned are the buffers to release (see alloc), c and ct among them
	// unless c is the caller's dense data.
	owned [][]float64
}

// transpose builds ct; it reports false, leaving ct unset, when the
// context is canceled.
func (in *instance) transpose() bool {
	if in.ct != nil {
		return true
	}
	n, m := in.n, in.m
	ct := in.alloc(n * m)
	const blk = 32
	for i0 := 0; i0 < n; i0 += blk {
		if in.ctx != nil && in.ctx.Err() != nil {
			return false
		}
		for j0 := 0; j0 < m; j0 += blk {
			for i := i0; i < min(i0+blk, n); i++ {
				for j := j0; j < min(j0+blk, m); j++ {
					ct[j*n+i] = in.c[i*m+j]
				}
			}
		}
	}
	in.ct = ct
	return true
}

func (s *Solver) settings() (gamma, tol float64, err error) {
	gamma, tol = s.Gamma, s.Tol
	if tol == 0 {
		tol = 1e-9
	}
	if !(gamma >= 0) || math.IsInf(gamma, 1) {
		return 0, 0, fmt.Errorf("%w: quadratic: Gamma = %v (want 0 < γ < ∞, or 0 for the default)", ot.ErrParameter, s.Gamma)
	}
	if !(tol > 0) || math.IsInf(tol, 1) {
		return 0, 0, fmt.Errorf("%w: quadratic: Tol = %v (want > 0)", ot.ErrParameter, s.Tol)
	}
	if s.MaxIter < 0 || s.Memory < 0 || s.Workers < 0 || s.MaxDenseBytes < 0 {
		return 0, 0, fmt.Errorf("%w: quadratic: negative MaxIter, Memory, Workers or MaxDenseBytes", ot.ErrParameter)
	}
	if s.Method < Newton || s.Method > DualLBFGS {
		return 0, 0, fmt.Errorf("%w: quadratic: unknown method %d", ot.ErrParameter, int(s.Method))
	}
	return gamma, tol, nil
}

// Solve solves the problem. Bad data and settings give an error wrapping
// an ot sentinel; non-convergence is reported in Result.Status.
func (s *Solver) Solve(ctx context.Context, p *ot.Problem) (*ot.Result, error) {
	gamma, tol, err := s.settings()
	if err != nil {
		return nil, err
	}
	if err := p.ValidateFor("quadratic.Solver", ot.Support{RelaxA: true, RelaxB: true}, s.Init); err != nil {
		return nil, err
	}
	if ctx == nil {
		ctx = context.Background()
	}
	if !p.Balanced() {
		if s.Method == DualLBFGS || (!p.HardA() && !p.HardB()) {
			// Both sides relaxed, or the dual asked for: D_ρ by
			// DualLBFGS (docs/quadratic.md §11.2).
			return s.solveUnbalanced(ctx, p, gamma, tol)
		}
		return s.solveRelaxed(ctx, p, gamma, tol)
	}
	red := support.Reduce(p)
	in, sc, err := s.setup(ctx, red, gamma)
	if err != nil {
		return nil, err
	}
	if in == nil {
		return canceledResult(p), nil
	}
	defer in.release()
	f0, g0 := s.initial(red)
	f0, g0 = scaled(f0, -sc.costExp), scaled(g0, -sc.costExp)
	userTol := tol
	tol *= in.mass

	// run reports progress in the caller's units.
	run := *s
	if s.Progress != nil && sc.massExp != 0 {
		run.Progress = func(it int, merr float64) { s.Progress(it, math.Ldexp(merr, sc.massExp)) }
	}
	var st state
	switch s.Method {
	case DualLBFGS:
		st = run.solveDual(ctx, in, f0, g0, tol)
	case SemiDualLBFGS:
		st = run.solveSemiDual(ctx, in, f0, tol, state{})
	default:
		st = run.solveNewton(ctx, in, f0, g0, tol)
	}
	if ctx.Err() != nil && st.status != ot.Converged {
		// However the optimizer ended (a canceled pass makes the L-BFGS
		// line search fail), the solve was canceled.
		st.status = ot.Canceled
	}
	if st.active != nil && len(st.active.ptr) != in.n+1 {
		st.status, st.f = ot.Canceled, nil // a pass over the cost was cut short
	}
	if st.f == nil || (st.cols == nil && st.active == nil) {
		// Canceled before the first iterate, or with one whose plan would
		// take too long to build.
		return canceledResult(p), nil
	}
	res := s.result(p, red, in, &st)
	scaleBack(res, sc, p, red, &st)
	if res.Status == ot.Converged && !(res.MarginalError <= userTol*floats.Sum(p.A)) {
		// The methods stop on their internal figures; the returned plan's
		// marginal error, in the caller's units, can exceed the target by
		// a rounding. Converged is decided on the figure returned.
		res.Status = ot.Stalled
		if s.MaxIter > 0 && res.Iterations >= s.MaxIter {
			res.Status = ot.IterationLimit
		}
	}
	return res, nil
}

// DefaultGammaFactor is the factor c of the default γ = c·(max C − min C)·
// max(n, m)/mass (see the package doc).
const DefaultGammaFactor = 0.01

// defaultGamma returns the default γ of the instance: DefaultGammaFactor
// times the cost range per average row or column mass, or per unit of the
// largest |C| when the costs are all equal (the plan does not depend on γ
// then), and at least minGammaRatio·max|C|.
func defaultGamma(in *instance) float64 {
	scale := math.Max(math.Abs(in.cmin), math.Abs(in.cmax))
	r := in.cmax - in.cmin
	if !(r > 0) {
		r = scale
	}
	if !(r > 0) {
		r = 1
	}
	g := DefaultGammaFactor * r * float64(max(in.n, in.m)) / in.mass
	return math.Max(g, minGammaRatio*scale)
}

// minGammaRatio is the smallest γ/max|C| accepted.
const minGammaRatio = 1e-9

// finiteRange returns the smallest and largest finite entries (+Inf entries
// are forbidden pairs; Validate guarantees a finite one).
func finiteRange(c []float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	// The bounds are tested four entries at a time: they rarely move.
	k := 0
	for ; k+4 <= len(c); k += 4 {
		q := c[k : k+4 : k+4]
		if q[0] >= lo && q[1] >= lo && q[2] >= lo && q[3] >= lo &&
			q[0] <= hi && q[1] <= hi && q[2] <= hi && q[3] <= hi {
			continue
		}
		lo, hi = rangeUpdate(q, lo, hi)
	}
	return rangeUpdate(c[k:], lo, hi)
}

func rangeUpdate(c []float64, lo, hi float64) (float64, float64) {
	for _, v := range c {
		if v < lo {
			lo = v
		}
		if v > hi && !math.IsInf(v, 1) {
			hi = v
		}
	}
	return lo, hi
}

// state is what a method hands back: potentials, the dual value there, its
// plan (the semi-dual's columns or the dual's active set) and the
// iteration record. f == nil: no iterate to return (canceled).
type state struct {
	f, g       []float64
	cols       *semidual.Columns // the semi-dual evaluated at f (SemiDualLBFGS), or nil
	active     *activeSet        // the active entries at f, g (dual methods), or nil
	dualValue  float64
	status     ot.Status
	iterations int
	history    []float64
}

// initial maps Init onto the reduced problem (nil where not given).
func (s *Solver) initial(red *support.Reduced) (f, g []float64) {
	if s.Init == nil {
		return nil, nil
	}
	pick := func(x []float64, idx []int) []float64 {
		if x == nil {
			return nil
		}
		out := make([]float64, 0, len(x))
		if idx == nil {
			out = append(out, x...)
		} else {
			for _, i := range idx {
				out = append(out, x[i])
			}
		}
		for k, v := range out {
			if math.IsInf(v, 0) {
				out[k] = 0
			}
		}
		return out
	}
	// Rows and Cols are both nil when nothing was removed.
	return pick(s.Init.F, red.Rows), pick(s.Init.G, red.Cols)
}

func l1(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += math.Abs(v)
	}
	return s
}

// recorder appends the MarginalError of every iteration to the history and
// reports progress.
func (s *Solver) record(st *state, it int, merr float64) {
	st.history = append(st.history, merr)
	st.iterations = it
	if s.Progress != nil {
		s.Progress(it, merr)
	}
}
