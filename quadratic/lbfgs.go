package quadratic

import (
	"context"
	"math"

	"github.com/otkit/otkit/internal/semidual"
)

func (s *Solver) maxIter(def int) int {
	if s.MaxIter > 0 {
		return s.MaxIter
	}
	return def
}

// solveDual runs DualLBFGS from (f0, g0) with the L-BFGS driver of
// internal/semidual (no kink escape: the dual is smooth).
func (s *Solver) solveDual(ctx context.Context, in *instance, f0, g0 []float64, tol float64) state {
	obj := newDualObjective(in)
	x := make([]float64, in.n+in.m)
	copy(x[:in.n], f0)
	copy(x[in.n:], g0)
	var rec semidual.Record
	var d semidual.Driver
	d.LBFGS(ctx, obj.eval, x, semidual.Settings{Tol: tol, MaxIter: s.maxIter(1000), Memory: s.Memory,
		Progress: s.Progress}, &rec)
	st := state{status: rec.Status, dualValue: rec.Value, iterations: rec.Iterations, history: rec.History}
	if ctx.Err() != nil {
		// No more passes over the cost: the last complete pass (an
		// iterate or a line-search trial) and its recorded active set.
		if math.IsNaN(obj.actAt[0]) {
			return st // no complete pass
		}
		copy(x, obj.actAt)
	}
	ptr, idx := obj.activeSet(x, nil, nil)
	if len(ptr) != in.n+1 || (ctx.Err() != nil && len(idx) > cancelMaxNNZ) {
		return st // canceled, or building the plan would take too long
	}
	st.f, st.g = x[:in.n], x[in.n:]
	st.active = &activeSet{ptr: ptr, idx: idx}
	if ctx.Err() != nil {
		st.dualValue = obj.activeValue(x, ptr, idx)
	}
	return st
}
