package quadratic

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otkit/otkit/internal/otest"
	"github.com/otkit/otkit/internal/stress"
	"github.com/otkit/otkit/ot"
	"github.com/otkit/otkit/ot/ottest"
)

// unbalanced3x3 is the §9.3 problem with b scaled by mb and both sides
// relaxed.
func unbalanced3x3(t testing.TB, mb, rhoA, rhoB float64) *ot.Problem {
	p := relaxed3x3(t, mb, rhoA, false)
	p.RhoB = rhoB
	return p
}

// primalValue is <T,C> + (γ/2)‖T‖² + ρa KL(T1‖a) + ρb KL(Tᵀ1‖b) (hard sides
// without their term), from the plan alone.
func primalValue(p *ot.Problem, gamma float64, plan ot.Plan) float64 {
	n, m := p.Dims()
	d := ot.DenseCopy(plan)
	c := ot.CostData(p.C)
	var v float64
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			if x := d.At(i, j); x != 0 {
				v += x*c[i*m+j] + gamma/2*x*x
			}
		}
	}
	r, col := ot.Marginals(plan)
	if !p.HardA() {
		v += p.RhoA * klDiv(r, p.A)
	}
	if !p.HardB() {
		v += p.RhoB * klDiv(col, p.B)
	}
	return v
}

// TestUnbalancedKKT: at the maximizer of D_ρ the plan is [F + G − C]₊/γ,
// T1 = a e^{−F/ρa} and Tᵀ1 = b e^{−G/ρb} (∇D_ρ = 0), the primal and dual
// values agree, and MarginalError is 0 (no hard side).
func TestUnbalancedKKT(t *testing.T) {
	const gamma = 2
	for _, meth := range allMethods {
		for _, rho := range [][2]float64{{0.05, 0.05}, {0.5, 3}, {5, 0.2}} {
			t.Run(fmt.Sprintf("%v/ρ=%v", meth, rho), func(t *testing.T) {
				p := unbalanced3x3(t, 1.7, rho[0], rho[1])
				res, err := (&Solver{Gamma: gamma, Method: meth, Tol: 1e-12}).Solve(context.Background(), p)
				require.NoError(t, err)
				require.Equal(t, ot.Converged, res.Status)
				pl := denseData(res.Plan)
				c := ot.CostData(p.C)
				for i := range 3 {
					for j := range 3 {
						want := math.Max(res.F[i]+res.G[j]-c[i*3+j], 0) / gamma
						assert.InDelta(t, want, pl[i*3+j], 1e-14, "T[%d,%d]", i, j)
					}
				}
				r, col := ot.Marginals(res.Plan)
				for i := range r {
					assert.InDelta(t, p.A[i]*math.Exp(-res.F[i]/rho[0]), r[i], 1e-12, "row %d", i)
				}
				for j := range col {
					assert.InDelta(t, p.B[j]*math.Exp(-res.G[j]/rho[1]), col[j], 1e-12, "col %d", j)
				}
				assert.InDelta(t, res.Value, res.DualValue, 1e-11*math.Abs(res.Value))
				assert.InDelta(t, primalValue(p, gamma, res.Plan), res.Value, 1e-14*math.Abs(res.Value))
				assert.Equal(t, 0.0, res.MarginalError)
				assert.Len(t, res.History, res.Iterations)
			})
		}
	}
}

// bruteForce minimizes the primal of a small problem with all costs finite
// by cyclic exact coordinate descent: the derivative in T_ij,
// C_ij + γ T_ij + ρa log(r_i/a_i) + ρb log(c_j/b_j), is increasing in T_ij,
// so each coordinate's minimizer over T_ij ≥ 0 is found by bisection.
// The objective is smooth and strictly convex on the positive orthant.
func bruteForce(p *ot.Problem, gamma float64, sweeps int) []float64 {
	n, m := p.Dims()
	c := ot.CostData(p.C)
	x := make([]float64, n*m)
	for k := range x {
		x[k] = p.A[k/m] * p.B[k%m] // positive start: the log terms are finite
	}
	deriv := func(i, j int, v float64) float64 {
		var r, col float64
		for q := range m {
			if q != j {
				r += x[i*m+q]
			}
		}
		for q := range n {
			if q != i {
				col += x[q*m+j]
			}
		}
		r, col = r+v, col+v
		d := c[i*m+j] + gamma*v
		if !p.HardA() {
			d += p.RhoA * math.Log(r/p.A[i])
		}
		if !p.HardB() {
			d += p.RhoB * math.Log(col/p.B[j])
		}
		return d
	}
	for range sweeps {
		for k := range x {
			i, j := k/m, k%m
			if deriv(i, j, 0) >= 0 {
				x[k] = 0
				continue
			}
			lo, hi := 0.0, 1.0
			for deriv(i, j, hi) < 0 {
				hi *= 2
			}
			for range 200 {
				mid := (lo + hi) / 2
				if mid == lo || mid == hi {
					break
				}
				if deriv(i, j, mid) < 0 {
					lo = mid
				} else {
					hi = mid
				}
			}
			x[k] = (lo + hi) / 2
		}
	}
	return x
}

// TestUnbalancedBruteForce: 2×2 and 2×3 problems against exact coordinate
// descent on the primal.
func TestUnbalancedBruteForce(t *testing.T) {
	cases := []struct {
		name       string
		a, b, c    []float64
		gamma      float64
		rhoA, rhoB float64
		n, m       int
		wantSparse bool
	}{
		{"2x2", []float64{0.3, 0.7}, []float64{0.6, 0.9}, []float64{0, 0.2, 0.3, 0.1}, 0.8, 0.4, 1.5, 2, 2, false},
		{"2x3", []float64{1.2, 0.5}, []float64{0.3, 0.4, 0.6}, []float64{0.1, 2, 1, 1.5, 0.2, 0.7}, 0.5, 2, 0.3, 2, 3, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := &ot.Problem{A: tc.a, B: tc.b, C: dense(t, tc.n, tc.m, tc.c), RhoA: tc.rhoA, RhoB: tc.rhoB}
			want := bruteForce(p, tc.gamma, 3000)
			res, err := (&Solver{Gamma: tc.gamma, Tol: 1e-13}).Solve(context.Background(), p)
			require.NoError(t, err)
			require.Equal(t, ot.Converged, res.Status)
			got := denseData(res.Plan)
			for k := range want {
				assert.InDelta(t, want[k], got[k], 1e-9, "entry %d", k)
			}
			wantP := &ot.SparsePlan{N: tc.n, M: tc.m, RowPtr: make([]int, tc.n+1)}
			for i := range tc.n {
				for j := range tc.m {
					if v := want[i*tc.m+j]; v > 0 {
						wantP.ColIdx = append(wantP.ColIdx, j)
						wantP.Val = append(wantP.Val, v)
					}
				}
				wantP.RowPtr[i+1] = len(wantP.Val)
			}
			assert.InDelta(t, primalValue(p, tc.gamma, wantP), res.Value, 1e-12)
			zeros := 0
			for _, v := range got {
				if v == 0 {
					zeros++
				}
			}
			assert.Equal(t, tc.wantSparse, zeros > 0, "plan %v", got)
		})
	}
}

// TestUnbalancedLargeRho: ρ → ∞ on both sides recovers the balanced plan
// (§9.3, equal masses) to O(1/ρ).
func TestUnbalancedLargeRho(t *testing.T) {
	for _, gamma := range []float64{1, 10} {
		bal := problem3x3(t)
		ref := solve(t, Solver{Gamma: gamma, Tol: 1e-13}, bal)
		p := unbalanced3x3(t, 1, 1e9, 1e9)
		res := solve(t, Solver{Gamma: gamma, Tol: 1e-13}, p)
		require.Equal(t, ot.Converged, res.Status)
		want, got := denseData(ref.Plan), denseData(res.Plan)
		for k := range want {
			assert.InDelta(t, want[k], got[k], 1e-8, "γ=%g entry %d", gamma, k)
		}
		assert.InDelta(t, ref.Value, res.Value, 1e-8, "γ=%g", gamma)
	}
}

// TestUnbalancedSemiRelaxed: with one ρ huge the both-relaxed dual agrees
// with the semi-relaxed semi-dual; and DualLBFGS on a semi-relaxed problem
// (one side hard) agrees with it to the tolerance.
func TestUnbalancedSemiRelaxed(t *testing.T) {
	const gamma = 1.5
	semi := relaxed3x3(t, 1.6, 0.5, false)
	ref := solve(t, Solver{Gamma: gamma, Tol: 1e-13}, semi)
	require.Equal(t, ot.Converged, ref.Status)
	want := denseData(ref.Plan)

	both := unbalanced3x3(t, 1.6, 0.5, 1e10)
	res := solve(t, Solver{Gamma: gamma, Tol: 1e-13}, both)
	require.Equal(t, ot.Converged, res.Status)
	for k, v := range denseData(res.Plan) {
		assert.InDelta(t, want[k], v, 1e-8, "huge ρb, entry %d", k)
	}

	dual := solve(t, Solver{Gamma: gamma, Tol: 1e-13, Method: DualLBFGS}, semi)
	require.Equal(t, ot.Converged, dual.Status)
	for k, v := range denseData(dual.Plan) {
		assert.InDelta(t, want[k], v, 1e-12, "DualLBFGS, entry %d", k)
	}
	assert.InDelta(t, ref.Value, dual.Value, 1e-13)
	assert.InDelta(t, dual.Value, dual.DualValue, 1e-12)
	assert.LessOrEqual(t, dual.MarginalError, 1e-13*1.0)
	assert.InDelta(t, semi.MarginalError(dual.Plan), dual.MarginalError, 1e-16)
}

// TestUnbalancedScale: cost, γ and both ρ multiplied by s, the weights by
// w, give the plan multiplied by w and the values by s·w.
func TestUnbalancedScale(t *testing.T) {
	base := unbalanced3x3(t, 1.4, 0.6, 0.3)
	ref := solve(t, Solver{Gamma: 2, Tol: 1e-12}, base)
	require.Equal(t, ot.Converged, ref.Status)
	want := denseData(ref.Plan)
	for _, sc := range [][2]float64{{1e-200, 1}, {1e200, 1}, {1, 1e-150}, {1e100, 1e100}, {3, 7}} {
		s, w := sc[0], sc[1]
		d := ot.CostData(base.C)
		c := make([]float64, len(d))
		for k, v := range d {
			c[k] = v * s
		}
		scale := func(x []float64) []float64 {
			out := make([]float64, len(x))
			for k, v := range x {
				out[k] = v * w
			}
			return out
		}
		p := &ot.Problem{A: scale(base.A), B: scale(base.B), C: dense(t, 3, 3, c), RhoA: 0.6 * s, RhoB: 0.3 * s}
		res := solve(t, Solver{Gamma: 2 * s / w, Tol: 1e-12}, p)
		require.Equal(t, ot.Converged, res.Status, "s=%g w=%g", s, w)
		for k, v := range denseData(res.Plan) {
			assert.InDelta(t, want[k], v/w, 1e-11, "s=%g w=%g", s, w)
		}
		assert.InDelta(t, ref.Value, res.Value/(s*w), 1e-11*math.Abs(ref.Value), "s=%g w=%g", s, w)
		assert.InDelta(t, ref.DualValue, res.DualValue/(s*w), 1e-11*math.Abs(ref.Value), "s=%g w=%g", s, w)
		for i := range ref.F {
			assert.InDelta(t, ref.F[i], res.F[i]/s, 1e-10, "s=%g w=%g F", s, w)
			assert.InDelta(t, ref.G[i], res.G[i]/s, 1e-10, "s=%g w=%g G", s, w)
		}
	}
}

// TestUnbalancedDeterministic: bitwise identical results for any Workers
// (several chunks of rows).
func TestUnbalancedDeterministic(t *testing.T) {
	p := cloudProblem(t, 150, 110, 5)
	for j := range p.B {
		p.B[j] *= 1.4
	}
	p.RhoA, p.RhoB = 0.3, 0.8
	stress.Deterministic(t, p, func(w int) ot.Solver { return &Solver{Workers: w} })
}

// TestUnbalancedCanceled: canceled before the start, the empty plan with
// its relaxed figures; canceled during the run, the last iterate with
// figures consistent with its plan.
func TestUnbalancedCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	p := unbalanced3x3(t, 1.5, 0.7, 0.4)
	res, err := (&Solver{Gamma: 1}).Solve(ctx, p)
	require.NoError(t, err)
	require.Equal(t, ot.Canceled, res.Status)
	assert.Equal(t, 0.0, res.MarginalError)
	assert.InDelta(t, primalValue(p, 1, res.Plan), res.Value, 1e-15)
	assert.Equal(t, 0.0, res.DualValue)

	q := cloudProblem(t, 80, 70, 9)
	q.RhoA, q.RhoB = 0.2, 0.5
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	s := &Solver{Gamma: 0.05, Progress: func(it int, _ float64) {
		if it == 5 {
			cancel()
		}
	}}
	res, err = s.Solve(ctx, q)
	require.NoError(t, err)
	require.Equal(t, ot.Canceled, res.Status)
	assert.InDelta(t, primalValue(q, 0.05, res.Plan), res.Value, 1e-12*math.Abs(res.Value))
	assert.LessOrEqual(t, res.DualValue, res.Value+1e-12) // weak duality
	assert.Equal(t, 0.0, res.MarginalError)
	for _, v := range append(append([]float64{}, res.F...), res.G...) {
		assert.False(t, math.IsNaN(v) || math.IsInf(v, 0))
	}
}

// TestUnbalancedSuiteProblems: the conformance suite's problems (zero
// weights, forbidden pairs, single rows and columns, point clouds) with
// unequal masses and both sides relaxed converge, with the KKT conditions
// on the rows and columns of positive weight.
func TestUnbalancedSuiteProblems(t *testing.T) {
	for name, base := range ottest.Problems() {
		t.Run(name, func(t *testing.T) {
			p := *base
			p.B = append([]float64(nil), base.B...)
			for j := range p.B {
				p.B[j] *= 1.3
			}
			p.RhoA, p.RhoB = 0.5, 0.2
			res, err := (&Solver{Tol: 1e-11}).Solve(context.Background(), &p)
			require.NoError(t, err)
			require.Equal(t, ot.Converged, res.Status)
			assert.InDelta(t, res.Value, res.DualValue, 1e-8*math.Max(1, math.Abs(res.Value)))
			r, c := ot.Marginals(res.Plan)
			for i, a := range p.A {
				if a > 0 {
					assert.InDelta(t, a*math.Exp(-res.F[i]/p.RhoA), r[i], 1e-9, "row %d", i)
				} else {
					assert.Equal(t, 0.0, r[i])
				}
			}
			for j, b := range p.B {
				if b > 0 {
					assert.InDelta(t, b*math.Exp(-res.G[j]/p.RhoB), c[j], 1e-9, "col %d", j)
				} else {
					assert.Equal(t, 0.0, c[j])
				}
			}
		})
	}
}

// unbalancedGolden is one problem of testdata/quadratic/unbalanced_golden.json,
// written by make_unbalanced_golden.py (scipy L-BFGS-B on D_ρ polished by
// semismooth Newton to a KKT residual ≤ 1e-14).
type unbalancedGolden struct {
	Name       string    `json:"name"`
	N          int       `json:"n"`
	M          int       `json:"m"`
	Gamma      float64   `json:"gamma"`
	RhoA       float64   `json:"rho_a"`
	RhoB       float64   `json:"rho_b"`
	A          []float64 `json:"a"`
	B          []float64 `json:"b"`
	C          []float64 `json:"c"`
	Value      float64   `json:"value"`
	LinearCost float64   `json:"linear_cost"`
	Plan       []float64 `json:"plan"`
	F          []float64 `json:"f"`
	G          []float64 `json:"g"`
	NNZ        int       `json:"nnz"`
}

func TestUnbalancedGolden(t *testing.T) {
	cases := otest.LoadCases[unbalancedGolden](t, "../testdata/quadratic/unbalanced_golden.json")
	for _, gc := range cases {
		for _, meth := range []Method{Newton, DualLBFGS} {
			t.Run(gc.Name+"/"+meth.String(), func(t *testing.T) {
				p := &ot.Problem{A: gc.A, B: gc.B, C: dense(t, gc.N, gc.M, gc.C), RhoA: gc.RhoA, RhoB: gc.RhoB}
				res := solve(t, Solver{Gamma: gc.Gamma, Method: meth, Tol: 1e-13}, p)
				require.Equal(t, ot.Converged, res.Status)
				got := denseData(res.Plan)
				nnz := 0
				for k, v := range gc.Plan {
					assert.InDelta(t, v, got[k], 1e-10, "entry %d", k)
					if got[k] != 0 {
						nnz++
					}
				}
				assert.Equal(t, gc.NNZ, nnz)
				assert.InDelta(t, gc.Value, res.Value, 1e-12*math.Abs(gc.Value))
				assert.InDelta(t, gc.LinearCost, res.LinearCost, 1e-10)
				for i := range gc.F {
					assert.InDelta(t, gc.F[i], res.F[i], 1e-9, "F[%d]", i)
				}
				for j := range gc.G {
					assert.InDelta(t, gc.G[j], res.G[j], 1e-9, "G[%d]", j)
				}
			})
		}
	}
}

// TestUnbalancedWarmStart: Init from a solution converges at once to the
// same plan.
func TestUnbalancedWarmStart(t *testing.T) {
	p := unbalanced3x3(t, 1.3, 0.4, 0.9)
	ref := solve(t, Solver{Gamma: 1, Tol: 1e-12}, p)
	require.Equal(t, ot.Converged, ref.Status)
	res := solve(t, Solver{Gamma: 1, Tol: 1e-12, Init: &ot.Potentials{F: ref.F, G: ref.G}}, p)
	require.Equal(t, ot.Converged, res.Status)
	assert.LessOrEqual(t, res.Iterations, 1)
	want := denseData(ref.Plan)
	for k, v := range denseData(res.Plan) {
		assert.InDelta(t, want[k], v, 1e-12, "entry %d", k)
	}
}
