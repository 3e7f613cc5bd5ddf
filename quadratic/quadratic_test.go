package quadratic

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/floats"

	"github.com/otkit/otkit/ot"
)

func TestClosedForm2x2(t *testing.T) {
	// docs/quadratic.md §9.2: a = b = [½, ½], C = [[0, c], [c, 0]], q = max(0, ¼ − c/(2γ)).
	for _, gamma := range []float64{1, 2, 4, 10} {
		for _, meth := range allMethods {
			t.Run(fmt.Sprintf("%v/gamma=%v", meth, gamma), func(t *testing.T) {
				p := &ot.Problem{A: []float64{.5, .5}, B: []float64{.5, .5}, C: dense(t, 2, 2, []float64{0, 1, 1, 0})}
				r := solve(t, Solver{Gamma: gamma, Method: meth}, p)
				require.Equal(t, ot.Converged, r.Status)
				q := math.Max(0, 0.25-1/(2*gamma))
				pp := 0.5 - q
				assert.InDeltaSlice(t, []float64{pp, q, q, pp}, denseData(r.Plan), 1e-9)
				assert.InDelta(t, 2*q+gamma*(pp*pp+q*q), r.Value, 1e-9)
				assert.LessOrEqual(t, r.MarginalError, 1e-9)
				if q == 0 {
					assert.Equal(t, 2, r.Plan.NNZ())
				}
				checkResult(t, p, gamma, r)
			})
		}
	}
}

func TestSpec3x3(t *testing.T) {
	// docs/quadratic.md §9.3 table: Value, LinearCost, plan, F − mean(F), G + mean(F).
	tlp := []float64{.2, 0, 0, .2, .3, 0, 0, .1, .2}
	for _, tc := range []struct {
		gamma, value, lin float64
		plan, f, g        []float64
	}{
		{0.5, 0.355, 0.3, tlp, []float64{-0.9666666667, 0.0333333333, 0.9333333333}, []float64{1.0666666667, 0.1166666667, -0.8333333333}},
		{1, 0.41, 0.3, tlp, []float64{-0.9333333333, 0.0666666667, 0.8666666667}, []float64{1.1333333333, 0.2333333333, -0.6666666667}},
		{2, 0.52, 0.3, tlp, []float64{-0.8666666667, 0.1333333333, 0.7333333333}, []float64{1.2666666667, 0.4666666667, -0.3333333333}},
		{10, 101.0 / 75, 0.42, []float64{0.1866666667, 0.0133333333, 0, 0.2133333333, 0.24, 0.0466666667, 0, 0.1466666667, 0.1533333333},
			[]float64{-13.0 / 15, 2.0 / 5, 7.0 / 15}, []float64{41.0 / 15, 2, 16.0 / 15}},
		{50, 326.0 / 75, 0.86, []float64{0.12, 0.08, 0, 29.0 / 150, 29.0 / 150, 17.0 / 150, 13.0 / 150, 19.0 / 150, 13.0 / 150},
			[]float64{-7.0 / 3, 7.0 / 3, 0}, []float64{25.0 / 3, 22.0 / 3, 13.0 / 3}},
	} {
		for _, meth := range allMethods {
			t.Run(fmt.Sprintf("%v/gamma=%v", meth, tc.gamma), func(t *testing.T) {
				p := problem3x3(t)
				r := solve(t, Solver{Gamma: tc.gamma, Method: meth}, p)
				require.Equal(t, ot.Converged, r.Status)
				assert.InDelta(t, tc.value, r.Value, 1e-8)
				assert.InDelta(t, tc.lin, r.LinearCost, 1e-8)
				assert.InDeltaSlice(t, tc.plan, denseData(r.Plan), 1e-8)
				mf := mean(r.F)
				for i := range tc.f {
					assert.InDelta(t, tc.f[i], r.F[i]-mf, 1e-7, "F[%d]", i)
					assert.InDelta(t, tc.g[i], r.G[i]+mf, 1e-7, "G[%d]", i)
				}
				checkResult(t, p, tc.gamma, r)
			})
		}
	}
}

func TestMonotoneInGamma(t *testing.T) {
	// Value and LinearCost nondecreasing, ‖T‖² nonincreasing in γ (docs/quadratic.md §7),
	// with the bounds OT + (γ/2)max(Σb²/n, Σa²/m) ≤ Value ≤ OT + (γ/2)min(Σb², Σa²).
	p := problem3x3(t)
	prevV, prevL, prevN := math.Inf(-1), math.Inf(-1), math.Inf(1)
	for _, gamma := range []float64{0.1, 0.5, 2, 5, 6, 8, 10, 20, 50, 200} {
		r := solve(t, Solver{Gamma: gamma, Method: Newton}, p)
		sq := sumSq(r.Plan.(*ot.SparsePlan).Val)
		assert.GreaterOrEqual(t, r.Value, prevV-1e-12)
		assert.GreaterOrEqual(t, r.LinearCost, prevL-1e-9)
		assert.LessOrEqual(t, sq, prevN+1e-9)
		prevV, prevL, prevN = r.Value, r.LinearCost, sq
		assert.GreaterOrEqual(t, r.Value, 0.3+gamma/2*math.Max(0.36/3, 0.38/3)-1e-9)
		assert.LessOrEqual(t, r.Value, 0.3+gamma/2*math.Min(0.36, 0.38)+1e-9)
		switch gamma {
		case 6:
			assert.InDelta(t, 0.9566666667, r.Value, 1e-9)
		case 8:
			assert.InDelta(t, 1.1573333333, r.Value, 1e-9)
			assert.InDelta(t, 0.38, r.LinearCost, 1e-9)
		}
	}
}

func TestMinimumNormLimit(t *testing.T) {
	// γ → ∞: the minimum-norm plan T_ij = a_i/m + b_j/n − M/(nm) (docs/quadratic.md §7).
	p := problem3x3(t)
	want := []float64{0.0888889, 0.0888889, 0.0222222, 0.1888889, 0.1888889, 0.1222222, 0.1222222, 0.1222222, 0.0555556}
	for _, meth := range allMethods {
		r := solve(t, Solver{Gamma: 1e6, Method: meth}, p)
		require.Equal(t, ot.Converged, r.Status, "%v", meth)
		assert.InDeltaSlice(t, want, denseData(r.Plan), 2e-6, "%v", meth)
	}
	// A random problem, compared with the formula.
	q := cloudProblem(t, 6, 5, 3)
	r := solve(t, Solver{Gamma: 1e7, Method: Newton}, q)
	got := denseData(r.Plan)
	for i := 0; i < 6; i++ {
		for j := 0; j < 5; j++ {
			assert.InDelta(t, 1.0/6/5+1.0/5/6-1.0/30, got[i*5+j], 1e-6)
		}
	}
}

func TestWarmStartAndWorkers(t *testing.T) {
	p := cloudProblem(t, 70, 90, 5)
	for _, meth := range allMethods {
		r1 := solve(t, Solver{Gamma: 0.1, Method: meth}, p)
		require.Equal(t, ot.Converged, r1.Status)
		// Bitwise identical for any worker count.
		r3 := solve(t, Solver{Gamma: 0.1, Method: meth, Workers: 3}, p)
		assert.Equal(t, r1.F, r3.F, "%v", meth)
		assert.Equal(t, r1.Value, r3.Value, "%v", meth)
		// A warm start from the solution converges at once.
		rw := solve(t, Solver{Gamma: 0.1, Method: meth, Init: &ot.Potentials{F: r1.F, G: r1.G}}, p)
		require.Equal(t, ot.Converged, rw.Status)
		assert.LessOrEqual(t, rw.Iterations, 2, "%v", meth)
		assert.InDelta(t, r1.Value, rw.Value, 1e-9)
	}
}

func TestDualAndSemiDualAgree(t *testing.T) {
	p := cloudProblem(t, 40, 30, 9)
	var plans [][]float64
	for _, meth := range allMethods {
		r := solve(t, Solver{Gamma: 0.05, Method: meth, Tol: 1e-11}, p)
		require.Equal(t, ot.Converged, r.Status, "%v", meth)
		checkResult(t, p, 0.05, r)
		plans = append(plans, denseData(r.Plan))
	}
	assert.InDeltaSlice(t, plans[0], plans[1], 1e-9)
	assert.InDeltaSlice(t, plans[0], plans[2], 1e-9)
}

func TestHistoryProgressAndLimits(t *testing.T) {
	p := cloudProblem(t, 30, 30, 2)
	for _, meth := range allMethods {
		var calls []int
		r := solve(t, Solver{Gamma: 0.1, Method: meth, Progress: func(it int, err float64) { calls = append(calls, it) }}, p)
		require.Equal(t, ot.Converged, r.Status)
		assert.Len(t, r.History, r.Iterations, "%v", meth)
		assert.Len(t, calls, r.Iterations)
		assert.LessOrEqual(t, r.History[len(r.History)-1], 1e-9)

		r = solve(t, Solver{Gamma: 0.01, Method: meth, MaxIter: 3}, p)
		assert.Equal(t, ot.IterationLimit, r.Status, "%v", meth)
		assert.Equal(t, 3, r.Iterations)

		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		r, err := (&Solver{Gamma: 0.1, Method: meth}).Solve(ctx, p)
		require.NoError(t, err)
		assert.Equal(t, ot.Canceled, r.Status, "%v", meth)
		assert.NotNil(t, r.Plan)
	}
}

func TestZeroWeights(t *testing.T) {
	// Rows and columns of zero weight are empty in the plan and get
	// finite c-transform potentials; the rest equals the reduced problem.
	c := []float64{0, 1, 4, 2, 1, 0, 1, 2, 4, 1, 0, 3, 2, 2, 2, 0}
	p := &ot.Problem{A: []float64{0.2, 0.5, 0, 0.3}, B: []float64{0.4, 0, 0.4, 0.2}, C: dense(t, 4, 4, c)}
	red := &ot.Problem{A: []float64{0.2, 0.5, 0.3}, B: []float64{0.4, 0.4, 0.2},
		C: dense(t, 3, 3, []float64{0, 4, 2, 1, 1, 2, 2, 2, 0})}
	for _, meth := range allMethods {
		r := solve(t, Solver{Gamma: 2, Method: meth}, p)
		rr := solve(t, Solver{Gamma: 2, Method: meth}, red)
		require.Equal(t, ot.Converged, r.Status)
		assert.InDelta(t, rr.Value, r.Value, 1e-10)
		got := denseData(r.Plan)
		for k := 0; k < 4; k++ {
			assert.Zero(t, got[2*4+k])
			assert.Zero(t, got[k*4+1])
		}
		for _, v := range append(append([]float64(nil), r.F...), r.G...) {
			assert.False(t, math.IsInf(v, 0) || math.IsNaN(v))
		}
		checkResult(t, p, 2, r)
	}
}

func TestPointCloudCost(t *testing.T) {
	x := [][]float64{{0, 0}, {1, 0}, {0, 2}, {1, 1}}
	y := [][]float64{{0, 1}, {2, 0}, {1, 2}}
	pc, err := ot.NewPointCloud(x, y, ot.SqEuclidean)
	require.NoError(t, err)
	pp := ot.NewProblem(pc)
	pd := &ot.Problem{A: pp.A, B: pp.B, C: ot.DenseCostOf(ot.DenseCopy(&ot.DensePlan{N: 4, M: 3, Data: ot.CostData(pc)}))}
	for _, meth := range allMethods {
		r1 := solve(t, Solver{Gamma: 0.5, Method: meth}, pp)
		r2 := solve(t, Solver{Gamma: 0.5, Method: meth}, pd)
		assert.Equal(t, denseData(r2.Plan), denseData(r1.Plan))
		checkResult(t, pp, 0.5, r1)
	}
}

func TestBadInput(t *testing.T) {
	good := problem3x3(t)
	nan := math.NaN()
	for _, tc := range []struct {
		name string
		s    Solver
		p    *ot.Problem
		err  error
	}{
		{"negative gamma", Solver{Gamma: -1}, good, ot.ErrParameter},
		{"NaN gamma", Solver{Gamma: nan}, good, ot.ErrParameter},
		{"Inf gamma", Solver{Gamma: math.Inf(1)}, good, ot.ErrParameter},
		{"tiny gamma", Solver{Gamma: 1e-14}, good, ot.ErrParameter},
		{"negative tol", Solver{Tol: -1}, good, ot.ErrParameter},
		{"NaN tol", Solver{Tol: nan}, good, ot.ErrParameter},
		{"negative max iter", Solver{MaxIter: -1}, good, ot.ErrParameter},
		{"unknown method", Solver{Method: 7}, good, ot.ErrParameter},
		{"nil problem", Solver{}, nil, ot.ErrEmpty},
		{"no cost", Solver{}, &ot.Problem{A: []float64{1}, B: []float64{1}}, ot.ErrEmpty},
		{"short a", Solver{}, &ot.Problem{A: []float64{1}, B: good.B, C: good.C}, ot.ErrShape},
		{"negative weight", Solver{}, &ot.Problem{A: []float64{-0.2, 0.9, 0.3}, B: good.B, C: good.C}, ot.ErrNegativeWeight},
		{"NaN weight", Solver{}, &ot.Problem{A: []float64{nan, 0.5, 0.3}, B: good.B, C: good.C}, ot.ErrNonFinite},
		{"mass mismatch", Solver{}, &ot.Problem{A: []float64{0.2, 0.5, 0.4}, B: good.B, C: good.C}, ot.ErrMassMismatch},
		{"zero mass", Solver{}, &ot.Problem{A: []float64{0, 0, 0}, B: []float64{0, 0, 0}, C: good.C}, ot.ErrZeroMass},
		{"NaN cost", Solver{}, &ot.Problem{A: good.A, B: good.B, C: dense(t, 3, 3, []float64{0, 1, nan, 1, 0, 1, 4, 1, 0})}, ot.ErrNonFinite},
		{"bad init", Solver{Init: &ot.Potentials{F: []float64{1}}}, good, ot.ErrShape},
		{"NaN init", Solver{Init: &ot.Potentials{F: []float64{1, nan, 0}}}, good, ot.ErrNonFinite},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := tc.s.Solve(context.Background(), tc.p)
			assert.ErrorIs(t, err, tc.err)
			assert.Nil(t, r)
		})
	}
}

func TestForbiddenEntries(t *testing.T) {
	// +Inf costs are never used.
	inf := math.Inf(1)
	p := &ot.Problem{A: []float64{0.5, 0.5}, B: []float64{0.5, 0.5}, C: dense(t, 2, 2, []float64{0, inf, 1, 0})}
	for _, meth := range allMethods {
		r := solve(t, Solver{Gamma: 1, Method: meth}, p)
		require.Equal(t, ot.Converged, r.Status, "%v", meth)
		assert.Zero(t, r.Plan.At(0, 1))
		assert.InDelta(t, 0.25, r.Value, 1e-9) // the forced plan ½I
	}
}

func TestMassScalingLaw(t *testing.T) {
	// docs/quadratic.md §1.2: the plan for (s·a, s·b, C, γ) is s times the plan for
	// (a, b, C, s·γ), and the value is s times that value.
	p := cloudProblem(t, 12, 9, 6)
	const s, gamma = 3.0, 0.2
	scaled := &ot.Problem{A: make([]float64, 12), B: make([]float64, 9), C: p.C}
	for i, v := range p.A {
		scaled.A[i] = s * v
	}
	for j, v := range p.B {
		scaled.B[j] = s * v
	}
	for _, meth := range allMethods {
		r1 := solve(t, Solver{Gamma: gamma, Method: meth, Tol: 1e-11}, scaled)
		r2 := solve(t, Solver{Gamma: s * gamma, Method: meth, Tol: 1e-11}, p)
		require.Equal(t, ot.Converged, r1.Status, "%v", meth)
		got, want := denseData(r1.Plan), denseData(r2.Plan)
		for k := range want {
			assert.InDelta(t, s*want[k], got[k], 1e-10, "%v", meth)
		}
		assert.InDelta(t, s*r2.Value, r1.Value, 1e-10, "%v", meth)
	}
}

func TestPermutationInvariance(t *testing.T) {
	p := cloudProblem(t, 10, 8, 11)
	n, m := 10, 8
	pr := []int{3, 0, 9, 1, 7, 2, 8, 4, 6, 5}
	pc := []int{5, 2, 7, 0, 1, 6, 3, 4}
	c := ot.CostData(p.C)
	cp := make([]float64, n*m)
	a, b := make([]float64, n), make([]float64, m)
	for i := 0; i < n; i++ {
		a[i] = p.A[pr[i]]
		for j := 0; j < m; j++ {
			cp[i*m+j] = c[pr[i]*m+pc[j]]
		}
	}
	for j := 0; j < m; j++ {
		b[j] = p.B[pc[j]]
	}
	q := &ot.Problem{A: a, B: b, C: dense(t, n, m, cp)}
	for _, meth := range allMethods {
		r1 := solve(t, Solver{Gamma: 0.05, Method: meth, Tol: 1e-11}, p)
		r2 := solve(t, Solver{Gamma: 0.05, Method: meth, Tol: 1e-11}, q)
		for i := 0; i < n; i++ {
			for j := 0; j < m; j++ {
				assert.InDelta(t, r1.Plan.At(pr[i], pc[j]), r2.Plan.At(i, j), 1e-10, "%v", meth)
			}
		}
	}
}

func TestDefaultMethodIsNewton(t *testing.T) {
	var s Solver
	assert.Equal(t, Newton, s.Method)
	assert.Equal(t, "Newton", s.Method.String())
	// The zero value solves with Newton: same iterates as asking for it.
	p := cloudProblem(t, 20, 15, 3)
	r0 := solve(t, Solver{Gamma: 0.1}, p)
	r1 := solve(t, Solver{Gamma: 0.1, Method: Newton}, p)
	assert.Equal(t, r1.F, r0.F)
	assert.Equal(t, r1.Iterations, r0.Iterations)
}

func TestDefaultGamma(t *testing.T) {
	// Gamma = 0 is 0.01·(max C − min C)·max(n, m)/mass over the positive
	// weights: the same plan as that γ given explicitly, equivariant under
	// cost and mass scaling.
	p := cloudProblem(t, 14, 9, 5)
	c := ot.CostData(p.C)
	lo, hi := finiteRange(c)
	want := solve(t, Solver{Gamma: DefaultGammaFactor * (hi - lo) * 14 / 1, Tol: 1e-12}, p)
	got := solve(t, Solver{Tol: 1e-12}, p)
	require.Equal(t, ot.Converged, got.Status)
	assert.InDeltaSlice(t, denseData(want.Plan), denseData(got.Plan), 1e-14)
	for _, tc := range []struct{ cost, mass float64 }{{1e-7, 1}, {3e5, 1}, {1, 1e-6}, {1, 250}, {0.3, 7}} {
		t.Run(fmt.Sprintf("cost×%g/mass×%g", tc.cost, tc.mass), func(t *testing.T) {
			q := scaledProblem(p, tc.cost, tc.mass)
			r := solve(t, Solver{Tol: 1e-12}, q)
			require.Equal(t, ot.Converged, r.Status)
			g, w := denseData(r.Plan), denseData(got.Plan)
			for k := range w {
				assert.InDelta(t, tc.mass*w[k], g[k], 1e-9*tc.mass)
			}
			assert.InDelta(t, tc.cost*tc.mass*got.Value, r.Value, 1e-9*tc.cost*tc.mass*got.Value)
		})
	}
	// A zero-weight row changes nothing (n counts the positive weights).
	z := scaledProblem(p, 1, 1)
	z.A = append(z.A, 0)
	z.C = dense(t, 15, 9, append(append([]float64(nil), c...), make([]float64, 9)...))
	r := solve(t, Solver{Tol: 1e-12}, z)
	assert.InDeltaSlice(t, denseData(got.Plan), denseData(r.Plan)[:14*9], 1e-14)
	// Constant costs: any γ gives the minimum-norm plan.
	k := &ot.Problem{A: []float64{0.25, 0.75}, B: []float64{0.5, 0.5}, C: dense(t, 2, 2, []float64{3, 3, 3, 3})}
	r = solve(t, Solver{}, k)
	require.Equal(t, ot.Converged, r.Status)
	assert.InDeltaSlice(t, []float64{0.125, 0.125, 0.375, 0.375}, denseData(r.Plan), 1e-12)
}

// scaledProblem returns p with its cost multiplied by s and its weights by t.
func scaledProblem(p *ot.Problem, s, t float64) *ot.Problem {
	n, m := p.Dims()
	c := append([]float64(nil), ot.CostData(p.C)...)
	floats.Scale(s, c)
	a, b := append([]float64(nil), p.A...), append([]float64(nil), p.B...)
	floats.Scale(t, a)
	floats.Scale(t, b)
	return &ot.Problem{A: a, B: b, C: &ot.DenseCost{N: n, M: m, Data: c}}
}

func TestCostScale(t *testing.T) {
	// Cost and γ multiplied by s: the same plan, potentials and values
	// times s (the cost is normalized internally by a power of two), for
	// every method, also with zero weights and forbidden pairs.
	inf := math.Inf(1)
	zw := &ot.Problem{A: []float64{0.2, 0.5, 0, 0.3}, B: []float64{0.4, 0, 0.4, 0.2},
		C: dense(t, 4, 4, []float64{0, 1, 4, 2, 1, 0, 1, 2, 4, 1, 0, 3, 2, inf, 2, 0})}
	for name, p := range map[string]*ot.Problem{"cloud": cloudProblem(t, 9, 7, 4), "zero weights": zw} {
		for _, meth := range allMethods {
			want := solve(t, Solver{Gamma: 0.05, Method: meth, Tol: 1e-12}, p)
			require.Equal(t, ot.Converged, want.Status)
			for _, s := range []float64{1e-300, 1e-150, 1e150, 1e300} {
				t.Run(fmt.Sprintf("%s/%v/s=%g", name, meth, s), func(t *testing.T) {
					q := scaledProblem(p, s, 1)
					r := solve(t, Solver{Gamma: 0.05 * s, Method: meth, Tol: 1e-12}, q)
					require.Equal(t, ot.Converged, r.Status)
					assert.InDeltaSlice(t, denseData(want.Plan), denseData(r.Plan), 1e-12)
					assert.InDelta(t, want.Value, r.Value/s, 1e-12)
					assert.InDelta(t, want.LinearCost, r.LinearCost/s, 1e-12)
					assert.InDelta(t, want.DualValue, r.DualValue/s, 1e-12)
					assert.InDelta(t, want.MarginalError, r.MarginalError, 1e-12)
					for i := range want.F {
						assert.InDelta(t, want.F[i]-want.F[0], (r.F[i]-r.F[0])/s, 1e-9, "F[%d]", i)
					}
					for j := range want.G {
						assert.InDelta(t, want.G[j]+want.F[0], (r.G[j]+r.F[0])/s, 1e-9, "G[%d]", j)
					}
				})
			}
		}
	}
}

func TestMassScaleConverges(t *testing.T) {
	// Converged ⇒ MarginalError ≤ Tol·mass at masses 1e-12…1e12 (the
	// weights are normalized internally by a power of two); the plan is
	// the mass times that of the unit-mass problem at γ·mass (the default γ
	// follows).
	p := cloudProblem(t, 8, 6, 2)
	want := solve(t, Solver{Tol: 1e-12}, p)
	for _, mass := range []float64{1e-12, 1e-6, 1e6, 1e12} {
		for _, meth := range allMethods {
			t.Run(fmt.Sprintf("%v/mass=%g", meth, mass), func(t *testing.T) {
				q := scaledProblem(p, 1, mass)
				r := solve(t, Solver{Method: meth}, q)
				require.Equal(t, ot.Converged, r.Status)
				assert.LessOrEqual(t, r.MarginalError, 1e-9*q.Mass())
				assert.InDelta(t, ot.MarginalError(r.Plan, q.A, q.B), r.MarginalError, 1e-15*mass)
				got := denseData(r.Plan)
				for k, v := range denseData(want.Plan) {
					assert.InDelta(t, mass*v, got[k], 1e-8*mass)
				}
				for _, h := range r.History {
					assert.False(t, math.IsNaN(h))
				}
				assert.InDelta(t, r.MarginalError, r.History[len(r.History)-1], 1e-6*mass)
			})
		}
	}
}

func TestInfeasiblePatternRegression(t *testing.T) {
	// Rows 0 and 1 can only go to column 0 (mass 2/3 into 1/3): this used
	// to panic in the projection ("simplex: empty vector"); Validate
	// rejects it.
	inf := math.Inf(1)
	p := &ot.Problem{A: ot.Uniform(3), B: ot.Uniform(3), C: dense(t, 3, 3, []float64{0, inf, inf, 0, inf, inf, 1, 2, 3})}
	for _, meth := range allMethods {
		r, err := (&Solver{Method: meth}).Solve(context.Background(), p)
		assert.ErrorIs(t, err, ot.ErrInfeasible, "%v", meth)
		assert.Nil(t, r)
	}
}

func TestMaxDenseBytes(t *testing.T) {
	x := [][]float64{{0, 0}, {1, 0}, {0, 2}, {1, 1}}
	y := [][]float64{{0, 1}, {2, 0}, {1, 2}}
	pc, err := ot.NewPointCloud(x, y, ot.SqEuclidean)
	require.NoError(t, err)
	p := ot.NewProblem(pc)
	r, err := (&Solver{MaxDenseBytes: 8*12 - 1}).Solve(context.Background(), p)
	assert.ErrorIs(t, err, ot.ErrParameter)
	assert.ErrorContains(t, err, "MaxDenseBytes")
	assert.Nil(t, r)
	r = solve(t, Solver{MaxDenseBytes: 8 * 12}, p)
	assert.Equal(t, ot.Converged, r.Status)
	// A nil context is context.Background().
	r2, err := (&Solver{}).Solve(nil, p) //nolint:staticcheck // part of the contract
	require.NoError(t, err)
	assert.Equal(t, r.Value, r2.Value)
}
