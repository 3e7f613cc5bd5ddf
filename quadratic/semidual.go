package quadratic

import (
	"context"

	"github.com/otkit/otkit/ot"

	"github.com/otkit/otkit/internal/parallel"
	"github.com/otkit/otkit/internal/semidual"
)

// The semi-dual (docs/quadratic.md §3),
//
//	S(F) = <a,F> − Σ_j M_j(F − c_j),  t_j = P_{b_jΔ}((F − c_j)/γ),
//
// is package cardinality's column semi-dual with k = n: both run the engine
// of internal/semidual (evaluator, candidate screening, plan builder and
// L-BFGS driver). G_j = −γ·θ_j for the column thresholds θ_j.

// newSemiDual returns the semi-dual evaluator of the instance (k = n) on
// pool, or nil when the context is canceled first.
func newSemiDual(ctx context.Context, in *instance, pool *parallel.Pool) *semidual.Columns {
	c := new(semidual.Columns)
	if in.src != nil {
		c.Reset(in.n, in.m, in.n)
		c.SetSource(in.src)
	} else {
		if !in.transpose() {
			return nil
		}
		c.Reset(in.n, in.m, in.n)
		c.SetCT(in.ct)
	}
	c.A, c.B, c.Gamma = in.a, in.b, in.gamma
	c.Pool, c.Ctx = pool, ctx
	return c
}

// solveSemiDual runs SemiDualLBFGS from f0, appending to the iteration
// record of st (empty for a fresh solve, Newton's for its fallback). A
// canceled run returns the last point evaluated in full (an iterate or a
// line-search trial) with its plan, or no iterate before the first.
func (s *Solver) solveSemiDual(ctx context.Context, in *instance, f0 []float64, tol float64, st state) state {
	st.f, st.g, st.active = nil, nil, nil
	pool := parallel.NewPool(in.workers)
	defer pool.Close()
	c := newSemiDual(ctx, in, pool)
	if c == nil {
		st.status = ot.Canceled
		return st
	}
	f := make([]float64, in.n)
	copy(f, f0)
	rec := semidual.Record{Iterations: st.iterations, History: st.history}
	var d semidual.Driver
	d.LBFGS(ctx, c.SemiDual, f, semidual.Settings{Tol: tol, MaxIter: s.maxIter(1000), Memory: s.Memory,
		Progress: s.Progress}, &rec)
	st.iterations, st.history, st.status = rec.Iterations, rec.History, rec.Status
	if x, _, ok := c.Last(); ok && ctx.Err() == nil && !equal(x, f) {
		// The last evaluation was a rejected trial: evaluate at f, so
		// that the columns are its plan.
		c.SemiDual(f, make([]float64, in.n))
	}
	x, v, ok := c.Last()
	if !ok {
		return st
	}
	st.f, st.g, st.dualValue = append([]float64(nil), x...), c.PotentialG(make([]float64, in.m)), v
	st.cols = c
	return st
}
