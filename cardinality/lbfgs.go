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

// lbfgsMax maximises eval from x in place with L-BFGS, stopping when the
// ℓ1 norm of the gradient (the marginal error of the current plan) is at
// most st.tol, on a stall, or after st.maxIter iterations.
func lbfgsMax(ctx context.Context, eval func(x, grad []float64) float64, x []float64, st settings) runResult {
	var opt lbfgs.Optimizer
	return lbfgsRun(ctx, &opt, eval, x, st, make([]float64, 0, 64))
}

func lbfgsRun(ctx context.Context, opt *lbfgs.Optimizer, eval func(x, grad []float64) float64, x []float64,
	st settings, history []float64) runResult {
	res := runResult{history: history}
	best, bestErr := math.Inf(-1), math.Inf(1)
	since := 0
	stalled := false
	r := opt.Maximize(ctx, eval, x, lbfgs.Settings{
		MaxIter: st.maxIter,
		Callback: func(it int, _, grad []float64, f float64) bool {
			e := l1(grad)
			if it > 0 {
				res.history = append(res.history, e)
				if st.progress != nil {
					st.progress(it, e)
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
	res.iterations = r.Iterations
	switch {
	case stalled || r.Status == lbfgs.Stalled:
		res.status = ot.Stalled
	case r.Status == lbfgs.Canceled:
		res.status = ot.Canceled
	case r.Status == lbfgs.NumericalError:
		res.status = ot.NumericalError
	}
	return res
}
