package quadratic

import (
	"context"

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
// pool.
func newSemiDual(ctx context.Context, in *instance, pool *parallel.Pool) *semidual.Columns {
	in.transpose()
	c := new(semidual.Columns)
	c.Reset(in.n, in.m, in.n)
	c.SetCT(in.ct)
	c.A, c.B, c.Gamma = in.a, in.b, in.gamma
	c.Pool, c.Ctx = pool, ctx
	return c
}

// solveSemiDual runs SemiDualLBFGS from f0, appending to the iteration
// record of st (empty for a fresh solve, Newton's for its fallback).
func (s *Solver) solveSemiDual(ctx context.Context, in *instance, f0 []float64, tol float64, st state) state {
	pool := parallel.NewPool(in.workers)
	defer pool.Close()
	c := newSemiDual(ctx, in, pool)
	f := make([]float64, in.n)
	copy(f, f0)
	rec := semidual.Record{Iterations: st.iterations, History: st.history}
	var d semidual.Driver
	d.LBFGS(ctx, c.SemiDual, f, semidual.Settings{Tol: tol, MaxIter: s.maxIter(1000), Memory: s.Memory,
		Progress: s.Progress}, &rec)
	st.iterations, st.history, st.status = rec.Iterations, rec.History, rec.Status
	// Re-evaluate at the returned point so that the thresholds belong
	// to it (the last evaluation may have been a rejected trial).
	// (Skipped columns of a canceled run keep their last results.)
	st.dualValue = c.SemiDual(f, make([]float64, in.n))
	st.f, st.g = f, c.PotentialG(make([]float64, in.m))
	st.theta = st.g // marks the semi-dual: result rebuilds its plan by columns
	return st
}
