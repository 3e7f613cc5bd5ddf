package quadratic

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/otkit/otkit/internal/otest"
	"github.com/otkit/otkit/ot"
)

// A point cloud above MaxDenseBytes is solved by SemiDualLBFGS with its
// columns computed on demand: the result is bitwise that of the dense
// path, for any worker count; the other methods refuse it.
func TestLazyCloudMatchesDense(t *testing.T) {
	cases := []struct {
		name   string
		n, m   int
		d      int
		metric ot.Metric
		scale  float64 // points multiplied by it (the cost normalized by a power of two)
		zero   bool    // some zero weights (the reduced problem)
		gamma  float64
	}{
		{name: "sq", n: 60, m: 45, d: 2, metric: ot.SqEuclidean, scale: 1},
		{name: "sq-scaled", n: 40, m: 70, d: 2, metric: ot.SqEuclidean, scale: 1e5},
		{name: "euclidean-3d", n: 50, m: 50, d: 3, metric: ot.Euclidean, scale: 1e-3},
		{name: "zero-weights", n: 50, m: 40, d: 2, metric: ot.SqEuclidean, scale: 1, zero: true},
		{name: "small-gamma", n: 50, m: 50, d: 2, metric: ot.SqEuclidean, scale: 1, gamma: 1e-3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(tc.n), 15))
			x, y := otest.GaussianClouds(rng, tc.n, tc.m, tc.d, nil)
			x.Scale(tc.scale, x)
			y.Apply(func(_, _ int, v float64) float64 { return tc.scale * (v + 1) }, y)
			p := &ot.Problem{A: otest.RandomWeights(rng, tc.n), B: otest.RandomWeights(rng, tc.m),
				C: &ot.PointCloud{X: x, Y: y, Metric: tc.metric}}
			if tc.zero {
				p.A[0], p.A[3] = p.A[0]+p.A[3], 0 // the masses stay equal
				p.B[0], p.B[5] = p.B[0]+p.B[5], 0
			}
			gamma := tc.gamma
			if gamma != 0 {
				gamma *= tc.scale * tc.scale
			}
			want := solve(t, Solver{Method: SemiDualLBFGS, Gamma: gamma}, p)
			require.Positive(t, want.Iterations)
			for _, w := range []int{1, 2, 7} {
				got := solve(t, Solver{Method: SemiDualLBFGS, Gamma: gamma, MaxDenseBytes: 1, Workers: w}, p)
				requireSameResult(t, want, got)
			}
		})
	}
}

func requireSameResult(t *testing.T, want, got *ot.Result) {
	t.Helper()
	require.Equal(t, want.Status, got.Status)
	require.Equal(t, want.Iterations, got.Iterations)
	bits := func(x []float64) []uint64 {
		out := make([]uint64, len(x))
		for k, v := range x {
			out[k] = math.Float64bits(v)
		}
		return out
	}
	require.Equal(t, bits([]float64{want.Value, want.LinearCost, want.DualValue, want.MarginalError}),
		bits([]float64{got.Value, got.LinearCost, got.DualValue, got.MarginalError}))
	require.Equal(t, bits(want.History), bits(got.History))
	require.Equal(t, bits(want.F), bits(got.F))
	require.Equal(t, bits(want.G), bits(got.G))
	wp, gp := want.Plan.(*ot.SparsePlan), got.Plan.(*ot.SparsePlan)
	require.Equal(t, wp.RowPtr, gp.RowPtr)
	require.Equal(t, wp.ColIdx, gp.ColIdx)
	require.Equal(t, bits(wp.Val), bits(gp.Val))
}

func TestLazyCloudRefusals(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 15))
	p := otest.CloudProblem(rng, 20, 30, 2, nil, false)
	for _, m := range []Method{Newton, DualLBFGS} {
		_, err := (&Solver{Method: m, MaxDenseBytes: 1}).Solve(context.Background(), p)
		require.ErrorIs(t, err, ot.ErrParameter, m.String())
		require.ErrorContains(t, err, "SemiDualLBFGS", m.String())
	}
	x, y := otest.GaussianClouds(rng, 20, 30, 2, nil)
	q := &ot.Problem{A: p.A, B: p.B, C: &ot.PointCloud{X: x, Y: y, Metric: ot.Lp, P: 3}}
	_, err := (&Solver{Method: SemiDualLBFGS, MaxDenseBytes: 1}).Solve(context.Background(), q)
	require.ErrorIs(t, err, ot.ErrParameter)
}
