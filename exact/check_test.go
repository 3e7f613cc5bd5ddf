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
	require.LessOrEqual(t, res.MarginalError, 1e-12*mass, "marginal error")
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
// simplex. The last column constraint is dropped: it is implied by the
// others.
func lpOptimum(t *testing.T, p *ot.Problem) float64 {
	t.Helper()
	opt, err := lpOptimumErr(p)
	require.NoError(t, err)
	return opt
}

// lpPenalty is the LP cost of a forbidden pair; the test problems have costs
// in [-5, 5] and at most 8 rows and columns, so an optimum uses such a pair
// only if there is no feasible plan.
const lpPenalty = 1e4

// lpOptimumErr is lpOptimum returning the error, and ot.ErrInfeasible when
// the optimum needs a forbidden pair.
func lpOptimumErr(p *ot.Problem) (float64, error) {
	p = support.Reduce(p).Problem // gonum's simplex dislikes zero right-hand sides
	n, m := p.Dims()
	C := ot.CostData(p.C)
	cost := make([]float64, n*m)
	A := mat.NewDense(n+m-1, n*m, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			k := i*m + j
			cost[k] = C[k]
			if math.IsInf(C[k], 1) {
				cost[k] = lpPenalty
			}
			A.Set(i, k, 1)
			if j < m-1 {
				A.Set(n+j, k, 1)
			}
		}
	}
	b := append(append([]float64(nil), p.A...), p.B[:m-1]...)
	opt, x, err := lp.Simplex(cost, A, b, 1e-12, nil)
	if err != nil {
		return opt, err
	}
	for k, v := range x {
		if math.IsInf(C[k], 1) && v > 1e-9 {
			return opt, ot.ErrInfeasible
		}
	}
	return opt, nil
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
