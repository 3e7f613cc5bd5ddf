package sinkhorn

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/otkit/otkit/ot"
)

// fullSums are the row and column sums of the full (untruncated) plan of a
// result, and its marginal error.
func fullMarginalError(p *ot.Problem, res *ot.Result) float64 {
	plan := ot.DenseCopy(res.Plan)
	n, m := plan.Dims()
	r, c := make([]float64, n), make([]float64, m)
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			r[i] += plan.At(i, j)
			c[j] += plan.At(i, j)
		}
	}
	return floats.Distance(r, p.A, 1) + floats.Distance(c, p.B, 1)
}

// TestAutoSmallEps: at ε = 1e-4·max C the defaults turn ε-scaling and the
// truncated kernel on and converge, in fewer sweeps than without ε-scaling.
func TestAutoSmallEps(t *testing.T) {
	p := randomProblem(50, 40, 1)
	eps := 1e-4 * floats.Max(p.C.(*ot.DenseCost).Data)
	res, st, err := (&Solver{Eps: eps}).SolveStats(context.Background(), p)
	require.NoError(t, err)
	assert.Equal(t, ot.Converged, res.Status)
	assert.Equal(t, Sparse, st.Method)
	assert.Greater(t, st.Stages, 5)
	assert.LessOrEqual(t, fullMarginalError(p, res), DefaultTol)
	plain, err := (&Solver{Eps: eps, ScalingRatio: -1}).Solve(context.Background(), p)
	require.NoError(t, err)
	assert.Less(t, res.Iterations, plain.Iterations)
	// Explicit ε-scaling with the dense kernel: the same optimum.
	dense, err := (&Solver{Eps: eps, Method: Stabilized, Scaling: &EpsScaling{}}).Solve(context.Background(), p)
	require.NoError(t, err)
	require.Equal(t, ot.Converged, dense.Status)
	assert.InDelta(t, dense.Value, res.Value, 1e-8*math.Abs(dense.Value))
}

// TestSparseTruncation: truncated and untruncated solves agree to the
// stated bound; the reported dropped mass bounds the gap between the
// truncated and the full plan's marginals; the marginal error is that of
// the full kernel.
func TestSparseTruncation(t *testing.T) {
	ctx := context.Background()
	for _, gc := range loadGolden(t) {
		pc := &ot.PointCloud{X: mat.NewDense(gc.N, gc.D, gc.X), Y: mat.NewDense(gc.M, gc.D, gc.Y)}
		p := &ot.Problem{A: gc.A, B: gc.B, C: pc}
		for _, eps := range []float64{gc.Eps, gc.Eps / 20} {
			var sc *EpsScaling
			if eps < gc.Eps {
				sc = &EpsScaling{}
			}
			full, err := (&Solver{Eps: eps, Tol: 1e-11, Method: Stabilized, Scaling: sc, MaxIter: 100000}).Solve(ctx, p)
			require.NoError(t, err)
			require.Equal(t, ot.Converged, full.Status)
			for _, theta := range []float64{0, 1e-30, 1e-12} {
				res, st, err := (&Solver{Eps: eps, Tol: 1e-11, Method: Sparse, Truncation: theta, Scaling: sc, MaxIter: 100000}).SolveStats(ctx, p)
				require.NoError(t, err)
				name := gc.Name
				assert.Equal(t, Sparse, st.Method)
				assert.InDelta(t, res.MarginalError, fullMarginalError(p, res), 1e-13, name)
				if theta == 0 {
					// Automatic θ: converges for the full plan and agrees with
					// the untruncated solve.
					require.Equal(t, ot.Converged, res.Status, "%s ε=%g %v", name, eps, res.History)
					assert.LessOrEqual(t, st.DroppedMass, 1e-11/200*floats.Sum(p.A))
					assert.InDelta(t, full.LinearCost, res.LinearCost, 1e-8*math.Abs(full.LinearCost), name)
					assert.InDelta(t, full.Value, res.Value, 1e-8*math.Abs(full.Value), name)
					continue
				}
				// A coarse θ: the full plan's error is within the truncated
				// one plus twice the reported dropped mass.
				last := res.History[len(res.History)-1]
				assert.LessOrEqual(t, res.MarginalError, last+2*st.DroppedMass+1e-14, "%s θ=%g", name, theta)
			}
		}
	}
}

// TestSparseWorkersBitwise: the truncated iteration does not depend on
// Workers.
func TestSparseWorkersBitwise(t *testing.T) {
	p := randomCloud(t, 97, 120, 2, 4)
	var ref *ot.Result
	for _, w := range []int{1, 2, 3, 8} {
		res, err := (&Solver{Eps: 1e-2, Method: Sparse, Scaling: &EpsScaling{}, Workers: w, MaxIter: 2000}).Solve(context.Background(), p)
		require.NoError(t, err)
		if ref == nil {
			ref = res
			continue
		}
		assert.Equal(t, ref.F, res.F, "workers %d", w)
		assert.Equal(t, ref.G, res.G, "workers %d", w)
		assert.Equal(t, ref.Value, res.Value, "workers %d", w)
		assert.Equal(t, ref.History, res.History, "workers %d", w)
	}
}
