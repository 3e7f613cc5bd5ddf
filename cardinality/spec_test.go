package cardinality

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otkit/otkit/ot"
)

var (
	spec3a = []float64{0.2, 0.5, 0.3}
	spec3b = []float64{0.4, 0.4, 0.2}
	spec3c = []float64{0, 1, 4, 1, 0, 1, 4, 1, 0}
)

func problem(t testing.TB, a, b []float64, c []float64) *ot.Problem {
	cost, err := ot.NewDenseCost(len(a), len(b), c)
	require.NoError(t, err)
	return &ot.Problem{A: a, B: b, C: cost}
}

// checkPlan asserts the guarantees that hold for every solve: at most k
// nonzeros per column, non-negative entries, exact columns for the
// semi-dual, and an honest MarginalError.
func checkPlan(t *testing.T, p *ot.Problem, res *ot.Result, k int, semiDual bool) {
	t.Helper()
	plan, ok := res.Plan.(*ot.SparsePlan)
	require.True(t, ok, "plan is %T", res.Plan)
	n, m := p.Dims()
	perCol := make([]int, m)
	for q, j := range plan.ColIdx {
		require.Greater(t, plan.Val[q], 0.0)
		perCol[j]++
	}
	for j, c := range perCol {
		require.LessOrEqual(t, c, min(k, n), "column %d", j)
	}
	r, c := ot.Marginals(plan)
	if semiDual && res.MarginalError > 1e-8*p.Mass() {
		// The relaxation's own plan (no feasible support found): its
		// columns are exact.
		for j := range c {
			require.InDelta(t, p.B[j], c[j], 1e-12*(1+p.Mass()), "column %d sum", j)
		}
	}
	assert.InDelta(t, ot.L1Dist(r, p.A)+ot.L1Dist(c, p.B), res.MarginalError, 1e-15*(1+p.Mass()))
	assert.False(t, math.IsNaN(res.Value) || math.IsNaN(res.DualValue))
}

// TestSpec3x3 checks the brute-force table of docs/cardinality.md §8.1.
func TestSpec3x3(t *testing.T) {
	for _, tc := range []struct {
		gamma float64
		k     int
		value float64 // P_k = S* = D* (k ≥ 2), S* = D* (k = 1)
		plan  []float64
	}{
		{10, 1, 2.1, nil},
		{10, 2, 1.35, []float64{.2, 0, 0, .2, .25, .05, 0, .15, .15}},
		{10, 3, 101.0 / 75, []float64{0.18666666666666667, 0.013333333333333334, 0, 0.21333333333333335, 0.24, 0.04666666666666667, 0, 0.14666666666666667, 0.15333333333333332}},
		{50, 1, 9.3, nil},
		{50, 2, 4.99, []float64{.2, 0, 0, .2, .21, .09, 0, .19, .11}},
		{50, 3, 326.0 / 75, []float64{.12, .08, 0, 29.0 / 150, 29.0 / 150, 17.0 / 150, 13.0 / 150, 19.0 / 150, 13.0 / 150}},
	} {
		for _, f := range []Formulation{SemiDual, Dual} {
			p := problem(t, spec3a, spec3b, spec3c)
			res, err := (&Solver{K: tc.k, Gamma: tc.gamma, Formulation: f, MaxIter: 3000}).Solve(context.Background(), p)
			name := func() string { return f.String() }
			if tc.plan == nil {
				// k = 1: no 1-sparse plan (n = m and the sorted weights
				// differ): bad input.
				require.ErrorIs(t, err, ot.ErrInfeasible, name())
				assert.Nil(t, res)
				continue
			}
			require.NoError(t, err)
			checkPlan(t, p, res, tc.k, f == SemiDual)
			assert.Equal(t, ot.Converged, res.Status, name())
			assert.InDelta(t, tc.value, res.Value, 1e-8, name())
			assert.InDelta(t, tc.value, res.DualValue, 1e-8, name())
			assert.InDeltaSlice(t, tc.plan, ot.DenseCopy(res.Plan).RawMatrix().Data, 1e-8, name())
			// The brute force agrees with the table.
			bf, _, ok := bruteForce(spec3a, spec3b, spec3c, tc.k, tc.gamma)
			require.True(t, ok)
			assert.InDelta(t, tc.value, bf, 1e-10)
		}
	}
}

// TestSpecSmall checks the small exact cases of docs/cardinality.md §8.2.
func TestSpecSmall(t *testing.T) {
	third := 1.0 / 3
	t.Run("uniform3x3k1", func(t *testing.T) {
		p := problem(t, []float64{third, third, third}, []float64{third, third, third}, []float64{0, 2, 1, 1, 0, 2, 2, 1, 0})
		res, err := (&Solver{K: 1, Gamma: 1}).Solve(context.Background(), p)
		require.NoError(t, err)
		checkPlan(t, p, res, 1, true)
		assert.InDelta(t, 1.0/6, res.Value, 1e-12)
		assert.InDelta(t, 1.0/6, res.DualValue, 1e-9)
		assert.InDeltaSlice(t, []float64{third, 0, 0, 0, third, 0, 0, 0, third}, ot.DenseCopy(res.Plan).RawMatrix().Data, 1e-12)
		assert.Equal(t, ot.Converged, res.Status)
	})
	t.Run("2x1", func(t *testing.T) {
		p := problem(t, []float64{.5, .5}, []float64{1}, []float64{0, 1})
		_, err := (&Solver{K: 1, Gamma: 1}).Solve(context.Background(), p)
		require.ErrorIs(t, err, ot.ErrInfeasible)

		res, err := (&Solver{K: 2, Gamma: 1}).Solve(context.Background(), p)
		require.NoError(t, err)
		assert.InDelta(t, 0.75, res.Value, 1e-9)
		assert.Equal(t, ot.Converged, res.Status)
	})
}

var (
	moeLogits = [][2]float64{{2, 0}, {1.5, 0.5}, {1, 1}, {0.2, 1.8}, {0, 2}, {1.2, 0.3}, {0.4, 0.6}, {2.5, -0.5}}
	moeCol0   = []float64{0.816706, 0.666967, 0.435909, 0.103890, 0.055112, 0.646858, 0.386075, 0.888483}
)

// moeProblem is the 8 tokens × 2 experts group of §8.3 scaled by s
// (a = s, b = 4s, γ given separately).
func moeProblem(t testing.TB, s float64) *ot.Problem {
	c := make([]float64, 16)
	a := make([]float64, 8)
	for i, l := range moeLogits {
		e0, e1 := math.Exp(l[0]), math.Exp(l[1])
		c[2*i], c[2*i+1] = -e0/(e0+e1), -e1/(e0+e1)
		a[i] = s
	}
	return problem(t, a, []float64{4 * s, 4 * s}, c)
}

// TestSpecMoE checks the MoE toy group of docs/cardinality.md §8.3.
func TestSpecMoE(t *testing.T) {
	ctx := context.Background()
	p := moeProblem(t, 1)
	// k = 4: the balanced hard assignment.
	res, err := (&Solver{K: 4, Gamma: 1}).Solve(ctx, p)
	require.NoError(t, err)
	checkPlan(t, p, res, 4, true)
	assert.InDelta(t, -2.0380287465, res.Value, 1e-9)
	assert.InDelta(t, -6.0380287465, res.LinearCost, 1e-9)
	assert.LessOrEqual(t, res.MarginalError, 1e-9)
	assert.Equal(t, ot.Converged, res.Status)
	col0 := []float64{1, 1, 0, 0, 0, 1, 0, 1}
	for i, want := range col0 {
		assert.InDelta(t, want, res.Plan.At(i, 0), 1e-9)
	}
	if !testing.Short() { // 26k supports
		bf, _, ok := bruteForce(p.A, p.B, p.C.(*ot.DenseCost).Data, 4, 1)
		require.True(t, ok)
		assert.InDelta(t, -2.0380287465, bf, 1e-9)
	}

	// k = 8 = n: quadratic OT.
	res, err = (&Solver{K: 8, Gamma: 1}).Solve(ctx, p)
	require.NoError(t, err)
	assert.InDelta(t, -2.6725820800, res.Value, 1e-9)
	assert.InDelta(t, -5.3451641599, res.LinearCost, 1e-9)
	for i, want := range moeCol0 {
		assert.InDelta(t, want, res.Plan.At(i, 0), 1e-6)
		assert.InDelta(t, 1-want, res.Plan.At(i, 1), 1e-6)
	}

	// k = 5: relaxation gap; the repaired plan is feasible and the
	// relaxed value bounds it from below.
	res, err = (&Solver{K: 5, Gamma: 1, MaxIter: 3000}).Solve(ctx, p)
	require.NoError(t, err)
	checkPlan(t, p, res, 5, true)
	assert.LessOrEqual(t, res.DualValue, -2.0380287465+1e-9)
	assert.GreaterOrEqual(t, res.DualValue, -2.6725820800-1e-9)
	assert.LessOrEqual(t, res.MarginalError, 1e-8)
	assert.GreaterOrEqual(t, res.Value, res.DualValue-1e-9)

	// Normalised masses with γ = 8 give the same plans divided by 8.
	q := moeProblem(t, 1.0/8)
	for _, k := range []int{4, 8} {
		r1, err := (&Solver{K: k, Gamma: 1}).Solve(ctx, p)
		require.NoError(t, err)
		r2, err := (&Solver{K: k, Gamma: 8}).Solve(ctx, q)
		require.NoError(t, err)
		d1, d2 := ot.DenseCopy(r1.Plan).RawMatrix().Data, ot.DenseCopy(r2.Plan).RawMatrix().Data
		for i := range d1 {
			assert.InDelta(t, d1[i]/8, d2[i], 1e-9)
		}
	}
}

// gauss1D is POT's make_1D_gauss: exp(−(i − μ)²/(2s²)) normalised.
func gauss1D(n int, mu, s float64) []float64 {
	w := make([]float64, n)
	var sum float64
	for i := range w {
		w[i] = math.Exp(-(float64(i) - mu) * (float64(i) - mu) / (2 * s * s))
		sum += w[i]
	}
	for i := range w {
		w[i] /= sum
	}
	return w
}

// TestSpecNotebook1D checks the 1-D example of §8.4: the quadratic value at
// k ≥ n, the k = 1 closed form as an upper bound for every k, and the
// qualitative trend of nnz and MarginalError.
func TestSpecNotebook1D(t *testing.T) {
	const n = 32
	c := make([]float64, n*n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			c[i*n+j] = float64((i-j)*(i-j)) / (31 * 31)
		}
	}
	p := problem(t, gauss1D(n, 10, 4), gauss1D(n, 16, 5), c)
	cases := []struct{ gamma, quad, sStar1 float64 }{
		{1, 0.045770136418, 0.066331740153},
		{0.1, 0.039547605098, 0.040870876967},
	}
	ks := []int{1, 2, 4, 8, 16}
	if testing.Short() {
		cases, ks = cases[:1], []int{1, 4, 16}
	}
	for _, tc := range cases {
		res, err := (&Solver{K: n, Gamma: tc.gamma}).Solve(context.Background(), p)
		require.NoError(t, err)
		assert.InDelta(t, tc.quad, res.Value, 1e-9)
		for _, k := range ks {
			res, err := (&Solver{K: k, Gamma: tc.gamma}).Solve(context.Background(), p)
			if k == 1 {
				// n = m and the sorted weights differ: no 1-sparse plan.
				require.ErrorIs(t, err, ot.ErrInfeasible)
				continue
			}
			require.NoError(t, err)
			checkPlan(t, p, res, k, true)
			assert.LessOrEqual(t, res.DualValue, tc.sStar1+1e-9, "k=%d", k)
			if res.MarginalError > 1e-8 {
				// No feasible support found (γ = 0.1, k = 2).
				assert.NotEqual(t, ot.Converged, res.Status, "k=%d", k)
				continue
			}
			// The repaired plan is bounded below by the certificate
			// and, being feasible for k, by the quadratic value.
			assert.GreaterOrEqual(t, res.Value, res.DualValue-1e-9, "k=%d", k)
			assert.GreaterOrEqual(t, res.Value, tc.quad-1e-9, "k=%d", k)
			if k >= 4 {
				assert.Less(t, (res.Value-res.DualValue)/res.Value, 2e-3, "k=%d", k)
			}
		}
	}
}
