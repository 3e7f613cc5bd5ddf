package exact

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/otkit/otkit/ot"
)

func TestSolveAgainstLP(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, kind := range []string{"random", "uniform", "unit", "zeros"} {
		for _, q := range []int{0, 3} {
			for trial := 0; trial < 30; trial++ {
				n, m := 1+rng.IntN(6), 1+rng.IntN(6)
				p := randomProblem(rng, n, m, q, kind)
				t.Run(fmt.Sprintf("%s/q%d/%dx%d/%d", kind, q, n, m, trial), func(t *testing.T) {
					res := solve(t, &Solver{}, p)
					checkOptimal(t, p, res)
					require.InDelta(t, lpOptimum(t, p), res.LinearCost, 1e-9)
				})
			}
		}
	}
}

// TestIntegerCosts: with unit weights and integer costs every flow and
// potential of the simplex is an integer, so the optimum must match the
// assignment solver exactly, over a wide range of magnitudes.
func TestIntegerCosts(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, hi := range []int{3, 1000, 1_000_000_000} {
		n := 40
		data := make([]float64, n*n)
		for k := range data {
			data[k] = float64(rng.IntN(hi))
		}
		c := dense(n, n, data...)
		unit := make([]float64, n)
		for i := range unit {
			unit[i] = 1
		}
		p := &ot.Problem{A: unit, B: append([]float64(nil), unit...), C: c}
		res := solve(t, &Solver{}, p)
		checkOptimal(t, p, res)
		_, total, err := Assign(context.Background(), c, nil)
		require.NoError(t, err)
		require.Equal(t, total, res.LinearCost, "costs below %d", hi)
		for _, v := range res.Plan.(*ot.SparsePlan).Val {
			require.Equal(t, 1.0, v)
		}
	}
}

// TestInvariances: scaling the cost scales the optimum, adding a constant
// adds it times the mass, and permuting rows and columns changes nothing.
func TestInvariances(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	p := randomProblem(rng, 30, 20, 0, "random")
	ref := solve(t, &Solver{}, p)
	checkOptimal(t, p, ref)
	C := p.C.(*ot.DenseCost).Data
	n, m := 30, 20

	scaled := make([]float64, len(C))
	shifted := make([]float64, len(C))
	for k, v := range C {
		scaled[k] = 1e6 * v
		shifted[k] = v - 3
	}
	ps := &ot.Problem{A: p.A, B: p.B, C: dense(n, m, scaled...)}
	rs := solve(t, &Solver{}, ps)
	checkOptimal(t, ps, rs)
	require.InDelta(t, 1e6*ref.LinearCost, rs.LinearCost, 1e-9*rs.LinearCost)
	pt := &ot.Problem{A: p.A, B: p.B, C: dense(n, m, shifted...)}
	rt := solve(t, &Solver{}, pt)
	checkOptimal(t, pt, rt)
	require.InDelta(t, ref.LinearCost-3*p.Mass(), rt.LinearCost, 1e-12)

	pr, pc := rng.Perm(n), rng.Perm(m)
	perm := make([]float64, len(C))
	a, b := make([]float64, n), make([]float64, m)
	for i := 0; i < n; i++ {
		a[i] = p.A[pr[i]]
		for j := 0; j < m; j++ {
			perm[i*m+j] = C[pr[i]*m+pc[j]]
		}
	}
	for j := 0; j < m; j++ {
		b[j] = p.B[pc[j]]
	}
	pp := &ot.Problem{A: a, B: b, C: dense(n, m, perm...)}
	rp := solve(t, &Solver{}, pp)
	checkOptimal(t, pp, rp)
	require.InDelta(t, ref.LinearCost, rp.LinearCost, 1e-13)
}
