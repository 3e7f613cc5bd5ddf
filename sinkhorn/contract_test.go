package sinkhorn

import (
	"context"
	"fmt"
	"math"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/floats"

	"github.com/otkit/otkit/ot"
)

// cancelingCost cancels a context when row `at` is read for the `pass`-th
// time and counts the rows read after that.
type cancelingCost struct {
	ot.Cost
	at     int
	pass   int32
	seen   atomic.Int32
	after  atomic.Int64
	cancel context.CancelFunc
}

func (c *cancelingCost) Row(i int, dst []float64) []float64 {
	if c.seen.Load() >= c.pass {
		c.after.Add(1)
	} else if i == c.at && c.seen.Add(1) == c.pass {
		c.cancel()
	}
	return c.Cost.Row(i, dst)
}

// checkFigures checks that a result's figures are finite and those of its
// plan.
func checkFigures(t *testing.T, p *ot.Problem, res *ot.Result) {
	t.Helper()
	for _, v := range []float64{res.Value, res.DualValue, res.LinearCost, res.MarginalError} {
		require.False(t, math.IsNaN(v) || math.IsInf(v, 0), "%+v", res)
	}
	for _, v := range append(append([]float64(nil), res.F...), res.G...) {
		require.False(t, math.IsNaN(v) || math.IsInf(v, 0))
	}
	plan := ot.DenseCopy(res.Plan).RawMatrix().Data
	var lin float64
	for k, v := range plan {
		require.False(t, math.IsNaN(v) || math.IsInf(v, 0) || v < 0)
		if v != 0 {
			lin += v * ot.CostData(p.C)[k]
		}
	}
	mass := floats.Sum(p.A)
	assert.InDelta(t, ot.MarginalError(res.Plan, p.A, p.B), res.MarginalError, 1e-12*mass)
	assert.InDelta(t, lin, res.LinearCost, 1e-12*math.Max(1, math.Abs(lin)))
}

func TestCancelInsidePass(t *testing.T) {
	base := randomCloud(t, 300, 200, 2, 41)
	dc := &ot.DenseCost{N: 300, M: 200, Data: ot.CostData(base.C)}
	for _, tc := range []struct {
		name      string
		s         Solver
		pass      int32
		maxAfter  int64 // rows read after the cancellation
		wantIters int
	}{
		// Pass 1 is Validate's. The cold start's column pass: no iterate
		// yet, one final pass.
		{"LogDomain first pass", Solver{Method: LogDomain}, 2, 300 + 10, 0},
		// Inside the f-pass of sweep 3: figures tracked by sweep 2's pass.
		{"LogDomain sweep 3", Solver{Method: LogDomain}, 5, 10, 2},
		{"LogDomain scaling", Solver{Method: LogDomain, Scaling: &EpsScaling{}}, 9, 10, 5},
		// Stabilized reads the cost in minShift, build and the final pass.
		{"Stabilized build", Solver{Method: Stabilized}, 3, 300 + 10, 0},
		// Each worker may finish the rows up to its next poll, and on a
		// loaded machine the cancel can land between two workers' polls:
		// allow two poll intervals per worker (a full pass is 300 rows).
		{"Workers 3", Solver{Method: LogDomain, Workers: 3}, 5, 3 * 20, 2},
		// Small problems track no <P, C>: one final pass.
		{"LogDomain untracked", Solver{Method: LogDomain}, -5, 300 + 10, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			defer func(v int) { trackEntries = v }(trackEntries)
			if tc.pass > 0 {
				trackEntries = 0
			}
			cc := &cancelingCost{Cost: dc, at: 150, pass: max(tc.pass, -tc.pass), cancel: cancel}
			p := &ot.Problem{A: base.A, B: base.B, C: cc}
			s := tc.s
			s.Eps = 1
			res, err := s.Solve(ctx, p)
			require.NoError(t, err)
			assert.Equal(t, ot.Canceled, res.Status)
			assert.Equal(t, tc.wantIters, res.Iterations)
			assert.LessOrEqual(t, cc.after.Load(), tc.maxAfter)
			checkFigures(t, &ot.Problem{A: base.A, B: base.B, C: dc}, res)
		})
	}
}

func TestNilContext(t *testing.T) {
	p := randomCloud(t, 20, 15, 2, 43)
	//nolint:staticcheck // a nil context is part of the contract
	res, err := (&Solver{}).Solve(nil, p)
	require.NoError(t, err)
	assert.Equal(t, ot.Converged, res.Status)
	//nolint:staticcheck
	d, err := (&Solver{}).Divergence(nil, p)
	require.NoError(t, err)
	assert.False(t, math.IsNaN(d.Value))
	//nolint:staticcheck
	rs, errs := (&Solver{Workers: 2}).SolveBatch(nil, []*ot.Problem{p, p})
	require.NoError(t, errs[1])
	assert.Equal(t, ot.Converged, rs[1].Status)
}

// TestRelativeTol: Tol is relative to the mass; the plan scales with it.
func TestRelativeTol(t *testing.T) {
	p := randomProblem(12, 9, 44)
	for _, meth := range []Method{Auto, LogDomain, Stabilized} {
		ref := solve(t, &Solver{Eps: 0.05, Method: meth}, p)
		require.Equal(t, ot.Converged, ref.Status)
		for _, mass := range []float64{1e-12, 1e12} {
			a, b := floats.ScaleTo(make([]float64, 12), mass, p.A), floats.ScaleTo(make([]float64, 9), mass, p.B)
			res := solve(t, &Solver{Eps: 0.05, Method: meth}, &ot.Problem{A: a, B: b, C: p.C})
			assert.Equal(t, ot.Converged, res.Status, "%v mass %v", meth, mass)
			assert.LessOrEqual(t, res.MarginalError, DefaultTol*mass)
			assert.Equal(t, ref.Iterations, res.Iterations)
			got := ot.DenseCopy(res.Plan).RawMatrix().Data
			floats.Scale(1/mass, got)
			assert.Less(t, maxAbsDiff(got, ot.DenseCopy(ref.Plan).RawMatrix().Data), 1e-12)
			checkFigures(t, &ot.Problem{A: a, B: b, C: p.C}, res)
		}
	}
}

// TestScaleInvariance: C·s with ε·s gives the same plan, potentials and
// figures scaled by s (docs/sinkhorn.md §11), explicit or default ε.
func TestScaleInvariance(t *testing.T) {
	p := randomProblem(9, 7, 45)
	src := p.C.(*ot.DenseCost)
	for _, sc := range []*EpsScaling{nil, {}} {
		for _, meth := range []Method{LogDomain, Stabilized} {
			for _, eps := range []float64{0.05, 0} {
				ref := solve(t, &Solver{Eps: eps, Method: meth, Scaling: sc}, p)
				require.Equal(t, ot.Converged, ref.Status)
				refPlan := ot.DenseCopy(ref.Plan).RawMatrix().Data
				for _, s := range []float64{1e-300, 1e-150, 1e150, 1e300} {
					data := floats.ScaleTo(make([]float64, len(src.Data)), s, src.Data)
					q := &ot.Problem{A: p.A, B: p.B, C: dense(t, 9, 7, data)}
					res := solve(t, &Solver{Eps: eps * s, Method: meth, Scaling: sc}, q)
					name := fmt.Sprintf("%v eps %v scaling %v s %g", meth, eps, sc != nil, s)
					assert.Equal(t, ot.Converged, res.Status, name)
					got := ot.DenseCopy(res.Plan).RawMatrix().Data
					assert.Less(t, maxAbsDiff(got, refPlan), 1e-10, name)
					assert.InEpsilon(t, ref.Value, res.Value/s, 1e-9, name)
					assert.InEpsilon(t, ref.LinearCost, res.LinearCost/s, 1e-9, name)
					f1, g1 := centred(ref.F, ref.G)
					f2, g2 := centred(res.F, res.G)
					floats.Scale(1/s, f2)
					floats.Scale(1/s, g2)
					assert.Less(t, maxAbsDiff(f1, f2)+maxAbsDiff(g1, g2), 1e-9, name)
				}
			}
		}
	}
}

func TestDefaultEpsExtremes(t *testing.T) {
	ref := DefaultEps(dense(t, 2, 2, []float64{0, 1, 1, 0}))
	for _, s := range []float64{1e-310, 1e-300, 1e-200, 1e160, 1e200, 1e300} {
		c := dense(t, 2, 2, []float64{0, s, s, 0})
		assert.InEpsilon(t, ref*s, DefaultEps(c), 1e-12, "s %g", s)
	}
	// Entries spanning the whole range.
	c := dense(t, 1, 3, []float64{-math.MaxFloat64, 0, math.MaxFloat64})
	eps := DefaultEps(c)
	assert.False(t, math.IsInf(eps, 0) || math.IsNaN(eps))
	assert.InEpsilon(t, 0.05*math.MaxFloat64*math.Sqrt(2.0/3), eps, 1e-12)
}

// TestScalingHugeRange: ε-scaling from a Start that overflows (max C −
// min C = +Inf) ends (MaxIter) with finite figures, or is canceled.
func TestScalingHugeRange(t *testing.T) {
	c := dense(t, 2, 2, []float64{-1e308, 1e308, 1e308, -1e308})
	p := &ot.Problem{A: []float64{0.5, 0.5}, B: []float64{0.5, 0.5}, C: c}
	for _, meth := range methods {
		for _, eps := range []float64{1e305, 1} {
			res := solve(t, &Solver{Eps: eps, Method: meth, Scaling: &EpsScaling{}, MaxIter: 300}, p)
			if eps > 1 || res.Status != ot.NumericalError {
				checkFigures(t, p, res)
			}
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		res, err := (&Solver{Eps: 1e305, Method: meth, Scaling: &EpsScaling{}}).Solve(ctx, p)
		require.NoError(t, err)
		assert.Equal(t, ot.Canceled, res.Status)
		checkFigures(t, p, res)
	}
}

// TestDivergenceSymmetric: the self terms converge in tens of iterations
// (alternating sweeps took 10000 here), a warm start is honoured, and the
// aggregate status is the worst one.
func TestDivergenceSymmetric(t *testing.T) {
	p := randomCloud(t, 200, 200, 2, 46)
	d, err := (&Solver{Eps: 0.1}).Divergence(context.Background(), p)
	require.NoError(t, err)
	assert.Equal(t, ot.Converged, d.Status)
	for _, r := range []*ot.Result{d.XX, d.YY} {
		assert.Equal(t, ot.Converged, r.Status)
		assert.Less(t, r.Iterations, 100)
		assert.LessOrEqual(t, r.MarginalError, DefaultTol)
	}
	warm, err := (&Solver{Eps: 0.1, Init: &ot.Potentials{F: d.XY.F, G: d.XY.G}}).Divergence(context.Background(), p)
	require.NoError(t, err)
	assert.Equal(t, DefaultCheckEvery, warm.XY.Iterations)
	assert.InDelta(t, d.Value, warm.Value, 1e-8)
	short, err := (&Solver{Eps: 0.1, MaxIter: 20}).Divergence(context.Background(), p)
	require.NoError(t, err)
	assert.Equal(t, ot.IterationLimit, short.XY.Status)
	assert.Equal(t, ot.IterationLimit, short.Status)
	assert.Equal(t, ot.Canceled, worst(ot.Converged, ot.Canceled, ot.IterationLimit))
	assert.Equal(t, ot.NumericalError, worst(ot.NumericalError, ot.Canceled))
}
