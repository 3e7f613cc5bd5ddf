package cardinality

import (
	"context"
	"fmt"
	"math"
	"sync"

	"github.com/otkit/otkit/internal/lse"
	"github.com/otkit/otkit/ot"
)

// Scores is a tokens × experts matrix of router scores (logits; higher is
// better), row-major. Exactly one of Data and Data32 is used: Data when it
// is non-nil, else Data32. Computations are in float64 either way.
type Scores struct {
	Tokens, Experts int
	Data            []float64
	Data32          []float32
}

func (s *Scores) check() error {
	if s.Tokens <= 0 || s.Experts <= 0 {
		return fmt.Errorf("%w: scores are %d tokens × %d experts", ot.ErrEmpty, s.Tokens, s.Experts)
	}
	l := len(s.Data32)
	if s.Data != nil {
		l = len(s.Data)
	}
	if l != s.Tokens*s.Experts {
		return fmt.Errorf("%w: scores have %d entries, want %d×%d", ot.ErrShape, l, s.Tokens, s.Experts)
	}
	return nil
}

// Router routes the tokens of a group to experts with sparsity-constrained
// OT, as the experts-choose-tokens router of the paper's MoE code (vmoe):
// the cost is C = −softmax(scores) row-wise, every token has mass a_i = 1,
// every expert mass b_j = n/m, γ = Gamma (on these unnormalised masses), and
// at most Capacity tokens go to an expert. The semi-dual relaxation is
// maximised; expert j takes the tokens with T_ij > 0 (ascending), and each
// expert's plan mass is exactly n/m. A token may end up with a total plan
// mass other than 1, split across several experts, or dropped (no expert):
// Routing reports the dropped tokens and the marginal error.
//
// With RowSparse the roles flip (tokens-choose-experts): at most Capacity
// experts per token, every token's plan mass exactly 1, expert loads
// approximate.
//
// The zero value is not usable: Capacity is required. The defaults
// reproduce the reference router: Adam, 20 steps, learning rate 1e-2, γ = 1.
type Router struct {
	// Capacity is the largest number of tokens an expert takes (experts per
	// token with RowSparse). Required, ≥ 1; clamped to the number of
	// tokens (experts). Column-sparse routing with Capacity·Experts < Tokens
	// cannot place every token and is an ot.ErrInfeasible error.
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

// Routing is the result of routing one group. Reuse it with RouteInto or
// RouteBatch: once its buffers have grown, routing with Workers ≤ 1
// allocates nothing (several workers allocate only for starting their
// goroutines, once per call).
type Routing struct {
	Tokens, Experts, Capacity int
	// Expert j takes tokens ExpertTokens[ExpertStart[j]:ExpertStart[j+1]]
	// (ascending) with combine weights ExpertWeights and plan entries
	// ExpertPlan at the same positions.
	ExpertStart   []int
	ExpertTokens  []int
	ExpertWeights []float64
	ExpertPlan    []float64
	// Token i goes to experts TokenExperts[TokenStart[i]:TokenStart[i+1]]
	// (ascending) with combine weights TokenWeights.
	TokenStart   []int
	TokenExperts []int
	TokenWeights []float64
	// Dropped is the number of tokens routed to no expert.
	Dropped int
	// Score is the sum of the softmax gates over all (token, expert) pairs
	// dispatched.
	Score float64
	// MarginalError is ‖T1 − 1‖₁ + ‖Tᵀ1 − n/m‖₁ of the plan, in token
	// units.
	MarginalError float64
	// DualValue is the semi-dual objective at F; F holds the potentials of
	// the solved orientation (tokens, or experts with RowSparse).
	DualValue  float64
	F          []float64
	Iterations int
	Status     ot.Status

	ws routeWorkspace
}

// Load returns the number of tokens expert j takes.
func (r *Routing) Load(j int) int { return r.ExpertStart[j+1] - r.ExpertStart[j] }

// TokenLoad returns the number of experts token i goes to.
func (r *Routing) TokenLoad(i int) int { return r.TokenStart[i+1] - r.TokenStart[i] }

// Plan returns the routing plan as a tokens × experts CSR plan.
func (r *Routing) Plan() *ot.SparsePlan {
	p := &ot.SparsePlan{N: r.Tokens, M: r.Experts, RowPtr: append([]int(nil), r.TokenStart...),
		ColIdx: append([]int(nil), r.TokenExperts...), Val: make([]float64, len(r.TokenExperts))}
	next := append([]int(nil), r.TokenStart[:r.Tokens]...)
	for j := 0; j < r.Experts; j++ {
		for q := r.ExpertStart[j]; q < r.ExpertStart[j+1]; q++ {
			i := r.ExpertTokens[q]
			p.Val[next[i]] = r.ExpertPlan[q]
			next[i]++
		}
	}
	return p
}

type routeWorkspace struct {
	cols  columns
	adam  adamState
	lbfgs lbfgsWorkspace
	grad  []float64
	mass  []float64
	row   []float64 // per worker, length costTile·Experts
	errs  []error   // per worker
	src   Scores    // the scores, during a parallel cost pass
	hist  []float64
	eval  func(x, grad []float64) float64 // ws.cols.semiDual, bound once
	count []int
	// entries in the order they are produced
	eTok, eExp []int
	eVal       []float64
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
	if !r.RowSparse && r.Capacity*s.Experts < s.Tokens {
		return rs, fmt.Errorf("%w: capacity %d × %d experts < %d tokens: every expert must take %g tokens",
			ot.ErrInfeasible, r.Capacity, s.Experts, s.Tokens, float64(s.Tokens)/float64(s.Experts))
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

// Route routes one group and returns a new Routing.
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
// contiguous chunks; each group is routed by one goroutine, so the results
// are identical to routing the groups one by one. It returns the error of
// the first bad group, by index.
func (r *Router) RouteBatch(ctx context.Context, dst []Routing, groups []Scores) error {
	if len(dst) != len(groups) {
		return fmt.Errorf("%w: %d routings for %d groups", ot.ErrShape, len(dst), len(groups))
	}
	if ctx == nil {
		ctx = context.Background()
	}
	workers := max(1, min(r.Workers, len(groups)))
	if workers == 1 {
		for g := range groups {
			if err := r.routeGroup(ctx, &dst[g], &groups[g], g); err != nil {
				return err
			}
		}
		return nil
	}
	return r.batchParallel(ctx, dst, groups, workers)
}

// batchParallel is RouteBatch with several workers (kept apart so that the
// one-worker path does not move its arguments to the heap).
func (r *Router) batchParallel(ctx context.Context, dst []Routing, groups []Scores, workers int) error {
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for g := w * len(groups) / workers; g < (w+1)*len(groups)/workers; g++ {
				if err := r.routeGroup(ctx, &dst[g], &groups[g], g); err != nil {
					errs[w] = err
					return
				}
			}
		}()
	}
	wg.Wait()
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
	c.reset(rows, cols, k, st.workers)
	c.a, c.b = grow(c.a, rows), grow(c.b, cols)
	c.gamma = st.gamma
	for i := range c.a {
		c.a[i] = 1
	}
	for j := range c.b {
		c.b[j] = 1
	}
	if r.RowSparse {
		for i := range c.a {
			c.a[i] = float64(n) / float64(m)
		}
	} else {
		for j := range c.b {
			c.b[j] = float64(n) / float64(m)
		}
	}
	// Cost −softmax(scores) row-wise, over static chunks of tokens.
	ws.row = grow(ws.row, c.workers*costTile*m)
	if c.workers == 1 {
		if err := r.cost(c, s, ws.row, 0, n); err != nil {
			return err
		}
	} else {
		c.start()
		defer c.stop()
		if cap(ws.errs) < c.workers {
			ws.errs = make([]error, c.workers)
		}
		ws.errs = ws.errs[:c.workers]
		// The workers read the scores through ws (s itself must not
		// escape: the one-worker path would allocate for it).
		ws.src = *s
		c.rows(n, func(w, lo, hi int) {
			ws.errs[w] = r.cost(c, &ws.src, ws.row[w*costTile*m:(w+1)*costTile*m], lo, hi)
		})
		ws.src = Scores{}
		for _, err := range ws.errs {
			if err != nil {
				return err
			}
		}
	}

	x := grow(out.F, rows)
	clear(x)
	var run runResult
	ws.hist = ws.hist[:0]
	if ws.eval == nil {
		ws.eval = c.semiDual
	}
	if st.lbfgs {
		st.costRange = c.costRange()
		run = ws.lbfgs.run(ctx, ws.eval, x, st.settings, ws.hist)
	} else {
		run = ws.adam.run(ctx, ws.eval, x, st.maxIter, st.lr, nil, ws.hist)
	}
	ws.hist = run.history
	out.DualValue = run.value
	if !run.current {
		ws.grad = grow(ws.grad, rows)
		out.DualValue = c.semiDual(x, ws.grad)
	}
	out.F, out.Iterations = x, run.iterations
	out.Tokens, out.Experts, out.Capacity = n, m, k
	r.collect(out, s)
	switch {
	case !finite(out.DualValue):
		out.Status = ot.NumericalError
	case out.MarginalError <= st.tol:
		out.Status = ot.Converged
	case run.status != ot.NotTerminated:
		out.Status = run.status
	default:
		out.Status = ot.IterationLimit
	}
	return nil
}

// costTile is the number of tokens whose cost rows are computed together
// and stored into the columns of ct as whole cache lines (storing one row at
// a time into ct's columns strides by n entries, which thrashes the cache).
const costTile = 8

// cost writes −softmax(scores) of tokens [lo, hi) into c.ct, column-major
// in the solved orientation (transposed scores unless RowSparse), using buf
// (length costTile·Experts) as scratch. It reports the first non-finite
// score.
func (r *Router) cost(c *columns, s *Scores, buf []float64, lo, hi int) error {
	n, m := s.Tokens, s.Experts
	for i0 := lo; i0 < hi; i0 += costTile {
		i1 := min(i0+costTile, hi)
		for i := i0; i < i1; i++ {
			row := buf[(i-i0)*m : (i-i0+1)*m]
			if s.Data != nil {
				copy(row, s.Data[i*m:(i+1)*m])
			} else {
				for j, v := range s.Data32[i*m : (i+1)*m] {
					row[j] = float64(v)
				}
			}
			mx := math.Inf(-1)
			for j, v := range row {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					return fmt.Errorf("%w: score[%d,%d] = %v", ot.ErrNonFinite, i, j, v)
				}
				if v > mx {
					mx = v
				}
			}
			var z float64
			for j, v := range row {
				e := lse.Exp(v - mx)
				row[j] = e
				z += e
			}
			z = -1 / z
			for j, e := range row {
				row[j] = e * z
			}
		}
		if r.RowSparse {
			copy(c.ct[i0*m:i1*m], buf[:(i1-i0)*m])
			continue
		}
		for j := 0; j < m; j++ {
			dst := c.ct[j*n+i0 : j*n+i1]
			for t := range dst {
				dst[t] = buf[t*m+j]
			}
		}
	}
	return nil
}

// gateIndex is where the gate of (token i, expert j) lives in ct.
func (r *Router) gateIndex(i, j, n, m int) int {
	if r.RowSparse {
		return i*m + j
	}
	return j*n + i
}

// collect turns the last evaluation's columns into the per-expert and
// per-token lists, weights and statistics.
func (r *Router) collect(out *Routing, s *Scores) {
	n, m := s.Tokens, s.Experts
	ws := &out.ws
	c := &ws.cols
	ws.eTok, ws.eExp, ws.eVal = ws.eTok[:0], ws.eExp[:0], ws.eVal[:0]
	// Entries in column order of the solved orientation, rows ascending
	// within a column (the kernels keep them so): expert-major
	// (column-sparse) or token-major.
	for j := 0; j < c.m; j++ {
		base := j * c.k
		sel, val := c.sel[base:base+c.cnt[j]], c.val[base:base+c.cnt[j]]
		for q, i := range sel {
			if val[q] <= 0 {
				continue
			}
			tok, exp := i, j
			if r.RowSparse {
				tok, exp = j, i
			}
			ws.eTok = append(ws.eTok, tok)
			ws.eExp = append(ws.eExp, exp)
			ws.eVal = append(ws.eVal, val[q])
		}
	}
	nnz := len(ws.eVal)
	out.ExpertStart = growInt(out.ExpertStart, m+1)
	out.TokenStart = growInt(out.TokenStart, n+1)
	out.ExpertTokens = growInt(out.ExpertTokens, nnz)
	out.TokenExperts = growInt(out.TokenExperts, nnz)
	out.ExpertWeights = grow(out.ExpertWeights, nnz)
	out.ExpertPlan = grow(out.ExpertPlan, nnz)
	out.TokenWeights = grow(out.TokenWeights, nnz)
	clear(out.ExpertStart)
	clear(out.TokenStart)
	for q := 0; q < nnz; q++ {
		out.ExpertStart[ws.eExp[q]+1]++
		out.TokenStart[ws.eTok[q]+1]++
	}
	for j := 0; j < m; j++ {
		out.ExpertStart[j+1] += out.ExpertStart[j]
	}
	for i := 0; i < n; i++ {
		out.TokenStart[i+1] += out.TokenStart[i]
	}
	// A stable counting sort into each layout keeps the secondary index
	// ascending, because the entries are sorted by (primary, secondary) in
	// one of the two layouts already.
	ws.count = growInt(ws.count, max(n, m))
	copy(ws.count, out.ExpertStart[:m])
	ws.mass = grow(ws.mass, n)
	tokenMass := ws.mass
	clear(tokenMass)
	var score float64
	for q := 0; q < nnz; q++ {
		i, j, t := ws.eTok[q], ws.eExp[q], ws.eVal[q]
		gate := -c.ct[r.gateIndex(i, j, n, m)]
		w := gate
		if r.PlanWeights {
			w = t
		}
		score += gate
		tokenMass[i] += t
		p := ws.count[j]
		ws.count[j]++
		out.ExpertTokens[p], out.ExpertWeights[p], out.ExpertPlan[p] = i, w, t
	}
	copy(ws.count, out.TokenStart[:n])
	for j := 0; j < m; j++ {
		for p := out.ExpertStart[j]; p < out.ExpertStart[j+1]; p++ {
			i := out.ExpertTokens[p]
			q := ws.count[i]
			ws.count[i]++
			out.TokenExperts[q], out.TokenWeights[q] = j, out.ExpertWeights[p]
		}
	}
	var merr float64
	out.Dropped = 0
	for i := 0; i < n; i++ {
		merr += math.Abs(tokenMass[i] - 1)
		if out.TokenStart[i+1] == out.TokenStart[i] {
			out.Dropped++
		}
	}
	load := float64(n) / float64(m)
	for j := 0; j < m; j++ {
		var sum float64
		for p := out.ExpertStart[j]; p < out.ExpertStart[j+1]; p++ {
			sum += out.ExpertPlan[p]
		}
		merr += math.Abs(sum - load)
	}
	out.Score, out.MarginalError = score, merr
}
