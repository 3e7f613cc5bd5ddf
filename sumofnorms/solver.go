package sumofnorms

import (
	"context"
	"fmt"
	"math"

	"github.com/otkit/otkit/exact"
	"github.com/otkit/otkit/internal/support"
	"github.com/otkit/otkit/ot"
)

// Method selects the algorithm.
type Method int

const (
	// PDHG is the diagonally preconditioned primal–dual hybrid gradient
	// method of Chambolle and Pock on the exact program, with closed-form
	// steps (docs/sumofnorms.md §5), run on a restricted support grown
	// by column generation from the exact λ = 0 plan when no pair is
	// forbidden (§5.2). The default: it reaches the certified gap on every
	// benchmark, where the smoothed dual stalls at partial fusion.
	PDHG Method = iota
	// SmoothedDual is the accelerated proximal scheme: FISTA ascent on the
	// dual of the program smoothed by (ρ/2)‖T‖², with closed-form
	// projections of the edge duals onto ℓ2 balls, gradient restarts and
	// continuation ρ → 0, so that it reaches the exact optimum too
	// (docs/sumofnorms.md §6).
	SmoothedDual
)

var methodNames = [...]string{PDHG: "PDHG", SmoothedDual: "SmoothedDual"}

// String returns the method name.
func (m Method) String() string {
	if m >= 0 && int(m) < len(methodNames) {
		return methodNames[m]
	}
	return fmt.Sprintf("Method(%d)", int(m))
}

// ParseMethod reads a method name as String writes it (case-sensitive),
// also accepting "pdhg", "fista" and "smoothed".
func ParseMethod(s string) (Method, error) {
	switch s {
	case "PDHG", "pdhg":
		return PDHG, nil
	case "SmoothedDual", "smoothed", "fista", "FISTA":
		return SmoothedDual, nil
	}
	return 0, fmt.Errorf("%w: sumofnorms: unknown method %q (PDHG, SmoothedDual)", ot.ErrParameter, s)
}

// Side selects which marginal's conditional distributions are fused.
type Side int

const (
	// Rows fuses the rows T_i/a_i of sources joined by an edge (labels
	// are source labels). The default.
	Rows Side = iota
	// Columns fuses the columns T_{:,j}/b_j of targets joined by an edge
	// (labels are target labels): the program of Rows on the transposed
	// problem.
	Columns
)

// Solver solves class-based optimal transport with a sum-of-norms
// regularizer (docs/sumofnorms.md §2):
//
//	min_{T ∈ U(a,b)} <C,T> + λ R(T),
//	R(T) = M Σ_{e=(i,i')∈E} w_e ‖T_i/a_i − T_i'/a_i'‖₂,
//
// with M = Σa the total mass (R is 1-homogeneous in the mass, so the plan
// does not depend on it) and the edge set E and weights w_e chosen by Edges
// and Weights. The zero value is ready to use: λ = 0 (exact optimal
// transport), the Auto edge set, PDHG, marginal tolerance 1e-9 × mass and
// relative duality gap 1e-8.
//
// A Solver is a value: one may be used from many goroutines at once.
type Solver struct {
	// Lambda is λ ≥ 0, in cost units (scale it with the cost).
	Lambda float64
	// Labels are the class labels (non-negative integers) of the rows
	// (Side Rows) or of the columns (Side Columns); nil means none. A
	// class of zero total weight is an error wrapping ot.ErrZeroMass.
	Labels []int
	// Side selects rows (default) or columns.
	Side Side
	// Edges selects the edge set; the zero value is Auto.
	Edges EdgeSet
	// K is the number of neighbours of the kNN edge sets; 0 means 10.
	K int
	// Weights selects the edge weights; the zero value is WeightsAuto.
	Weights Weighting
	// Sigma is σ of the Gaussian weights exp(−d²/σ²); 0 means the median
	// length of the edges.
	Sigma float64
	// Method selects the algorithm; the zero value is PDHG.
	Method Method
	// Tol is the marginal tolerance relative to the mass: Converged
	// promises MarginalError ≤ Tol·ΣA. 0 means 1e-9. (The returned plan
	// is rounded onto U(a,b), so its MarginalError is at round-off level
	// whatever Tol.)
	Tol float64
	// GapTol is the relative duality gap promised by Converged:
	// Value − DualValue ≤ GapTol·max(|Value|, |DualValue|, 1e-300), where
	// DualValue is a certified lower bound on the optimum. 0 means 1e-8.
	GapTol float64
	// MaxIter bounds the iterations; 0 means 100 000.
	MaxIter int
	// Workers is the number of goroutines of the passes over the plan;
	// 0 or 1 means the calling goroutine. Results are bitwise identical
	// for any value.
	Workers int
	// MaxDenseBytes bounds the memory of the dense n×m arrays and of the
	// edge duals (|E|×m): a larger problem is an error wrapping
	// ot.ErrParameter. 0 means DefaultMaxDenseBytes.
	MaxDenseBytes int64
	// Progress, if not nil, is called at each convergence check with the
	// iteration count and the relative duality gap.
	Progress ot.Progress
}

// DefaultMaxDenseBytes is the default of Solver.MaxDenseBytes: 1 GiB.
const DefaultMaxDenseBytes = 1 << 30

// Defaults of the zero settings.
const (
	DefaultTol     = 1e-9
	DefaultGapTol  = 1e-8
	DefaultMaxIter = 100000
	DefaultK       = 10
)

// settings checks the settings and returns them with defaults filled in.
func (s *Solver) settings() (Solver, error) {
	r := *s
	bad := func(name string, v any) (Solver, error) {
		return r, fmt.Errorf("%w: sumofnorms: %s = %v", ot.ErrParameter, name, v)
	}
	switch {
	case math.IsNaN(s.Lambda) || math.IsInf(s.Lambda, 0):
		return r, fmt.Errorf("%w: sumofnorms: Lambda = %v", ot.ErrNonFinite, s.Lambda)
	case s.Lambda < 0:
		return bad("Lambda", s.Lambda)
	case !(s.Tol >= 0) || math.IsInf(s.Tol, 0):
		return bad("Tol", s.Tol)
	case !(s.GapTol >= 0) || math.IsInf(s.GapTol, 0):
		return bad("GapTol", s.GapTol)
	case !(s.Sigma >= 0) || math.IsInf(s.Sigma, 0):
		return bad("Sigma", s.Sigma)
	case s.MaxIter < 0:
		return bad("MaxIter", s.MaxIter)
	case s.K < 0:
		return bad("K", s.K)
	case s.Workers < 0:
		return bad("Workers", s.Workers)
	case s.MaxDenseBytes < 0:
		return bad("MaxDenseBytes", s.MaxDenseBytes)
	case s.Method != PDHG && s.Method != SmoothedDual:
		return bad("Method", s.Method)
	case s.Side != Rows && s.Side != Columns:
		return bad("Side", s.Side)
	case s.Edges < Auto || s.Edges > KNN:
		return bad("Edges", s.Edges)
	case s.Weights < WeightsAuto || s.Weights > Gaussian:
		return bad("Weights", s.Weights)
	}
	for i, l := range s.Labels {
		if l < 0 {
			return r, fmt.Errorf("%w: sumofnorms: Labels[%d] = %d is negative", ot.ErrParameter, i, l)
		}
	}
	if (s.Edges == SameClass || s.Edges == SameClassKNN) && s.Labels == nil {
		return r, fmt.Errorf("%w: sumofnorms: Edges = %v needs Labels", ot.ErrParameter, s.Edges)
	}
	if r.Tol == 0 {
		r.Tol = DefaultTol
	}
	if r.GapTol == 0 {
		r.GapTol = DefaultGapTol
	}
	if r.MaxIter == 0 {
		r.MaxIter = DefaultMaxIter
	}
	if r.K == 0 {
		r.K = DefaultK
	}
	if r.MaxDenseBytes == 0 {
		r.MaxDenseBytes = DefaultMaxDenseBytes
	}
	r.Workers = max(1, r.Workers)
	return r, nil
}

// Solve solves the program for p. See the package documentation for the
// Result's conventions.
func (s *Solver) Solve(ctx context.Context, p *ot.Problem) (*ot.Result, error) {
	set, err := s.settings()
	if err != nil {
		return nil, err
	}
	if p == nil {
		return nil, fmt.Errorf("%w: sumofnorms: nil problem", ot.ErrEmpty)
	}
	if err := p.ValidateFor("sumofnorms.Solver", ot.Support{}, nil); err != nil {
		return nil, err
	}
	if ctx == nil {
		ctx = context.Background()
	}
	q := p
	if set.Side == Columns {
		q = &ot.Problem{A: p.B, B: p.A, C: ot.Transpose(p.C)}
	}
	if err := checkLabels(q, set.Labels); err != nil {
		return nil, err
	}
	if set.Lambda == 0 && exactAtZero {
		return solveExact(ctx, p)
	}
	red := support.Reduce(q)
	in, err := set.setup(ctx, red)
	if err != nil {
		return nil, err
	}
	var st *state
	if in != nil {
		if set.Method == SmoothedDual {
			st = set.solveFISTA(in)
		} else if in.useSparse() {
			st = set.solveSparsePDHG(in)
		} else {
			st = set.solvePDHG(in)
		}
		in.close()
	}
	res := finish(q, red, in, st)
	if set.Side == Columns {
		transposeResult(res)
	}
	return res, nil
}

// checkLabels checks the labels against the fused side of q.
func checkLabels(q *ot.Problem, labels []int) error {
	if labels == nil {
		return nil
	}
	if len(labels) != len(q.A) {
		return fmt.Errorf("%w: sumofnorms: %d labels for %d points", ot.ErrShape, len(labels), len(q.A))
	}
	mass := map[int]float64{}
	for i, l := range labels {
		mass[l] += q.A[i]
	}
	for l, v := range mass {
		if v == 0 {
			return fmt.Errorf("%w: sumofnorms: class %d has zero mass", ot.ErrZeroMass, l)
		}
	}
	return nil
}

// transposeResult maps the result of the transposed problem back.
func transposeResult(res *ot.Result) {
	res.F, res.G = res.G, res.F
	dp := res.Plan.(*ot.DensePlan)
	n, m := dp.N, dp.M
	t := make([]float64, n*m)
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			t[j*n+i] = dp.Data[i*m+j]
		}
	}
	res.Plan = &ot.DensePlan{N: m, M: n, Data: t}
}

// exactAtZero sends λ = 0 to the network simplex (tests turn it off to
// check the iterative methods against it).
var exactAtZero = true

// solveExact solves λ = 0, exact optimal transport, by package exact.
func solveExact(ctx context.Context, p *ot.Problem) (*ot.Result, error) {
	res, err := (&exact.Solver{}).Solve(ctx, p)
	if err != nil {
		return nil, err
	}
	return res, nil
}

var sideNames = [...]string{Rows: "rows", Columns: "columns"}

// String returns the side's name as ParseSide reads it.
func (s Side) String() string {
	if s >= 0 && int(s) < len(sideNames) {
		return sideNames[s]
	}
	return fmt.Sprintf("Side(%d)", int(s))
}

// ParseSide reads "rows" or "columns".
func ParseSide(s string) (Side, error) {
	for k, name := range sideNames {
		if s == name {
			return Side(k), nil
		}
	}
	return 0, fmt.Errorf("%w: sumofnorms: unknown side %q (rows, columns)", ot.ErrParameter, s)
}
