package quadratic

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otkit/otkit/ot"
)

// hessMulRef sets out = H·v, H = [[diag(σ1) + s, σ], [σᵀ, diag(σᵀ1) + s]],
// entry by entry from the active set.
func hessMulRef(nt *newton, v, out []float64) {
	n := nt.n
	for k := range out {
		out[k] = nt.shift * v[k]
	}
	for i := 0; i < n; i++ {
		for _, j := range nt.idx[nt.ptr[i]:nt.ptr[i+1]] {
			out[i] += v[i] + v[n+int(j)]
			out[n+int(j)] += v[i] + v[n+int(j)]
		}
	}
}

// The CG on the Schur complement must solve the full Newton system H d = rhs
// to the relative residual asked, on random active sets (some rows and
// columns empty, several components) and shifts.
func TestNewtonDirectionSolvesHessian(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for trial := 0; trial < 50; trial++ {
		n, m := 1+r.IntN(30), 1+r.IntN(30)
		in := &instance{n: n, m: m, a: ot.Uniform(n), b: ot.Uniform(m), c: make([]float64, n*m), gamma: 1, mass: 1, workers: 1}
		nt := newNewton(newDualObjective(in))
		nt.ptr = append(nt.ptr[:0], 0)
		density := r.Float64() * 0.4
		for i := 0; i < n; i++ {
			for j := 0; j < m; j++ {
				if r.Float64() < density {
					nt.idx = append(nt.idx, int32(j))
				}
			}
			nt.ptr = append(nt.ptr, int32(len(nt.idx)))
		}
		nt.setActive()
		nt.shift = math.Pow(10, -1-4*r.Float64())
		rhs := make([]float64, n+m)
		for k := range rhs {
			rhs[k] = r.NormFloat64()
		}
		const eta = 1e-8
		nt.direction(rhs, eta)
		hd := make([]float64, n+m)
		hessMulRef(nt, nt.d, hd)
		var res, norm float64
		for k := range rhs {
			res += (hd[k] - rhs[k]) * (hd[k] - rhs[k])
			norm += rhs[k] * rhs[k]
		}
		require.LessOrEqual(t, math.Sqrt(res), 10*eta*math.Sqrt(norm), "trial %d: n=%d m=%d nnz=%d", trial, n, m, len(nt.idx))
	}
}

// An evaluation that collects nothing (passActive) equals a collecting
// one, and Newton gives bitwise identical results for any worker count on
// a problem with several chunks, where the first continuation stage
// takes the passActive path.
func TestNewtonPassesAndWorkers(t *testing.T) {
	p := cloudProblem(t, 300, 260, 2)
	in := &instance{n: 300, m: 260, a: p.A, b: p.B, c: ot.CostData(p.C), gamma: 0.1, mass: 1, workers: 1}
	r := rand.New(rand.NewPCG(5, 6))
	x := make([]float64, in.n+in.m)
	for k := range x {
		x[k] = 0.05 * r.NormFloat64()
	}
	g1, g2 := make([]float64, len(x)), make([]float64, len(x))
	d := newDualObjective(in)
	v1 := d.pass(x, g1, passActive, 0)
	v2 := newDualObjective(in).pass(x, g2, passCollect, 0.01)
	assert.Equal(t, v2, v1)
	assert.Equal(t, g2, g1)

	r1 := solve(t, Solver{Gamma: 0.1, Method: Newton, Tol: 1e-8}, p)
	require.Equal(t, ot.Converged, r1.Status)
	r2 := solve(t, Solver{Gamma: 0.1, Method: Newton, Tol: 1e-8, Workers: 2}, p)
	assert.Equal(t, r1.F, r2.F)
	assert.Equal(t, r1.G, r2.G)
	assert.Equal(t, r1.Value, r2.Value)
	assert.Equal(t, r1.Iterations, r2.Iterations)
	checkResult(t, p, 0.1, r1)
}

func TestFiniteRange(t *testing.T) {
	inf := math.Inf(1)
	for _, tc := range []struct {
		c      []float64
		lo, hi float64
	}{
		{[]float64{3}, 3, 3},
		{[]float64{2, inf, -1}, -1, 2},
		{[]float64{5, 4, 3, 2, 1, 0, -1}, -1, 5},
		{[]float64{0, 0, 0, 0, inf, inf, inf, inf, 7}, 0, 7},
		{[]float64{inf, 1, inf, inf, inf, -2, inf, inf, inf}, -2, 1},
	} {
		lo, hi := finiteRange(tc.c)
		assert.Equal(t, tc.lo, lo, "%v", tc.c)
		assert.Equal(t, tc.hi, hi, "%v", tc.c)
	}
}
