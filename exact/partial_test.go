package exact

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize/convex/lp"

	"github.com/otkit/otkit/internal/otest"
	"github.com/otkit/otkit/ot"
)

// partialCase is one entry of testdata/exact/partial.json (made by
// make_partial.py with POT 0.8.2 ot.partial.partial_wasserstein).
type partialCase struct {
	Name       string    `json:"name"`
	N          int       `json:"n"`
	M          int       `json:"m"`
	Cost       []float64 `json:"cost"`
	A          []float64 `json:"a"`
	B          []float64 `json:"b"`
	Mass       float64   `json:"mass"`
	LinearCost float64   `json:"linear_cost"`
	Plan       []float64 `json:"plan"`
}

func TestPartialGoldenPOT(t *testing.T) {
	for _, g := range otest.LoadCases[partialCase](t, "../testdata/exact/partial.json") {
		t.Run(g.Name, func(t *testing.T) {
			p := &ot.Problem{A: g.A, B: g.B, C: &ot.DenseCost{N: g.N, M: g.M, Data: g.Cost}, PartialMass: g.Mass}
			res := solve(t, &Solver{}, p)
			checkPartial(t, p, res)
			require.InDelta(t, g.LinearCost, res.Value, 1e-8*math.Abs(g.LinearCost)+1e-15,
				"otkit %.17g, POT %.17g", res.Value, g.LinearCost)
			got := ot.DenseCopy(res.Plan).RawMatrix().Data
			require.LessOrEqual(t, floats.Distance(got, g.Plan, 1), 1e-8*g.Mass, "plan differs from POT's")
		})
	}
}

// checkPartial asserts the optimality conditions of a partial plan: status,
// a sparse nonnegative plan moving the mass within the marginals, and the
// KKT conditions of the dual max <a,u> + <b,v> + s·λ (u, v ≤ 0,
// u_i + v_j + λ ≤ C_ij) read from F = u + λ/2, G = v + λ/2: F_i + G_j ≤ C_ij
// with equality on the support, F_i ≤ λ/2 with equality on rows that keep
// mass back (and the same for columns), and no duality gap.
func checkPartial(t *testing.T, p *ot.Problem, res *ot.Result) {
	t.Helper()
	require.Equal(t, ot.Converged, res.Status)
	n, m := p.Dims()
	sp, ok := res.Plan.(*ot.SparsePlan)
	require.True(t, ok, "plan is %T", res.Plan)
	require.LessOrEqual(t, sp.NNZ(), n+m+1)
	for _, v := range sp.Val {
		require.Greater(t, v, 0.0)
	}
	sa, sb := floats.Sum(p.A), floats.Sum(p.B)
	s := min(p.PartialMass, sa, sb)
	require.LessOrEqual(t, res.MarginalError, 1e-12*math.Max(sa, sb), "marginal error")
	r, c := ot.Marginals(res.Plan)
	require.InDelta(t, s, floats.Sum(r), 1e-12*math.Max(sa, sb), "mass moved")

	lo, hi := ot.MinMax(p.C)
	scale := math.Max(math.Abs(lo), math.Abs(hi)) + 1
	tol := 1e-9 * scale
	mtol := 1e-12 * math.Max(sa, sb)
	// λ/2 is the potential of any row or column that keeps mass back.
	half := math.NaN()
	for i, v := range r {
		if v < p.A[i]-mtol {
			half = res.F[i]
		}
	}
	for j, v := range c {
		if v < p.B[j]-mtol {
			half = res.G[j]
		}
	}
	if math.IsNaN(half) { // everything moves: any λ with u, v ≤ 0 will do
		half = max(floats.Max(res.F), floats.Max(res.G))
	}
	row := make([]float64, m)
	for i := 0; i < n; i++ {
		cr := p.C.Row(i, row)
		for j, cij := range cr {
			require.LessOrEqual(t, res.F[i]+res.G[j], cij+tol, "dual feasibility at (%d,%d)", i, j)
		}
		for k := sp.RowPtr[i]; k < sp.RowPtr[i+1]; k++ {
			j := sp.ColIdx[k]
			require.InDelta(t, cr[j], res.F[i]+res.G[j], tol, "slackness at (%d,%d)", i, j)
		}
		require.LessOrEqual(t, res.F[i], half+tol, "u_%d ≤ 0", i)
		if r[i] < p.A[i]-mtol {
			require.InDelta(t, half, res.F[i], tol, "u_%d = 0 on a row that keeps mass back", i)
		}
	}
	for j := range c {
		require.LessOrEqual(t, res.G[j], half+tol, "v_%d ≤ 0", j)
		if c[j] < p.B[j]-mtol {
			require.InDelta(t, half, res.G[j], tol, "v_%d = 0 on a column that keeps mass back", j)
		}
	}
	var dual float64
	for i, f := range res.F {
		dual += p.A[i] * (f - half)
	}
	for j, g := range res.G {
		dual += p.B[j] * (g - half)
	}
	dual += 2 * half * s
	mass := math.Max(sa, sb)
	require.InDelta(t, res.LinearCost, dual, 1e-9*mass*scale, "duality gap")
	require.InDelta(t, res.LinearCost, res.DualValue, 1e-9*mass*scale, "DualValue")
	require.Equal(t, res.LinearCost, res.Value)
	require.InDelta(t, ot.LinearCost(res.Plan, p.C), res.LinearCost, 1e-12*mass*scale)
}

// lpPartial solves the partial problem as a dense linear program with
// gonum's simplex: variables P (n·m) and the slacks of the row and column
// constraints, equalities P1 + r = a, Pᵀ1 + c = b and 1ᵀP1 = s.
func lpPartial(t *testing.T, p *ot.Problem) float64 {
	t.Helper()
	n, m := p.Dims()
	C := ot.CostData(p.C)
	nv := n*m + n + m
	cost := make([]float64, nv)
	copy(cost, C)
	A := mat.NewDense(n+m+1, nv, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			A.Set(i, i*m+j, 1)
			A.Set(n+j, i*m+j, 1)
			A.Set(n+m, i*m+j, 1)
		}
		A.Set(i, n*m+i, 1)
	}
	for j := 0; j < m; j++ {
		A.Set(n+j, n*m+n+j, 1)
	}
	b := append(append(append([]float64(nil), p.A...), p.B...), p.PartialMass)
	opt, _, err := lp.Simplex(cost, A, b, 1e-12, nil)
	require.NoError(t, err)
	return opt
}

func TestPartialLP(t *testing.T) {
	rng := rand.New(rand.NewPCG(16, 2))
	for k := 0; k < 40; k++ {
		n, m := 1+rng.IntN(6), 1+rng.IntN(6)
		q := 0
		if k%2 == 1 {
			q = 4 // ties: degenerate vertices
		}
		kinds := []string{"random", "uniform", "zeros", "unit"}
		p := randomProblem(rng, n, m, q, kinds[k%4])
		p.B = weights(rng, m, kinds[(k/4)%4]) // unequal masses
		if k%3 == 0 {
			data := p.C.(*ot.DenseCost).Data
			for i := range data {
				data[i] = 10*data[i] - 5 // both signs
			}
		}
		p.PartialMass = (0.05 + 0.95*rng.Float64()) * min(floats.Sum(p.A), floats.Sum(p.B))
		if k%5 == 0 {
			p.PartialMass = min(floats.Sum(p.A), floats.Sum(p.B))
		}
		res := solve(t, &Solver{}, p)
		checkPartial(t, p, res)
		want := lpPartial(t, p)
		require.InDelta(t, want, res.Value, 1e-9*(1+math.Abs(want)), "case %d (%d×%d)", k, n, m)
	}
}

// TestPartialBalanced: moving everything of equal masses is the balanced
// problem.
func TestPartialBalanced(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	p := randomProblem(rng, 30, 20, 0, "random")
	bal := solve(t, &Solver{}, p)
	q := *p
	q.PartialMass = p.Mass()
	part := solve(t, &Solver{}, &q)
	checkPartial(t, &q, part)
	require.InDelta(t, bal.Value, part.Value, 1e-12*math.Abs(bal.Value))
}

// TestPartialMonotone: the optimal cost grows with the mass moved, and is
// convex in it.
func TestPartialMonotone(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 1))
	p := otest.CloudProblem(rng, 25, 35, 2, []float64{1, 0}, false)
	top := min(floats.Sum(p.A), floats.Sum(p.B))
	var vals []float64
	for k := 1; k <= 8; k++ {
		q := *p
		q.PartialMass = top * float64(k) / 8
		res := solve(t, &Solver{}, &q)
		checkPartial(t, &q, res)
		vals = append(vals, res.Value)
	}
	for k := 1; k < len(vals); k++ {
		require.Greater(t, vals[k], vals[k-1])
		if k > 1 {
			require.GreaterOrEqual(t, vals[k]-vals[k-1], vals[k-1]-vals[k-2]-1e-12)
		}
	}
}

// TestPartialCostKinds: a point cloud, its dense matrix and a cost without
// single entries give the same optimum.
func TestPartialCostKinds(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	p := otest.CloudProblem(rng, 40, 30, 3, []float64{0.5, 0, 0}, false)
	p.B = otest.RandomWeights(rng, 30)
	floats.Scale(1.5, p.B)
	p.PartialMass = 0.6
	pc := p.C
	n, m := pc.Dims()
	costs := map[string]ot.Cost{
		"cloud": pc,
		"dense": &ot.DenseCost{N: n, M: m, Data: ot.CostData(pc)},
		"rows":  rowsOnly{pc},
	}
	var want float64
	for _, name := range []string{"dense", "cloud", "rows"} {
		q := *p
		q.C = costs[name]
		res := solve(t, &Solver{}, &q)
		checkPartial(t, &q, res)
		if name == "dense" {
			want = res.Value
		}
		require.InDelta(t, want, res.Value, 1e-12*want, name)
	}
}

type rowsOnly struct{ c ot.Cost }

func (r rowsOnly) Dims() (int, int)                   { return r.c.Dims() }
func (r rowsOnly) Row(i int, dst []float64) []float64 { return r.c.Row(i, dst) }

// TestPartialForbidden: +Inf entries are avoided; a row that is forbidden
// everywhere keeps its mass back.
func TestPartialForbidden(t *testing.T) {
	inf := math.Inf(1)
	p := &ot.Problem{
		A: []float64{0.3, 0.3, 0.4}, B: []float64{0.5, 0.5},
		C:           &ot.DenseCost{N: 3, M: 2, Data: []float64{inf, inf, 0, 1, inf, 2}},
		PartialMass: 0.5,
	}
	res := solve(t, &Solver{}, p)
	require.Equal(t, ot.Converged, res.Status)
	P := ot.DenseCopy(res.Plan)
	require.Equal(t, 0.0, P.At(0, 0)+P.At(0, 1))
	require.Equal(t, 0.0, P.At(2, 0))
	require.InDelta(t, 0.3*0+0.2*2, res.Value, 1e-15) // row 1 → col 0, then row 2 → col 1
	require.LessOrEqual(t, res.MarginalError, 1e-15)
}

// TestPartialAssign: rectangular assignment is partial transport of unit
// weights moving min(n, m).
func TestPartialAssign(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	for _, dims := range [][2]int{{5, 9}, {12, 7}, {20, 20}} {
		n, m := dims[0], dims[1]
		data := make([]float64, n*m)
		for k := range data {
			data[k] = rng.Float64()
		}
		c := &ot.DenseCost{N: n, M: m, Data: data}
		_, total, err := Assign(context.Background(), c, nil)
		require.NoError(t, err)
		p := &ot.Problem{A: weights(rng, n, "unit"), B: weights(rng, m, "unit"), C: c, PartialMass: float64(min(n, m))}
		res := solve(t, &Solver{}, p)
		checkPartial(t, p, res)
		require.InDelta(t, total, res.Value, 1e-12*total)
		for _, v := range res.Plan.(*ot.SparsePlan).Val {
			require.Equal(t, 1.0, v, "the optimal vertex is a matching")
		}
	}
}

// TestPartialScale: C·s gives the same plan and the values times s.
func TestPartialScale(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	p := randomProblem(rng, 15, 11, 0, "random")
	p.PartialMass = 0.4 * p.Mass()
	base := solve(t, &Solver{}, p)
	for _, s := range []float64{1e-300, 1e-5, 1e250, 1e300} {
		data := append([]float64(nil), p.C.(*ot.DenseCost).Data...)
		floats.Scale(s, data)
		q := *p
		q.C = &ot.DenseCost{N: 15, M: 11, Data: data}
		res := solve(t, &Solver{}, &q)
		require.Equal(t, ot.Converged, res.Status)
		require.InDelta(t, base.Value, res.Value/s, 1e-12*base.Value, "s = %g", s)
		require.InDelta(t, base.DualValue, res.DualValue/s, 1e-9*base.Value, "s = %g", s)
		require.InDeltaSlice(t, ot.DenseCopy(base.Plan).RawMatrix().Data, ot.DenseCopy(res.Plan).RawMatrix().Data, 1e-15)
	}
}

func TestPartialBadInput(t *testing.T) {
	c := &ot.DenseCost{N: 2, M: 2, Data: []float64{0, 1, 1, 0}}
	half, more := []float64{0.5, 0.5}, []float64{1, 1}
	tests := []struct {
		name string
		p    *ot.Problem
		want error
	}{
		{"mass above available", &ot.Problem{A: half, B: more, C: c, PartialMass: 1.5}, ot.ErrInfeasible},
		{"negative mass", &ot.Problem{A: half, B: more, C: c, PartialMass: -1}, ot.ErrParameter},
		{"nan mass", &ot.Problem{A: half, B: more, C: c, PartialMass: math.NaN()}, ot.ErrParameter},
		{"unequal masses, not partial", &ot.Problem{A: half, B: more, C: c}, ot.ErrMassMismatch},
		{"relaxed marginal", &ot.Problem{A: half, B: more, C: c, RhoA: 1}, ot.ErrUnsupported},
		{"partial and relaxed", &ot.Problem{A: half, B: more, C: c, RhoB: 1, PartialMass: 0.5}, ot.ErrParameter},
		{"forbidden beyond the mass", &ot.Problem{A: half, B: more, C: &ot.DenseCost{N: 2, M: 2,
			Data: []float64{0, math.Inf(1), math.Inf(1), math.Inf(1)}}, PartialMass: 0.6}, ot.ErrInfeasible},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := (&Solver{}).Solve(context.Background(), tc.p)
			require.Nil(t, res)
			require.ErrorIs(t, err, tc.want)
		})
	}
}

func TestPartialCanceled(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	p := otest.CloudProblem(rng, 300, 300, 2, nil, false)
	p.PartialMass = 0.5
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := (&Solver{}).Solve(ctx, p)
	require.NoError(t, err)
	require.Equal(t, ot.Canceled, res.Status)
	for _, x := range []float64{res.Value, res.DualValue, res.LinearCost, res.MarginalError} {
		require.False(t, math.IsNaN(x) || math.IsInf(x, 0))
	}
	n, m := res.Plan.Dims()
	require.Equal(t, [2]int{300, 300}, [2]int{n, m})
}
