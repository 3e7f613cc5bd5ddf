package quadratic

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/otkit/otkit/ot"
)

var allMethods = []Method{Newton, SemiDualLBFGS, DualLBFGS}

func dense(t testing.TB, n, m int, data []float64) *ot.DenseCost {
	c, err := ot.NewDenseCost(n, m, data)
	require.NoError(t, err)
	return c
}

func solve(t testing.TB, s Solver, p *ot.Problem) *ot.Result {
	t.Helper()
	r, err := s.Solve(context.Background(), p)
	require.NoError(t, err)
	return r
}

func problem3x3(t testing.TB) *ot.Problem {
	return &ot.Problem{A: []float64{0.2, 0.5, 0.3}, B: []float64{0.4, 0.4, 0.2},
		C: dense(t, 3, 3, []float64{0, 1, 4, 1, 0, 1, 4, 1, 0})}
}

// cloudProblem is n×m Gaussian point clouds N(0,I), N(1,I) in 2-D with
// C = ‖x−y‖²/max and uniform weights (the benchmark family of docs/quadratic.md).
func cloudProblem(t testing.TB, n, m int, seed uint64) *ot.Problem {
	r := rand.New(rand.NewPCG(seed, 7))
	d := make([]float64, n*m)
	x := make([][2]float64, n)
	for i := range x {
		x[i] = [2]float64{r.NormFloat64(), r.NormFloat64()}
	}
	mx := 0.0
	for j := 0; j < m; j++ {
		y := [2]float64{r.NormFloat64() + 1, r.NormFloat64() + 1}
		for i := range x {
			dx, dy := x[i][0]-y[0], x[i][1]-y[1]
			d[i*m+j] = dx*dx + dy*dy
			mx = math.Max(mx, d[i*m+j])
		}
	}
	for k := range d {
		d[k] /= mx
	}
	return &ot.Problem{A: ot.Uniform(n), B: ot.Uniform(m), C: dense(t, n, m, d)}
}

func denseData(p ot.Plan) []float64 { return ot.DenseCopy(p).RawMatrix().Data }

func sumSq(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v * v
	}
	return s
}

func mean(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

// checkResult verifies the invariants every converged result satisfies:
// plan ≥ 0 with no stored entry below the drop threshold, Value and
// LinearCost consistent with the plan, MarginalError of the plan, the
// plan recovered from the potentials, and the duality gap identity.
func checkResult(t *testing.T, p *ot.Problem, gamma float64, r *ot.Result) {
	t.Helper()
	sp, ok := r.Plan.(*ot.SparsePlan)
	require.True(t, ok, "plan is %T", r.Plan)
	for _, v := range sp.Val {
		require.Greater(t, v, 1e-15)
	}
	lin := ot.LinearCost(sp, p.C)
	require.InDelta(t, lin, r.LinearCost, 1e-12*(1+math.Abs(lin)))
	require.InDelta(t, lin+gamma/2*sumSq(sp.Val), r.Value, 1e-12*(1+math.Abs(r.Value)))
	require.InDelta(t, ot.MarginalError(sp, p.A, p.B), r.MarginalError, 1e-15)
	n, m := p.Dims()
	row := make([]float64, m)
	for i := 0; i < n; i++ {
		c := p.C.Row(i, row)
		for j := 0; j < m; j++ {
			want := math.Max(r.F[i]+r.G[j]-c[j], 0) / gamma
			if want <= 1e-15*p.Mass() || math.IsInf(r.F[i], -1) || math.IsInf(r.G[j], -1) {
				want = 0
			}
			require.InDelta(t, want, sp.At(i, j), 1e-12, "T[%d,%d]", i, j)
		}
	}
	// Duality gap: Value − D(F,G) = <F, T1 − a> + <G, Tᵀ1 − b> (finite
	// potentials only; zero-weight rows and columns are empty).
	rs, cs := ot.Marginals(sp)
	var gap float64
	for i, f := range r.F {
		if p.A[i] > 0 {
			gap += f * (rs[i] - p.A[i])
		}
	}
	for j, g := range r.G {
		if p.B[j] > 0 {
			gap += g * (cs[j] - p.B[j])
		}
	}
	require.InDelta(t, gap, r.Value-r.DualValue, 1e-9*(1+math.Abs(r.Value)))
}
