package semidual

import (
	"context"
	"math"

	"github.com/otkit/otkit/internal/lbfgs"
	"github.com/otkit/otkit/ot"
)

// Adam's moment decays and denominator guard (optax.adam defaults).
const (
	adamB1  = 0.9
	adamB2  = 0.999
	adamEps = 1e-8
)

// adamState is Adam's reusable memory.
type adamState struct {
	grad, m, v, best []float64
	p1, p2           float64
}

func (a *adamState) reset(n int) {
	a.grad, a.m, a.v = grow(a.grad, n), grow(a.m, n), grow(a.v, n)
	clear(a.m)
	clear(a.v)
	a.p1, a.p2 = 1, 1
}

// step moves x by one Adam step of size lr along the stored gradient.
func (a *adamState) step(x []float64, lr float64) {
	a.p1 *= adamB1
	a.p2 *= adamB2
	for i, g := range a.grad {
		a.m[i] = adamB1*a.m[i] + (1-adamB1)*g
		a.v[i] = adamB2*a.v[i] + (1-adamB2)*g*g
		x[i] += lr * (a.m[i] / (1 - a.p1)) / (math.Sqrt(a.v[i]/(1-a.p2)) + adamEps)
	}
}

// Adam maximizes f from x in place with exactly set.MaxIter steps of size
// set.LearningRate (β1 = 0.9, β2 = 0.999, ε = 1e-8, as optax.adam), with no
// early stop: the reference router's optimizer. Status is Converged when
// the last gradient's ℓ1 norm is at most set.Tol and IterationLimit
// otherwise (Canceled when ctx ends first). The last evaluation is at the
// returned point.
func (d *Driver) Adam(ctx context.Context, f lbfgs.Func, x []float64, set Settings, rec *Record) {
	a := &d.adam
	a.reset(len(x))
	rec.Current = true
	rec.Value = f(x, a.grad)
	e := l1(a.grad)
	for it := 1; it <= set.MaxIter; it++ {
		if ctx.Err() != nil {
			rec.Status = ot.Canceled
			return
		}
		a.step(x, set.LearningRate)
		rec.Value = f(x, a.grad)
		e = l1(a.grad)
		rec.History = append(rec.History, e)
		rec.Iterations++
		if set.Progress != nil {
			set.Progress(rec.Iterations, e)
		}
	}
	switch {
	case math.IsNaN(rec.Value) || math.IsInf(rec.Value, 0):
		rec.Status = ot.NumericalError
	case e <= set.Tol:
		rec.Status = ot.Converged
	default:
		rec.Status = ot.IterationLimit
	}
}

// escape runs up to steps Adam steps from x with a step that starts at
// set.Escape and decays by escapeDecay per step, leaves x at the best point
// seen and returns its value (f0 is the value at the start) and whether it
// met set.Tol, where it stops. It is the kink escape of the L-BFGS runs:
// sign-like steps of decreasing size cross the kinks where L-BFGS stalls.
func (a *adamState) escape(ctx context.Context, f lbfgs.Func, x []float64, steps int, set Settings, f0 float64, rec *Record) (best float64, met bool) {
	n := len(x)
	a.reset(n)
	a.best = grow(a.best, n)
	copy(a.best, x)
	best = f0
	f(x, a.grad)
	lr := set.Escape
	for it := 1; it <= steps; it++ {
		if ctx.Err() != nil {
			break
		}
		a.step(x, lr)
		lr *= escapeDecay
		v := f(x, a.grad)
		e := l1(a.grad)
		rec.History = append(rec.History, e)
		rec.Iterations++
		if set.Progress != nil {
			set.Progress(rec.Iterations, e)
		}
		if v > best || e <= set.Tol {
			best = v
			copy(a.best, x)
		}
		if e <= set.Tol {
			met = true
			break
		}
	}
	copy(x, a.best)
	return best, met
}
