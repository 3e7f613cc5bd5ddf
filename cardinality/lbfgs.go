package cardinality

import (
	"context"
	"math"

	"github.com/otkit/otkit/internal/lbfgs"
	"github.com/otkit/otkit/ot"
)

// Stall rule (spec §6): stop when, over stallIters consecutive iterations,
// the objective has not increased by more than stallRel·max(1, |f|) and the
// marginal error has not fallen below its best so far. (The spec's rule
// looks at the value alone; near the optimum of a smooth problem the value
// changes by less than its rounding while the gradient still shrinks
// steadily, so the marginal error is watched too.)
const (
	stallIters = 20
	stallRel   = 1e-12
)

// Kink escape: when L-BFGS stalls on a kink of the nonsmooth objective
// (small k), up to polishRounds rounds of polishSteps Adam steps, with a step
// of polishLR × (cost range) decaying by polishDecay per step, move across
// the kinks (the best point seen is kept) before L-BFGS resumes. On the §8.1
// example (k = 1, γ = 10) L-BFGS alone stops at 2.0 after one iteration, at
// a point where three entries tie; with the escape it reaches 2.09999…
// (the relaxed optimum is 2.1).
const (
	polishRounds = 3
	polishSteps  = 300
	polishLR     = 1e-2
	polishDecay  = 0.99
)

// lbfgsWorkspace is the reusable memory of lbfgsRun.
type lbfgsWorkspace struct {
	opt  lbfgs.Optimizer
	adam adamState
}

// lbfgsMax maximises eval from x in place with L-BFGS, stopping when the
// ℓ1 norm of the gradient (the marginal error of the current plan) is at
// most st.tol, on a stall that the kink escape cannot resolve, or after
// st.maxIter iterations (Adam steps of the escape included).
func lbfgsMax(ctx context.Context, eval func(x, grad []float64) float64, x []float64, st settings) runResult {
	var ws lbfgsWorkspace
	return ws.run(ctx, eval, x, st, make([]float64, 0, 64))
}

func (ws *lbfgsWorkspace) run(ctx context.Context, eval func(x, grad []float64) float64, x []float64,
	st settings, history []float64) runResult {
	res := runResult{history: history}
	for round := 0; ; round++ {
		f, status := ws.phase(ctx, eval, x, st, &res)
		res.status = status
		if status != ot.Stalled || round == polishRounds || res.iterations >= st.maxIter {
			return res
		}
		steps := min(polishSteps, st.maxIter-res.iterations)
		lr := polishLR * st.costRange
		best := ws.adam.polish(ctx, eval, x, steps, lr, f, st, &res)
		if ctx.Err() != nil {
			res.status = ot.Canceled
			return res
		}
		if !(best > f+stallRel*math.Max(1, math.Abs(f))) {
			return res // no progress across the kink either: Stalled
		}
		if res.iterations >= st.maxIter {
			res.status = ot.NotTerminated
			return res
		}
	}
}

// phase runs L-BFGS from x for the remaining iterations and returns the
// value at the returned x and how it ended (NotTerminated: Tol or MaxIter).
func (ws *lbfgsWorkspace) phase(ctx context.Context, eval func(x, grad []float64) float64, x []float64,
	st settings, res *runResult) (float64, ot.Status) {
	best, bestErr := math.Inf(-1), math.Inf(1)
	since := 0
	stalled := false
	offset := res.iterations
	r := ws.opt.Maximize(ctx, eval, x, lbfgs.Settings{
		MaxIter: st.maxIter - offset,
		Callback: func(it int, _, grad []float64, f float64) bool {
			e := l1(grad)
			if it > 0 {
				res.history = append(res.history, e)
				if st.progress != nil {
					st.progress(offset+it, e)
				}
			}
			if e <= st.tol {
				return true
			}
			progress := false
			if it == 0 || f > best+stallRel*math.Max(1, math.Abs(best)) {
				best, progress = f, true
			}
			if e < bestErr {
				bestErr, progress = e, true
			}
			if progress {
				since = 0
			} else if since++; since >= stallIters {
				stalled = true
				return true
			}
			return false
		},
	})
	res.iterations += r.Iterations
	switch {
	case stalled || r.Status == lbfgs.Stalled:
		return r.F, ot.Stalled
	case r.Status == lbfgs.Canceled:
		return r.F, ot.Canceled
	case r.Status == lbfgs.NumericalError:
		return r.F, ot.NumericalError
	}
	return r.F, ot.NotTerminated
}
