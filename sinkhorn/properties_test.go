package sinkhorn

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otkit/otkit/ot"
)

func solve(t testing.TB, s *Solver, p *ot.Problem) *ot.Result {
	res, err := s.Solve(context.Background(), p)
	require.NoError(t, err)
	return res
}

func TestSpec3x3PlanAndPotentials(t *testing.T) {
	want := []float64{1.949630336896e-01, 5.033981509316e-03, 2.984801128645e-06, 2.036351722077e-01, 2.870714889169e-01,
		9.293338875387e-03, 1.401794102751e-03, 1.078945295738e-01, 1.907036763235e-01}
	for _, meth := range methods {
		res := solve(t, &Solver{Eps: 0.5, Method: meth}, problem3(t))
		got := ot.DenseCopy(res.Plan).RawMatrix().Data
		assert.Less(t, maxAbsDiff(got, want), 1e-9, "%v", meth)
		f, g := centred(res.F, res.G)
		assert.Less(t, maxAbsDiff(f, []float64{-0.851410499982, 0.170349525767, 0.681060974215}), 1e-9)
		assert.Less(t, maxAbsDiff(g, []float64{0.033937845376, -0.794361527736, -1.509578218472}), 1e-9)
	}
}

// TestStabilizedMatchesLogDomain checks docs/sinkhorn.md §5: the same sweeps and
// potentials for both methods.
func TestStabilizedMatchesLogDomain(t *testing.T) {
	probs := map[string]*ot.Problem{"3x3": problem3(t), "random 30×20": randomProblem(30, 20, 1),
		"cloud 25×35": randomCloud(t, 25, 35, 2, 2)}
	for name, p := range probs {
		_, cmax := ot.MinMax(p.C)
		for _, rel := range []float64{0.5, 0.05, 0.01} {
			eps := rel * cmax
			lg := solve(t, &Solver{Eps: eps, Method: LogDomain}, p)
			st := solve(t, &Solver{Eps: eps, Method: Stabilized}, p)
			assert.Equal(t, ot.Converged, lg.Status, "%s eps %v", name, eps)
			assert.Equal(t, lg.Iterations, st.Iterations, "%s eps %v", name, eps)
			f1, g1 := centred(lg.F, lg.G)
			f2, g2 := centred(st.F, st.G)
			assert.Less(t, maxAbsDiff(f1, f2), 1e-10*math.Max(1, 1/eps), "%s eps %v", name, eps)
			assert.Less(t, maxAbsDiff(g1, g2), 1e-10*math.Max(1, 1/eps), "%s eps %v", name, eps)
			assert.InDelta(t, lg.Value, st.Value, 1e-10)
		}
	}
}

func TestAbsorptions3x3(t *testing.T) {
	// docs/sinkhorn.md §5: 191 absorptions in 2630 sweeps at eps = 0.001 without the
	// gauge rebalancing, which only removes absorptions.
	s := newState(problem3(t), 0.001, mustSettings(t, &Solver{Method: Stabilized}))
	res := s.run(context.Background(), nil)
	require.Equal(t, ot.Converged, res.Status)
	e := newStabilized(newState(problem3(t), 0.001, mustSettings(t, &Solver{Method: Stabilized})))
	e.setEps(0.001)
	for k := 0; k < res.Iterations; k++ {
		e.sweep()
	}
	assert.LessOrEqual(t, e.absorbed, 191+10)
	assert.Positive(t, e.rebalanced)
	assert.Greater(t, e.absorbed, 50)
}

func mustSettings(t testing.TB, s *Solver) settings {
	set, err := s.settings()
	require.NoError(t, err)
	return set
}

func TestEpsScaling(t *testing.T) {
	for _, tc := range []struct {
		eps    float64
		sweeps int
	}{{0.01, 190}, {0.001, 250}} {
		for _, meth := range methods {
			plain := solve(t, &Solver{Eps: tc.eps, Method: meth}, problem3(t))
			var checks []int
			sc := solve(t, &Solver{Eps: tc.eps, Method: meth, Scaling: &EpsScaling{Start: 4},
				Progress: func(it int, _ float64) { checks = append(checks, it) }}, problem3(t))
			assert.Equal(t, ot.Converged, sc.Status)
			assert.InDelta(t, plain.Value, sc.Value, 1e-9, "eps %v %v", tc.eps, meth)
			assert.InDelta(t, tc.sweeps, sc.Iterations, 40, "eps %v %v", tc.eps, meth)
			assert.Less(t, sc.Iterations, plain.Iterations)
			assert.Len(t, sc.History, len(checks))
			assert.LessOrEqual(t, sc.MarginalError, 1e-9)
		}
	}
	// A random problem: ε-scaling ≡ plain.
	p := randomCloud(t, 40, 30, 2, 5)
	plain := solve(t, &Solver{Eps: 0.02}, p)
	sc := solve(t, &Solver{Eps: 0.02, Scaling: &EpsScaling{}}, p)
	assert.InDelta(t, plain.Value, sc.Value, 1e-8)
	assert.InDelta(t, plain.LinearCost, sc.LinearCost, 1e-8)
}

func TestWarmStart(t *testing.T) {
	for _, meth := range []Method{Auto, LogDomain, Stabilized} {
		for _, p := range []*ot.Problem{problem3(t), randomCloud(t, 30, 20, 2, 3)} {
			cold := solve(t, &Solver{Eps: 0.05, Method: meth}, p)
			warm := solve(t, &Solver{Eps: 0.05, Method: meth, Init: &ot.Potentials{F: cold.F, G: cold.G}}, p)
			assert.Equal(t, ot.Converged, warm.Status)
			assert.Equal(t, DefaultCheckEvery, warm.Iterations, "%v", meth)
			assert.InDelta(t, cold.Value, warm.Value, 1e-8)
			// POT-style dimensionless start (f only).
			onlyF := solve(t, &Solver{Eps: 0.05, Method: meth, Init: &ot.Potentials{F: cold.F}}, p)
			assert.Equal(t, DefaultCheckEvery, onlyF.Iterations)
		}
	}
}

// TestWorkersBitwise checks that results do not depend on Workers.
func TestWorkersBitwise(t *testing.T) {
	probs := []*ot.Problem{randomProblem(131, 57, 3), randomCloud(t, 97, 120, 2, 4)}
	for _, p := range probs {
		_, cmax := ot.MinMax(p.C)
		eps := 0.01 * cmax
		for _, meth := range []Method{Auto, LogDomain, Stabilized} {
			for _, sc := range []*EpsScaling{nil, {}} {
				ref := solve(t, &Solver{Eps: eps, Method: meth, Scaling: sc}, p)
				require.Equal(t, ot.Converged, ref.Status)
				for _, w := range []int{2, 3, 8, 64} {
					res := solve(t, &Solver{Eps: eps, Method: meth, Scaling: sc, Workers: w}, p)
					assert.Equal(t, ref.F, res.F, "%v workers %d", meth, w)
					assert.Equal(t, ref.G, res.G)
					assert.Equal(t, ref.History, res.History)
					assert.Equal(t, ref.Value, res.Value)
					assert.Equal(t, ref.LinearCost, res.LinearCost)
					assert.Equal(t, ref.MarginalError, res.MarginalError)
				}
			}
		}
	}
}

func TestSmallEps(t *testing.T) {
	// ε = 1e-4·max(C): the kernel exp(−C/ε) underflows almost everywhere.
	p := problem3(t)
	for _, meth := range []Method{Auto, LogDomain, Stabilized} {
		res := solve(t, &Solver{Eps: 4e-4, Method: meth, Scaling: &EpsScaling{}}, p)
		assert.Equal(t, ot.Converged, res.Status, "%v", meth)
		assert.InDelta(t, 0.3, res.LinearCost, 1e-9)
		assert.False(t, math.IsNaN(res.Value))
	}
	q := randomProblem(50, 50, 9)
	for _, meth := range methods {
		for _, sc := range []*EpsScaling{nil, {}} {
			res := solve(t, &Solver{Eps: 1e-4, Method: meth, Scaling: sc, MaxIter: 100000}, q)
			assert.Equal(t, ot.Converged, res.Status, "%v %v", meth, sc)
			assert.LessOrEqual(t, res.MarginalError, 1e-9)
			assert.False(t, math.IsNaN(res.Value) || math.IsInf(res.Value, 0))
			for _, v := range append(append([]float64(nil), res.F...), res.G...) {
				require.False(t, math.IsNaN(v) || math.IsInf(v, 0))
			}
		}
	}
}

func TestProperties(t *testing.T) {
	p := randomProblem(23, 17, 6)
	for _, meth := range methods {
		var prevK, prevLin, prevE float64
		for k, eps := range []float64{0.01, 0.03, 0.1, 0.3, 1} {
			res := solve(t, &Solver{Eps: eps, Method: meth}, p)
			require.Equal(t, ot.Converged, res.Status)
			assert.LessOrEqual(t, res.MarginalError, 1e-9)
			// Plan ≥ 0 and rows exact.
			plan := ot.DenseCopy(res.Plan)
			r, _ := ot.Marginals(res.Plan)
			for i := range r {
				assert.InDelta(t, p.A[i], r[i], 1e-12)
				for j := 0; j < 17; j++ {
					assert.GreaterOrEqual(t, plan.At(i, j), 0.0)
				}
			}
			// Duality gap ≤ 1e-6, and Value_K ≥ LinearCost.
			assert.InDelta(t, res.Value, res.DualValue, 1e-6)
			assert.GreaterOrEqual(t, res.Value, res.LinearCost)
			assert.LessOrEqual(t, res.Value-res.LinearCost, eps*math.Min(entropy(p.A), entropy(p.B))+1e-9)
			valE := res.Value - eps*(entropy(p.A)+entropy(p.B))
			if k > 0 {
				assert.GreaterOrEqual(t, res.Value, prevK-1e-9, "Value_K nondecreasing in eps")
				assert.GreaterOrEqual(t, res.LinearCost, prevLin-1e-9, "LinearCost nondecreasing")
				assert.LessOrEqual(t, valE, prevE+1e-9, "Value_E nonincreasing")
			}
			prevK, prevLin, prevE = res.Value, res.LinearCost, valE
		}
	}
}

func TestDualityGapIdentity(t *testing.T) {
	// Value_K − D = Σ (r−a)(f − ε log a) + Σ (c−b)(g − ε log b) for any (f, g):
	// stop early (MaxIter 3) and check the identity on the unconverged pair.
	p := randomProblem(9, 7, 8)
	const eps = 0.1
	res := solve(t, &Solver{Eps: eps, MaxIter: 3}, p)
	require.Equal(t, ot.IterationLimit, res.Status)
	r, c := ot.Marginals(res.Plan)
	var want float64
	for i := range r {
		want += (r[i] - p.A[i]) * (res.F[i] - eps*math.Log(p.A[i]))
	}
	for j := range c {
		want += (c[j] - p.B[j]) * (res.G[j] - eps*math.Log(p.B[j]))
	}
	assert.InDelta(t, want, res.Value-res.DualValue, 1e-13)
	assert.InDelta(t, ot.MarginalError(res.Plan, p.A, p.B), res.MarginalError, 1e-14)
}

func TestInvariances(t *testing.T) {
	p := randomProblem(8, 6, 10)
	const eps = 0.05
	ref := solve(t, &Solver{Eps: eps, Tol: 1e-13}, p)
	refPlan := ot.DenseCopy(ref.Plan)
	// Permuting rows and columns permutes the plan.
	rp, cp := []int{3, 0, 7, 1, 6, 2, 5, 4}, []int{5, 2, 0, 4, 1, 3}
	src := p.C.(*ot.DenseCost)
	data := make([]float64, 8*6)
	a, b := make([]float64, 8), make([]float64, 6)
	for i, pi := range rp {
		a[i] = p.A[pi]
		for j, pj := range cp {
			data[i*6+j] = src.At(pi, pj)
		}
	}
	for j, pj := range cp {
		b[j] = p.B[pj]
	}
	perm := solve(t, &Solver{Eps: eps, Tol: 1e-13}, &ot.Problem{A: a, B: b, C: dense(t, 8, 6, data)})
	for i, pi := range rp {
		for j, pj := range cp {
			assert.InDelta(t, refPlan.At(pi, pj), perm.Plan.At(i, j), 1e-12)
		}
	}
	assert.InDelta(t, ref.Value, perm.Value, 1e-12)
	// C + α_i + β_j: same plan, Value shifted by <a,α> + <b,β>.
	shifted := make([]float64, 8*6)
	var shift float64
	for i := 0; i < 8; i++ {
		alpha := float64(i) / 3
		shift += p.A[i] * alpha
		for j := 0; j < 6; j++ {
			shifted[i*6+j] = src.At(i, j) + alpha - float64(j)/5
		}
	}
	for j := 0; j < 6; j++ {
		shift -= p.B[j] * float64(j) / 5
	}
	sh := solve(t, &Solver{Eps: eps, Tol: 1e-13}, &ot.Problem{A: p.A, B: p.B, C: dense(t, 8, 6, shifted)})
	assert.Less(t, maxAbsDiff(ot.DenseCopy(sh.Plan).RawMatrix().Data, refPlan.RawMatrix().Data), 1e-12)
	assert.InDelta(t, ref.Value+shift, sh.Value, 1e-12)
}

func TestZeroWeights(t *testing.T) {
	p := problem3(t)
	c := p.C.(*ot.DenseCost)
	// Add a zero-weight row and column.
	data := []float64{0, 1, 4, 9, 1, 0, 1, 9, 5, 5, 5, 5, 4, 1, 0, 9}
	q := &ot.Problem{A: []float64{0.2, 0.5, 0, 0.3}, B: []float64{0.4, 0.4, 0.2, 0}, C: dense(t, 4, 4, data)}
	for _, meth := range methods {
		ref := solve(t, &Solver{Eps: 0.5, Method: meth}, p)
		res := solve(t, &Solver{Eps: 0.5, Method: meth}, q)
		assert.Equal(t, ot.Converged, res.Status)
		assert.True(t, math.IsInf(res.F[2], -1))
		assert.True(t, math.IsInf(res.G[3], -1))
		assert.InDelta(t, ref.Value, res.Value, 1e-14)
		assert.InDelta(t, ref.LinearCost, res.LinearCost, 1e-14)
		rows := []int{0, 1, 3}
		for k, i := range rows {
			for j := 0; j < 3; j++ {
				assert.InDelta(t, ref.Plan.At(k, j), res.Plan.At(i, j), 1e-15)
			}
			assert.Equal(t, 0.0, res.Plan.At(i, 3))
		}
		for j := 0; j < 4; j++ {
			assert.Equal(t, 0.0, res.Plan.At(2, j))
		}
		assert.LessOrEqual(t, ot.MarginalError(res.Plan, q.A, q.B), 1e-9)
	}
	_ = c
}

func TestForbiddenPairs(t *testing.T) {
	inf := math.Inf(1)
	u := []float64{1.0 / 3, 1.0 / 3, 1.0 / 3}
	p := &ot.Problem{A: u, B: u, C: dense(t, 3, 3, []float64{0, inf, 1, 1, 0, 1, 1, 1, 0})}
	for _, meth := range methods {
		res := solve(t, &Solver{Eps: 0.5, Method: meth}, p)
		assert.Equal(t, ot.Converged, res.Status)
		assert.Equal(t, 0.0, res.Plan.At(0, 1))
		assert.LessOrEqual(t, res.MarginalError, 1e-9)
		assert.False(t, math.IsNaN(res.Value) || math.IsNaN(res.LinearCost))
	}
}

func TestPointCloudMatchesDense(t *testing.T) {
	p := randomCloud(t, 30, 25, 3, 12)
	d := &ot.Problem{A: p.A, B: p.B, C: &ot.DenseCost{N: 30, M: 25, Data: ot.CostData(p.C)}}
	for _, meth := range methods {
		a := solve(t, &Solver{Eps: 0.1, Method: meth}, p)
		b := solve(t, &Solver{Eps: 0.1, Method: meth}, d)
		assert.Equal(t, a.F, b.F)
		assert.Equal(t, a.Value, b.Value)
	}
}

func TestDefaultEps(t *testing.T) {
	c := dense(t, 2, 2, []float64{0, 1, 1, 0}) // std = 0.5
	assert.InDelta(t, 0.025, DefaultEps(c), 1e-15)
	assert.Equal(t, 1.0, DefaultEps(dense(t, 1, 2, []float64{3, 3})))
	inf := math.Inf(1)
	assert.InDelta(t, 0.025, DefaultEps(dense(t, 1, 3, []float64{0, inf, 1})), 1e-15)
	res := solve(t, &Solver{}, &ot.Problem{A: []float64{0.5, 0.5}, B: []float64{0.5, 0.5}, C: c})
	assert.Equal(t, 0.025, res.Plan.(*ot.EntropicPlan).Eps)
	// Constant cost: the plan is a⊗b/M.
	res = solve(t, &Solver{}, &ot.Problem{A: []float64{0.25, 0.75}, B: []float64{1}, C: dense(t, 2, 1, []float64{2, 2})})
	assert.InDelta(t, 0.25, res.Plan.At(0, 0), 1e-12)
}

func TestCancelAndProgress(t *testing.T) {
	p := randomProblem(20, 20, 13)
	var its []int
	var errs []float64
	res := solve(t, &Solver{Eps: 0.01, CheckEvery: 5, Progress: func(it int, e float64) {
		its = append(its, it)
		errs = append(errs, e)
	}}, p)
	require.NotEmpty(t, its)
	for k, it := range its {
		assert.Equal(t, 5*(k+1), it)
	}
	assert.Equal(t, res.History, errs)

	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	res, err := (&Solver{Eps: 0.001, Progress: func(int, float64) {
		calls++
		if calls == 2 {
			cancel()
		}
	}}).Solve(ctx, p)
	require.NoError(t, err)
	assert.Equal(t, ot.Canceled, res.Status)
	assert.Equal(t, 20, res.Iterations)

	res, err = (&Solver{}).Solve(ctx, p) // already canceled
	require.NoError(t, err)
	assert.Equal(t, ot.Canceled, res.Status)
	assert.Equal(t, 0, res.Iterations)
}

func TestIterationLimit(t *testing.T) {
	res := solve(t, &Solver{Eps: 0.001, MaxIter: 25}, problem3(t))
	assert.Equal(t, ot.IterationLimit, res.Status)
	assert.Equal(t, 25, res.Iterations)
	assert.Len(t, res.History, 3) // checks at 10, 20 and 25
}

func TestRelaxation(t *testing.T) {
	p := randomCloud(t, 40, 30, 2, 21)
	_, cmax := ot.MinMax(p.C)
	for _, rel := range []float64{0.05, 0.005} {
		eps := rel * cmax
		plain := solve(t, &Solver{Eps: eps, Method: LogDomain, Tol: 1e-11, MaxIter: 100000}, p)
		require.Equal(t, ot.Converged, plain.Status)
		for _, s := range []Solver{
			{Eps: eps}, // Auto: adaptive
			{Eps: eps, Method: LogDomain, Relax: 1.5},
			{Eps: eps, Method: Stabilized, Relax: 1.5},
			{Eps: eps, Relax: 1.8, Scaling: &EpsScaling{}},
		} {
			s.Tol, s.MaxIter = 1e-11, 100000
			res := solve(t, &s, p)
			assert.Equal(t, ot.Converged, res.Status, "%+v", s)
			assert.InDelta(t, plain.Value, res.Value, 1e-9, "%+v", s)
			assert.Less(t, maxAbsDiff(ot.DenseCopy(plain.Plan).RawMatrix().Data, ot.DenseCopy(res.Plan).RawMatrix().Data), 1e-9)
			if s.Method == Auto && s.Scaling == nil {
				assert.Less(t, res.Iterations, plain.Iterations, "adaptive relaxation should save sweeps (eps %v)", eps)
			}
		}
		// Fixed ω: Stabilized ≡ LogDomain sweep for sweep.
		lg := solve(t, &Solver{Eps: eps, Method: LogDomain, Relax: 1.5}, p)
		st := solve(t, &Solver{Eps: eps, Method: Stabilized, Relax: 1.5}, p)
		assert.Equal(t, lg.Iterations, st.Iterations)
	}
}

func TestRelaxationUpdate(t *testing.T) {
	// Plain sweeps with error ratio κ^10 per check: ω jumps to the SOR optimum.
	r := newRelaxation(0, 10)
	r.reset()
	assert.Equal(t, 1.0, r.omega)
	kappa := 0.99
	r.update(1e-4)
	assert.Equal(t, 1.0, r.omega)
	r.update(1e-4 * math.Pow(kappa, 10))
	assert.InDelta(t, 2/(1+math.Sqrt(1-kappa)), r.omega, 1e-12)
	// A large growth resets to plain sweeps with a halved step.
	r.update(1)
	assert.Equal(t, 1.0, r.omega)
	assert.Equal(t, 0.5, r.damp)
	// Fixed ω: plain until the error is small and decreasing.
	f := newRelaxation(1.3, 10)
	f.reset()
	f.update(1)
	f.update(0.5)
	assert.Equal(t, 1.0, f.omega)
	f.update(1e-4)
	assert.Equal(t, 1.3, f.omega)
	f.update(1e-5)
	assert.Equal(t, 1.3, f.omega)
	f.update(1)
	assert.Equal(t, 1.0, f.omega)
	// Relax = 1 never relaxes.
	one := newRelaxation(1, 10)
	one.reset()
	for _, e := range []float64{1, 1e-4, 1e-5, 1e-6} {
		one.update(e)
		assert.Equal(t, 1.0, one.omega)
	}
}

// TestRelaxLarge: a fixed ω close to 2 must not blow up from a cold start.
func TestRelaxLarge(t *testing.T) {
	p := randomCloud(t, 60, 50, 2, 31)
	_, cmax := ot.MinMax(p.C)
	for _, rel := range []float64{0.01, 0.001} {
		for _, w := range []float64{1.95, 1.99} {
			for _, meth := range []Method{Auto, LogDomain, Stabilized} {
				res := solve(t, &Solver{Eps: rel * cmax, Relax: w, Method: meth, MaxIter: 50000}, p)
				assert.Equal(t, ot.Converged, res.Status, "eps %v·max ω %v %v", rel, w, meth)
			}
		}
	}
}

func TestSettingsDefaults(t *testing.T) {
	auto := mustSettings(t, &Solver{})
	assert.Equal(t, DefaultTol, auto.tol)
	assert.Equal(t, DefaultCheckEvery, auto.checkEvery)
	assert.Equal(t, DefaultMaxIter, auto.maxIter)
	assert.Equal(t, DefaultMaxKernelBytes, auto.kernelMax)
	assert.Equal(t, 1, auto.workers)
	assert.Equal(t, 30.0, auto.tau)
	assert.Equal(t, 0.0, auto.omega) // adaptive
	st := mustSettings(t, &Solver{Method: Stabilized})
	assert.InDelta(t, math.Log(1e3), st.tau, 1e-15)
	assert.Equal(t, 1.0, st.omega)
	sc := mustSettings(t, &Solver{Scaling: &EpsScaling{}})
	assert.Equal(t, EpsScaling{Decay: 0.5, StageTol: 1e-3, StageMaxIter: 100}, sc.scaling)
}
