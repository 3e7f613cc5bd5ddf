package exact

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize/convex/lp"

	"github.com/otkit/otkit/internal/support"
	"github.com/otkit/otkit/ot"
)

// checkOptimal asserts everything an optimal exact Result promises: status,
// a sparse plan with at most n+m−1 nonnegative entries and the right
// marginals, dual feasibility F_i + G_j ≤ C_ij everywhere, equality on the
// support, a zero duality gap and Value = LinearCost.
func checkOptimal(t *testing.T, p *ot.Problem, res *ot.Result) {
	t.Helper()
	require.Equal(t, ot.Converged, res.Status)
	n, m := p.Dims()
	sp, ok := res.Plan.(*ot.SparsePlan)
	require.True(t, ok, "plan is %T", res.Plan)
	require.LessOrEqual(t, sp.NNZ(), n+m-1)
	for _, v := range sp.Val {
		require.Greater(t, v, 0.0)
	}
	mass := p.Mass()
	require.LessOrEqual(t, res.MarginalError, 1e-12*mass+1e-9*mass*0, "marginal error")
	require.Len(t, res.F, n)
	require.Len(t, res.G, m)

	lo, hi := ot.MinMax(p.C)
	scale := math.Max(math.Abs(lo), math.Abs(hi)) + 1
	tol := 1e-9 * scale
	row := make([]float64, m)
	for i := 0; i < n; i++ {
		c := p.C.Row(i, row)
		for j, cij := range c {
			require.False(t, math.IsNaN(res.F[i]+res.G[j]))
			require.LessOrEqual(t, res.F[i]+res.G[j], cij+tol, "dual feasibility at (%d,%d)", i, j)
		}
		for k := sp.RowPtr[i]; k < sp.RowPtr[i+1]; k++ {
			j := sp.ColIdx[k]
			require.InDelta(t, c[j], res.F[i]+res.G[j], tol, "slackness at (%d,%d)", i, j)
		}
	}
	require.InDelta(t, res.LinearCost, res.DualValue, 1e-9*math.Max(1, mass*scale), "duality gap")
	require.Equal(t, res.LinearCost, res.Value)
	require.InDelta(t, ot.LinearCost(res.Plan, p.C), res.LinearCost, 1e-12*mass*scale)
}

// lpOptimum solves the problem as a dense linear program with gonum's
// simplex (forbidden pairs omitted). The last column constraint is dropped:
// it is implied by the others.
func lpOptimum(t *testing.T, p *ot.Problem) float64 {
	t.Helper()
	p = support.Reduce(p).Problem // gonum's simplex dislikes zero right-hand sides
	n, m := p.Dims()
	C := ot.Dense(p.C)
	var cost []float64
	var cols [][2]int
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			if !math.IsInf(C[i*m+j], 1) {
				cost = append(cost, C[i*m+j])
				cols = append(cols, [2]int{i, j})
			}
		}
	}
	rowsA := n + m - 1
	A := mat.NewDense(rowsA, len(cost), nil)
	for k, ij := range cols {
		A.Set(ij[0], k, 1)
		if ij[1] < m-1 {
			A.Set(n+ij[1], k, 1)
		}
	}
	b := append(append([]float64(nil), p.A...), p.B[:m-1]...)
	opt, _, err := lp.Simplex(cost, A, b, 1e-12, nil)
	require.NoError(t, err)
	return opt
}

// randomProblem draws an n×m problem with costs in [0, 1), rounded to a grid
// of step 1/q when q > 0 (ties), and weights of the given kind.
func randomProblem(rng *rand.Rand, n, m, q int, kind string) *ot.Problem {
	data := make([]float64, n*m)
	for k := range data {
		data[k] = rng.Float64()
		if q > 0 {
			data[k] = math.Floor(data[k]*float64(q)) / float64(q)
		}
	}
	p := &ot.Problem{A: weights(rng, n, kind), B: weights(rng, m, kind), C: &ot.DenseCost{N: n, M: m, Data: data}}
	// Equal masses up to round-off.
	sa, sb := p.Mass(), 0.0
	for _, v := range p.B {
		sb += v
	}
	for j := range p.B {
		p.B[j] *= sa / sb
	}
	return p
}

func weights(rng *rand.Rand, n int, kind string) []float64 {
	w := make([]float64, n)
	for i := range w {
		switch kind {
		case "uniform":
			w[i] = 1 / float64(n)
		case "unit":
			w[i] = 1
		case "zeros":
			if rng.IntN(3) > 0 {
				w[i] = rng.Float64()
			}
		default:
			w[i] = rng.Float64() + 0.01
		}
	}
	if kind == "zeros" {
		w[rng.IntN(n)] = 1
	}
	return w
}

func solve(t *testing.T, s *Solver, p *ot.Problem) *ot.Result {
	t.Helper()
	res, err := s.Solve(context.Background(), p)
	require.NoError(t, err)
	return res
}
