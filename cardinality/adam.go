package cardinality

import (
	"context"
	"math"

	"github.com/otkit/otkit/ot"
)

// runResult is what an optimizer run reports besides the final point.
type runResult struct {
	iterations int
	history    []float64
	status     ot.Status // NotTerminated when it ended by MaxIter or Tol
	// current reports that the last evaluation was at the returned point,
	// with objective value, so the evaluator's state is its plan.
	current bool
	value   float64
}

// adam maximises eval from x in place with exactly st.maxIter Adam steps
// (optax.adam defaults: β1 = 0.9, β2 = 0.999, ε = 1e-8).
func adam(ctx context.Context, eval func(x, grad []float64) float64, x []float64, st settings) runResult {
	var ws adamState
	return ws.run(ctx, eval, x, st.maxIter, st.lr, st.progress, make([]float64, 0, st.maxIter))
}

// adamState is Adam's reusable memory.
type adamState struct {
	grad, m, v, best []float64
}

func (a *adamState) run(ctx context.Context, eval func(x, grad []float64) float64, x []float64,
	maxIter int, lr float64, progress ot.Progress, history []float64) runResult {
	const b1, b2, eps = 0.9, 0.999, 1e-8
	a.grad, a.m, a.v = grow(a.grad, len(x)), grow(a.m, len(x)), grow(a.v, len(x))
	clear(a.m)
	clear(a.v)
	res := runResult{history: history, current: true}
	res.value = eval(x, a.grad)
	p1, p2 := 1.0, 1.0
	for it := 1; it <= maxIter; it++ {
		if it&15 == 0 && ctx.Err() != nil {
			res.status = ot.Canceled
			return res
		}
		p1 *= b1
		p2 *= b2
		for i, g := range a.grad {
			a.m[i] = b1*a.m[i] + (1-b1)*g
			a.v[i] = b2*a.v[i] + (1-b2)*g*g
			x[i] += lr * (a.m[i] / (1 - p1)) / (math.Sqrt(a.v[i]/(1-p2)) + eps)
		}
		res.value = eval(x, a.grad)
		e := l1(a.grad)
		res.history = append(res.history, e)
		res.iterations = it
		if progress != nil {
			progress(it, e)
		}
	}
	return res
}

func l1(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += math.Abs(v)
	}
	return s
}

// polish runs up to steps Adam steps from x with a step lr that decays by
// polishDecay per step, leaves x at the best point seen and returns its
// value (f0 is the value at the start). It is the kink escape of the L-BFGS
// runs: sign-like steps of decreasing size cross the kinks where L-BFGS
// stalls. It stops early at a point whose marginal error meets st.tol.
func (a *adamState) polish(ctx context.Context, eval func(x, grad []float64) float64, x []float64,
	steps int, lr, f0 float64, st settings, res *runResult) float64 {
	const b1, b2, eps = 0.9, 0.999, 1e-8
	n := len(x)
	a.grad, a.m, a.v, a.best = grow(a.grad, n), grow(a.m, n), grow(a.v, n), grow(a.best, n)
	clear(a.m)
	clear(a.v)
	copy(a.best, x)
	best := f0
	eval(x, a.grad)
	p1, p2 := 1.0, 1.0
	for it := 1; it <= steps; it++ {
		if it&15 == 0 && ctx.Err() != nil {
			break
		}
		p1 *= b1
		p2 *= b2
		for i, g := range a.grad {
			a.m[i] = b1*a.m[i] + (1-b1)*g
			a.v[i] = b2*a.v[i] + (1-b2)*g*g
			x[i] += lr * (a.m[i] / (1 - p1)) / (math.Sqrt(a.v[i]/(1-p2)) + eps)
		}
		lr *= polishDecay
		f := eval(x, a.grad)
		e := l1(a.grad)
		res.history = append(res.history, e)
		res.iterations++
		if st.progress != nil {
			st.progress(res.iterations, e)
		}
		if f > best || e <= st.tol {
			best = f
			copy(a.best, x)
		}
		if e <= st.tol {
			break
		}
	}
	copy(x, a.best)
	return best
}
