package cardinality

import (
	"context"
	"fmt"
	"math"

	"github.com/otkit/otkit/internal/support"
	"github.com/otkit/otkit/ot"
)

// Formulation selects the relaxation that is maximised.
type Formulation int

const (
	// SemiDual maximises S_k(F): columns of the plan are exact, rows
	// approximate. The tighter relaxation; the default.
	SemiDual Formulation = iota
	// Dual maximises D_k(F, G): cheaper per evaluation (a selection, no
	// projection), both marginals approximate, a looser relaxation.
	Dual
)

// String returns the formulation's name.
func (f Formulation) String() string {
	switch f {
	case SemiDual:
		return "SemiDual"
	case Dual:
		return "Dual"
	}
	return fmt.Sprintf("Formulation(%d)", int(f))
}

// Optimizer selects the first-order method.
type Optimizer int

const (
	// DefaultOptimizer is the zero value: LBFGS for Solver, Adam for
	// Router.
	DefaultOptimizer Optimizer = iota
	// LBFGS is limited-memory BFGS (memory 10) with a derivative-only line
	// search that tolerates the kinks of the nonsmooth objective. On a
	// stall it takes up to three rounds of 300 Adam steps of decaying size
	// (1e-2 × the cost range, ×0.99 per step) from the best point and
	// resumes. The default; stops at Tol, on a stall the Adam rounds do
	// not resolve, or at MaxIter (all steps counted).
	LBFGS
	// Adam takes exactly MaxIter fixed steps (β1 = 0.9, β2 = 0.999,
	// learning rate LearningRate) from the start point, as the paper's
	// mixture-of-experts code does (optax.adam(1e-2)); no early stop.
	Adam
)

// String returns the optimizer's name.
func (o Optimizer) String() string {
	switch o {
	case DefaultOptimizer:
		return "Default"
	case LBFGS:
		return "LBFGS"
	case Adam:
		return "Adam"
	}
	return fmt.Sprintf("Optimizer(%d)", int(o))
}

// Solver holds the settings of a sparsity-constrained OT solve. Only K is
// required; every other zero field means the documented default.
type Solver struct {
	// K is the largest number of nonzeros allowed in a column of the plan
	// (in a row with RowSparse). Required: K < 1 is an error; K ≥ n is
	// clamped to n, where the problem is quadratically regularised OT.
	K int
	// Gamma is the weight γ of the regulariser (γ/2)‖T‖². Zero means 1.
	// It must be positive and finite; it scales with the cost and with the
	// total mass (see package quadratic).
	Gamma float64
	// Formulation is SemiDual (default) or Dual.
	Formulation Formulation
	// Optimizer is LBFGS (the default) or Adam.
	Optimizer Optimizer
	// Tol is the target MarginalError of the returned plan. Zero means 1e-9.
	// Status is Converged only when it is met.
	Tol float64
	// MaxIter bounds the iterations (exactly MaxIter steps with Adam).
	// Zero means 1000.
	MaxIter int
	// LearningRate is Adam's step size in cost units. Zero means 1e-2.
	LearningRate float64
	// Init, when set, warm-starts the potentials (F for the semi-dual, F and
	// G for the dual; nil slices start at zero). Lengths must match the
	// problem; with RowSparse they refer to the original, untransposed
	// problem.
	Init *ot.Potentials
	// RowSparse puts the cardinality constraint on the rows (at most K
	// nonzeros per row: experts per token) instead of the columns. The
	// problem (b, a, Cᵀ) is solved and the result transposed back.
	RowSparse bool
	// Workers is the number of goroutines for the per-column work; 0 or 1
	// means the calling goroutine only. Results do not depend on it.
	Workers int
	// Progress, when set, is called after every iteration with the
	// iteration number and the MarginalError of the current iterate.
	Progress ot.Progress
}

// Defaults of the zero-valued settings.
const (
	defaultGamma   = 1.0
	defaultTol     = 1e-9
	defaultMaxIter = 1000
	defaultLR      = 1e-2
)

// settings are the Solver settings with defaults applied.
type settings struct {
	k           int
	gamma, tol  float64
	maxIter     int
	lr          float64
	formulation Formulation
	optimizer   Optimizer
	workers     int
	progress    ot.Progress
	costRange   float64 // max − min finite cost (1 if zero): the scale of the kink escape steps
}

func (s *Solver) settings() (settings, error) {
	st := settings{k: s.K, gamma: s.Gamma, tol: s.Tol, maxIter: s.MaxIter, lr: s.LearningRate,
		formulation: s.Formulation, optimizer: s.Optimizer, workers: s.Workers, progress: s.Progress}
	if st.k < 1 {
		return st, fmt.Errorf("%w: cardinality K = %d (want K ≥ 1)", ot.ErrParameter, s.K)
	}
	if st.gamma == 0 {
		st.gamma = defaultGamma
	}
	if !(st.gamma > 0) || math.IsInf(st.gamma, 1) {
		return st, fmt.Errorf("%w: Gamma = %v (want 0 < γ < ∞)", ot.ErrParameter, s.Gamma)
	}
	if st.tol == 0 {
		st.tol = defaultTol
	}
	if !(st.tol > 0) || math.IsInf(st.tol, 1) {
		return st, fmt.Errorf("%w: Tol = %v (want Tol > 0)", ot.ErrParameter, s.Tol)
	}
	if st.maxIter == 0 {
		st.maxIter = defaultMaxIter
	}
	if st.maxIter < 0 {
		return st, fmt.Errorf("%w: MaxIter = %d (want ≥ 0)", ot.ErrParameter, s.MaxIter)
	}
	if st.lr == 0 {
		st.lr = defaultLR
	}
	if !(st.lr > 0) || math.IsInf(st.lr, 1) {
		return st, fmt.Errorf("%w: LearningRate = %v (want > 0)", ot.ErrParameter, s.LearningRate)
	}
	if st.formulation != SemiDual && st.formulation != Dual {
		return st, fmt.Errorf("%w: unknown formulation %v", ot.ErrParameter, st.formulation)
	}
	if st.optimizer == DefaultOptimizer {
		st.optimizer = LBFGS
	}
	if st.optimizer != LBFGS && st.optimizer != Adam {
		return st, fmt.Errorf("%w: unknown optimizer %v", ot.ErrParameter, st.optimizer)
	}
	if st.workers < 0 {
		return st, fmt.Errorf("%w: Workers = %d (want ≥ 0)", ot.ErrParameter, s.Workers)
	}
	return st, nil
}

// Solve solves the relaxation of the sparsity-constrained problem p and
// returns a plan (*ot.SparsePlan) with at most K nonzeros in every column
// (every row with RowSparse). Bad settings or data are errors wrapping the
// sentinels of package ot; a solve that does not reach Tol returns a
// Result with Status Stalled, IterationLimit or Canceled (and no error).
//
// The plan need not meet the marginals: see the package documentation.
func (s *Solver) Solve(ctx context.Context, p *ot.Problem) (*ot.Result, error) {
	st, err := s.settings()
	if err != nil {
		return nil, err
	}
	if err := p.ValidateWith(s.Init); err != nil {
		return nil, err
	}
	if ctx == nil {
		ctx = context.Background()
	}
	if !s.RowSparse {
		return solveColumns(ctx, p, s.Init, st)
	}
	q := &ot.Problem{A: p.B, B: p.A, C: ot.Transpose(p.C)}
	var init *ot.Potentials
	if s.Init != nil {
		init = &ot.Potentials{F: s.Init.G, G: s.Init.F}
	}
	res, err := solveColumns(ctx, q, init, st)
	if err != nil {
		return nil, err
	}
	res.F, res.G = res.G, res.F
	res.Plan = transposePlan(res.Plan.(*ot.SparsePlan))
	return res, nil
}

// solveColumns solves the column-sparse problem on a valid p.
func solveColumns(ctx context.Context, p *ot.Problem, init *ot.Potentials, st settings) (*ot.Result, error) {
	red := support.Reduce(p)
	n, m := red.Dims()
	var c columns
	c.reset(n, m, min(st.k, n), st.workers)
	c.start()
	defer c.stop()
	c.a, c.b, c.gamma = red.A, red.B, st.gamma
	row := make([]float64, m)
	for i := 0; i < n; i++ {
		for j, v := range red.C.Row(i, row) {
			c.ct[j*n+i] = v
		}
	}

	st.costRange = c.costRange()
	dim := n
	eval := c.semiDual
	if st.formulation == Dual {
		dim = n + m
		eval = c.dual
	}
	x := make([]float64, dim)
	if init != nil {
		if init.F != nil {
			copy(x[:n], red.RowsOf(init.F))
		}
		if init.G != nil && st.formulation == Dual {
			copy(x[n:], red.ColsOf(init.G))
		}
		for i, v := range x {
			if math.IsInf(v, -1) { // zero-mass entries of an earlier result
				x[i] = 0
			}
		}
	}

	var run runResult
	switch st.optimizer {
	case Adam:
		run = adam(ctx, eval, x, st)
	default:
		run = lbfgsMax(ctx, eval, x, st)
	}
	dualValue := run.value
	if !run.current {
		// Re-evaluate at the returned point so the stored columns are its
		// plan.
		dualValue = eval(x, make([]float64, dim))
	}

	res := &ot.Result{DualValue: dualValue, Iterations: run.iterations, History: run.history}
	plan := c.plan()
	lin, sq := c.linearAndSquare()
	res.LinearCost = lin
	res.Value = lin + st.gamma/2*sq
	F := append([]float64(nil), x[:n]...)
	G := make([]float64, m)
	if st.formulation == Dual {
		copy(G, x[n:])
	} else {
		for j := range G {
			G[j] = -st.gamma * c.theta[j]
		}
	}
	res.Plan = red.ExpandPlan(plan)
	res.F = red.ExpandRows(F, math.Inf(-1))
	res.G = red.ExpandCols(G, math.Inf(-1))
	res.MarginalError = ot.MarginalError(res.Plan, p.A, p.B)
	switch {
	case !finite(dualValue) || !finite(res.Value):
		res.Status = ot.NumericalError
	case res.MarginalError <= st.tol:
		res.Status = ot.Converged
	case run.status != ot.NotTerminated:
		res.Status = run.status
	default:
		res.Status = ot.IterationLimit
	}
	return res, nil
}

// plan builds the CSR plan of the last evaluation.
func (c *columns) plan() *ot.SparsePlan {
	rowCount := make([]int, c.n+1)
	for j := 0; j < c.m; j++ {
		base := j * c.k
		for s := 0; s < c.cnt[j]; s++ {
			if c.val[base+s] != 0 {
				rowCount[c.sel[base+s]+1]++
			}
		}
	}
	for i := 0; i < c.n; i++ {
		rowCount[i+1] += rowCount[i]
	}
	nnz := rowCount[c.n]
	p := &ot.SparsePlan{N: c.n, M: c.m, RowPtr: append([]int(nil), rowCount...),
		ColIdx: make([]int, nnz), Val: make([]float64, nnz)}
	next := rowCount[:c.n]
	// Columns are visited in ascending order, so every row's columns come
	// out ascending.
	for j := 0; j < c.m; j++ {
		base := j * c.k
		for s := 0; s < c.cnt[j]; s++ {
			if t := c.val[base+s]; t != 0 {
				i := c.sel[base+s]
				p.ColIdx[next[i]] = j
				p.Val[next[i]] = t
				next[i]++
			}
		}
	}
	return p
}

// transposePlan returns the transpose of a CSR plan.
func transposePlan(p *ot.SparsePlan) *ot.SparsePlan {
	t := &ot.SparsePlan{N: p.M, M: p.N, RowPtr: make([]int, p.M+1),
		ColIdx: make([]int, len(p.Val)), Val: make([]float64, len(p.Val))}
	for _, j := range p.ColIdx {
		t.RowPtr[j+1]++
	}
	for j := 0; j < p.M; j++ {
		t.RowPtr[j+1] += t.RowPtr[j]
	}
	next := append([]int(nil), t.RowPtr[:p.M]...)
	for i := 0; i < p.N; i++ {
		for q := p.RowPtr[i]; q < p.RowPtr[i+1]; q++ {
			j := p.ColIdx[q]
			t.ColIdx[next[j]] = i
			t.Val[next[j]] = p.Val[q]
			next[j]++
		}
	}
	return t
}
