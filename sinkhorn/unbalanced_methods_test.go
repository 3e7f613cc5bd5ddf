package sinkhorn

import (
	"context"
	"fmt"
	"math"
	"testing"

	"gonum.org/v1/gonum/floats"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otkit/otkit/internal/stress"
	"github.com/otkit/otkit/ot"
	"github.com/otkit/otkit/ot/ottest"
)

// relaxedCase is a relaxed problem family for the method tests: a random
// problem whose column weights are multiplied by massB.
type relaxedCase struct {
	name       string
	n, m       int
	eps        float64
	rhoA, rhoB float64
	massB      float64
}

func (rc relaxedCase) problem(seed uint64) *ot.Problem {
	p := randomProblem(rc.n, rc.m, seed)
	for j := range p.B {
		p.B[j] *= rc.massB
	}
	p.RhoA, p.RhoB = rc.rhoA, rc.rhoB
	return p
}

var relaxedCases = []relaxedCase{
	{"both", 9, 7, 0.05, 0.5, 0.5, 1.6},
	{"rowsHard", 8, 6, 0.05, 0, 2, 1.4},
	{"colsHard", 6, 8, 0.05, 3, math.Inf(1), 0.7},
	{"asymmetric", 10, 7, 0.02, 0.1, 5, 2},
	// ρ ≫ ε with unequal masses: plain unbalanced Sinkhorn moves the mass
	// at a rate near τ² per sweep (about 20 000 sweeps here); the
	// translation step makes it converge like a balanced solve.
	{"rhoLarge", 12, 10, 0.05, 100, 100, 1.5},
	{"rhoLargeRowsHard", 12, 10, 0.05, 0, 100, 0.5},
}

// TestUnbalancedMethodsAgree: every method (and ε-scaling) converges to
// the LogDomain solution, within a few hundred sweeps even for ρ/ε = 1e4.
func TestUnbalancedMethodsAgree(t *testing.T) {
	for _, rc := range relaxedCases {
		p := rc.problem(3)
		ref, err := (&Solver{Eps: rc.eps, Tol: 1e-12, Method: LogDomain}).Solve(context.Background(), p)
		require.NoError(t, err)
		require.Equal(t, ot.Converged, ref.Status, rc.name)
		want := ot.DenseCopy(ref.Plan)
		for _, meth := range unbalancedMethods {
			t.Run(rc.name+"/"+meth.name, func(t *testing.T) {
				s := meth.s
				s.Eps, s.Tol, s.MaxIter = rc.eps, 1e-12, 1000
				res, err := s.Solve(context.Background(), p)
				require.NoError(t, err)
				require.Equal(t, ot.Converged, res.Status)
				got := ot.DenseCopy(res.Plan)
				for i := 0; i < rc.n; i++ {
					for j := 0; j < rc.m; j++ {
						assert.InDelta(t, want.At(i, j), got.At(i, j), 1e-10)
					}
				}
				assert.InDelta(t, ref.Value, res.Value, 1e-10*math.Abs(ref.Value))
				assert.InDelta(t, res.Value, res.DualValue, 1e-10*math.Abs(res.Value))
				assert.InDelta(t, p.MarginalError(res.Plan), res.MarginalError, 1e-12)
			})
		}
	}
}

// TestUnbalancedKKT checks the optimality conditions at the returned
// potentials: P = exp((F ⊕ G − C)/ε) with, on a relaxed side,
// r_i = a_i e^{−(F_i − ε log a_i)/ρ_a} (the derivative of the dual in F_i),
// and r = a on a hard one; likewise for the columns.
func TestUnbalancedKKT(t *testing.T) {
	for _, rc := range relaxedCases {
		for _, meth := range unbalancedMethods[1:4] {
			t.Run(rc.name+"/"+meth.name, func(t *testing.T) {
				p := rc.problem(5)
				s := meth.s
				s.Eps, s.Tol = rc.eps, 1e-12
				res, err := s.Solve(context.Background(), p)
				require.NoError(t, err)
				require.Equal(t, ot.Converged, res.Status)
				r, c := planSumsOf(res.Plan)
				want := func(w, x []float64, rho float64) []float64 {
					out := make([]float64, len(w))
					for k := range w {
						out[k] = w[k]
						if rho > 0 && !math.IsInf(rho, 1) {
							out[k] *= math.Exp(-(x[k] - rc.eps*math.Log(w[k])) / rho)
						}
					}
					return out
				}
				wr, wc := want(p.A, res.F, rc.rhoA), want(p.B, res.G, rc.rhoB)
				for i := range r {
					assert.InDelta(t, wr[i], r[i], 1e-10*p.A[i]+1e-13, "row %d", i)
				}
				for j := range c {
					assert.InDelta(t, wc[j], c[j], 1e-10*p.B[j]+1e-13, "column %d", j)
				}
			})
		}
	}
}

// TestUnbalancedDeterministic: results are bitwise identical for any
// number of workers, for every method.
func TestUnbalancedDeterministic(t *testing.T) {
	rc := relaxedCase{"both", 70, 40, 0.02, 0.5, 2, 1.3}
	for _, meth := range unbalancedMethods {
		t.Run(meth.name, func(t *testing.T) {
			stress.Deterministic(t, rc.problem(9), func(w int) ot.Solver {
				s := meth.s
				s.Eps, s.Workers = rc.eps, w
				return &s
			})
		})
	}
}

// TestUnbalancedSuiteProblems: the conformance suite's problems (zero
// weights, forbidden pairs, single rows and columns, point clouds) with
// unequal masses and relaxed marginals: every method converges to the
// LogDomain plan.
func TestUnbalancedSuiteProblems(t *testing.T) {
	for name, base := range ottest.Problems() {
		for _, rho := range [][2]float64{{0.5, 0.5}, {0, 2}, {3, 0}} {
			p := *base
			p.B = append([]float64(nil), base.B...)
			for j := range p.B {
				p.B[j] *= 1.3
			}
			p.RhoA, p.RhoB = rho[0], rho[1]
			s := Solver{Eps: 0.1, Tol: 1e-11, Method: LogDomain}
			ref, err := s.Solve(context.Background(), &p)
			require.NoError(t, err, name)
			require.Equal(t, ot.Converged, ref.Status, name)
			want := ot.DenseCopy(ref.Plan)
			n, m := p.Dims()
			for _, meth := range unbalancedMethods {
				t.Run(fmt.Sprintf("%s/%v/%s", name, rho, meth.name), func(t *testing.T) {
					s := meth.s
					s.Eps, s.Tol = 0.1, 1e-11
					res, err := s.Solve(context.Background(), &p)
					require.NoError(t, err)
					require.Equal(t, ot.Converged, res.Status)
					got := ot.DenseCopy(res.Plan)
					for i := 0; i < n; i++ {
						for j := 0; j < m; j++ {
							assert.InDelta(t, want.At(i, j), got.At(i, j), 1e-9)
						}
					}
					for _, v := range []float64{res.Value, res.DualValue, res.LinearCost, res.MarginalError} {
						assert.False(t, math.IsNaN(v) || math.IsInf(v, 0))
					}
					assert.InDelta(t, res.Value, res.DualValue, 1e-9*math.Max(1, math.Abs(res.Value)))
				})
			}
		}
	}
}

// TestUnbalancedDeadRow: a row of a relaxed side whose costs are all +Inf
// sends nothing and pays ρ_a a_i + ε a_i Σb: every method returns the plan
// of the problem without that row (row 0 in the plan), its Value and
// DualValue plus that term, and finite potentials; also with the columns
// hard, and with every cost +Inf.
func TestUnbalancedDeadRow(t *testing.T) {
	const dead = 2
	for _, rhoB := range []float64{1, 0} {
		p := randomProblem(12, 10, 5)
		c := p.C.(*ot.DenseCost)
		for j := 0; j < 10; j++ {
			c.Data[dead*10+j] = math.Inf(1)
		}
		for j := range p.B {
			p.B[j] *= 1.5
		}
		p.RhoA, p.RhoB = 1, rhoB
		// The reference: the problem with the dead row's weight set to 0.
		q := *p
		q.A = append([]float64(nil), p.A...)
		q.A[dead] = 0
		const eps = 0.05
		ref, err := (&Solver{Eps: eps, Tol: 1e-12, Method: LogDomain}).Solve(context.Background(), &q)
		require.NoError(t, err)
		require.Equal(t, ot.Converged, ref.Status)
		want := ot.DenseCopy(ref.Plan)
		extra := p.RhoA*p.A[dead] + eps*p.A[dead]*floats.Sum(p.B)
		for _, meth := range unbalancedMethods {
			t.Run(fmt.Sprintf("rhoB=%g/%s", rhoB, meth.name), func(t *testing.T) {
				s := meth.s
				s.Eps, s.Tol = eps, 1e-11
				res, err := s.Solve(context.Background(), p)
				require.NoError(t, err)
				require.Equal(t, ot.Converged, res.Status)
				got := ot.DenseCopy(res.Plan)
				for i := 0; i < 12; i++ {
					for j := 0; j < 10; j++ {
						assert.InDelta(t, want.At(i, j), got.At(i, j), 1e-9)
					}
				}
				assert.InDelta(t, ref.Value+extra, res.Value, 1e-9)
				assert.InDelta(t, ref.Value+extra, res.DualValue, 1e-9)
				for _, v := range append(append([]float64{res.LinearCost, res.MarginalError}, res.F...), res.G...) {
					assert.False(t, math.IsNaN(v) || math.IsInf(v, 0))
				}
			})
		}
	}
	t.Run("allForbidden", func(t *testing.T) {
		p := randomProblem(3, 4, 1)
		c := p.C.(*ot.DenseCost)
		for i := 0; i < 3; i++ {
			for j := 0; j < 4; j++ {
				c.Data[i*4+j] = math.Inf(1)
			}
		}
		p.RhoA, p.RhoB = 2, 3
		res, err := (&Solver{Eps: 0.5}).Solve(context.Background(), p)
		require.NoError(t, err)
		require.Equal(t, ot.Converged, res.Status)
		want := 2*floats.Sum(p.A) + 3*floats.Sum(p.B) + 0.5*floats.Sum(p.A)*floats.Sum(p.B)
		assert.InDelta(t, want, res.Value, 1e-12)
		assert.InDelta(t, want, res.DualValue, 1e-12)
	})
}

// TestUnbalancedTinyMassA: with Σa = 1e-12 and Σb = 1.5 the tolerance is
// relative to the hard side's mass, max(Σa, Σb) when both are relaxed
// (with the rows relaxed the plan's rounding is at Σb·2^−52, far above
// Tol·Σa): every method converges, and the hard side's MarginalError is
// within Tol times its mass.
func TestUnbalancedTinyMassA(t *testing.T) {
	for _, rho := range [][2]float64{{1, 0}, {1, 1}, {0, 1}} {
		p := randomProblem(12, 10, 7)
		floats.Scale(1e-12, p.A)
		floats.Scale(1.5, p.B)
		p.RhoA, p.RhoB = rho[0], rho[1]
		ref := 1.5
		if rho[0] == 0 {
			ref = 1e-12
		}
		rhoB := rho
		for _, meth := range unbalancedMethods {
			t.Run(fmt.Sprintf("rho=%g/%s", rhoB, meth.name), func(t *testing.T) {
				s := meth.s
				s.Eps, s.MaxIter = 0.05, 3000
				res, err := s.Solve(context.Background(), p)
				require.NoError(t, err)
				require.Equal(t, ot.Converged, res.Status)
				assert.LessOrEqual(t, res.MarginalError, 1e-9*ref)
			})
		}
	}
}

// TestUnbalancedTinyRhoMethods: with ρ ≤ 1e-19·ε, explicit Stabilized and
// Sparse run LogDomain (their absorbed potentials' rounding divided by ρ
// made DualValue −2e100 at a Value of 0.07).
func TestUnbalancedTinyRhoMethods(t *testing.T) {
	p := randomProblem(12, 10, 3)
	floats.Scale(1.5, p.B)
	p.RhoA, p.RhoB = 1e-21, 1e-21
	for _, meth := range unbalancedMethods {
		t.Run(meth.name, func(t *testing.T) {
			s := meth.s
			s.Eps = 0.05
			res, st, err := s.SolveStats(context.Background(), p)
			require.NoError(t, err)
			require.Equal(t, ot.Converged, res.Status)
			assert.Equal(t, LogDomain, st.Method)
			assert.InDelta(t, res.Value, res.DualValue, 1e-12*math.Max(1, math.Abs(res.Value)))
		})
	}
}

// TestUnbalancedCancelRollback: LogDomain canceled inside the f-pass of a
// sweep of a relaxed problem rolls back that sweep's g-update and its
// translation step, so the returned plan is the one its figures describe.
func TestUnbalancedCancelRollback(t *testing.T) {
	base := randomCloud(t, 300, 200, 2, 41)
	dc := &ot.DenseCost{N: 300, M: 200, Data: ot.CostData(base.C)}
	b := floats.ScaleTo(make([]float64, 200), 1.5, base.B)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	defer func(v int) { trackEntries = v }(trackEntries)
	trackEntries = 0
	cc := &cancelingCost{Cost: dc, at: 150, pass: 6, cancel: cancel}
	p := &ot.Problem{A: base.A, B: b, C: cc, RhoA: 1, RhoB: 1}
	res, err := (&Solver{Eps: 1, Method: LogDomain}).Solve(ctx, p)
	require.NoError(t, err)
	require.Equal(t, ot.Canceled, res.Status)
	require.Equal(t, 2, res.Iterations)
	plan := ot.DenseCopy(res.Plan).RawMatrix().Data
	lin := floats.Dot(plan, dc.Data)
	assert.InDelta(t, lin, res.LinearCost, 1e-12*math.Max(1, lin))
}

// TestUnbalancedRelaxTranslation: the translation step also follows
// over-relaxed updates: Relax 1.3 at ρ = 100 ≫ ε with Σb = 1.5 Σa
// converges in a few hundred sweeps (12 000 when the step was skipped),
// and Auto's adaptive ω as fast as plain sweeps for every seed.
func TestUnbalancedRelaxTranslation(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		p := randomProblem(40, 30, seed)
		floats.Scale(1.5, p.B)
		p.RhoA, p.RhoB = 100, 100
		for _, s := range []Solver{{Method: Stabilized, Relax: 1.3}, {Method: LogDomain, Relax: 1.3}, {}} {
			s.Eps, s.MaxIter = 0.01, 1000
			res, err := s.Solve(context.Background(), p)
			require.NoError(t, err)
			require.Equal(t, ot.Converged, res.Status, "seed %d, %v ω=%g", seed, s.Method, s.Relax)
			assert.LessOrEqual(t, res.Iterations, 600, "seed %d, %v ω=%g", seed, s.Method, s.Relax)
		}
	}
}
