package sinkhorn

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otkit/otkit/internal/otest"
	"github.com/otkit/otkit/ot"
)

type unbalancedCase struct {
	Name  string      `json:"name"`
	A     []float64   `json:"a"`
	B     []float64   `json:"b"`
	Cost  [][]float64 `json:"cost"`
	Eps   float64     `json:"eps"`
	RhoA  float64     `json:"rho_a"`
	RhoB  float64     `json:"rho_b"`
	Plan  [][]float64 `json:"plan"`
	Value float64     `json:"value"`
}

func (uc unbalancedCase) problem() *ot.Problem {
	n, m := len(uc.A), len(uc.B)
	data := make([]float64, 0, n*m)
	for _, row := range uc.Cost {
		data = append(data, row...)
	}
	return &ot.Problem{A: uc.A, B: uc.B, C: &ot.DenseCost{N: n, M: m, Data: data}, RhoA: uc.RhoA, RhoB: uc.RhoB}
}

// unbalancedMethods are the iterations the unbalanced tests run.
var unbalancedMethods = []struct {
	name string
	s    Solver
}{
	{"Auto", Solver{}},
	{"LogDomain", Solver{Method: LogDomain}},
	{"Stabilized", Solver{Method: Stabilized}},
	{"Sparse", Solver{Method: Sparse}},
	{"StabilizedFloat32", Solver{Method: Stabilized, Precision: Float32}},
	{"LogDomainScaling", Solver{Method: LogDomain, Scaling: &EpsScaling{}}},
	{"StabilizedScaling", Solver{Method: Stabilized, Scaling: &EpsScaling{}}},
	{"SparseScaling", Solver{Method: Sparse, Scaling: &EpsScaling{}}},
}

// TestUnbalancedGoldenPOT compares with testdata/sinkhorn/unbalanced.json
// (POT 0.8.2, written by make_unbalanced.py) for every method.
func TestUnbalancedGoldenPOT(t *testing.T) {
	cases := otest.LoadCases[unbalancedCase](t, "../testdata/sinkhorn/unbalanced.json")
	require.NotEmpty(t, cases)
	for _, uc := range cases {
		for _, meth := range unbalancedMethods {
			t.Run(uc.Name+"/"+meth.name, func(t *testing.T) {
				p := uc.problem()
				s := meth.s
				s.Eps, s.Tol, s.MaxIter = uc.Eps, 1e-13, 100000
				res, err := s.Solve(context.Background(), p)
				require.NoError(t, err)
				require.Equal(t, ot.Converged, res.Status)
				got := ot.DenseCopy(res.Plan)
				var worst float64
				for i, row := range uc.Plan {
					for j, v := range row {
						worst = math.Max(worst, math.Abs(got.At(i, j)-v))
					}
				}
				assert.LessOrEqual(t, worst, 1e-8)
				assert.InDelta(t, uc.Value, res.Value, 1e-8*math.Abs(uc.Value))
				assert.InDelta(t, p.MarginalError(res.Plan), res.MarginalError, 1e-12)
				// Strong duality at the solution.
				assert.InDelta(t, res.Value, res.DualValue, 1e-7*math.Abs(res.Value))
			})
		}
	}
}

// TestUnbalancedHardSide: with RhoA = 0 the rows stay hard, so the plan's
// row sums are a and MarginalError measures them only.
func TestUnbalancedHardSide(t *testing.T) {
	p := randomProblem(6, 5, 3)
	for j := range p.B {
		p.B[j] *= 1.5
	}
	p.RhoB = 1
	res, err := (&Solver{Eps: 0.05, Tol: 1e-12}).Solve(context.Background(), p)
	require.NoError(t, err)
	require.Equal(t, ot.Converged, res.Status)
	r, _ := planSumsOf(res.Plan)
	assert.InDeltaSlice(t, p.A, r, 1e-11)
	assert.LessOrEqual(t, res.MarginalError, 1e-12)
	assert.InDelta(t, p.MarginalError(res.Plan), res.MarginalError, 1e-14)
}

// TestUnbalancedLargeRho: ρ = 1e12 recovers the balanced plan and value,
// for every method.
func TestUnbalancedLargeRho(t *testing.T) {
	bal := randomProblem(7, 6, 5)
	want, err := (&Solver{Eps: 0.05, Tol: 1e-11, Method: LogDomain}).Solve(context.Background(), bal)
	require.NoError(t, err)
	w := ot.DenseCopy(want.Plan)
	for _, tc := range []struct {
		name       string
		rhoA, rhoB float64
	}{{"both", 1e12, 1e12}, {"rows", 1e12, 0}, {"columns", 0, 1e12}} {
		for _, meth := range unbalancedMethods {
			t.Run(tc.name+"/"+meth.name, func(t *testing.T) {
				s := meth.s
				s.Eps, s.Tol = 0.05, 1e-11
				p := *bal
				p.RhoA, p.RhoB = tc.rhoA, tc.rhoB
				got, err := s.Solve(context.Background(), &p)
				require.NoError(t, err)
				require.Equal(t, ot.Converged, got.Status)
				g := ot.DenseCopy(got.Plan)
				n, m := w.Dims()
				for i := 0; i < n; i++ {
					for j := 0; j < m; j++ {
						assert.InDelta(t, w.At(i, j), g.At(i, j), 1e-9)
					}
				}
				assert.InDelta(t, want.Value, got.Value, 1e-8)
				assert.InDelta(t, want.LinearCost, got.LinearCost, 1e-9)
			})
		}
	}
}

// TestUnbalancedRefusals: bad ρ is ErrParameter.
func TestUnbalancedRefusals(t *testing.T) {
	p := randomProblem(4, 3, 1)
	for _, rho := range []float64{-1, math.NaN(), math.Inf(-1)} {
		q := *p
		q.RhoA = rho
		res, err := (&Solver{}).Solve(context.Background(), &q)
		assert.ErrorIs(t, err, ot.ErrParameter, "ρ=%v", rho)
		assert.Nil(t, res)
	}
}

// TestUnbalancedScale: cost, ε and ρ scaled by s give the same plan.
func TestUnbalancedScale(t *testing.T) {
	base := randomProblem(5, 6, 9)
	for j := range base.B {
		base.B[j] *= 0.7
	}
	solve := func(s float64) *ot.Result {
		d := base.C.(*ot.DenseCost)
		data := make([]float64, len(d.Data))
		for k, v := range d.Data {
			data[k] = v * s
		}
		p := &ot.Problem{A: base.A, B: base.B, C: &ot.DenseCost{N: d.N, M: d.M, Data: data}, RhoA: 0.5 * s, RhoB: 2 * s}
		res, err := (&Solver{Eps: 0.1 * s, Tol: 1e-12}).Solve(context.Background(), p)
		require.NoError(t, err)
		require.Equal(t, ot.Converged, res.Status)
		return res
	}
	ref := ot.DenseCopy(solve(1).Plan)
	for _, s := range []float64{1e-300, 1e-20, 1e20, 1e300} {
		res := solve(s)
		got := ot.DenseCopy(res.Plan)
		n, m := got.Dims()
		for i := 0; i < n; i++ {
			for j := 0; j < m; j++ {
				assert.InDelta(t, ref.At(i, j), got.At(i, j), 1e-10, "s=%g", s)
			}
		}
	}
}

// TestUnbalancedSmallRho: ρ far below ε (down to 1e-300) converges with
// finite figures; the plan's mass shrinks towards the geometric means.
func TestUnbalancedSmallRho(t *testing.T) {
	for _, rho := range []float64{1e-300, 1e-6, 1e-2} {
		for _, eps := range []float64{1e-3, 1} {
			p := randomProblem(12, 9, 4)
			for j := range p.B {
				p.B[j] *= 2
			}
			p.RhoA, p.RhoB = rho, rho
			res, err := (&Solver{Eps: eps}).Solve(context.Background(), p)
			require.NoError(t, err)
			assert.Equal(t, ot.Converged, res.Status, "ρ=%g ε=%g", rho, eps)
			for _, v := range []float64{res.Value, res.DualValue, res.LinearCost, res.MarginalError} {
				assert.False(t, math.IsNaN(v) || math.IsInf(v, 0), "ρ=%g ε=%g", rho, eps)
			}
			assert.InDelta(t, res.Value, res.DualValue, 1e-9*math.Max(1, math.Abs(res.Value)))
		}
	}
}

// planSumsOf returns the row and column sums of a plan.
func planSumsOf(p ot.Plan) (r, c []float64) {
	d := ot.DenseCopy(p)
	n, m := d.Dims()
	r, c = make([]float64, n), make([]float64, m)
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			r[i] += d.At(i, j)
			c[j] += d.At(i, j)
		}
	}
	return r, c
}
