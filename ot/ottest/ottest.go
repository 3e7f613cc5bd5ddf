// Package ottest is the conformance suite of the ot.Solver contract (see
// package ot's documentation). Every solver package runs it from a test:
//
//	func TestConformance(t *testing.T) {
//		ottest.Run(t, ottest.Config{
//			New: func(s float64) ot.Solver { return &Solver{Eps: 0.1 * s} },
//			Tol: 1e-9, Converges: true,
//		})
//	}
//
// The suite checks: bad input gives a typed error and no Result; a nil
// context behaves as context.Background(); a canceled context ends the solve
// within 100 ms with Status Canceled and finite figures, also on a large
// point cloud; Converged keeps its promise MarginalError ≤ Tol × Mass at
// masses 1e-12, 1 and 1e12; no figure is NaN or infinite unless the Status
// is NumericalError; the returned figures match the returned plan; inputs
// are not modified; scaling the cost and the regularization by s from
// 1e-300 to 1e300 gives the same plan; one settings value may be used from
// many goroutines and gives bitwise identical results.
package ottest

import (
	"context"
	"math"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/otkit/otkit/internal/otest"
	"github.com/otkit/otkit/ot"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Config describes a solver to the suite.
type Config struct {
	// New returns the solver under test with its regularization (ε, γ, …)
	// multiplied by s; the suite multiplies the cost by the same s and
	// expects the same plan. Except in the scale test s is 1.
	New func(s float64) ot.Solver
	// Tol is the marginal tolerance, relative to the mass, that the solver's
	// Converged promises (its Tol setting or default).
	Tol float64
	// Converges says that the solver converges at its settings on the
	// suite's small, well-conditioned problems (false for relaxations that
	// may legitimately stop short); the suite then requires Converged.
	Converges bool
	// CancelN is n = m of the SqEuclidean point cloud (d = 2) of the
	// cancellation test: 0 means 20 000, a negative value skips the test.
	// With -short it is at most 2 000.
	CancelN int
	// PlanTol is the tolerance, relative to the mass, of plan comparisons
	// across cost scales; 0 means 1e-6.
	PlanTol float64
	// ScaleTol is the relative tolerance of Value, LinearCost and
	// potentials across cost scales; 0 means 1e-6.
	ScaleTol float64
	// Supports lists the relaxations (partial transport, relaxed
	// marginals) the solver handles; the suite checks that it refuses the
	// others with ot.ErrUnsupported.
	Supports ot.Support
}

// CancelLatency is the longest a solve may run on after its context is
// canceled (five times longer under the race detector). Each measurement
// is tried up to three times, since a loaded machine can delay any
// goroutine; uninterruptible work fails every try.
const CancelLatency = 100 * time.Millisecond

// Run runs the conformance suite as subtests of t.
func Run(t *testing.T, c Config) {
	require.NotNil(t, c.New, "ottest: Config.New is required")
	require.True(t, c.Tol > 0, "ottest: Config.Tol must be positive")
	if c.PlanTol == 0 {
		c.PlanTol = 1e-6
	}
	if c.ScaleTol == 0 {
		c.ScaleTol = 1e-6
	}
	t.Run("BadInput", func(t *testing.T) { badInput(t, c) })
	t.Run("NilContext", func(t *testing.T) { nilContext(t, c) })
	t.Run("CanceledBefore", func(t *testing.T) { canceledBefore(t, c) })
	t.Run("CancelLarge", func(t *testing.T) { cancelLarge(t, c) })
	t.Run("Mass", func(t *testing.T) { massScales(t, c) })
	t.Run("Figures", func(t *testing.T) { figures(t, c) })
	t.Run("Scale", func(t *testing.T) { costScales(t, c) })
	t.Run("Concurrent", func(t *testing.T) { concurrent(t, c) })
	t.Run("Unsupported", func(t *testing.T) { unsupported(t, c) })
}

// unsupported checks that relaxed or partial problems the solver does not
// handle are refused with ot.ErrUnsupported, never solved as balanced.
func unsupported(t *testing.T, c Config) {
	base := Problems()["dense 6×5"]
	relax := func(f func(p *ot.Problem)) *ot.Problem {
		p := scaled(base, 1, 1)
		p.B[0] *= 1.5 // unequal masses, allowed only when relaxed or partial
		f(p)
		return p
	}
	cases := []struct {
		name     string
		p        *ot.Problem
		declared bool
	}{
		{"partial", relax(func(p *ot.Problem) { p.PartialMass = 0.5 }), c.Supports.Partial},
		{"relaxed rows", relax(func(p *ot.Problem) { p.RhoA = 1 }), c.Supports.RelaxA},
		{"relaxed columns", relax(func(p *ot.Problem) { p.RhoB = 1 }), c.Supports.RelaxB},
		{"relaxed both", relax(func(p *ot.Problem) { p.RhoA, p.RhoB = 1, 2 }), c.Supports.RelaxA && c.Supports.RelaxB},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := solveNoPanic(t, c.New(1), context.Background(), tc.p)
			if tc.declared {
				require.NoError(t, err)
				checkFinite(t, res)
				return
			}
			assert.ErrorIs(t, err, ot.ErrUnsupported)
			assert.Nil(t, res)
		})
	}
}

// Problems returns the suite's small problems, by name: dense and point
// cloud costs, n ≠ m, non-uniform and zero weights, forbidden (+Inf) pairs
// that leave the problem feasible, duplicate points, single rows and
// columns.
func Problems() map[string]*ot.Problem {
	rng := rand.New(rand.NewPCG(7, 11))
	inf := math.Inf(1)
	ps := map[string]*ot.Problem{}
	ps["dense 6×5"] = randomDense(rng, 6, 5)
	ps["dense 1×4"] = randomDense(rng, 1, 4)
	ps["dense 5×1"] = randomDense(rng, 5, 1)
	zero := randomDense(rng, 7, 6)
	zero.A[2], zero.B[0], zero.B[4] = 0, 0, 0
	rebalance(zero)
	ps["zero weights"] = zero
	forb := randomDense(rng, 5, 5)
	d := forb.C.(*ot.DenseCost)
	d.Data[0*5+1], d.Data[1*5+0], d.Data[2*5+3], d.Data[4*5+4] = inf, inf, inf, inf
	ps["forbidden pairs"] = forb
	x := [][]float64{{0, 0}, {1, 0}, {0, 1}, {1, 1}, {0.5, 0.5}, {0.5, 0.5}, {2, 0}}
	y := [][]float64{{0.2, 0.1}, {1.1, 0.9}, {0.4, 1.3}, {1.5, 0.2}}
	for _, metric := range []ot.Metric{ot.SqEuclidean, ot.Euclidean} {
		pc, err := ot.NewPointCloud(x, y, metric)
		if err != nil {
			panic(err)
		}
		p := ot.NewProblem(pc)
		p.A = randomWeights(rng, len(x))
		ps["point cloud "+metric.String()] = p
	}
	return ps
}

var (
	randomWeights = otest.RandomWeights
	randomDense   = otest.RandomProblem
)

func rebalance(p *ot.Problem) {
	var sa, sb float64
	for _, v := range p.A {
		sa += v
	}
	for _, v := range p.B {
		sb += v
	}
	for j := range p.B {
		p.B[j] *= sa / sb
	}
}

// scaled returns p with its cost multiplied by s and its weights by t.
func scaled(p *ot.Problem, s, t float64) *ot.Problem {
	q := &ot.Problem{A: make([]float64, len(p.A)), B: make([]float64, len(p.B))}
	for i, v := range p.A {
		q.A[i] = v * t
	}
	for j, v := range p.B {
		q.B[j] = v * t
	}
	n, m := p.Dims()
	data := ot.CostData(p.C)
	c := make([]float64, len(data))
	for k, v := range data {
		c[k] = v * s
	}
	q.C = &ot.DenseCost{N: n, M: m, Data: c}
	return q
}

func badInput(t *testing.T, c Config) {
	inf, nan := math.Inf(1), math.NaN()
	good := func() *ot.Problem { return randomDense(rand.New(rand.NewPCG(1, 1)), 3, 3) }
	with := func(f func(p *ot.Problem)) *ot.Problem { p := good(); f(p); return p }
	overflow, err := ot.NewPointCloud([][]float64{{1e160, 0}, {0, 1}}, [][]float64{{-1e160, 0}, {1, 0}}, ot.SqEuclidean)
	require.NoError(t, err)
	cases := []struct {
		name string
		p    *ot.Problem
		want error
	}{
		{"nil problem", nil, ot.ErrEmpty},
		{"nil cost", &ot.Problem{A: ot.Uniform(2), B: ot.Uniform(2)}, ot.ErrEmpty},
		{"short a", with(func(p *ot.Problem) { p.A = p.A[:2] }), ot.ErrShape},
		{"long b", with(func(p *ot.Problem) { p.B = append(p.B, 0) }), ot.ErrShape},
		{"NaN weight", with(func(p *ot.Problem) { p.A[1] = nan }), ot.ErrNonFinite},
		{"Inf weight", with(func(p *ot.Problem) { p.B[1] = inf }), ot.ErrNonFinite},
		{"negative weight", with(func(p *ot.Problem) { p.A[0] = -p.A[0] }), ot.ErrNegativeWeight},
		{"zero mass", with(func(p *ot.Problem) { clear(p.A); clear(p.B) }), ot.ErrZeroMass},
		{"unequal masses", with(func(p *ot.Problem) { p.B[0] *= 1.5 }), ot.ErrMassMismatch},
		{"NaN cost", with(func(p *ot.Problem) { ot.CostData(p.C)[4] = nan }), ot.ErrNonFinite},
		{"-Inf cost", with(func(p *ot.Problem) { ot.CostData(p.C)[2] = math.Inf(-1) }), ot.ErrNonFinite},
		{"forbidden row", with(func(p *ot.Problem) { copy(ot.CostData(p.C)[3:6], []float64{inf, inf, inf}) }), ot.ErrInfeasible},
		{"infeasible pattern", &ot.Problem{A: ot.Uniform(3), B: ot.Uniform(3),
			C: &ot.DenseCost{N: 3, M: 3, Data: []float64{0, inf, inf, 0, inf, inf, 1, 2, 3}}}, ot.ErrInfeasible},
		{"overflowing point cloud", ot.NewProblem(overflow), ot.ErrNonFinite},
		{"point cloud without points", &ot.Problem{A: ot.Uniform(1), B: ot.Uniform(1), C: &ot.PointCloud{}}, ot.ErrEmpty},
	}
	s := c.New(1)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := solveNoPanic(t, s, context.Background(), tc.p)
			assert.ErrorIs(t, err, tc.want)
			assert.Nil(t, res, "a Result and an error are never returned together")
		})
	}
}

func solveNoPanic(t *testing.T, s ot.Solver, ctx context.Context, p *ot.Problem) (res *ot.Result, err error) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("Solve panicked: %v", r)
		}
	}()
	return s.Solve(ctx, p)
}

func nilContext(t *testing.T, c Config) {
	p := Problems()["dense 6×5"]
	//lint:ignore SA1012 a nil context is part of the contract
	got, err := solveNoPanic(t, c.New(1), nil, p) //nolint:staticcheck
	require.NoError(t, err)
	want, err := c.New(1).Solve(context.Background(), p)
	require.NoError(t, err)
	assert.Equal(t, want.Status, got.Status)
	assert.Equal(t, want.Value, got.Value)
	assert.Equal(t, want.Iterations, got.Iterations)
}

func canceledBefore(t *testing.T, c Config) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for name, p := range Problems() {
		t.Run(name, func(t *testing.T) {
			res, err := solveNoPanic(t, c.New(1), ctx, p)
			require.NoError(t, err, "cancellation is a Status, not an error")
			require.NotNil(t, res)
			assert.Equal(t, ot.Canceled, res.Status)
			checkResult(t, c, p, res)
		})
	}
}

func cancelLarge(t *testing.T, c Config) {
	n := c.CancelN
	if n == 0 {
		n = 20000
	}
	if n < 0 {
		t.Skip("CancelN < 0")
	}
	if testing.Short() {
		n = min(n, 2000)
	}
	p := otest.CloudProblem(rand.New(rand.NewPCG(3, 5)), n, n, 2, []float64{1, 0}, false)
	limit := CancelLatency
	if raceEnabled {
		limit *= 5
	}
	for _, delay := range []time.Duration{time.Millisecond, 60 * time.Millisecond} {
		// A busy machine can delay any goroutine by more than the bound, so
		// the bound must hold on one of cancelTries attempts: work that
		// cannot be interrupted fails them all.
		var best time.Duration
		for try := 0; try < cancelTries; try++ {
			lat, ok := cancelOnce(t, c, p, n, delay)
			if !ok {
				break
			}
			if try == 0 || lat < best {
				best = lat
			}
			if best <= limit {
				break
			}
		}
		assert.LessOrEqual(t, best, limit, "n = %d: returned %v after the cancel (best of %d tries)", n, best, cancelTries)
	}
}

// cancelTries is the number of attempts of each cancellation measurement.
const cancelTries = 3

// cancelOnce solves p, cancels after delay and returns how long the solve
// ran on; ok is false when the solve ended before the cancel (allowed only
// with -short).
func cancelOnce(t *testing.T, c Config, p *ot.Problem, n int, delay time.Duration) (lat time.Duration, ok bool) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type out struct {
		res *ot.Result
		err error
		at  time.Time
	}
	done := make(chan out, 1)
	go func() {
		res, err := c.New(1).Solve(ctx, p)
		done <- out{res, err, time.Now()}
	}()
	time.Sleep(delay)
	canceledAt := time.Now()
	cancel()
	o := <-done
	require.NoError(t, o.err)
	if o.res.Status != ot.Canceled {
		if testing.Short() {
			t.Logf("n = %d: the solve ended %v before the cancel", n, o.res.Status)
			return 0, false
		}
		t.Fatalf("n = %d: the solve ended %v before the cancel after %v; the test needs a larger problem", n, o.res.Status, delay)
	}
	lat = o.at.Sub(canceledAt)
	t.Logf("n = %d, canceled after %v: returned %v later", n, delay, lat)
	checkFinite(t, o.res)
	return lat, true
}

func massScales(t *testing.T, c Config) {
	base := Problems()["dense 6×5"]
	for _, mass := range []float64{1e-12, 1, 1e12} {
		p := scaled(base, 1, mass)
		res, err := c.New(1).Solve(context.Background(), p)
		require.NoError(t, err)
		checkResult(t, c, p, res)
		if c.Converges {
			assert.Equal(t, ot.Converged, res.Status, "mass %g", mass)
		}
	}
}

func figures(t *testing.T, c Config) {
	for name, p := range Problems() {
		t.Run(name, func(t *testing.T) {
			a, b := append([]float64(nil), p.A...), append([]float64(nil), p.B...)
			cost := append([]float64(nil), ot.CostData(p.C)...)
			res, err := c.New(1).Solve(context.Background(), p)
			require.NoError(t, err)
			checkResult(t, c, p, res)
			if c.Converges {
				assert.Equal(t, ot.Converged, res.Status)
			}
			assert.Equal(t, a, p.A, "Solve modified A")
			assert.Equal(t, b, p.B, "Solve modified B")
			assert.Equal(t, cost, ot.CostData(p.C), "Solve modified the cost")
		})
	}
}

// checkResult checks a Result against the contract and its own plan.
func checkResult(t *testing.T, c Config, p *ot.Problem, res *ot.Result) {
	t.Helper()
	require.NotNil(t, res)
	if res.Status == ot.NumericalError {
		return
	}
	checkFinite(t, res)
	n, m := p.Dims()
	require.NotNil(t, res.Plan)
	pn, pm := res.Plan.Dims()
	require.Equal(t, []int{n, m}, []int{pn, pm}, "plan shape")
	var mass float64
	for _, v := range p.A {
		mass += v
	}
	row := make([]float64, m)
	costRow := make([]float64, m)
	for i := 0; i < n; i++ {
		for j, v := range res.Plan.Row(i, row) {
			if !(v >= 0) || math.IsInf(v, 0) {
				t.Fatalf("plan[%d,%d] = %v", i, j, v)
			}
			if v > 0 && math.IsInf(p.C.Row(i, costRow)[j], 1) {
				t.Fatalf("plan[%d,%d] = %v on a forbidden pair", i, j, v)
			}
		}
	}
	me := ot.MarginalError(res.Plan, p.A, p.B)
	assert.InDelta(t, me, res.MarginalError, 1e-9*mass+1e-6*me, "MarginalError is not the returned plan's")
	lc := ot.LinearCost(res.Plan, p.C)
	assert.InDelta(t, lc, res.LinearCost, 1e-9*math.Abs(lc)+1e-300, "LinearCost is not the returned plan's")
	if res.Status == ot.Converged {
		assert.LessOrEqual(t, me, c.Tol*mass*(1+1e-9), "Converged with MarginalError %g > Tol × mass = %g", me, c.Tol*mass)
	}
}

// checkFinite checks that no figure is NaN or infinite.
func checkFinite(t *testing.T, res *ot.Result) {
	t.Helper()
	if res.Status == ot.NumericalError {
		return
	}
	for name, v := range map[string]float64{"Value": res.Value, "DualValue": res.DualValue,
		"LinearCost": res.LinearCost, "MarginalError": res.MarginalError} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Errorf("%s = %v with Status %v", name, v, res.Status)
		}
	}
	for _, pot := range [][]float64{res.F, res.G} {
		for k, v := range pot {
			if math.IsNaN(v) || math.IsInf(v, 1) {
				t.Errorf("potential[%d] = %v with Status %v", k, v, res.Status)
				return
			}
		}
	}
	for k, v := range res.History {
		if math.IsNaN(v) {
			t.Errorf("History[%d] = NaN", k)
			return
		}
	}
}

func costScales(t *testing.T, c Config) {
	base := Problems()["dense 6×5"]
	want, err := c.New(1).Solve(context.Background(), base)
	require.NoError(t, err)
	wantPlan := ot.DenseCopy(want.Plan)
	for _, s := range []float64{1e-300, 1e-150, 1e150, 1e300} {
		p := scaled(base, s, 1)
		res, err := solveNoPanic(t, c.New(s), context.Background(), p)
		require.NoError(t, err, "s = %g", s)
		checkResult(t, c, p, res)
		assert.Equal(t, want.Status, res.Status, "s = %g", s)
		got := ot.DenseCopy(res.Plan)
		n, m := got.Dims()
		for i := 0; i < n; i++ {
			for j := 0; j < m; j++ {
				if math.Abs(got.At(i, j)-wantPlan.At(i, j)) > c.PlanTol {
					t.Fatalf("s = %g: plan[%d,%d] = %v, want %v", s, i, j, got.At(i, j), wantPlan.At(i, j))
				}
			}
		}
		rel := func(got, want float64) bool {
			return math.Abs(got/s-want) <= c.ScaleTol*(math.Abs(want)+1)
		}
		assert.True(t, rel(res.Value, want.Value), "s = %g: Value/s = %v, want %v", s, res.Value/s, want.Value)
		assert.True(t, rel(res.LinearCost, want.LinearCost), "s = %g: LinearCost/s = %v, want %v", s, res.LinearCost/s, want.LinearCost)
		if len(want.F) > 0 && len(want.G) > 0 {
			wf, wg := gauge(want.F, want.G, 1)
			gf, gg := gauge(res.F, res.G, s)
			for k := range wf {
				if !math.IsInf(wf[k], -1) && math.Abs(gf[k]-wf[k]) > c.ScaleTol*(math.Abs(wf[k])+1) {
					t.Errorf("s = %g: F[%d]/s = %v, want %v (up to a constant)", s, k, gf[k], wf[k])
					break
				}
			}
			for k := range wg {
				if !math.IsInf(wg[k], -1) && math.Abs(gg[k]-wg[k]) > c.ScaleTol*(math.Abs(wg[k])+1) {
					t.Errorf("s = %g: G[%d]/s = %v, want %v (up to a constant)", s, k, gg[k], wg[k])
					break
				}
			}
		}
	}
}

// gauge returns F/s − μ and G/s + μ with μ the mean of the finite F/s: the
// potentials are defined up to such a constant.
func gauge(f, g []float64, s float64) (gf, gg []float64) {
	var mu float64
	k := 0
	for _, v := range f {
		if !math.IsInf(v, 0) {
			mu += v / s
			k++
		}
	}
	if k > 0 {
		mu /= float64(k)
	}
	gf, gg = make([]float64, len(f)), make([]float64, len(g))
	for i, v := range f {
		gf[i] = v/s - mu
	}
	for j, v := range g {
		gg[j] = v/s + mu
	}
	return gf, gg
}

func concurrent(t *testing.T, c Config) {
	s := c.New(1)
	p := Problems()["point cloud sqeuclidean"]
	want, err := s.Solve(context.Background(), p)
	require.NoError(t, err)
	const goroutines = 4
	var wg sync.WaitGroup
	results := make([]*ot.Result, goroutines)
	for g := range goroutines {
		wg.Go(func() { results[g], _ = s.Solve(context.Background(), p) })
	}
	wg.Wait()
	for _, res := range results {
		require.NotNil(t, res)
		assert.Equal(t, want.Status, res.Status)
		assert.Equal(t, want.Value, res.Value, "results differ between goroutines")
		assert.Equal(t, want.Iterations, res.Iterations)
		assert.Equal(t, ot.DenseCopy(want.Plan).RawMatrix().Data, ot.DenseCopy(res.Plan).RawMatrix().Data)
	}
}
