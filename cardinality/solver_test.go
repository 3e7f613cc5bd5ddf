package cardinality

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/otkit/otkit/exact"
	"github.com/otkit/otkit/internal/otest"
	"github.com/otkit/otkit/internal/semidual"
	"github.com/otkit/otkit/ot"
	"github.com/otkit/otkit/quadratic"
)

// tinyProblem returns a random n×m problem with random weights (total 1)
// and uniform costs in [0, 1).
func tinyProblem(rng *rand.Rand, n, m int) *ot.Problem {
	return otest.RandomProblem(rng, n, m)
}

// TestBruteForce compares the repaired plan with the enumerated nonconvex
// optimum on tiny problems: infeasibility is reported only when no k-sparse
// plan exists, a feasible plan is returned whenever one was found by
// enumeration, no plan beats the optimum, and the certificate (DualValue)
// never exceeds it.
func TestBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	feasibleFound, trials := 0, 48
	if testing.Short() {
		trials = 24
	}
	for trial := 0; trial < trials; trial++ {
		n, m := 3+trial%2, 2+(trial/2)%2
		k := 1 + trial%3
		gamma := []float64{0.1, 1, 10}[trial%3]
		p := tinyProblem(rng, n, m)
		if trial%4 == 3 {
			p.A, p.B = ot.Uniform(n), ot.Uniform(m)
		}
		bf, _, feasible := bruteForce(p.A, p.B, p.C.(*ot.DenseCost).Data, k, gamma)
		for _, f := range []Formulation{SemiDual, Dual} {
			res, err := (&Solver{K: k, Gamma: gamma, Formulation: f}).Solve(context.Background(), p)
			if err != nil {
				require.ErrorIs(t, err, ot.ErrInfeasible)
				require.False(t, feasible, "trial %d %v: a feasible problem was rejected: %v", trial, f, err)
				continue
			}
			checkPlan(t, p, res, k, f == SemiDual)
			if !feasible {
				assert.Greater(t, res.MarginalError, 1e-9)
				assert.NotEqual(t, ot.Converged, res.Status)
				continue
			}
			assert.LessOrEqual(t, res.DualValue, bf+1e-9, "trial %d %v: certificate", trial, f)
			assert.LessOrEqual(t, res.MarginalError, 1e-9*p.Mass(), "trial %d %v: feasible", trial, f)
			assert.GreaterOrEqual(t, res.Value, bf-1e-9, "trial %d %v", trial, f)
			if res.Status == ot.Converged {
				feasibleFound++
				assert.LessOrEqual(t, res.Value-res.DualValue, 1e-3*(math.Abs(res.LinearCost)+res.Value-res.LinearCost)+1e-12)
			}
		}
	}
	assert.Greater(t, feasibleFound, trials/4)
}

// TestK1Exact: at k = 1 the relaxed value is OT + (γ/2)Σb² (from package
// exact) to 1e-9, and where the unregularised optimum has one nonzero per
// column it is the certified optimum.
func TestK1Exact(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(3, 1))
	for _, size := range [][2]int{{3, 3}, {5, 10}, {6, 12}, {20, 20}} {
		n, m := size[0], size[1]
		// Every row carries m/n columns: 1-sparse plans exist.
		p := tinyProblem(rng, n, m)
		p.A, p.B = ot.Uniform(n), ot.Uniform(m)
		lp, err := (&exact.Solver{}).Solve(ctx, p)
		require.NoError(t, err)
		for _, gamma := range []float64{0.1, 3} {
			want := lp.LinearCost + gamma/2*floats.Dot(p.B, p.B)
			for _, f := range []Formulation{SemiDual, Dual} {
				res, err := (&Solver{K: 1, Gamma: gamma, Formulation: f}).Solve(ctx, p)
				require.NoError(t, err)
				checkPlan(t, p, res, 1, true)
				assert.InDelta(t, want, res.DualValue, 1e-9, "%dx%d γ=%g %v", n, m, gamma, f)
				assert.LessOrEqual(t, res.MarginalError, 1e-9)
				assert.InDelta(t, want, res.Value, 1e-9)
				assert.Equal(t, ot.Converged, res.Status)
			}
		}
	}
}

// TestInfeasibleK: the proofs of infeasibility (docs/cardinality.md §5) are
// errors wrapping ot.ErrInfeasible, and the edge of each is feasible.
func TestInfeasibleK(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(8, 8))
	for _, tc := range []struct {
		name     string
		a, b     []float64
		k        int
		feasible bool
	}{
		{"rows>k·m", ot.Uniform(7), ot.Uniform(3), 2, false},
		{"rows=k·m", ot.Uniform(6), ot.Uniform(3), 2, true},
		{"count 5x3 k=2", ot.Uniform(5), ot.Uniform(3), 2, false}, // 5+3−1 > 6
		{"count 4x3 k=2", ot.Uniform(4), ot.Uniform(3), 2, true},  // 4+3−1 = 6
		{"heavy column", []float64{.3, .3, .4}, []float64{.8, .2}, 1, false},
		{"heavy columns", []float64{.25, .25, .25, .25}, []float64{.45, .45, .1}, 1, false},
		{"k=1 n=m", []float64{.5, .3, .2}, []float64{.3, .2, .5}, 1, true},
		{"k=1 n=m differ", []float64{.5, .3, .2}, []float64{.3, .25, .45}, 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := tinyProblem(rng, len(tc.a), len(tc.b))
			p.A, p.B = tc.a, tc.b
			for _, rowSparse := range []bool{false, true} {
				q := p
				if rowSparse {
					q = &ot.Problem{A: p.B, B: p.A, C: ot.Transpose(p.C)}
				}
				res, err := (&Solver{K: tc.k, RowSparse: rowSparse}).Solve(ctx, q)
				if !tc.feasible {
					require.ErrorIs(t, err, ot.ErrInfeasible)
					assert.Nil(t, res)
					continue
				}
				require.NoError(t, err)
				assert.LessOrEqual(t, res.MarginalError, 1e-9)
			}
		})
	}
}

// TestClosedForms checks k ≥ n against package quadratic and the chain of
// §5 for smaller k.
func TestClosedForms(t *testing.T) {
	ctx := context.Background()
	sizes := [][2]int{{12, 9}, {20, 20}, {7, 15}}
	if testing.Short() {
		sizes = sizes[:1]
	}
	for seed, size := range sizes {
		p := randomProblem(t, uint64(seed), size[0], size[1])
		n := size[0]
		for _, gamma := range []float64{0.1, 1} {
			q, err := (&quadratic.Solver{Gamma: gamma}).Solve(ctx, p)
			require.NoError(t, err)
			lp, err := (&exact.Solver{}).Solve(ctx, p)
			require.NoError(t, err)
			sb2 := floats.Dot(p.B, p.B)
			sStar1 := lp.LinearCost + gamma/2*sb2
			for _, f := range []Formulation{SemiDual, Dual} {
				res, err := (&Solver{K: n + 3, Gamma: gamma, Formulation: f}).Solve(ctx, p)
				require.NoError(t, err)
				assert.Equal(t, ot.Converged, res.Status)
				assert.InDelta(t, q.Value, res.Value, 1e-7*math.Abs(q.Value), "k ≥ n, %v γ=%g", f, gamma)
				assert.InDelta(t, q.Value, res.DualValue, 1e-7*math.Abs(q.Value))

				for _, k := range []int{1, 2, 4, n} {
					r, err := (&Solver{K: k, Gamma: gamma, Formulation: f}).Solve(ctx, p)
					if err != nil {
						require.ErrorIs(t, err, ot.ErrInfeasible, "k=%d", k)
						continue
					}
					checkPlan(t, p, r, k, f == SemiDual)
					assert.LessOrEqual(t, r.DualValue, sStar1+1e-9)
					assert.GreaterOrEqual(t, r.DualValue, lp.LinearCost+gamma/(2*float64(k))*sb2-1e-9)
					if r.MarginalError <= 1e-8 {
						assert.GreaterOrEqual(t, r.Value, r.DualValue-1e-9)
						assert.GreaterOrEqual(t, r.Value, q.Value-1e-9)
					}
				}
			}
		}
	}
}

// TestSemiDualDualAgree: where the relaxation is tight both formulations
// find the same plan and value (docs/cardinality.md §8.1, §8.3).
func TestSemiDualDualAgree(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		p     *ot.Problem
		k     int
		gamma float64
	}{
		{problem(t, spec3a, spec3b, spec3c), 2, 10},
		{problem(t, spec3a, spec3b, spec3c), 2, 50},
		{moeProblem(t, 1), 4, 1},
		{randomProblem(t, 3, 10, 10), 10, 0.5},
	} {
		s, err := (&Solver{K: tc.k, Gamma: tc.gamma}).Solve(ctx, tc.p)
		require.NoError(t, err)
		d, err := (&Solver{K: tc.k, Gamma: tc.gamma, Formulation: Dual, MaxIter: 5000}).Solve(ctx, tc.p)
		require.NoError(t, err)
		assert.InDelta(t, s.Value, d.Value, 1e-7)
		assert.InDelta(t, s.DualValue, d.DualValue, 1e-7)
		assert.InDeltaSlice(t, ot.DenseCopy(s.Plan).RawMatrix().Data, ot.DenseCopy(d.Plan).RawMatrix().Data, 1e-6)
	}
}

// TestGradients compares both objectives' gradients with central finite
// differences at random (tie-free) points.
func TestGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	p := tinyProblem(rng, 7, 5)
	for _, k := range []int{1, 2, 3, 7} {
		var c semidual.Columns
		c.Reset(7, 5, k)
		c.A, c.B, c.Gamma = p.A, p.B, 0.7
		ct := c.CT()
		for i := 0; i < 7; i++ {
			for j := 0; j < 5; j++ {
				ct[j*7+i] = p.C.(*ot.DenseCost).At(i, j)
			}
		}
		for _, dual := range []bool{false, true} {
			dim := 7
			eval := c.SemiDual
			if dual {
				dim, eval = 12, c.Dual
			}
			x := make([]float64, dim)
			for i := range x {
				x[i] = rng.NormFloat64() * 0.3
			}
			grad := make([]float64, dim)
			eval(x, grad)
			g := append([]float64(nil), grad...)
			const h = 1e-6
			scratch := make([]float64, dim)
			for i := range x {
				xi := x[i]
				x[i] = xi + h
				fp := eval(x, scratch)
				x[i] = xi - h
				fm := eval(x, scratch)
				x[i] = xi
				assert.InDelta(t, (fp-fm)/(2*h), g[i], 1e-6, "k=%d dual=%v coordinate %d", k, dual, i)
			}
		}
	}
}

// TestGapIdentity checks Value(T) − S_k(F) = <F, T1 − a> for the plan the
// semi-dual reads off at any F, T_ij = [F_i + G_j − C_ij]₊/γ on its
// entries, and S_k(F + t) = S_k(F).
func TestGapIdentity(t *testing.T) {
	p := randomProblem(t, 4, 15, 12)
	rng := rand.New(rand.NewPCG(4, 4))
	const gamma = 0.3
	for _, k := range []int{1, 3, 15} {
		var c semidual.Columns
		c.Reset(15, 12, k)
		c.A, c.B, c.Gamma = p.A, p.B, gamma
		copy(c.CT(), ot.CostData(ot.Transpose(p.C)))
		F := make([]float64, 15)
		for i := range F {
			F[i] = 0.2 * rng.NormFloat64()
		}
		grad := make([]float64, 15)
		s0 := c.SemiDual(F, grad)
		plan, lin, sq := c.Plan(0)
		G := c.PotentialG(make([]float64, 12))
		r, _ := ot.Marginals(plan)
		var gap float64
		for i := range r {
			gap += F[i] * (r[i] - p.A[i])
		}
		assert.InDelta(t, gap, lin+gamma/2*sq-s0, 1e-12)
		for i := 0; i < plan.N; i++ {
			for q := plan.RowPtr[i]; q < plan.RowPtr[i+1]; q++ {
				j := plan.ColIdx[q]
				want := (F[i] + G[j] - p.C.(*ot.DenseCost).At(i, j)) / gamma
				assert.InDelta(t, want, plan.Val[q], 1e-12)
			}
		}
		shifted := make([]float64, 15)
		for i := range shifted {
			shifted[i] = F[i] + 0.25
		}
		assert.InDelta(t, s0, c.SemiDual(shifted, grad), 1e-12)
	}
}

// TestRowSparse checks the row-sparse version against the transposed
// column-sparse solve.
func TestRowSparse(t *testing.T) {
	ctx := context.Background()
	p := randomProblem(t, 6, 9, 14)
	res, err := (&Solver{K: 3, RowSparse: true}).Solve(ctx, p)
	require.NoError(t, err)
	plan := res.Plan.(*ot.SparsePlan)
	r, _ := ot.Marginals(plan)
	for i := 0; i < plan.N; i++ {
		assert.LessOrEqual(t, plan.RowPtr[i+1]-plan.RowPtr[i], 3)
		assert.InDelta(t, p.A[i], r[i], 1e-9)
	}
	q := &ot.Problem{A: p.B, B: p.A, C: ot.Transpose(p.C)}
	tr, err := (&Solver{K: 3}).Solve(ctx, q)
	require.NoError(t, err)
	assert.Equal(t, tr.F, res.G)
	assert.Equal(t, tr.G, res.F)
	assert.True(t, mat.Equal(ot.DenseCopy(tr.Plan).T(), ot.DenseCopy(res.Plan)))
	assert.Equal(t, tr.MarginalError, res.MarginalError)
}

// TestZeroMass: zero-weight rows and columns are removed and re-inserted
// empty, with −Inf potentials.
func TestZeroMass(t *testing.T) {
	ctx := context.Background()
	a := []float64{0.2, 0, 0.5, 0.3}
	b := []float64{0.4, 0.4, 0, 0.2}
	c := []float64{0, 1, 7, 4, 9, 9, 9, 9, 1, 0, 7, 1, 4, 1, 7, 0}
	p := problem(t, a, b, c)
	res, err := (&Solver{K: 2, Gamma: 10}).Solve(ctx, p)
	require.NoError(t, err)
	checkPlan(t, p, res, 2, true)
	assert.InDelta(t, 1.35, res.Value, 1e-8) // the §8.1 problem embedded
	assert.True(t, math.IsInf(res.F[1], -1))
	assert.True(t, math.IsInf(res.G[2], -1))
	plan := res.Plan.(*ot.SparsePlan)
	assert.Equal(t, plan.RowPtr[1], plan.RowPtr[2])
	for _, j := range plan.ColIdx {
		assert.NotEqual(t, 2, j)
	}
	// The potentials of an earlier result are a valid warm start.
	warm, err := (&Solver{K: 2, Gamma: 10, Init: &ot.Potentials{F: res.F, G: res.G}}).Solve(ctx, p)
	require.NoError(t, err)
	assert.LessOrEqual(t, warm.Iterations, 2)
	assert.Equal(t, ot.Converged, warm.Status)
}

// TestWorkers: results are bitwise identical for any worker count.
func TestWorkers(t *testing.T) {
	p := randomProblem(t, 8, 40, 33)
	for _, f := range []Formulation{SemiDual, Dual} {
		one, err := (&Solver{K: 5, Formulation: f, MaxIter: 100}).Solve(context.Background(), p)
		require.NoError(t, err)
		for _, w := range []int{2, 3, 7} {
			res, err := (&Solver{K: 5, Formulation: f, MaxIter: 100, Workers: w}).Solve(context.Background(), p)
			require.NoError(t, err)
			assert.Equal(t, one.F, res.F)
			assert.Equal(t, one.G, res.G)
			assert.Equal(t, one.Plan, res.Plan)
			assert.Equal(t, one.DualValue, res.DualValue)
			assert.Equal(t, one.History, res.History)
		}
	}
}

// TestPermutation: permuting rows and columns of tie-free data permutes the
// plan.
func TestPermutation(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	p := tinyProblem(rng, 6, 4)
	pr, pc := rng.Perm(6), rng.Perm(4)
	a2, b2 := make([]float64, 6), make([]float64, 4)
	c2 := make([]float64, 24)
	for i := range pr {
		a2[i] = p.A[pr[i]]
		for j := range pc {
			c2[i*4+j] = p.C.(*ot.DenseCost).At(pr[i], pc[j])
		}
	}
	for j := range pc {
		b2[j] = p.B[pc[j]]
	}
	q := problem(t, a2, b2, c2)
	r1, err := (&Solver{K: 3, Gamma: 1, MaxIter: 200}).Solve(context.Background(), p)
	require.NoError(t, err)
	r2, err := (&Solver{K: 3, Gamma: 1, MaxIter: 200}).Solve(context.Background(), q)
	require.NoError(t, err)
	for i := range pr {
		for j := range pc {
			assert.InDelta(t, r1.Plan.At(pr[i], pc[j]), r2.Plan.At(i, j), 1e-7)
		}
	}
	assert.InDelta(t, r1.DualValue, r2.DualValue, 1e-9)
}

// TestAdam: exactly MaxIter steps, exact columns, the reference behaviour.
func TestAdam(t *testing.T) {
	p := moeProblem(t, 1)
	var last float64
	for _, it := range []int{20, 500} {
		res, err := (&Solver{K: 8, Gamma: 1, Optimizer: Adam, MaxIter: it}).Solve(context.Background(), p)
		require.NoError(t, err)
		checkPlan(t, p, res, 8, true)
		assert.Equal(t, it, res.Iterations)
		assert.Len(t, res.History, it)
		if it == 500 {
			// Fixed-step Adam is far from converged by design (vmoe's
			// own test allows 1e-3 per marginal entry after 500 steps).
			assert.Less(t, res.MarginalError, last)
			assert.Less(t, res.MarginalError, 0.02)
		}
		last = res.MarginalError
	}
}

// TestCancel: a canceled context ends the solve with Status Canceled.
func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	p := randomProblem(t, 1, 30, 30)
	for _, o := range []Optimizer{LBFGS, Adam} {
		res, err := (&Solver{K: 3, Optimizer: o}).Solve(ctx, p)
		require.NoError(t, err)
		assert.Equal(t, ot.Canceled, res.Status)
	}
}

// TestSolverBadInput: bad settings and data are errors wrapping the ot
// sentinels.
func TestSolverBadInput(t *testing.T) {
	good := func() *ot.Problem { return problem(t, []float64{.5, .5}, []float64{.5, .5}, []float64{0, 1, 1, 0}) }
	nanCost := good()
	nanCost.C.(*ot.DenseCost).Data[1] = math.NaN()
	for _, tc := range []struct {
		name string
		s    Solver
		p    *ot.Problem
		want error
	}{
		{"k0", Solver{}, good(), ot.ErrParameter},
		{"kNeg", Solver{K: -1}, good(), ot.ErrParameter},
		{"gammaNeg", Solver{K: 1, Gamma: -1}, good(), ot.ErrParameter},
		{"gammaNaN", Solver{K: 1, Gamma: math.NaN()}, good(), ot.ErrParameter},
		{"gammaInf", Solver{K: 1, Gamma: math.Inf(1)}, good(), ot.ErrParameter},
		{"tol", Solver{K: 1, Tol: -1}, good(), ot.ErrParameter},
		{"maxIter", Solver{K: 1, MaxIter: -1}, good(), ot.ErrParameter},
		{"lr", Solver{K: 1, LearningRate: math.NaN()}, good(), ot.ErrParameter},
		{"workers", Solver{K: 1, Workers: -2}, good(), ot.ErrParameter},
		{"formulation", Solver{K: 1, Formulation: 9}, good(), ot.ErrParameter},
		{"optimizer", Solver{K: 1, Optimizer: 9}, good(), ot.ErrParameter},
		{"initShape", Solver{K: 1, Init: &ot.Potentials{F: []float64{1}}}, good(), ot.ErrShape},
		{"initNaN", Solver{K: 1, Init: &ot.Potentials{F: []float64{1, math.NaN()}}}, good(), ot.ErrNonFinite},
		{"nil", Solver{K: 1}, nil, ot.ErrEmpty},
		{"negWeight", Solver{K: 1}, problem(t, []float64{1.5, -.5}, []float64{.5, .5}, []float64{0, 1, 1, 0}), ot.ErrNegativeWeight},
		{"nanWeight", Solver{K: 1}, problem(t, []float64{math.NaN(), .5}, []float64{.5, .5}, []float64{0, 1, 1, 0}), ot.ErrNonFinite},
		{"mass", Solver{K: 1}, problem(t, []float64{.5, .6}, []float64{.5, .5}, []float64{0, 1, 1, 0}), ot.ErrMassMismatch},
		{"zeroMass", Solver{K: 1}, problem(t, []float64{0, 0}, []float64{0, 0}, []float64{0, 1, 1, 0}), ot.ErrZeroMass},
		{"nanCost", Solver{K: 1}, nanCost, ot.ErrNonFinite},
		{"shape", Solver{K: 1}, &ot.Problem{A: []float64{1}, B: []float64{.5, .5}, C: good().C}, ot.ErrShape},
	} {
		_, err := tc.s.Solve(context.Background(), tc.p)
		assert.True(t, errors.Is(err, tc.want), "%s: %v", tc.name, err)
	}
}

// TestForbidden: +Inf costs are never used.
func TestForbidden(t *testing.T) {
	inf := math.Inf(1)
	p := problem(t, []float64{.5, .5}, []float64{.5, .5}, []float64{0, inf, 1, 0})
	for _, f := range []Formulation{SemiDual, Dual} {
		res, err := (&Solver{K: 2, Formulation: f}).Solve(context.Background(), p)
		require.NoError(t, err)
		assert.Zero(t, res.Plan.At(0, 1))
		assert.False(t, math.IsNaN(res.Value) || math.IsNaN(res.DualValue))
		assert.Equal(t, ot.Converged, res.Status, "%v", f)
	}
}

// TestCheckCapacity checks the necessary feasibility condition of §5.
func TestCheckCapacity(t *testing.T) {
	p := moeProblem(t, 1) // a_i = 1, b_j = 4: needs k ≥ 4
	assert.True(t, errors.Is(CheckCapacity(p, 3, false), ot.ErrInfeasible))
	assert.NoError(t, CheckCapacity(p, 4, false))
	assert.NoError(t, CheckCapacity(p, 1, true)) // one expert per token: 4 ≥ 1
	assert.True(t, errors.Is(CheckCapacity(p, 0, false), ot.ErrParameter))
	assert.True(t, errors.Is(CheckCapacity(&ot.Problem{}, 1, false), ot.ErrEmpty))
	// §8.2: a = [.5, .5], b = [1], k = 1 fails; the 3×3 of §8.1 passes at
	// k = 1 although it is infeasible (the condition is only necessary).
	assert.Error(t, CheckCapacity(problem(t, []float64{.5, .5}, []float64{1}, []float64{0, 1}), 1, false))
	assert.NoError(t, CheckCapacity(problem(t, spec3a, spec3b, spec3c), 1, false))
}

// TestPointCloud: a point-cloud cost gives the same result as its dense
// matrix, in both orientations.
func TestPointCloud(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 21))
	x, y := make([][]float64, 9), make([][]float64, 6)
	for i := range x {
		x[i] = []float64{rng.NormFloat64(), rng.NormFloat64()}
	}
	for j := range y {
		y[j] = []float64{rng.NormFloat64(), rng.NormFloat64()}
	}
	pc, err := ot.NewPointCloud(x, y, ot.SqEuclidean)
	require.NoError(t, err)
	p := ot.NewProblem(pc)
	dense := &ot.Problem{A: p.A, B: p.B, C: &ot.DenseCost{N: 9, M: 6, Data: ot.CostData(pc)}}
	for _, rs := range []bool{false, true} {
		r1, err := (&Solver{K: 2, Gamma: 0.1, RowSparse: rs}).Solve(context.Background(), p)
		require.NoError(t, err)
		r2, err := (&Solver{K: 2, Gamma: 0.1, RowSparse: rs}).Solve(context.Background(), dense)
		require.NoError(t, err)
		assert.Equal(t, r2.Plan, r1.Plan)
		assert.Equal(t, r2.DualValue, r1.DualValue)
	}
}

// TestQuadraticEquivalence: with K ≥ n the relaxation is quadratically
// regularized OT, and Solver runs the same engine as package quadratic's
// semi-dual: the same value to 1e-12 relative (K huge included).
func TestQuadraticEquivalence(t *testing.T) {
	// 16 × 12 uniform weights (exact totals) and costs with max exactly 1,
	// so that both packages' normalizations are the identity.
	p := randomProblem(t, 8, 16, 12)
	for _, k := range []int{16, 40, math.MaxInt} {
		for _, gamma := range []float64{0.1, 1} {
			c, err := (&Solver{K: k, Gamma: gamma, Tol: 1e-11}).Solve(context.Background(), p)
			require.NoError(t, err)
			q, err := (&quadratic.Solver{Gamma: gamma, Method: quadratic.SemiDualLBFGS, Tol: 1e-11}).Solve(context.Background(), p)
			require.NoError(t, err)
			assert.Equal(t, ot.Converged, c.Status)
			assert.Equal(t, ot.Converged, q.Status)
			assert.InDelta(t, q.Value, c.Value, 1e-12*math.Abs(q.Value), "K=%d γ=%g", k, gamma)
			assert.InDelta(t, q.DualValue, c.DualValue, 1e-12*math.Abs(q.DualValue), "K=%d γ=%g", k, gamma)
			assert.Equal(t, q.Iterations, c.Iterations)
		}
	}
}

// TestStallRule: on the 1-D example of docs/cardinality.md §8.4 (γ = 1,
// k = 3), where tiny drops of the marginal error used to postpone the stall
// rule for 50 000 iterations that moved the value by 1e-9 relative, the
// relaxation stops early with Stalled and a certificate at least as good,
// and the plan is feasible; where the relaxation converges (k ≥ 12) the
// rule does not cut it short.
func TestStallRule(t *testing.T) {
	const n = 32
	c := make([]float64, n*n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			c[i*n+j] = float64((i-j)*(i-j)) / (31 * 31)
		}
	}
	p := problem(t, gauss1D(n, 10, 4), gauss1D(n, 16, 5), c)
	// The relaxed value after 50 000 iterations under the former rule.
	const long = 0.0482390215481548
	res, err := (&Solver{K: 3, Gamma: 1, MaxIter: 50000}).Solve(context.Background(), p)
	require.NoError(t, err)
	assert.Equal(t, ot.Stalled, res.Status)
	assert.Less(t, res.Iterations, 2000)
	assert.GreaterOrEqual(t, res.DualValue, long*(1-1e-9))
	checkPlan(t, p, res, 3, true)
	assert.LessOrEqual(t, res.MarginalError, 1e-9)
	assert.Less(t, (res.Value-res.DualValue)/res.Value, 5e-3)

	for _, k := range []int{12, 16, 31} {
		res, err := (&Solver{K: k, Gamma: 1}).Solve(context.Background(), p)
		require.NoError(t, err)
		assert.Equal(t, ot.Converged, res.Status, "k=%d", k)
		assert.LessOrEqual(t, res.History[len(res.History)-1], 1e-9, "k=%d: the relaxation converges", k)
	}
}
