package quadratic

import (
	"context"

	"github.com/otkit/otkit/internal/lbfgs"
	"github.com/otkit/otkit/ot"
)

func (s *Solver) maxIter(def int) int {
	if s.MaxIter > 0 {
		return s.MaxIter
	}
	return def
}

// runLBFGS maximizes fn from x until the gradient's L1 norm (the
// MarginalError) is at most tol, for at most s.MaxIter (default 1000)
// iterations, recording every iteration in st after those already there.
func (s *Solver) runLBFGS(ctx context.Context, fn lbfgs.Func, x []float64, tol float64, st *state) {
	var o lbfgs.Optimizer
	base := st.iterations
	res := o.Maximize(ctx, fn, x, lbfgs.Settings{
		Memory:  s.Memory,
		MaxIter: s.maxIter(1000),
		Callback: func(it int, _, g []float64, _ float64) bool {
			merr := l1(g)
			if it > 0 {
				s.record(st, base+it, merr)
			}
			return merr <= tol
		},
	})
	st.status = lbfgsStatus(res.Status)
	st.dualValue = res.F
}

func lbfgsStatus(s lbfgs.Status) ot.Status {
	switch s {
	case lbfgs.Stopped:
		return ot.Converged
	case lbfgs.IterationLimit:
		return ot.IterationLimit
	case lbfgs.Canceled:
		return ot.Canceled
	case lbfgs.Stalled:
		return ot.Stalled
	default:
		return ot.NumericalError
	}
}

// solveSemiDual runs SemiDualLBFGS from f0, appending to the iteration
// record of st (empty for a fresh solve, Newton's for its fallback).
func (s *Solver) solveSemiDual(ctx context.Context, in *instance, f0 []float64, tol float64, st state) state {
	obj := newSemiDualObjective(in)
	f := make([]float64, in.n)
	copy(f, f0)
	s.runLBFGS(ctx, obj.eval, f, tol, &st)
	// Re-evaluate at the returned point so that the thresholds belong
	// to it (the last evaluation may have been a rejected trial).
	grad := make([]float64, in.n)
	st.dualValue = obj.eval(f, grad)
	st.f, st.g, st.theta = f, obj.potentialG(), obj.theta
	return st
}

func (s *Solver) solveDual(ctx context.Context, in *instance, f0, g0 []float64, tol float64) state {
	obj := newDualObjective(in)
	x := make([]float64, in.n+in.m)
	copy(x[:in.n], f0)
	copy(x[in.n:], g0)
	var st state
	s.runLBFGS(ctx, obj.eval, x, tol, &st)
	st.f, st.g = x[:in.n], x[in.n:]
	ptr, idx := obj.activeSet(x, nil, nil)
	st.active = &activeSet{ptr, idx}
	return st
}
