package exact

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/floats"

	"github.com/otkit/otkit/internal/support"
	"github.com/otkit/otkit/ot"
)

// Solver is the network simplex for the transportation problem
//
//	minimize <P, C> subject to P1 = a, Pᵀ1 = b, P ≥ 0.
//
// The zero value is ready to use.
type Solver struct {
	// MaxIter caps the number of pivots; when reached, Solve returns the
	// current (feasible, suboptimal) plan with Status IterationLimit. Zero
	// means DefaultMaxIter(n, m). Negative values are an error.
	MaxIter int

	// Init, when non-nil, holds potentials (for example from an entropic
	// solver; F of length n and G of length m, either may be nil for zeros)
	// used to choose the starting basis: the greedy start works on the
	// reduced costs C_ij − G_j, its trees are joined by the arcs of least
	// reduced cost, and the potentials of the start follow from Init. Good
	// potentials give a nearly optimal start and save pivots (see
	// BenchmarkWarmStart); any finite values give the same optimum. −Inf
	// entries are replaced by the smallest finite entry. Without Init the
	// start uses the column minima G_j = min_i C_ij.
	Init *ot.Potentials

	// MassTol is the relative tolerance on |Σa − Σb| / max(Σa, Σb). Masses
	// that agree within it are renormalized (b is scaled to the mass of a)
	// before solving; a larger mismatch is an error wrapping
	// ot.ErrMassMismatch. Zero means ot.MassTol (1e-9), which is also the
	// largest value that has an effect since ot.Problem.Validate rejects
	// larger mismatches. Negative values are an error.
	MassTol float64

	// BlockSize is the number of arcs priced per block of the block-search
	// pivot rule. Zero means ⌈√(nm)⌉ (at least 16). Costs that are not
	// *ot.DenseCost are priced by whole rows, so the block is rounded up to
	// whole rows. Negative values are an error.
	BlockSize int

	// Progress, when set, is called every 1024 pivots with the pivot count
	// and the magnitude of the entering arc's reduced cost.
	Progress ot.Progress
}

// DefaultMaxIter is the pivot cap used when Solver.MaxIter is zero:
// 1000·(n+m) + 100000, far more than the pivots a solve of that size needs
// in practice (10 to 20 times n+m on the Gaussian-cloud benchmarks).
func DefaultMaxIter(n, m int) int { return 1000*(n+m) + 100000 }

// relTol scales the pricing tolerance: an arc enters only if its reduced cost
// is below −relTol·max|C| (−relTol·bigM when some costs are +Inf), so that
// round-off in the potentials never makes a tree arc look profitable. The
// returned plan is optimal up to relTol·max|C|·mass.
const relTol = 1e-13

// forbiddenTol is the flow, relative to the mass, below which flow left on a
// forbidden (+Inf) arc by round-off is dropped from the plan.
const forbiddenTol = 1e-12

// convergedTol is the documented bound on a Converged plan's MarginalError
// relative to ΣA, beyond |ΣA − ΣB|.
const convergedTol = 1e-12

// Solve finds an optimal plan for p, balanced or partial (p.PartialMass > 0,
// see the package documentation for its plan, potentials and figures). For a
// balanced problem the Result holds a *ot.SparsePlan with
// at most n+m−1 entries, potentials F, G with F_i + G_j ≤ C_ij everywhere and
// equality on the plan's support (centred so that <a,F> = <b,G>), Value =
// LinearCost = <P, C> and DualValue = <a,F> + <b,G>. A nil ctx means
// context.Background().
//
// Errors are for bad input only: a problem that fails ot.Problem.Validate
// (infeasible +Inf patterns and a PartialMass above min(ΣA, ΣB) included),
// relaxed marginals (ot.ErrUnsupported) or a setting out of range gives a nil
// Result and an error wrapping an ot sentinel error. Otherwise the error is
// nil and Status says how the solve ended:
//
//   - Converged: the plan is optimal as described in the package
//     documentation, with MarginalError ≤ |ΣA − ΣB| + 1e-12·ΣA.
//   - IterationLimit: MaxIter pivots were made; the plan is the current
//     basis, feasible but not optimal (the potentials are not dual
//     feasible).
//   - Canceled: ctx was done; the plan is the current basis (or, when ctx
//     ends the solve before the starting basis is complete, the greedy start
//     or the northwest-corner flow), with its figures. Cancellation is seen
//     within a few hundred pivots and within every pass over the cost.
//   - NumericalError: round-off made the simplex choose a tree arc even after
//     the potentials were recomputed (the plan is feasible), or the optimal
//     plan's MarginalError is above the Converged bound (the optimal basis
//     carried a round-off flow on forbidden pairs, left out of the plan).
//
// In the last three cases any flow the plan carries on forbidden (+Inf)
// pairs is left out of it, and MarginalError counts it.
func (s *Solver) Solve(ctx context.Context, p *ot.Problem) (*ot.Result, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	if err := p.ValidateFor("exact.Solver", ot.Support{Partial: true}, s.Init); err != nil {
		return nil, err
	}
	n, m := p.Dims()
	if n+m+2 >= math.MaxInt32 {
		return nil, fmt.Errorf("%w: %d rows and %d columns exceed the solver's 2³¹−1 nodes", ot.ErrShape, n, m)
	}
	if ctx == nil {
		ctx = context.Background()
	}
	if p.PartialMass > 0 {
		return s.solvePartial(newPoller(ctx), p)
	}
	b, err := s.balance(p.A, p.B)
	if err != nil {
		return nil, err
	}
	return s.solve(newPoller(ctx), p, b)
}

// solve is Solve after the checks, with b the column weights rescaled to
// the mass of p.A.
func (s *Solver) solve(poll *poller, p *ot.Problem, b []float64) (*ot.Result, error) {
	n, m := p.Dims()
	red := support.Reduce(&ot.Problem{A: p.A, B: b, C: p.C})
	var f0, g0 []float64
	if s.Init != nil {
		rn, rm := red.Dims()
		f0, g0 = finiteStart(red.RowsOf(s.Init.F), rn), finiteStart(red.ColsOf(s.Init.G), rm)
	}
	maxIter := s.MaxIter
	if maxIter == 0 {
		maxIter = DefaultMaxIter(n, m)
	}

	nr, mr := red.C.Dims()
	rows := newCostRows(red.C)
	net := solveNetwork(poll, rows, red.A, red.B, f0, g0, maxIter, s.blockSize(nr, mr), s.Progress)
	arcs, F, G := net.flow()

	// The plan, without flow on forbidden pairs.
	mass := red.Problem.Mass()
	var forbidden float64
	for _, e := range arcs {
		if e.i >= 0 && e.x != 0 && math.IsInf(e.c, 1) {
			forbidden += e.x
		}
	}
	if net.status == ot.Converged && forbidden > forbiddenTol*mass {
		// Validate rejects infeasible problems; this is a safeguard.
		return nil, fmt.Errorf("%w: the optimal basis needs %.3g mass on forbidden (+Inf) pairs", ot.ErrInfeasible, forbidden)
	}
	plan, lc := sparsePlan(nr, mr, arcs)
	res := &ot.Result{Status: net.status, Iterations: net.iters, LinearCost: lc, Value: lc}
	res.Plan = red.ExpandPlan(plan)
	var ok bool
	res.F, res.G, ok = completePotentials(p, red, F, G, poll)
	if !ok {
		res.Status = ot.Canceled
	}
	center(res.F, res.G, p.A, p.B)
	res.MarginalError = ot.MarginalError(res.Plan, p.A, p.B)
	res.DualValue = floats.Dot(p.A, res.F) + floats.Dot(p.B, res.G)
	if sa, sb := floats.Sum(p.A), floats.Sum(p.B); res.Status == ot.Converged &&
		!(res.MarginalError <= math.Abs(sa-sb)+convergedTol*sa) {
		// Converged is decided on the figure returned: flow dropped from
		// forbidden pairs (up to forbiddenTol·mass, counted once in the
		// rows and once in the columns) can leave the plan above the bound.
		res.Status = ot.NumericalError
	}
	return res, nil
}

// sparsePlan returns the plan of the arcs with i ≥ 0, positive flow and a
// finite cost (no two for the same pair), built in CSR form by a bucket pass
// over the rows, and its cost <P, C> summed in the order of ot.LinearCost
// (rows, then columns, ascending).
func sparsePlan(n, m int, arcs []basisArc) (*ot.SparsePlan, float64) {
	keep := func(e basisArc) bool { return e.i >= 0 && e.x != 0 && !math.IsInf(e.c, 1) }
	p := &ot.SparsePlan{N: n, M: m, RowPtr: make([]int, n+1)}
	for _, e := range arcs {
		if keep(e) {
			p.RowPtr[e.i+1]++
		}
	}
	for i := 0; i < n; i++ {
		p.RowPtr[i+1] += p.RowPtr[i]
	}
	nnz := p.RowPtr[n]
	p.ColIdx, p.Val = make([]int, nnz), make([]float64, nnz)
	cost := make([]float64, nnz)
	fill := append([]int(nil), p.RowPtr[:n]...)
	for _, e := range arcs {
		if keep(e) {
			k := fill[e.i]
			fill[e.i]++
			p.ColIdx[k], p.Val[k], cost[k] = e.j, e.x, e.c
		}
	}
	var lc float64
	for i := 0; i < n; i++ {
		lo, hi := p.RowPtr[i], p.RowPtr[i+1]
		if hi-lo > 32 {
			sortRow(p.ColIdx[lo:hi], p.Val[lo:hi], cost[lo:hi])
		}
		// Most rows hold few entries: insertion sort by column.
		for k := lo + 1; k < hi; k++ {
			for l := k; l > lo && p.ColIdx[l] < p.ColIdx[l-1]; l-- {
				p.ColIdx[l], p.ColIdx[l-1] = p.ColIdx[l-1], p.ColIdx[l]
				p.Val[l], p.Val[l-1] = p.Val[l-1], p.Val[l]
				cost[l], cost[l-1] = cost[l-1], cost[l]
			}
		}
		for k := lo; k < hi; k++ {
			lc += p.Val[k] * cost[k]
		}
	}
	return p, lc
}

// sortRow sorts the entries of a long row by column.
func sortRow(cols []int, vals, cost []float64) {
	type entry struct {
		j    int
		x, c float64
	}
	es := make([]entry, len(cols))
	for k := range es {
		es[k] = entry{cols[k], vals[k], cost[k]}
	}
	slices.SortFunc(es, func(a, b entry) int { return cmp.Compare(a.j, b.j) })
	for k, e := range es {
		cols[k], vals[k], cost[k] = e.j, e.x, e.c
	}
}

func (s *Solver) check() error {
	switch {
	case s.MaxIter < 0:
		return fmt.Errorf("%w: MaxIter = %d < 0", ot.ErrParameter, s.MaxIter)
	case s.BlockSize < 0:
		return fmt.Errorf("%w: BlockSize = %d < 0", ot.ErrParameter, s.BlockSize)
	case !(s.MassTol >= 0) || math.IsInf(s.MassTol, 1):
		return fmt.Errorf("%w: MassTol = %v (want a finite value ≥ 0)", ot.ErrParameter, s.MassTol)
	}
	return nil
}

func (s *Solver) blockSize(n, m int) int {
	if s.BlockSize > 0 {
		return s.BlockSize
	}
	return max(16, int(math.Ceil(math.Sqrt(float64(n)*float64(m)))))
}

// balance checks the masses against MassTol and returns b scaled to the
// mass of a (b itself when they already agree).
func (s *Solver) balance(a, b []float64) ([]float64, error) {
	tol := s.MassTol
	if tol == 0 {
		tol = ot.MassTol
	}
	var sa, sb float64
	for _, v := range a {
		sa += v
	}
	for _, v := range b {
		sb += v
	}
	if d := math.Abs(sa - sb); d > tol*math.Max(sa, sb) {
		return nil, fmt.Errorf("%w: sum(a) = %.17g, sum(b) = %.17g (relative difference %.3g > %g)",
			ot.ErrMassMismatch, sa, sb, d/math.Max(sa, sb), tol)
	}
	if sa == sb {
		return b, nil
	}
	r := sa / sb
	out := make([]float64, len(b))
	for j, v := range b {
		out[j] = v * r
	}
	return out, nil
}

// finiteStart turns a (restricted) warm-start vector into a finite one:
// nil means zeros of length size, and ±Inf entries become the smallest
// finite entry.
func finiteStart(x []float64, size int) []float64 {
	out := make([]float64, size)
	copy(out, x)
	lo := math.Inf(1)
	for _, v := range out {
		if !math.IsInf(v, 0) {
			lo = math.Min(lo, v)
		}
	}
	if math.IsInf(lo, 0) {
		lo = 0
	}
	for k, v := range out {
		if math.IsInf(v, 0) {
			out[k] = lo
		}
	}
	return out
}

// completePotentials expands the potentials of the reduced problem to the
// full one. A removed (zero-weight) row gets the c-transform
// F_i = min_j C_ij − G_j over the kept columns, and a removed column
// G_j = min_i C_ij − F_i over all rows, so that F_i + G_j ≤ C_ij holds
// everywhere without changing the dual value. If poll stops the pass, the
// potentials not yet computed are 0 and ok is false.
func completePotentials(p *ot.Problem, red *support.Reduced, F, G []float64, poll *poller) (_, _ []float64, ok bool) {
	if red.Identity() {
		return F, G, true
	}
	nan := math.NaN()
	F, G = red.ExpandRows(F, nan), red.ExpandCols(G, nan)
	defer func() {
		for _, x := range [][]float64{F, G} {
			for k, v := range x {
				if math.IsNaN(v) {
					x[k] = 0
				}
			}
		}
	}()
	n, m := p.Dims()
	row := make([]float64, m)
	colMin := make([]float64, m)
	for j := range colMin {
		colMin[j] = math.Inf(1)
	}
	for i := 0; i < n; i++ {
		if poll.add(m) {
			return F, G, false
		}
		c := p.C.Row(i, row)
		if math.IsNaN(F[i]) {
			lo := math.Inf(1)
			for _, j := range red.Cols {
				lo = math.Min(lo, c[j]-G[j])
			}
			if math.IsInf(lo, 1) {
				lo = 0
			}
			F[i] = lo
		}
		for j, v := range c {
			colMin[j] = math.Min(colMin[j], v-F[i])
		}
	}
	for j := range G {
		if math.IsNaN(G[j]) {
			G[j] = colMin[j]
			if math.IsInf(G[j], 1) {
				G[j] = 0
			}
		}
	}
	return F, G, true
}

// center shifts F up and G down by the same constant so that <a,F> = <b,G>,
// as POT's ot.emd(log=True) does with center_dual=True.
func center(F, G, a, b []float64) {
	var fa, gb, sa, sb float64
	for i, v := range a {
		fa += v * F[i]
		sa += v
	}
	for j, v := range b {
		gb += v * G[j]
		sb += v
	}
	c := (gb - fa) / (sa + sb)
	for i := range F {
		F[i] += c
	}
	for j := range G {
		G[j] -= c
	}
}
