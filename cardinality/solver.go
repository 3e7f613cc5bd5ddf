package cardinality

import (
	"context"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/floats"

	"github.com/otkit/otkit/exact"
	"github.com/otkit/otkit/internal/parallel"
	"github.com/otkit/otkit/internal/semidual"
	"github.com/otkit/otkit/internal/support"
	"github.com/otkit/otkit/ot"
	"github.com/otkit/otkit/quadratic"
)

// Solver holds the settings of a sparsity-constrained OT solve. Only K is
// required; every other zero field means the documented default. A Solver
// is a value: one may be used by many goroutines at once.
type Solver struct {
	// K is the largest number of nonzeros allowed in a column of the plan
	// (in a row with RowSparse). Required: K < 1 is an error; K ≥ n (any
	// larger value, math.MaxInt included) means n, where the problem is
	// quadratically regularised OT (package quadratic's semi-dual).
	K int
	// Gamma is the weight γ of the regulariser (γ/2)‖T‖², in cost units
	// per unit of mass: it scales with the cost and inversely with the
	// total mass (see package quadratic). It must be positive and finite.
	// Zero means the data-relative default of package quadratic,
	//
	//	γ = quadratic.DefaultGammaFactor · (max C − min C) · max(n, m) / mass
	//
	// over the finite costs and the n rows and m columns of positive weight
	// (the cost's largest |entry| in place of the range when all costs are
	// equal, and at least 1e-9·max|C| per unit of mass), so that the
	// default solve is unchanged by scaling the cost or the weights and
	// K ≥ n is package quadratic's default solve.
	Gamma float64
	// Formulation is SemiDual (default) or Dual.
	Formulation Formulation
	// Optimizer is LBFGS (the default) or Adam.
	Optimizer Optimizer
	// Tol is the target MarginalError of the returned plan relative to the
	// total mass: Status is Converged only when MarginalError ≤ Tol × ΣA.
	// Zero means 1e-9.
	Tol float64
	// GapTol is the certified relative optimality gap below which a
	// feasible plan counts as Converged: Value − DualValue ≤ GapTol ×
	// (|LinearCost| + (γ/2)‖T‖²). DualValue is a lower bound on the
	// k-sparse optimum, so the returned plan is then within that fraction
	// of it. Zero means 1e-3.
	GapTol float64
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
	// MaxDenseBytes bounds the memory of the cost matrix the solver forms
	// (8·n·m bytes of float64, after zero-weight rows and columns are
	// removed): a larger problem, a point cloud say, is an ot.ErrParameter
	// error instead of a silent allocation. Zero means 1 GiB.
	MaxDenseBytes int64
	// Progress, when set, is called after every iteration with the
	// iteration number and the MarginalError of the current iterate.
	Progress ot.Progress
}

// Defaults of the zero-valued settings.
const (
	routerGamma          = 1.0 // the Router's default γ (on unnormalised masses)
	minGammaRatio        = 1e-9
	defaultTol           = 1e-9
	defaultGapTol        = 1e-3
	defaultMaxIter       = 1000
	defaultLR            = 1e-2
	defaultMaxDenseBytes = 1 << 30
)

// settings are the Solver settings with defaults applied.
type settings struct {
	k     int
	gamma float64
	// autoGamma: Gamma was zero, so Solve uses the data-relative default
	// (gamma holds the Router's default, 1, for the Router).
	autoGamma     bool
	tol           float64
	gapTol        float64
	maxIter       int
	lr            float64
	formulation   Formulation
	optimizer     Optimizer
	workers       int
	maxDenseBytes int64
	progress      ot.Progress
}

func (s *Solver) settings() (settings, error) {
	st := settings{k: s.K, gamma: s.Gamma, tol: s.Tol, maxIter: s.MaxIter, lr: s.LearningRate,
		formulation: s.Formulation, optimizer: s.Optimizer, workers: s.Workers,
		maxDenseBytes: s.MaxDenseBytes, progress: s.Progress}
	if st.k < 1 {
		return st, fmt.Errorf("%w: cardinality K = %d (want K ≥ 1)", ot.ErrParameter, s.K)
	}
	if st.gamma == 0 {
		st.gamma, st.autoGamma = routerGamma, true
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
	st.gapTol = s.GapTol
	if st.gapTol == 0 {
		st.gapTol = defaultGapTol
	}
	if !(st.gapTol > 0) || math.IsInf(st.gapTol, 1) {
		return st, fmt.Errorf("%w: GapTol = %v (want GapTol > 0)", ot.ErrParameter, s.GapTol)
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
	if st.maxDenseBytes == 0 {
		st.maxDenseBytes = defaultMaxDenseBytes
	}
	if st.maxDenseBytes < 0 {
		return st, fmt.Errorf("%w: MaxDenseBytes = %d (want ≥ 0)", ot.ErrParameter, s.MaxDenseBytes)
	}
	return st, nil
}

// Solve returns a plan (*ot.SparsePlan) of the sparsity-constrained
// problem p with at most K nonzeros in every column (every row with
// RowSparse) that meets the marginals, with DualValue a certified lower
// bound on the optimum (see the package documentation). Bad settings or
// data, and a K for which no plan exists provably, are errors wrapping the
// sentinels of package ot (ot.ErrInfeasible for the latter). A solve that
// does not reach Tol and GapTol returns a Result with Status Stalled,
// IterationLimit or Canceled (and no error). A nil ctx means
// context.Background().
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
	red := support.Reduce(p)
	n, m := red.Dims()
	if float64(n)*float64(m)*8 > float64(st.maxDenseBytes) {
		return nil, fmt.Errorf("%w: cardinality: the %d×%d cost needs %.3g bytes as a dense matrix, above MaxDenseBytes = %d",
			ot.ErrParameter, n, m, float64(n)*float64(m)*8, st.maxDenseBytes)
	}
	pr := newSolved(red, s.RowSparse)
	what := "column"
	if s.RowSparse {
		what = "row"
	}
	if err := infeasible(pr.a, pr.b, min(st.k, pr.n), what); err != nil {
		return nil, fmt.Errorf("cardinality K = %d: %w", st.k, err)
	}
	return pr.solve(ctx, p, s.Init, st), nil
}

// solved is the column-sparse problem that is solved: the reduced problem,
// transposed with RowSparse, normalized by powers of two (exact): the cost
// divided by 2^costExp so that its largest finite |entry| lies in
// [1/√2, √2), the weights by 2^massExp so that the total of the rows lies
// there too, and γ' = γ·2^(massExp−costExp), whose plan is T/2^massExp
// with potentials F/2^costExp (docs/quadratic.md §1.2). The ranges are
// centred on 1 so that the usual max|C| = 1 and Σa = 1 are not moved by
// their rounding.
type solved struct {
	red              *support.Reduced
	rowSparse        bool
	n, m             int // solved orientation: rows, columns
	a, b             []float64
	costExp, massExp int
}

func newSolved(red *support.Reduced, rowSparse bool) *solved {
	pr := &solved{red: red, rowSparse: rowSparse}
	pr.n, pr.m = red.Dims()
	a, b := red.A, red.B
	if rowSparse {
		pr.n, pr.m = pr.m, pr.n
		a, b = b, a
	}
	pr.massExp = semidual.Exponent(floats.Sum(a))
	pr.a, pr.b = scaled(a, -pr.massExp), scaled(b, -pr.massExp)
	return pr
}

// scaled returns x·2^e in a new slice.
func scaled(x []float64, e int) []float64 {
	out := make([]float64, len(x))
	for k, v := range x {
		out[k] = math.Ldexp(v, e)
	}
	return out
}

// fill writes the normalized cost into c (transposed into columns, in a
// buffer that c.Release frees) and sets costExp, checking ctx as it goes;
// it reports false when canceled.
func (pr *solved) fill(ctx context.Context, c *semidual.Columns) bool {
	mx, ok := c.FillCT(ctx, pr.red.C.Row, pr.rowSparse)
	if !ok {
		return false
	}
	pr.costExp = semidual.Exponent(mx)
	return c.ScaleCT(ctx, pr.costExp)
}

// solve runs the optimizer on the valid, reduced problem, repairs its plan
// and assembles the result on the original problem p.
func (pr *solved) solve(ctx context.Context, p *ot.Problem, init *ot.Potentials, st settings) *ot.Result {
	n, m := pr.n, pr.m
	k := min(st.k, n)
	var c semidual.Columns
	c.Reset(n, m, k)
	defer c.Release()
	if !pr.fill(ctx, &c) {
		return pr.canceled(p)
	}
	c.A, c.B = pr.a, pr.b
	lo, hi, ok := costBounds(ctx, c.CT()[:n*m])
	if !ok {
		return pr.canceled(p)
	}
	costRange := hi - lo
	if !(costRange > 0) || math.IsInf(costRange, 0) {
		costRange = 1
	}
	c.Gamma = math.Ldexp(st.gamma, pr.massExp-pr.costExp)
	if st.autoGamma {
		c.Gamma = pr.defaultGamma(lo, hi)
	}
	pool := parallel.NewPool(min(st.workers, parallel.Chunks(m, 8)))
	defer pool.Close()
	c.Pool, c.Ctx = pool, ctx

	dim := n
	eval := c.SemiDual
	if st.formulation == Dual {
		dim = n + m
		eval = c.Dual
	}
	x := pr.start(init, dim, st.formulation == Dual)
	var rec semidual.Record
	var lp *ot.Result
	var stalls [][]float64 // points where L-BFGS stalled (semi-dual, k < n)
	if k == 1 && n > 1 {
		// The relaxation's maximum is known (docs/cardinality.md §5): the
		// row potentials of the unregularised optimum maximise S_1, and
		// with G_j = −max_i(F_i − C_ij) they maximise D_1.
		lp = pr.exactLP(ctx, &c)
		if lp == nil {
			res := pr.canceled(p)
			res.Status = ot.NumericalError
			return res
		}
		if lp.Status == ot.Canceled {
			return pr.canceled(p)
		}
		copy(x, lp.F)
		if st.formulation == Dual {
			for j := 0; j < m; j++ {
				mx := math.Inf(-1)
				for i := 0; i < n; i++ {
					mx = math.Max(mx, x[i]-c.Cost(i, j))
				}
				x[n+j] = -mx
			}
		}
		rec.Status, rec.Iterations = lp.Status, lp.Iterations
	} else {
		set := semidual.Settings{Tol: st.tol * floats.Sum(pr.a), MaxIter: st.maxIter,
			LearningRate: math.Ldexp(st.lr, -pr.costExp)}
		if k < n {
			// Kinks: the stall rule and the kink escape (docs/cardinality.md §6).
			set.Escape = semidual.EscapeStep(costRange)
		}
		if st.progress != nil {
			set.Progress = func(it int, e float64) { st.progress(it, math.Ldexp(e, pr.massExp)) }
		}
		if k < n {
			// The repair starts from the relaxed plan; the points where
			// L-BFGS stalled, before the kink escape moved on, give
			// other relaxed supports, whose repairs are sometimes
			// better.
			set.Stall = func(x []float64, _ float64) { stalls = append(stalls, slices.Clone(x)) }
		}
		var d semidual.Driver
		if st.optimizer == Adam {
			d.Adam(ctx, eval, x, set, &rec)
		} else {
			d.LBFGS(ctx, eval, x, set, &rec)
		}
	}
	// Repairs from the stall points (the last evaluation is then not at x).
	var best *ot.Result
	if ctx.Err() == nil && rec.Status != ot.Canceled {
		grad := make([]float64, dim)
		G := make([]float64, m)
		for _, y := range stalls {
			if slices.Equal(y, x) {
				continue
			}
			eval(y, grad)
			p, _, _ := c.Plan(0)
			if st.formulation == Dual {
				copy(G, y[n:])
			} else {
				c.PotentialG(G)
			}
			if q := pr.repair(ctx, &c, p, nil, k, y[:n], G, st); q != nil && q.Status == ot.Converged &&
				(best == nil || q.Value < best.Value) {
				best = q
			}
		}
		rec.Current = rec.Current && best == nil && len(stalls) == 0
	}
	dualValue := rec.Value
	if lp != nil || !rec.Current {
		// Re-evaluate at the returned point so the stored columns are its
		// plan.
		dualValue = eval(x, make([]float64, dim))
	}
	if lp != nil {
		// Exact: OT + (γ/2)Σb² (the evaluation agrees to rounding).
		dualValue = lp.LinearCost + c.Gamma/2*floats.Dot(pr.b, pr.b)
	}
	plan, lin, sq := c.Plan(0)
	F := x[:n]
	G := make([]float64, m)
	if st.formulation == Dual {
		copy(G, x[n:])
	} else {
		c.PotentialG(G)
	}
	relaxed := rec.Status
	feasible := false
	if ctx.Err() == nil && (rec.Status != ot.Canceled) {
		q := pr.repair(ctx, &c, plan, lp, k, F, G, st)
		if best != nil && (q == nil || q.Status != ot.Converged || best.Value < q.Value) {
			q = best
		}
		if q != nil && q.Status != ot.NumericalError {
			plan, lin, sq = q.Plan.(*ot.SparsePlan), q.LinearCost, 0
			for _, v := range plan.Val {
				sq += v * v
			}
			F, G = q.F, q.G
			feasible = q.Status == ot.Converged
			if q.Status == ot.Canceled {
				relaxed = ot.Canceled
			}
		}
	}
	value := lin + c.Gamma/2*sq
	// The gap Value − DualValue is measured against the size of the
	// objective's two terms, so that it is scale-free.
	gapOK := func() bool { return value-dualValue <= st.gapTol*(math.Abs(lin)+c.Gamma/2*sq) }
	if feasible && !gapOK() && k < n && ctx.Err() == nil {
		// The semi-dual's bound is too loose (large γ): try the slot bound.
		dualValue = math.Max(dualValue, pr.slotBound(ctx, &c, k, G, costRange))
	}
	meets := feasible || ot.MarginalError(plan, pr.a, pr.b) <= st.tol*floats.Sum(pr.a)
	if (!meets || !gapOK()) && k < n && ctx.Err() == nil && relaxed != ot.Canceled {
		// Small problems are solved exactly: every support.
		incumbent := math.Inf(1)
		if meets {
			incumbent = value
		}
		if lb, q, ok := pr.exhaustive(ctx, &c, k, st, incumbent); ok {
			if !math.IsInf(lb, 1) {
				// +Inf: no support was bounded or solved (no information).
				dualValue = math.Max(dualValue, lb)
			}
			if q != nil && (!meets || q.Value < value) {
				plan, lin, sq = q.Plan.(*ot.SparsePlan), q.LinearCost, floats.Dot(q.Plan.(*ot.SparsePlan).Val, q.Plan.(*ot.SparsePlan).Val)
				F, G = q.F, q.G
				value, feasible = lin+c.Gamma/2*sq, true
			}
		}
	}
	e := pr.costExp + pr.massExp
	res := &ot.Result{DualValue: math.Ldexp(dualValue, e), Iterations: rec.Iterations, History: rec.History}
	for k, v := range res.History {
		res.History[k] = math.Ldexp(v, pr.massExp)
	}
	res.LinearCost = math.Ldexp(lin, e)
	res.Value = math.Ldexp(value, e)
	plan.Val = slices.Clone(plan.Val)
	for k, v := range plan.Val {
		plan.Val[k] = math.Ldexp(v, pr.massExp)
	}
	pr.expand(res, plan, F, G)
	res.MarginalError = ot.MarginalError(res.Plan, p.A, p.B)
	switch {
	case !finite(res.DualValue) || !finite(res.Value) || !finite(res.LinearCost) || !finite(res.MarginalError):
		res.Status = ot.NumericalError
	case relaxed == ot.Canceled:
		res.Status = ot.Canceled
	case res.MarginalError <= st.tol*p.Mass() && gapOK():
		res.Status = ot.Converged
	case relaxed == ot.Converged || relaxed == ot.NotTerminated || (feasible && relaxed == ot.Stalled):
		// The relaxation is solved (or stalled) and the plan is either not
		// feasible (no feasible support was found) or farther than GapTol
		// from the bound.
		res.Status = ot.Stalled
	default:
		res.Status = relaxed
	}
	return res
}

// defaultGamma returns the default γ in the normalized units of the solved
// problem, whose finite costs lie in [lo, hi]: quadratic.DefaultGammaFactor
// × (hi − lo) × max(n, m) / mass (the largest |C| in place of hi − lo when
// the costs are all equal), and at least minGammaRatio × max|C|, as package
// quadratic's default.
func (pr *solved) defaultGamma(lo, hi float64) float64 {
	scale := math.Max(math.Abs(lo), math.Abs(hi))
	r := hi - lo
	if !(r > 0) {
		r = scale
	}
	if !(r > 0) {
		r = 1
	}
	g := quadratic.DefaultGammaFactor * r * float64(max(pr.n, pr.m)) / floats.Sum(pr.a)
	return math.Max(g, minGammaRatio*scale)
}

// costBounds returns the smallest entry and the largest finite entry of the
// cost ct (+Inf entries are forbidden pairs), checking ctx every 64K
// entries; ok is false when ctx ended it.
func costBounds(ctx context.Context, ct []float64) (lo, hi float64, ok bool) {
	lo, hi = math.Inf(1), math.Inf(-1)
	const step = 1 << 16
	for k := 0; k < len(ct); k += step {
		if ctx.Err() != nil {
			return lo, hi, false
		}
		for _, v := range ct[k:min(k+step, len(ct))] {
			lo = math.Min(lo, v)
			if !math.IsInf(v, 1) {
				hi = math.Max(hi, v)
			}
		}
	}
	return lo, hi, true
}

// exactLP solves the unregularised problem (normalized, solved
// orientation) with package exact; nil if package exact refuses it.
func (pr *solved) exactLP(ctx context.Context, c *semidual.Columns) *ot.Result {
	n, m := pr.n, pr.m
	data := make([]float64, n*m)
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			data[i*m+j] = c.Cost(i, j)
		}
	}
	cost, err := ot.NewDenseCost(n, m, data)
	if err == nil {
		var res *ot.Result
		res, err = (&exact.Solver{}).Solve(ctx, &ot.Problem{A: pr.a, B: pr.b, C: cost})
		if err == nil {
			return res
		}
	}
	// The reduced problem is valid, so this does not happen; if it did, the
	// solve reports NumericalError rather than panic.
	return nil
}

// matching returns the cheapest plan that matches rows and columns of equal
// weight (the solved problem, k = 1, n = m), or nil.
func (pr *solved) matching(ctx context.Context, c *semidual.Columns, mass float64) *ot.SparsePlan {
	n, m := pr.n, pr.m
	data := make([]float64, n*m)
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			data[i*m+j] = math.Inf(1)
			if math.Abs(pr.a[i]-pr.b[j]) <= feasTol*mass {
				data[i*m+j] = c.Cost(i, j)
			}
		}
	}
	cost, err := ot.NewDenseCost(n, m, data)
	if err != nil {
		return nil
	}
	res, err := (&exact.Solver{}).Solve(ctx, &ot.Problem{A: pr.a, B: pr.b, C: cost})
	if err != nil || res.Status != ot.Converged {
		return nil
	}
	return res.Plan.(*ot.SparsePlan)
}

// repair returns the quadratic OT solve restricted to a feasible support
// with at most k entries per column grown from the plan's (or, for k = 1,
// the unregularised optimum's when it fits), or nil when the plan meets the
// marginals already or no feasible support was found.
func (pr *solved) repair(ctx context.Context, c *semidual.Columns, plan *ot.SparsePlan, lp *ot.Result, k int,
	F, G []float64, st settings) *ot.Result {
	n, m := pr.n, pr.m
	mass := floats.Sum(pr.a)
	sup := newSlots(n, m, k)
	if lp != nil {
		lpPlan := lp.Plan.(*ot.SparsePlan)
		// Its positive entries (a basis may keep degenerate zeros, and
		// rounding leaves entries of a few ulps of the mass).
		tiny := 1e-12 * mass
		perCol := make([]int, m)
		for q, j := range lpPlan.ColIdx {
			if lpPlan.Val[q] > tiny {
				perCol[j]++
			}
		}
		if slices.Max(perCol) <= k {
			for i := 0; i < n; i++ {
				for q := lpPlan.RowPtr[i]; q < lpPlan.RowPtr[i+1]; q++ {
					if lpPlan.Val[q] > tiny {
						sup.add(i, lpPlan.ColIdx[q])
					}
				}
			}
		}
	}
	if len(sup.in) == 0 && k == 1 && n == m {
		// Every 1-sparse plan is a matching of rows and columns of equal
		// weight (infeasible rejected the rest): the cheapest is the
		// unregularised optimum on those pairs, whose vertices are
		// matchings.
		if q := pr.matching(ctx, c, mass); q != nil {
			for i := 0; i < n; i++ {
				for p := q.RowPtr[i]; p < q.RowPtr[i+1]; p++ {
					if q.Val[p] > 1e-12*mass {
						sup.add(i, q.ColIdx[p])
					}
				}
			}
		}
	}
	if len(sup.in) == 0 {
		if ot.MarginalError(plan, pr.a, pr.b) <= st.tol*mass {
			return nil
		}
		for i := 0; i < n; i++ {
			for q := plan.RowPtr[i]; q < plan.RowPtr[i+1]; q++ {
				sup.add(i, plan.ColIdx[q])
			}
		}
	}
	r := repairer{n: n, m: m, a: pr.a, b: pr.b, cost: c.Cost, F: F, G: G, sup: sup, mass: mass}
	if !r.run(ctx) {
		return nil
	}
	q, err := restricted(ctx, sup, pr.a, pr.b, c.Cost, c.Gamma, st.tol, st.workers, F, G)
	if err != nil || q.Plan == nil {
		// The flow says the support is feasible; Validate's check is
		// looser, so this does not happen.
		return nil
	}
	// Polish: keep the positive entries (the plan stays feasible), fill the
	// free slots with the entries of most negative reduced cost at the new
	// potentials, re-solve while the value falls.
	for round := 0; round < polishRounds && q.Status == ot.Converged && ctx.Err() == nil; round++ {
		next := polished(q, c.Cost, n, m, k)
		if next == nil {
			break
		}
		q2, err := restricted(ctx, next, pr.a, pr.b, c.Cost, c.Gamma, st.tol, st.workers, q.F, q.G)
		if err != nil || q2.Plan == nil || q2.Status != ot.Converged || !(q2.Value < q.Value) {
			break
		}
		q = q2
	}
	return pr.swapped(ctx, q, c, k, st)
}

// The swap search makes at most swapTries restricted solves, and at most
// swapWork/(n·m) (none above 2^18 entries: each solve is a quadratic OT
// problem of the full size).
const (
	swapTries = 64
	swapWork  = 1 << 18
)

// swapped improves the feasible plan q by moves within columns: an entry
// outside the support of negative reduced cost C_ij − F_i − G_j at q's
// potentials takes a free slot of its column or replaces, in a full
// column, the entry of least mass, and the
// restricted problem is re-solved; an exchange is kept when the value
// falls. Candidates are tried by reduced cost, most negative first, up to
// a budget of restricted solves.
func (pr *solved) swapped(ctx context.Context, q *ot.Result, c *semidual.Columns, k int, st settings) *ot.Result {
	n, m := pr.n, pr.m
	tries := min(swapTries, swapWork/max(1, n*m))
	type cand struct {
		i, j int
		r    float64
	}
	var cands []cand
	for tries > 0 && q.Status == ot.Converged && ctx.Err() == nil {
		plan := q.Plan.(*ot.SparsePlan)
		sup := newSlots(n, m, k)
		for i := 0; i < n; i++ {
			for p := plan.RowPtr[i]; p < plan.RowPtr[i+1]; p++ {
				if plan.Val[p] > 0 {
					sup.add(i, plan.ColIdx[p])
				}
			}
		}
		cands = cands[:0]
		for j := 0; j < m; j++ {
			for i := 0; i < n; i++ {
				if sup.in[j*n+i] {
					continue
				}
				if r := c.Cost(i, j) - q.F[i] - q.G[j]; r < 0 {
					cands = append(cands, cand{i, j, r})
				}
			}
		}
		slices.SortFunc(cands, func(x, y cand) int {
			switch {
			case x.r < y.r:
				return -1
			case x.r > y.r:
				return 1
			case x.j != y.j:
				return x.j - y.j
			}
			return x.i - y.i
		})
		improved := false
		for _, cd := range cands {
			if tries == 0 || ctx.Err() != nil {
				break
			}
			// The column's entry of least mass leaves (none if the column
			// has a free slot).
			out, least := -1, math.Inf(1)
			for _, i32 := range sup.cols[cd.j] {
				if v := plan.At(int(i32), cd.j); v < least && !sup.free(cd.j) {
					out, least = int(i32), v
				}
			}
			next := newSlots(n, m, k)
			for j, rows := range sup.cols {
				for _, i := range rows {
					if j != cd.j || int(i) != out {
						next.add(int(i), j)
					}
				}
			}
			next.add(cd.i, cd.j)
			tries--
			q2, err := restricted(ctx, next, pr.a, pr.b, c.Cost, c.Gamma, st.tol, st.workers, q.F, q.G)
			if err != nil || q2.Plan == nil || q2.Status != ot.Converged || !(q2.Value < q.Value) {
				continue
			}
			q, improved = q2, true
			break
		}
		if !improved {
			break
		}
	}
	return q
}

// polishRounds bounds the support-improvement rounds after the repair.
const polishRounds = 4

// polished returns the support of q's positive entries with every column's
// free slots given to its entries of most negative reduced cost
// C_ij − F_i − G_j at q's potentials, or nil when there are none.
func polished(q *ot.Result, cost func(i, j int) float64, n, m, k int) *slots {
	plan := q.Plan.(*ot.SparsePlan)
	sup := newSlots(n, m, k)
	for i := 0; i < n; i++ {
		for p := plan.RowPtr[i]; p < plan.RowPtr[i+1]; p++ {
			if plan.Val[p] > 0 {
				sup.add(i, plan.ColIdx[p])
			}
		}
	}
	added := false
	type cand struct {
		i int
		r float64
	}
	var cands []cand
	for j := 0; j < m; j++ {
		free := k - len(sup.cols[j])
		if free <= 0 {
			continue
		}
		cands = cands[:0]
		for i := 0; i < n; i++ {
			if sup.in[j*n+i] {
				continue
			}
			if r := cost(i, j) - q.F[i] - q.G[j]; r < 0 {
				cands = append(cands, cand{i, r})
			}
		}
		slices.SortFunc(cands, func(x, y cand) int {
			if x.r != y.r {
				if x.r < y.r {
					return -1
				}
				return 1
			}
			return x.i - y.i
		})
		for _, c := range cands[:min(free, len(cands))] {
			sup.add(c.i, j)
			added = true
		}
	}
	if !added {
		return nil
	}
	return sup
}

// start returns the normalized starting point from init.
func (pr *solved) start(init *ot.Potentials, dim int, dual bool) []float64 {
	x := make([]float64, dim)
	if init == nil {
		return x
	}
	f, g := init.F, init.G
	rowsOf, colsOf := pr.red.RowsOf, pr.red.ColsOf
	if pr.rowSparse {
		f, g = g, f
		rowsOf, colsOf = colsOf, rowsOf
	}
	if f != nil {
		copy(x[:pr.n], rowsOf(f))
	}
	if g != nil && dual {
		copy(x[pr.n:], colsOf(g))
	}
	for i, v := range x {
		if math.IsInf(v, -1) { // zero-mass entries of an earlier result
			x[i] = 0
		} else {
			x[i] = math.Ldexp(v, -pr.costExp)
		}
	}
	return x
}

// expand sets the plan and the potentials (in cost units) of res on the
// original problem from those of the solved one.
func (pr *solved) expand(res *ot.Result, plan *ot.SparsePlan, F, G []float64) {
	F = scaled(F, pr.costExp)
	G = scaled(G, pr.costExp)
	if pr.rowSparse {
		plan = transposePlan(plan)
		F, G = G, F
	}
	res.Plan = pr.red.ExpandPlan(plan)
	res.F = pr.red.ExpandRows(F, math.Inf(-1))
	res.G = pr.red.ExpandCols(G, math.Inf(-1))
}

// canceled is the result of a solve canceled before its first evaluation:
// zero potentials, the empty plan and DualValue 0.
func (pr *solved) canceled(p *ot.Problem) *ot.Result {
	res := &ot.Result{Status: ot.Canceled}
	pr.expand(res, &ot.SparsePlan{N: pr.n, M: pr.m, RowPtr: make([]int, pr.n+1)},
		make([]float64, pr.n), make([]float64, pr.m))
	res.MarginalError = ot.MarginalError(res.Plan, p.A, p.B)
	return res
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

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
