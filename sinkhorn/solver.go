package sinkhorn

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"

	"github.com/otkit/otkit/internal/support"
	"github.com/otkit/otkit/ot"
)

// Method selects the Sinkhorn iteration.
type Method int

const (
	// Auto turns ε-scaling on when ε is small relative to the cost range
	// (see Solver.ScalingRatio) and then uses Sparse when its kernel
	// (24·n·m bytes before truncation) fits in MaxKernelBytes; otherwise
	// it uses Stabilized when the stored kernel (8·n·m bytes) fits and
	// LogDomain when it does not; with adaptive over-relaxation unless
	// Relax is set. Its stored dense kernel is float32 when large (see
	// Precision).
	Auto Method = iota
	// LogDomain iterates on the potentials with log-sum-exp updates,
	// streaming the cost a row at a time (O(n+m) memory besides the cost).
	// Every method solves relaxed marginals (RhoA, RhoB); see Unbalanced
	// transport in the package doc.
	LogDomain
	// Stabilized iterates on scalings with a stored kernel, two
	// matrix-vector products per sweep, absorbing the scalings into the
	// potentials when they leave [e^−τ, e^τ] and falling back to a
	// log-domain half-step when a kernel sum underflows (Schmitzer 2019).
	Stabilized
	// Sparse is Stabilized with a truncated kernel (Schmitzer 2019):
	// entries below θ (Solver.Truncation) are dropped, so a sweep costs
	// O(nnz); the kernel is re-truncated at every absorption (τ at most 7).
	// Its convergence checks report the truncated plan's marginal error
	// plus twice the bound on the dropped mass, so Converged holds for the
	// full plan, whose figures the Result reports. It stores 24 bytes per
	// kept entry (by rows and by columns), nearly all n·m of them when ε is
	// large relative to the cost range; each truncation is a pass over the
	// whole cost.
	Sparse
)

var methodNames = [...]string{Auto: "Auto", LogDomain: "LogDomain", Stabilized: "Stabilized", Sparse: "Sparse"}

// String returns the method name.
func (m Method) String() string {
	if m >= 0 && int(m) < len(methodNames) {
		return methodNames[m]
	}
	return fmt.Sprintf("Method(%d)", int(m))
}

// EpsScaling configures ε-scaling (annealing): stages at
// ε_k = max(Eps, Start·Decay^k), k = 0, 1, …, the potentials (in cost
// units) carried from stage to stage. Zero fields take their defaults.
type EpsScaling struct {
	// Start is the first stage's ε; zero means max(C) − min(C) over the
	// finite entries.
	Start float64
	// Decay is the ratio between consecutive stages, in (0, 1); zero means 0.5.
	Decay float64
	// StageTol ends an intermediate stage at the first check with
	// MarginalError ≤ StageTol × M (M as in Solver.Tol); zero means 1e-3.
	StageTol float64
	// StageMaxIter bounds the sweeps of an intermediate stage; zero means 100.
	StageMaxIter int
}

// defaults sets the zero fields but Start to their defaults.
func (sc *EpsScaling) defaults() {
	if sc.Decay == 0 {
		sc.Decay = 0.5
	}
	if sc.StageTol == 0 {
		sc.StageTol = 1e-3
	}
	if sc.StageMaxIter == 0 {
		sc.StageMaxIter = 100
	}
}

// Solver is entropic optimal transport by Sinkhorn iterations. The zero
// value is ready to use; every zero field takes the default documented on
// it.
type Solver struct {
	// Eps is the entropic regularization ε in cost units; zero means
	// 0.05·std(C) (population standard deviation over the finite entries,
	// OTT-JAX's default), or 1 when that is zero. Negative, NaN or
	// infinite values are errors.
	Eps float64
	// Tol is the stopping tolerance on the MarginalError
	// ‖P1 − a‖₁ + ‖Pᵀ1 − b‖₁ relative to the mass M = Σa (Converged
	// means MarginalError ≤ Tol × M); zero means 1e-9. With relaxed
	// marginals it bounds the fixed-point residual instead, and M is the
	// hard side's mass, max(Σa, Σb) when both are relaxed (see Unbalanced
	// transport in the package doc).
	Tol float64
	// CheckEvery is the number of sweeps between convergence checks; zero
	// means 10.
	CheckEvery int
	// MaxIter bounds the sweeps (all ε-scaling stages together); zero means
	// 10000.
	MaxIter int
	// Method selects the iteration; the zero value is Auto.
	Method Method
	// AbsorbThreshold is τ: Stabilized absorbs the scalings into the
	// potentials when some |log u_i| or |log v_j| exceeds it; zero means
	// ln(1e3) (scalings in [1e-3, 1e3], safe even in float32) for
	// Stabilized and 30 for Auto (float64 has the room: with u_i v_j ≤ e^60,
	// kernel entries that underflowed stand for plan entries below 1e-280;
	// fewer absorptions, each n·m exps).
	AbsorbThreshold float64
	// Relax is the over-relaxation ω of the potential updates,
	// f ← f + ω (T(f) − f) with T the plain Sinkhorn update (Thibault et
	// al., "Overrelaxed Sinkhorn–Knopp algorithm for regularized optimal
	// transport", 2017; Lehmann et al. 2021). Over-relaxation is only
	// locally convergent, so every ω > 1 applies once the MarginalError is
	// below 0.1·M and decreasing, and the sweeps go back to plain ones (with
	// the step ω − 1 halved) whenever the error grows fourfold. Values in
	// [1, 2) are the target ω, 1 being plain Sinkhorn. Zero means adaptive
	// for Method Auto (ω = 2/(1 + √(1 − κ)) with κ the linear rate per
	// sweep estimated from the last two checks, capped at 1.95; lowered,
	// ω − 1 times 0.8, when the observed rate is that of an ω above the
	// optimum, |λ| ≈ ω − 1) and 1 for LogDomain and Stabilized.
	Relax float64
	// MaxKernelBytes is the memory Auto may spend on a stored kernel; zero
	// means 256 MiB.
	MaxKernelBytes int
	// Precision is the floating-point type of Stabilized's stored kernel;
	// the zero value (AutoPrecision) is Float32 for Method Auto when the
	// kernel is large and its rounding is within the tolerance (see
	// Precision), Float64 otherwise.
	Precision Precision
	// Scaling enables ε-scaling when non-nil.
	Scaling *EpsScaling
	// ScalingRatio: with Method Auto and Scaling nil, ε-scaling with the
	// default EpsScaling is turned on when (max C − min C)/ε exceeds it
	// (plain Sinkhorn needs O((max C − min C)/ε) sweeps) and Init is nil
	// (a warm start is taken to be close); zero means 2000, a negative value
	// never.
	ScalingRatio float64
	// Truncation is θ, the kernel entries that Sparse drops (in the
	// absorbed kernel, whose scalings stay in [e^−τ, e^τ]); zero means
	// automatic: θ = Tol·M/(200·n·m)·e^{−2τ}, so that the dropped plan
	// mass is at most Tol·M/200. A θ set by hand may keep Sparse from
	// converging at Tol.
	Truncation float64
	// Init, when non-nil, warm-starts from potentials in cost units (from
	// POT's sinkhorn_log use F = ε·log_u). Only F matters: the first
	// g-update overwrites G (which LogDomain uses as a shift), so either
	// slice may be nil. Lengths must match the problem.
	Init *ot.Potentials
	// Workers is the number of goroutines for the row blocks; zero means
	// one. Results are bitwise identical for any value.
	Workers int
	// Progress, when non-nil, is called at each convergence check.
	Progress ot.Progress
}

// Defaults of the zero-valued settings.
const (
	DefaultTol            = 1e-9
	DefaultCheckEvery     = 10
	DefaultMaxIter        = 10000
	DefaultMaxKernelBytes = 256 << 20
	defaultEpsScale       = 0.05
	DefaultScalingRatio   = 2000
	autoAbsorbThreshold   = 30
)

// DefaultAbsorbThreshold is τ = ln(1e3).
var DefaultAbsorbThreshold = math.Log(1e3)

// settings are the resolved (defaulted and checked) parameters of a solve.
type settings struct {
	tol, tau   float64
	checkEvery int
	maxIter    int
	method     Method
	kernelMax  int
	workers    int
	scaling    EpsScaling
	scale      bool
	omega      float64 // fixed over-relaxation, or 0 for adaptive
	ratio      float64 // Auto's ε-scaling ratio (≤ 0: never)
	theta      float64 // Sparse's θ (0: automatic)
	precision  Precision
}

func (s *Solver) settings() (settings, error) {
	r := settings{
		tol: s.Tol, tau: s.AbsorbThreshold, checkEvery: s.CheckEvery, maxIter: s.MaxIter,
		method: s.Method, kernelMax: s.MaxKernelBytes, workers: s.Workers,
		ratio: s.ScalingRatio, theta: s.Truncation, precision: s.Precision,
	}
	bad := func(name string, v any) (settings, error) {
		return settings{}, fmt.Errorf("%w: sinkhorn: %s = %v", ot.ErrParameter, name, v)
	}
	if !(s.Eps >= 0) || math.IsInf(s.Eps, 1) {
		return bad("Eps", s.Eps)
	}
	if !(r.tol >= 0) || math.IsInf(r.tol, 1) {
		return bad("Tol", s.Tol)
	}
	if r.tol == 0 {
		r.tol = DefaultTol
	}
	if !(r.tau >= 0) || math.IsInf(r.tau, 1) {
		return bad("AbsorbThreshold", s.AbsorbThreshold)
	}
	if r.tau == 0 {
		r.tau = DefaultAbsorbThreshold
		if r.method == Auto {
			r.tau = autoAbsorbThreshold
		}
	}
	if !(s.Relax == 0 || s.Relax >= 1 && s.Relax < 2) {
		return bad("Relax", s.Relax)
	}
	r.omega = s.Relax
	if r.omega == 0 && r.method != Auto {
		r.omega = 1
	}
	switch {
	case r.checkEvery < 0:
		return bad("CheckEvery", r.checkEvery)
	case r.maxIter < 0:
		return bad("MaxIter", r.maxIter)
	case r.kernelMax < 0:
		return bad("MaxKernelBytes", r.kernelMax)
	case r.workers < 0:
		return bad("Workers", r.workers)
	case r.method < Auto || r.method > Sparse:
		return bad("Method", r.method)
	case r.precision < AutoPrecision || r.precision > Float32:
		return bad("Precision", r.precision)
	case math.IsNaN(r.ratio):
		return bad("ScalingRatio", r.ratio)
	case !(r.theta >= 0 && r.theta < 1):
		return bad("Truncation", r.theta)
	}
	if r.ratio == 0 {
		r.ratio = DefaultScalingRatio
	}
	if r.checkEvery == 0 {
		r.checkEvery = DefaultCheckEvery
	}
	if r.maxIter == 0 {
		r.maxIter = DefaultMaxIter
	}
	if r.kernelMax == 0 {
		r.kernelMax = DefaultMaxKernelBytes
	}
	if r.workers == 0 {
		r.workers = 1
	}
	if sc := s.Scaling; sc != nil {
		r.scale = true
		r.scaling = *sc
		r.ratio = -1
		switch {
		case !(sc.Start >= 0) || math.IsInf(sc.Start, 1):
			return bad("Scaling.Start", sc.Start)
		case !(sc.Decay >= 0 && sc.Decay < 1):
			return bad("Scaling.Decay", sc.Decay)
		case !(sc.StageTol >= 0) || math.IsInf(sc.StageTol, 1):
			return bad("Scaling.StageTol", sc.StageTol)
		case sc.StageMaxIter < 0:
			return bad("Scaling.StageMaxIter", sc.StageMaxIter)
		}
	}
	r.scaling.defaults()
	return r, nil
}

// Solve runs Sinkhorn iterations on p. Invalid problems or settings return
// an error wrapping an ot sentinel; non-convergence is reported in the
// Result's Status. A nil ctx means context.Background(). The Result's Plan is an *ot.EntropicPlan evaluated
// lazily from the potentials; Value is Value_K (see the package doc) and
// DualValue the dual objective at (F, G).
func (s *Solver) Solve(ctx context.Context, p *ot.Problem) (*ot.Result, error) {
	res, _, err := s.SolveStats(ctx, p)
	return res, err
}

// Stats describes how a solve ran.
type Stats struct {
	// Method is the iteration that ran (never Auto).
	Method Method
	// Stages is the number of ε stages (1 without ε-scaling).
	Stages int
	// Support is the largest number of kernel entries Sparse kept, and
	// Dropped the entries its last kernel dropped (both 0 for the other
	// methods).
	Support, Dropped int
	// DroppedMass is Sparse's bound on the plan mass of the dropped
	// entries at the last check, in the Result's plan's units (0 for the
	// other methods).
	DroppedMass float64
	// Builds counts the kernel builds (truncations) of Sparse and
	// Stabilized.
	Builds int
	// Precision is the type of Stabilized's kernel in the first sweeps
	// (Float32 kernels are replaced by Float64 ones when the returned plan
	// needs it); AutoPrecision for the other methods.
	Precision Precision
}

// SolveStats is Solve that also reports how the solve ran.
func (s *Solver) SolveStats(ctx context.Context, p *ot.Problem) (*ot.Result, *Stats, error) {
	set, err := s.settings()
	if err != nil {
		return nil, nil, err
	}
	if err := p.ValidateFor("sinkhorn.Solver", ot.Support{RelaxA: true, RelaxB: true}, s.Init); err != nil {
		return nil, nil, err
	}
	relaxed := !p.HardA() || !p.HardB()
	if ctx == nil {
		ctx = context.Background()
	}
	eps := s.Eps
	if eps == 0 {
		var ok bool
		if eps, ok = defaultEps(p.C, func() bool { return ctx.Err() != nil }); !ok {
			eps = 1 // canceled: any ε (the result is one f-update)
		}
	}
	var dead deadLines
	q := p
	if relaxed {
		var ok bool
		if dead, ok = findDead(ctx, p); !ok {
			dead = deadLines{}
		}
		q = withoutDead(p, dead)
		if floats.Sum(q.A) == 0 || floats.Sum(q.B) == 0 {
			return deadResult(p, eps), &Stats{Method: set.method}, nil
		}
	}
	red := support.Reduce(q)
	// Normalize: cost, ε and potentials divided by a power of two close to ε
	// (exact), so that ε in the solve is about 1 for any scale of the cost.
	scale := normScale(eps)
	if scale != 1 {
		red.Problem = &ot.Problem{A: red.A, B: red.B, C: &scaledCost{c: red.C, scale: scale}}
	}
	set.scaling.Start *= scale
	st := newState(red.Problem, eps*scale, set)
	if relaxed {
		st.relaxed = true
		st.ref = relaxedRef(st.mass, floats.Sum(red.B), p.HardA(), p.HardB())
		if !p.HardA() {
			st.rhoA = p.RhoA * scale
		}
		if !p.HardB() {
			st.rhoB = p.RhoB * scale
		}
	}
	if st.tinyRho() && st.set.method != Auto {
		// Stabilized and Sparse would report a dual off by the rounding of
		// their absorbed potentials divided by ρ (see tinyRho).
		st.set.method = LogDomain
	}
	_, st.nonneg = p.C.(*ot.PointCloud)
	if s.Init != nil {
		st.set.ratio = -1
		copy(st.f, red.RowsOf(s.Init.F))
		copy(st.g, red.ColsOf(s.Init.G))
		floats.Scale(scale, st.f)
		floats.Scale(scale, st.g)
	}
	res := st.run(ctx, s.Progress)
	if scale != 1 {
		floats.Scale(1/scale, st.f)
		floats.Scale(1/scale, st.g)
		res.Value /= scale
		res.DualValue /= scale
		res.LinearCost /= scale
	}
	f := red.ExpandRows(st.f, math.Inf(-1))
	g := red.ExpandCols(st.g, math.Inf(-1))
	res.F, res.G = f, g
	res.Plan = &ot.EntropicPlan{F: f, G: g, Eps: st.curEps / scale, C: p.C}
	addDead(res, p, q, dead, st.curEps/scale)
	return res, &st.stats, nil
}

// normScale returns the power of two the cost is multiplied by in a solve
// at ε: 1, or 2^−e with ε = x·2^e, x in [½, 1), when ε is far from 1.
func normScale(eps float64) float64 {
	if _, e := math.Frexp(eps); e < -normExp || e > normExp {
		return math.Ldexp(1, -max(e, -1022)) // subnormal ε: as far as 2^1022
	}
	return 1
}

// normExp: Solve normalizes the cost when ε is outside [2^−normExp, 2^normExp]
// (inside, dividing by a power of two would not change a bit of the result).
const normExp = 32

// DefaultEps returns the ε a zero Solver.Eps stands for: 0.05 times the
// population standard deviation of the finite entries of c, or 1 when that
// is zero. It is computed without overflow or underflow for entries of any
// magnitude.
func DefaultEps(c ot.Cost) float64 {
	eps, _ := defaultEps(c, func() bool { return false })
	return eps
}

// defaultEps is DefaultEps, polling stop every few rows; when stopped it
// returns the estimate from the rows seen and false.
func defaultEps(c ot.Cost, stop func() bool) (float64, bool) {
	mo := costMoments(c, 0, stop)
	if mo.big > 0 && (mo.span < 0x1p-400 || mo.span > 0x1p400 || math.IsInf(mo.s2, 0)) {
		// Rescale by a power of two (exact) so that the squares stay in range.
		_, e := math.Frexp(mo.big)
		mo = costMoments(c, -e, stop)
		mo.sd = math.Ldexp(mo.sd, e)
	}
	if !(mo.sd > 0) || math.IsInf(mo.sd, 0) {
		return 1, !mo.stopped
	}
	return defaultEpsScale * mo.sd, !mo.stopped
}

// moments are the shifted sums of a pass over the finite cost entries
// (each multiplied by 2^exp).
type moments struct {
	s1, s2, cnt float64
	span        float64 // max |v − shift|
	big         float64 // max |v|
	sd          float64 // the population standard deviation
	stopped     bool
}

func costMoments(c ot.Cost, exp int, stop func() bool) moments {
	n, m := c.Dims()
	var mo moments
	var shift float64
	first := true
	buf := make([]float64, m)
	poll := max(1, pollEntries/m)
	for i := 0; i < n; i++ {
		if i%poll == 0 && stop() {
			mo.stopped = true
			break
		}
		for _, v := range rowOf(c, i, buf) {
			if math.IsInf(v, 0) {
				continue
			}
			if exp != 0 {
				v = math.Ldexp(v, exp)
			}
			if first {
				shift, first = v, false
			}
			d := v - shift
			mo.s1 += d
			mo.s2 += d * d
			mo.cnt++
			mo.span = math.Max(mo.span, math.Abs(d))
			mo.big = math.Max(mo.big, math.Abs(v))
		}
	}
	if mo.cnt > 0 {
		mean := mo.s1 / mo.cnt
		mo.sd = math.Sqrt(math.Max(mo.s2/mo.cnt-mean*mean, 0))
	}
	return mo
}

// scaledCost is a cost multiplied by a power of two, row by row.
type scaledCost struct {
	c     ot.Cost
	scale float64
}

func (c *scaledCost) Dims() (n, m int) { return c.c.Dims() }

func (c *scaledCost) Row(i int, dst []float64) []float64 {
	row := c.c.Row(i, dst)
	floats.Scale(c.scale, row)
	return row
}

// rowOf returns row i of c, without copying for a dense cost.
func rowOf(c ot.Cost, i int, buf []float64) []float64 {
	if d, ok := c.(*ot.DenseCost); ok {
		return d.RowView(i)
	}
	return c.Row(i, buf)
}
