package cardinality

import (
	"context"
	"fmt"
	"math"

	"github.com/otkit/otkit/internal/parallel"
	"github.com/otkit/otkit/internal/semidual"
	"github.com/otkit/otkit/ot"
)

// Router routes the tokens of a group to experts with sparsity-constrained
// OT, as the experts-choose-tokens router of the paper's MoE code (vmoe):
// the cost is C = −softmax(scores) row-wise, every token has mass a_i = 1,
// every expert mass b_j = n/m, γ = Gamma (on these unnormalised masses), and
// at most Capacity tokens go to an expert. The semi-dual relaxation is
// maximised; expert j takes the tokens with T_ij > 0 (ascending), and each
// expert's plan mass is exactly n/m. A token may end up with a total plan
// mass other than 1, split across several experts, or dropped (no expert):
// Routing reports the dropped tokens, the experts-per-token histogram and
// the token-side and expert-side errors.
//
// With RowSparse the roles flip (tokens-choose-experts): at most Capacity
// experts per token, every token's plan mass exactly 1, expert loads
// approximate unless ExpertCapacity caps them.
//
// Status: with Adam (a fixed number of steps, no tolerance: the reference
// router's contract) a routing that took all MaxIter steps is Converged;
// with L-BFGS Converged means the plan's marginal error reached Tol, and
// IterationLimit or Stalled that it did not. A canceled ctx gives Canceled
// (the routing of the last iterate), a non-finite objective
// NumericalError. Steps counts the steps taken.
//
// vmoe parity: CapacityFactor computes vmoe's capacity; FixedSlots lays
// the routing out in vmoe's fixed-size expert buffers, padding included;
// ExpertCapacity and BatchPriority reproduce vmoe's capacity drop in
// tokens-choose-experts mode; the Weights32 methods of Routing give float32
// combine weights. Two differences remain: vmoe's top_k orders an expert's
// slots by plan value (here by token; the dispatched set is the same), and in
// tokens-choose-experts mode it tops a token with fewer than Capacity plan
// entries up with zero-mass experts, which is not done here.
//
// The zero value is not usable: Capacity is required. The defaults
// reproduce the reference router: Adam, 20 steps, learning rate 1e-2, γ = 1.
// GreedyRouter and SinkhornRouter are the usual baselines, with the same
// Route method.
type Router struct {
	// Capacity is the largest number of tokens an expert takes (experts per
	// token with RowSparse). Required, ≥ 1; clamped to the number of
	// tokens (experts). Column-sparse routing with Capacity·Experts < Tokens
	// cannot place every token and is an ot.ErrInfeasible error.
	// CapacityFactor gives vmoe's capacity for a capacity factor.
	Capacity int
	// Gamma is the regularisation γ on unnormalised masses. Zero means 1.
	Gamma float64
	// Optimizer: Adam (the default for Router) or LBFGS.
	Optimizer Optimizer
	// MaxIter: Adam steps (zero means 20, the reference router's default)
	// or L-BFGS iterations (zero means 1000).
	MaxIter int
	// LearningRate is Adam's step size. Zero means 1e-2.
	LearningRate float64
	// Tol is the L-BFGS target marginal error. Zero means 1e-9 × Tokens.
	Tol float64
	// RowSparse switches to tokens-choose-experts routing.
	RowSparse bool
	// ExpertCapacity, with RowSparse, is the most tokens an expert takes
	// (zero: no limit). As vmoe's top-experts-per-item dispatcher, every
	// token's experts are ranked by plan entry (descending, ties by
	// expert), all first choices are placed before the second choices,
	// and within a rank tokens go in index order (BatchPriority: by
	// descending largest plan entry, ties by index); a choice whose expert
	// is full is dropped, and a token that loses all its choices is
	// dropped. Ignored without RowSparse (Capacity bounds the loads there).
	ExpertCapacity int
	// BatchPriority orders the tokens of ExpertCapacity's drop by their
	// largest plan entry (vmoe's batch_priority, Riquelme et al. 2021).
	BatchPriority bool
	// FixedSlots fills Routing.Slots with fixed-size expert buffers, as
	// vmoe's dispatchers hold them. Experts-choose-tokens: every expert
	// has exactly Capacity slots, its tokens first and then padding, the
	// tokens of lowest index it does not take (what vmoe's top_k over a
	// plan column with zero entries picks: plan entry 0, combine weight
	// the gate, or 0 with PlanWeights); vmoe processes and combines these
	// padding tokens too. Tokens-choose-experts: ExpertCapacity slots per
	// expert (required), empty slots −1 with weight 0.
	FixedSlots bool
	// Refill, in experts-choose-tokens mode, gives every token the
	// relaxation drops (no expert) the expert of largest gate that still
	// has room (fewer than Capacity tokens) or, failing that, that holds a
	// token also sent to another expert, which then gives up its entry of
	// least plan mass there. The new entry has plan value 1 (the token's
	// whole mass) and its gate as combine weight; tokens are taken in
	// index order. Loads stay at most Capacity; a token is left dropped
	// only when no expert can take it. Off by default (the reference
	// router drops them).
	Refill bool
	// PlanWeights makes the combine weights the plan entries T_ij instead of
	// the softmax gates (the reference default).
	PlanWeights bool
	// Workers is the number of goroutines: within Route and RouteInto over
	// tokens for the softmax and over experts for every evaluation (Workers
	// − 1 helpers started once per call, static chunks), over groups within
	// RouteBatch. 0 or 1 means the calling goroutine. Results are bitwise
	// identical for any value.
	Workers int
}

// CapacityFactor returns vmoe's expert capacity for a capacity factor:
// ⌈tokens·factor/experts⌉ rounded up to a multiple of 4 (vmoe's
// compute_capacity with its defaults). For tokens-choose-experts routing
// with K experts per token vmoe passes tokens·K. It returns 0 (which Router
// rejects) unless tokens, experts ≥ 1 and factor > 0 is finite; a capacity
// beyond the int range is clamped to the largest multiple of 4.
func CapacityFactor(tokens, experts int, factor float64) int {
	if tokens < 1 || experts < 1 || !(factor > 0) || math.IsInf(factor, 1) {
		return 0
	}
	c := math.Ceil(float64(tokens) * factor / float64(experts))
	const most = math.MaxInt &^ 3
	if c >= most {
		return most
	}
	k := int(c)
	return k + (-k)&3
}

// routerSettings are the Router settings with defaults applied.
type routerSettings struct {
	settings
	lbfgs bool
}

func (r *Router) settings(s *Scores) (routerSettings, error) {
	var rs routerSettings
	if err := s.check(); err != nil {
		return rs, err
	}
	if r.Capacity < 1 {
		return rs, fmt.Errorf("%w: router capacity %d (want ≥ 1)", ot.ErrParameter, r.Capacity)
	}
	// Capacity·Experts < Tokens, without overflow for a huge Capacity.
	if !r.RowSparse && r.Capacity < s.Tokens && r.Capacity*s.Experts < s.Tokens {
		return rs, fmt.Errorf("%w: capacity %d × %d experts < %d tokens: every expert must take %g tokens",
			ot.ErrInfeasible, r.Capacity, s.Experts, s.Tokens, float64(s.Tokens)/float64(s.Experts))
	}
	if r.ExpertCapacity < 0 {
		return rs, fmt.Errorf("%w: expert capacity %d (want ≥ 0)", ot.ErrParameter, r.ExpertCapacity)
	}
	if r.FixedSlots && r.RowSparse && r.ExpertCapacity == 0 {
		return rs, fmt.Errorf("%w: FixedSlots with RowSparse needs ExpertCapacity (the slots per expert)", ot.ErrParameter)
	}
	opt := r.Optimizer
	if opt == DefaultOptimizer {
		opt = Adam
	}
	maxIter := r.MaxIter
	if maxIter == 0 && opt == Adam {
		maxIter = 20
	}
	tol := r.Tol
	if tol == 0 {
		tol = 1e-9 * float64(s.Tokens)
	}
	solver := Solver{K: r.Capacity, Gamma: r.Gamma, Optimizer: opt, MaxIter: maxIter,
		LearningRate: r.LearningRate, Tol: tol, Workers: r.Workers}
	st, err := solver.settings()
	if err != nil {
		return rs, err
	}
	rs.settings = st
	rs.lbfgs = opt == LBFGS
	return rs, nil
}

// Route routes one group and returns a new Routing. A nil ctx means
// context.Background().
func (r *Router) Route(ctx context.Context, s Scores) (*Routing, error) {
	out := new(Routing)
	if err := r.RouteInto(ctx, out, s); err != nil {
		return nil, err
	}
	return out, nil
}

// RouteInto routes one group into dst, reusing its memory.
func (r *Router) RouteInto(ctx context.Context, dst *Routing, s Scores) error {
	st, err := r.settings(&s)
	if err != nil {
		return err
	}
	if ctx == nil {
		ctx = context.Background()
	}
	return r.route(ctx, dst, &s, st)
}

// RouteBatch routes many groups, groups[g] into dst[g] (len(dst) must equal
// len(groups)). Groups are spread over Workers goroutines in static
// chunks; each group is routed by one goroutine, so the results are
// identical to routing the groups one by one. It returns the error of the
// first bad group, by index.
func (r *Router) RouteBatch(ctx context.Context, dst []Routing, groups []Scores) error {
	if len(dst) != len(groups) {
		return fmt.Errorf("%w: %d routings for %d groups", ot.ErrShape, len(dst), len(groups))
	}
	if ctx == nil {
		ctx = context.Background()
	}
	if r.Workers <= 1 || len(groups) <= 1 {
		for g := range groups {
			if err := r.routeGroup(ctx, &dst[g], &groups[g], g); err != nil {
				return err
			}
		}
		return nil
	}
	return r.batchParallel(ctx, dst, groups)
}

// batchParallel is RouteBatch with several workers (kept apart so that the
// one-worker path does not move its arguments to the heap).
func (r *Router) batchParallel(ctx context.Context, dst []Routing, groups []Scores) error {
	errs := make([]error, len(groups))
	parallel.For(r.Workers, len(groups), func(_, g int) {
		errs[g] = r.routeGroup(ctx, &dst[g], &groups[g], g)
	})
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// routeGroup routes group g of a batch on the calling goroutine.
func (r *Router) routeGroup(ctx context.Context, dst *Routing, s *Scores, g int) error {
	st, err := r.settings(s)
	if err == nil {
		st.workers = 1
		err = r.route(ctx, dst, s, st)
	}
	if err != nil {
		return fmt.Errorf("group %d: %w", g, err)
	}
	return nil
}

// routeWorkspace is the memory a Routing keeps for the next routing.
type routeWorkspace struct {
	cols   semidual.Columns
	driver semidual.Driver
	a, b   []float64
	grad   []float64
	mass   []float64
	row    []float64 // per worker, length costTile·Experts
	errs   []error   // per worker
	src    Scores    // the scores, during a parallel cost pass
	hist   []float64
	eval   func(x, grad []float64) float64 // cols.SemiDual, bound once
	count  []int
	tcount []int  // refill: experts per token; tokens-choose drop: first entry per token
	load   []int  // refill: tokens per expert
	estart []int  // refill: first entry of each expert
	tried  []bool // refill: experts tried for the current token
	addTok []int  // refill: added entries, then their order by expert; drop: entry ranks
	addExp []int
	// entries in the order they are produced
	eTok, eExp []int
	eVal       []float64
}

// route solves one group with validated settings.
func (r *Router) route(ctx context.Context, out *Routing, s *Scores, st routerSettings) error {
	n, m := s.Tokens, s.Experts
	ws := &out.ws
	c := &ws.cols
	// Solved orientation: column-sparse over experts (columns = experts,
	// rows = tokens) or, with RowSparse, over tokens (columns = tokens).
	rows, cols := n, m
	if r.RowSparse {
		rows, cols = m, n
	}
	k := min(st.k, rows)
	c.Reset(rows, cols, k)
	ws.a, ws.b = grow(ws.a, rows), grow(ws.b, cols)
	fillConst(ws.a, 1)
	fillConst(ws.b, 1)
	if r.RowSparse {
		fillConst(ws.a, float64(n)/float64(m))
	} else {
		fillConst(ws.b, float64(n)/float64(m))
	}
	c.A, c.B, c.Gamma = ws.a, ws.b, st.gamma
	workers := max(1, min(st.workers, n))
	ws.row = grow(ws.row, workers*costTile*m)
	ct := c.CT()
	if workers == 1 {
		c.Pool = nil
		if err := softmaxCost(ct, s, r.RowSparse, ws.row, 0, n); err != nil {
			return err
		}
	} else {
		pool := parallel.NewPool(workers)
		defer pool.Close()
		c.Pool = pool
		defer func() { c.Pool = nil }()
		if err := r.parallelCost(ws, ct, s, pool); err != nil {
			return err
		}
	}

	x := grow(out.F, rows)
	clear(x)
	ws.hist = ws.hist[:0]
	if ws.eval == nil {
		ws.eval = c.SemiDual
	}
	rec := semidual.Record{History: ws.hist}
	set := semidual.Settings{Tol: st.tol, MaxIter: st.maxIter, LearningRate: st.lr}
	if st.lbfgs {
		if k < rows {
			set.Escape = semidual.EscapeStep(c.CostRange())
		}
		ws.driver.LBFGS(ctx, ws.eval, x, set, &rec)
	} else {
		ws.driver.Adam(ctx, ws.eval, x, set, &rec)
	}
	ws.hist = rec.History
	out.DualValue = rec.Value
	if !rec.Current {
		ws.grad = grow(ws.grad, rows)
		out.DualValue = c.SemiDual(x, ws.grad)
	}
	out.F, out.Steps = x, rec.Iterations
	out.Tokens, out.Experts, out.Capacity = n, m, k
	r.collect(out)
	switch {
	case !finite(out.DualValue) || rec.Status == ot.NumericalError:
		out.Status = ot.NumericalError
	case rec.Status == ot.Canceled:
		out.Status = ot.Canceled
	case !st.lbfgs:
		// Fixed steps: every step asked for was taken.
		out.Status = ot.Converged
	case out.MarginalError <= st.tol:
		out.Status = ot.Converged
	case rec.Status == ot.Converged:
		out.Status = ot.Stalled
	default:
		out.Status = rec.Status
	}
	return nil
}

// parallelCost is the softmax cost pass over static chunks of tokens, one
// per worker of pool.
func (r *Router) parallelCost(ws *routeWorkspace, ct []float64, s *Scores, pool *parallel.Pool) error {
	w, n, m := pool.Workers(), s.Tokens, s.Experts
	if cap(ws.errs) < w {
		ws.errs = make([]error, w)
	}
	ws.errs = ws.errs[:w]
	// The workers read the scores through ws (s itself must not escape:
	// the one-worker path would allocate for it).
	ws.src = *s
	pool.Run(func(q int) {
		lo, hi := parallel.Range(q, w, n)
		ws.errs[q] = softmaxCost(ct, &ws.src, r.RowSparse, ws.row[q*costTile*m:(q+1)*costTile*m], lo, hi)
	})
	ws.src = Scores{}
	for _, err := range ws.errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func fillConst(x []float64, v float64) {
	for i := range x {
		x[i] = v
	}
}

func grow(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}

func growInt(s []int, n int) []int {
	if cap(s) < n {
		return make([]int, n)
	}
	return s[:n]
}
