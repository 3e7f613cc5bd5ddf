package sinkhorn

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otkit/otkit/ot"
	"github.com/otkit/otkit/ot/ottest"
)

// TestFloat32Kernel: a Float32 kernel gives a converged plan whose figures
// are the returned plan's, close to the Float64 solve's (the float32 sweeps
// solve a cost perturbed by ≤ 6e-8·ε, then float64 sweeps finish).
func TestFloat32Kernel(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    *ot.Problem
		eps  float64
	}{
		{"gauss-eps0.05", gaussProblem(80, 3), 0.05},
		{"gauss-eps0.005", gaussProblem(80, 4), 0.005},
		{"random-70x50", randomProblem(70, 50, 5), 0.02},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r64, st64, err := (&Solver{Eps: tc.eps, Method: Stabilized, Precision: Float64}).SolveStats(context.Background(), tc.p)
			require.NoError(t, err)
			r32, st32, err := (&Solver{Eps: tc.eps, Method: Stabilized, Precision: Float32}).SolveStats(context.Background(), tc.p)
			require.NoError(t, err)
			assert.Equal(t, Float64, st64.Precision)
			assert.Equal(t, Float32, st32.Precision)
			require.Equal(t, ot.Converged, r32.Status)
			mass := 1.0
			assert.LessOrEqual(t, r32.MarginalError, DefaultTol*mass)
			// The reported error is the returned plan's.
			assert.InDelta(t, tc.p.MarginalError(r32.Plan), r32.MarginalError, 1e-12)
			assert.InDelta(t, r64.Value, r32.Value, 1e-9*math.Max(1, math.Abs(r64.Value)))
			n, m := tc.p.Dims()
			var diff float64
			for i := 0; i < n; i++ {
				for j := 0; j < m; j++ {
					diff += math.Abs(r32.Plan.At(i, j) - r64.Plan.At(i, j))
				}
			}
			assert.Less(t, diff, 1e-7, "L1 distance of the plans")
		})
	}
}

// TestFloat32Deterministic: bitwise the same result for any worker count.
func TestFloat32Deterministic(t *testing.T) {
	p := gaussProblem(130, 6)
	var ref *ot.Result
	for _, w := range []int{1, 2, 5} {
		res, err := (&Solver{Eps: 0.01, Method: Stabilized, Precision: Float32, Workers: w}).Solve(context.Background(), p)
		require.NoError(t, err)
		if ref == nil {
			ref = res
			continue
		}
		assert.Equal(t, ref.Iterations, res.Iterations, "workers %d", w)
		assert.Equal(t, math.Float64bits(ref.Value), math.Float64bits(res.Value), "workers %d", w)
		for i := range ref.F {
			require.Equal(t, math.Float64bits(ref.F[i]), math.Float64bits(res.F[i]), "workers %d F[%d]", w, i)
		}
		for j := range ref.G {
			require.Equal(t, math.Float64bits(ref.G[j]), math.Float64bits(res.G[j]), "workers %d G[%d]", w, j)
		}
	}
}

// TestAutoPrecision: Auto's choice of the kernel type.
func TestAutoPrecision(t *testing.T) {
	big := func() *ot.Problem { // n·m = f32MinEntries
		c, err := ot.NewDenseCost(1024, 1024, make([]float64, 1024*1024))
		require.NoError(t, err)
		return ot.NewProblem(c)
	}()
	small := gaussProblem(100, 1)
	for _, tc := range []struct {
		name   string
		p      *ot.Problem
		solver Solver
		method Method
		want   Precision
	}{
		{"auto-large", big, Solver{}, Stabilized, Float32},
		{"auto-small", small, Solver{}, Stabilized, Float64},
		{"auto-forced-f64", big, Solver{Precision: Float64}, Stabilized, Float64},
		{"auto-tiny-tol", big, Solver{Tol: 1e-300}, Stabilized, Float64},
		{"explicit-stabilized", big, Solver{Method: Stabilized}, Stabilized, Float64},
		{"explicit-f32", small, Solver{Method: Stabilized, Precision: Float32}, Stabilized, Float32},
		{"logdomain", big, Solver{}, LogDomain, AutoPrecision},
	} {
		t.Run(tc.name, func(t *testing.T) {
			set, err := tc.solver.settings()
			require.NoError(t, err)
			s := newState(tc.p, 1, set)
			defer s.pool.Close()
			assert.Equal(t, tc.want, s.resolvePrecision(tc.method))
		})
	}
	_, err := (&Solver{Precision: 7}).Solve(context.Background(), small)
	assert.True(t, errors.Is(err, ot.ErrParameter), "%v", err)
}

func TestFloat32Conformance(t *testing.T) {
	ottest.Run(t, ottest.Config{
		New: func(s float64) ot.Solver {
			return &Solver{Eps: 0.1 * s, Method: Stabilized, Precision: Float32}
		},
		Tol: DefaultTol, Converges: true, Supports: ot.Support{RelaxA: true, RelaxB: true},
	})
}
