package sumofnorms

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/otkit/otkit/exact"
	"github.com/otkit/otkit/internal/otest"
	"github.com/otkit/otkit/ot"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func solve(t *testing.T, s *Solver, p *ot.Problem) *ot.Result {
	t.Helper()
	res, err := s.Solve(context.Background(), p)
	require.NoError(t, err)
	require.Equal(t, ot.Converged, res.Status, "λ = %g, %v: %d iterations", s.Lambda, s.Method, res.Iterations)
	return res
}

// TestCross2 checks the reference values of CROSS-2 (docs/sumofnorms.md
// §8), computed independently when the instance was designed.
func TestCross2(t *testing.T) {
	p, _, _, ys, _ := cross2()
	for _, tc := range []struct{ lambda, value, linear float64 }{
		{0, 5.045367, 5.045367},
		{0.01, 5.203033, 5.064469},
		{0.1, 6.443793, 5.117019},
		{0.3, 8.931094, 5.464206},
		{0.45, 10.219260, 7.367701},
		{0.5, 10.393709, 10.393709},
		{1, 10.393709, 10.393709},
	} {
		res := solve(t, &Solver{Lambda: tc.lambda, Labels: ys}, p)
		assert.InDelta(t, tc.value, res.Value, 1e-6, "Value at λ = %g", tc.lambda)
		// The reference LinearCost at λ = 0.3 was computed at a gap of
		// 3e-7; <C,T> is flat there.
		assert.InDelta(t, tc.linear, res.LinearCost, 2e-6, "LinearCost at λ = %g", tc.lambda)
		assert.LessOrEqual(t, res.Value-res.DualValue, DefaultGapTol*res.Value, "gap at λ = %g", tc.lambda)
	}
}

// TestLambdaZeroIsExact runs both iterative methods at λ = 0 (without the
// network-simplex shortcut) against package exact.
func TestLambdaZeroIsExact(t *testing.T) {
	exactAtZero = false
	defer func() { exactAtZero = true }()
	rng := rand.New(rand.NewPCG(4, 2))
	for k := 0; k < 4; k++ {
		p := otest.RandomProblem(rng, 5+k, 7-k)
		want, err := (&exact.Solver{}).Solve(context.Background(), p)
		require.NoError(t, err)
		res := solve(t, &Solver{}, p)
		assert.InDelta(t, want.Value, res.Value, 1e-8, "problem %d", k)
		assert.InDelta(t, want.Value, res.DualValue, 1e-8, "problem %d", k)
	}
	// SmoothedDual stalls near 1e-7 on some of these (a known weakness,
	// docs/sumofnorms.md §6); CROSS-2 it solves.
	p, _, _, _, _ := cross2()
	res := solve(t, &Solver{Method: SmoothedDual}, p)
	assert.InDelta(t, 5.045366666666667, res.Value, 1e-8)
}

// TestFullFusion checks that above λ* the plan is the class-level optimal
// plan lifted back to the rows: T_ij = (a_i/m_c) G_cj.
func TestFullFusion(t *testing.T) {
	p, _, _, ys, _ := cross2()
	n, m := p.Dims()
	cbar := make([]float64, 2*m)
	mc := make([]float64, 2)
	for i := 0; i < n; i++ {
		mc[ys[i]] += p.A[i]
	}
	row := make([]float64, m)
	for i := 0; i < n; i++ {
		for j, c := range p.C.Row(i, row) {
			cbar[ys[i]*m+j] += p.A[i] / mc[ys[i]] * c
		}
	}
	cl, err := (&exact.Solver{}).Solve(context.Background(), &ot.Problem{A: mc, B: p.B, C: &ot.DenseCost{N: 2, M: m, Data: cbar}})
	require.NoError(t, err)
	for _, meth := range []Method{PDHG, SmoothedDual} {
		res := solve(t, &Solver{Lambda: 1, Labels: ys, Method: meth}, p)
		assert.InDelta(t, cl.Value, res.Value, 1e-7, "%v", meth)
		for i := 0; i < n; i++ {
			for j := 0; j < m; j++ {
				want := p.A[i] / mc[ys[i]] * cl.Plan.At(ys[i], j)
				require.InDelta(t, want, res.Plan.At(i, j), 1e-7, "%v: T[%d,%d]", meth, i, j)
			}
		}
		assert.InDelta(t, 1.0, Purity(res.Plan, ys, ys), 1e-7)
	}
}

// TestMonotone checks that <C,T> and Value are non-decreasing and R(T)
// non-increasing in λ, and that the two methods agree where FISTA is fast.
func TestMonotone(t *testing.T) {
	p, _, _, ys, _ := cross2()
	prevLin, prevVal, prevReg := math.Inf(-1), math.Inf(-1), math.Inf(1)
	for _, lambda := range []float64{0.01, 0.03, 0.1, 0.3, 0.4, 0.5} {
		res := solve(t, &Solver{Lambda: lambda, Labels: ys}, p)
		reg := (res.Value - res.LinearCost) / lambda
		tol := 1e-7
		assert.GreaterOrEqual(t, res.LinearCost, prevLin-tol, "λ = %g", lambda)
		assert.GreaterOrEqual(t, res.Value, prevVal-tol, "λ = %g", lambda)
		assert.LessOrEqual(t, reg, prevReg+tol/lambda, "λ = %g", lambda)
		prevLin, prevVal, prevReg = res.LinearCost, res.Value, reg
	}
	for _, lambda := range []float64{0.01, 0.5} {
		a := solve(t, &Solver{Lambda: lambda, Labels: ys}, p)
		b := solve(t, &Solver{Lambda: lambda, Labels: ys, Method: SmoothedDual}, p)
		assert.InDelta(t, a.Value, b.Value, 1e-7*a.Value, "λ = %g", lambda)
	}
}

func TestWorkersColumnsKNN(t *testing.T) {
	xs, xt, ys, yt := Segments(3, 12, 3)
	p := ot.NewProblem(ot.DenseCostOf(denseOf(&ot.PointCloud{X: xs, Y: xt})))
	one := solve(t, &Solver{Lambda: 0.3, Labels: ys, Workers: 1}, p)
	three := solve(t, &Solver{Lambda: 0.3, Labels: ys, Workers: 3}, p)
	assert.Equal(t, one.Value, three.Value)
	assert.Equal(t, ot.DenseCopy(one.Plan).RawMatrix().Data, ot.DenseCopy(three.Plan).RawMatrix().Data)

	// Columns is Rows on the transposed problem.
	q := &ot.Problem{A: p.B, B: p.A, C: ot.Transpose(p.C)}
	rows := solve(t, &Solver{Lambda: 0.3, Labels: yt}, q)
	cols := solve(t, &Solver{Lambda: 0.3, Labels: yt, Side: Columns}, p)
	assert.InDelta(t, rows.Value, cols.Value, 1e-6*rows.Value)

	// kNN edges, with and without labels, on the point cloud.
	pc := ot.NewProblem(&ot.PointCloud{X: xs, Y: xt})
	for _, s := range []*Solver{{Lambda: 0.3, Labels: ys, Edges: SameClassKNN, K: 4}, {Lambda: 0.3, K: 4}} {
		res := solve(t, s, pc)
		assert.LessOrEqual(t, res.DualValue, res.Value)
	}
}

func TestBadInput(t *testing.T) {
	p, _, _, ys, _ := cross2()
	zeroClass := ot.NewProblem(p.C)
	zeroClass.A = append([]float64(nil), p.A...)
	for i := 6; i < 12; i++ {
		zeroClass.A[i] = 0
	}
	for i := 0; i < 6; i++ {
		zeroClass.A[i] *= 2
	}
	for _, tc := range []struct {
		name string
		s    *Solver
		p    *ot.Problem
		want error
	}{
		{"labels too short", &Solver{Labels: ys[:5]}, p, ot.ErrShape},
		{"labels too long", &Solver{Labels: append(ys, 0)}, p, ot.ErrShape},
		{"negative label", &Solver{Labels: append([]int{-1}, ys[1:]...)}, p, ot.ErrParameter},
		{"class of zero mass", &Solver{Labels: ys, Lambda: 1}, zeroClass, ot.ErrZeroMass},
		{"negative lambda", &Solver{Lambda: -1}, p, ot.ErrParameter},
		{"NaN lambda", &Solver{Lambda: math.NaN()}, p, ot.ErrNonFinite},
		{"Inf lambda", &Solver{Lambda: math.Inf(1)}, p, ot.ErrNonFinite},
		{"negative tol", &Solver{Tol: -1}, p, ot.ErrParameter},
		{"unknown method", &Solver{Method: 7}, p, ot.ErrParameter},
		{"SameClass without labels", &Solver{Edges: SameClass}, p, ot.ErrParameter},
		{"too large", &Solver{Lambda: 0.1, MaxDenseBytes: 100}, p, ot.ErrParameter},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := tc.s.Solve(context.Background(), tc.p)
			assert.ErrorIs(t, err, tc.want)
			assert.Nil(t, res)
		})
	}
}

// TestAutoEdges checks that Auto never stores the pairs of large classes:
// 5 classes of 200 points against 1000 columns would need 796 MB of
// edge duals.
func TestAutoEdges(t *testing.T) {
	labels := func(per, k int) []int {
		var l []int
		for c := 0; c < k; c++ {
			for i := 0; i < per; i++ {
				l = append(l, c)
			}
		}
		return l
	}
	assert.Equal(t, SameClass, chooseEdges(Auto, labels(40, 5), 200))
	assert.Equal(t, SameClassKNN, chooseEdges(Auto, labels(200, 5), 1000))
	assert.Equal(t, KNN, chooseEdges(Auto, nil, 1000))
	assert.Equal(t, SameClass, chooseEdges(SameClass, labels(200, 5), 1000))
	_, err := (&Solver{Lambda: 1, Labels: labels(200, 5), Edges: SameClass, MaxDenseBytes: 64 << 20}).Solve(
		context.Background(), ot.NewProblem(&ot.DenseCost{N: 1000, M: 1000, Data: make([]float64, 1000*1000)}))
	assert.ErrorIs(t, err, ot.ErrParameter)
}

func TestParse(t *testing.T) {
	for _, m := range []Method{PDHG, SmoothedDual} {
		got, err := ParseMethod(m.String())
		require.NoError(t, err)
		assert.Equal(t, m, got)
	}
	for _, e := range []EdgeSet{Auto, SameClass, SameClassKNN, KNN} {
		got, err := ParseEdgeSet(e.String())
		require.NoError(t, err)
		assert.Equal(t, e, got)
	}
	for _, s := range []Side{Rows, Columns} {
		got, err := ParseSide(s.String())
		require.NoError(t, err)
		assert.Equal(t, s, got)
	}
	for _, w := range []Weighting{WeightsAuto, Uniform, Gaussian} {
		got, err := ParseWeighting(w.String())
		require.NoError(t, err)
		assert.Equal(t, w, got)
	}
	for _, f := range []func() error{
		func() error { _, err := ParseMethod("x"); return err },
		func() error { _, err := ParseEdgeSet("x"); return err },
		func() error { _, err := ParseSide("x"); return err },
		func() error { _, err := ParseWeighting("x"); return err },
	} {
		assert.ErrorIs(t, f(), ot.ErrParameter)
	}
}
