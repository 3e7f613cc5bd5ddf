package quadratic

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otkit/otkit/internal/stress"
	"github.com/otkit/otkit/ot"
	"github.com/otkit/otkit/ot/ottest"
)

// relaxed3x3 is the §9.3 problem with b scaled by mb and the rows (or, with
// cols set, the columns) relaxed with strength rho.
func relaxed3x3(t testing.TB, mb, rho float64, cols bool) *ot.Problem {
	p := problem3x3(t)
	b := append([]float64(nil), p.B...)
	for j := range b {
		b[j] *= mb
	}
	q := &ot.Problem{A: p.A, B: b, C: p.C, RhoA: rho}
	if cols {
		// The transposed problem: b relaxed, a hard.
		q = &ot.Problem{A: b, B: p.A, C: ot.Transpose(p.C), RhoB: rho}
	}
	return q
}

// TestRelaxedKKT: at the solution the columns are exact and the rows obey
// r_i = a_i e^{−F_i/ρ} (∇S_ρ = 0), with strong duality.
func TestRelaxedKKT(t *testing.T) {
	for _, meth := range []Method{Newton, SemiDualLBFGS} {
		for _, rho := range []float64{0.05, 0.5, 5} {
			p := relaxed3x3(t, 1.7, rho, false)
			res, err := (&Solver{Gamma: 2, Method: meth, Tol: 1e-12}).Solve(context.Background(), p)
			require.NoError(t, err)
			require.Equal(t, ot.Converged, res.Status, "ρ=%g", rho)
			r, c := ot.Marginals(res.Plan)
			for j := range c {
				assert.InDelta(t, p.B[j], c[j], 1e-12)
			}
			for i := range r {
				assert.InDelta(t, p.A[i]*math.Exp(-res.F[i]/rho), r[i], 1e-10, "ρ=%g row %d", rho, i)
			}
			assert.InDelta(t, res.Value, res.DualValue, 1e-10*math.Abs(res.Value))
			assert.LessOrEqual(t, res.MarginalError, 1e-12)
			assert.InDelta(t, p.MarginalError(res.Plan), res.MarginalError, 1e-15)
		}
	}
}

// TestRelaxedBruteForce: a 2×2 problem (columns hard, so T has two free
// entries x = T_00, y = T_01) against nested ternary search on the convex
// primal.
func TestRelaxedBruteForce(t *testing.T) {
	a, b := []float64{0.3, 0.7}, []float64{0.6, 0.9}
	c := []float64{0, 1, 2, 0.5}
	const gamma, rho = 0.8, 0.4
	obj := func(x, y float64) float64 {
		T := []float64{x, y, b[0] - x, b[1] - y}
		var v float64
		for k, tk := range T {
			v += tk*c[k] + gamma/2*tk*tk
		}
		return v + rho*klDiv([]float64{x + y, b[0] + b[1] - x - y}, a)
	}
	ternary := func(lo, hi float64, f func(float64) float64) float64 {
		for k := 0; k < 200; k++ {
			m1, m2 := lo+(hi-lo)/3, hi-(hi-lo)/3
			if f(m1) < f(m2) {
				hi = m2
			} else {
				lo = m1
			}
		}
		return (lo + hi) / 2
	}
	bestY := func(x float64) float64 { return ternary(0, b[1], func(y float64) float64 { return obj(x, y) }) }
	x := ternary(0, b[0], func(x float64) float64 { return obj(x, bestY(x)) })
	y := bestY(x)
	p := &ot.Problem{A: a, B: b, C: dense(t, 2, 2, c), RhoA: rho}
	res, err := (&Solver{Gamma: gamma, Tol: 1e-13}).Solve(context.Background(), p)
	require.NoError(t, err)
	require.Equal(t, ot.Converged, res.Status)
	got := denseData(res.Plan)
	assert.InDeltaSlice(t, []float64{x, y, b[0] - x, b[1] - y}, got, 1e-8)
	assert.InDelta(t, obj(x, y), res.Value, 1e-12)
}

// TestRelaxedLargeRho: ρ → ∞ recovers the balanced solution (equal masses).
func TestRelaxedLargeRho(t *testing.T) {
	for _, gamma := range []float64{1, 10} {
		bal := problem3x3(t)
		want, err := (&Solver{Gamma: gamma, Tol: 1e-12}).Solve(context.Background(), bal)
		require.NoError(t, err)
		for _, cols := range []bool{false, true} {
			p := relaxed3x3(t, 1, 1e12, cols)
			res, err := (&Solver{Gamma: gamma, Tol: 1e-12}).Solve(context.Background(), p)
			require.NoError(t, err)
			require.Equal(t, ot.Converged, res.Status)
			w := denseData(want.Plan)
			if cols {
				w = denseData(transposePlan(want.Plan))
			}
			assert.InDeltaSlice(t, w, denseData(res.Plan), 1e-8, "γ=%g cols=%v", gamma, cols)
			assert.InDelta(t, want.Value, res.Value, 1e-8)
		}
	}
}

// TestRelaxedTranspose: relaxing the columns is relaxing the rows of the
// transposed problem.
func TestRelaxedTranspose(t *testing.T) {
	rows := relaxed3x3(t, 0.6, 0.3, false)
	cols := &ot.Problem{A: rows.B, B: rows.A, C: ot.Transpose(rows.C), RhoB: rows.RhoA}
	s := &Solver{Gamma: 1, Tol: 1e-12}
	r1, err := s.Solve(context.Background(), rows)
	require.NoError(t, err)
	r2, err := s.Solve(context.Background(), cols)
	require.NoError(t, err)
	assert.InDeltaSlice(t, denseData(r1.Plan), denseData(transposePlan(r2.Plan)), 1e-14)
	assert.InDeltaSlice(t, r1.F, r2.G, 1e-14)
	assert.InDelta(t, r1.Value, r2.Value, 1e-15)
}

// TestRelaxedDeterministic: bitwise identical results for any Workers.
func TestRelaxedDeterministic(t *testing.T) {
	p := cloudProblem(t, 60, 45, 3)
	for j := range p.B {
		p.B[j] *= 1.4
	}
	p.RhoB = 0.5
	stress.Deterministic(t, p, func(w int) ot.Solver { return &Solver{Workers: w} })
}

// TestRelaxedCanceled: a canceled solve returns the empty plan with the
// relaxed figures.
func TestRelaxedCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, cols := range []bool{false, true} {
		p := relaxed3x3(t, 1.5, 0.7, cols)
		res, err := (&Solver{Gamma: 1}).Solve(ctx, p)
		require.NoError(t, err)
		require.Equal(t, ot.Canceled, res.Status)
		assert.InDelta(t, p.MarginalError(res.Plan), res.MarginalError, 1e-15)
		r, c := ot.Marginals(res.Plan)
		want := 0.7 * klDiv(r, p.A)
		if cols {
			want = 0.7 * klDiv(c, p.B)
		}
		assert.InDelta(t, want, res.Value, 1e-15)
		assert.Equal(t, 0.0, res.DualValue)
	}
}

// TestRelaxedScale: cost, γ and ρ multiplied by s, and the weights by w,
// give the plan multiplied by w (γ per unit of mass: γ·s/w).
func TestRelaxedScale(t *testing.T) {
	base := relaxed3x3(t, 1.4, 0.6, false)
	ref, err := (&Solver{Gamma: 2, Tol: 1e-12}).Solve(context.Background(), base)
	require.NoError(t, err)
	want := denseData(ref.Plan)
	for _, sc := range [][2]float64{{1e-200, 1}, {1e200, 1}, {1, 1e-150}, {1e100, 1e100}} {
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
		p := &ot.Problem{A: scale(base.A), B: scale(base.B), C: dense(t, 3, 3, c), RhoA: 0.6 * s}
		res, err := (&Solver{Gamma: 2 * s / w, Tol: 1e-12}).Solve(context.Background(), p)
		require.NoError(t, err)
		require.Equal(t, ot.Converged, res.Status, "s=%g w=%g", s, w)
		got := denseData(res.Plan)
		for k := range got {
			assert.InDelta(t, want[k], got[k]/w, 1e-12, "s=%g w=%g", s, w)
		}
		assert.InDelta(t, ref.Value, res.Value/(s*w), 1e-12*math.Abs(ref.Value), "s=%g w=%g", s, w)
	}
}

// TestRelaxedSuiteProblems: the conformance suite's problems (zero
// weights, forbidden pairs, single rows and columns, point clouds) with
// unequal masses and one relaxed side converge, with the KKT conditions on
// the rows of positive weight.
func TestRelaxedSuiteProblems(t *testing.T) {
	for name, base := range ottest.Problems() {
		for _, cols := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/cols=%v", name, cols), func(t *testing.T) {
				p := *base
				p.B = append([]float64(nil), base.B...)
				for j := range p.B {
					p.B[j] *= 1.3
				}
				const rho = 0.5
				if cols {
					p.RhoB = rho
				} else {
					p.RhoA = rho
				}
				res, err := (&Solver{Tol: 1e-11}).Solve(context.Background(), &p)
				require.NoError(t, err)
				require.Equal(t, ot.Converged, res.Status)
				assert.InDelta(t, res.Value, res.DualValue, 1e-8*math.Max(1, math.Abs(res.Value)))
				r, c := ot.Marginals(res.Plan)
				w, x, hard, hw := p.A, res.F, c, p.B
				if cols {
					w, x, hard, hw = p.B, res.G, r, p.A
				}
				for k := range hard {
					assert.InDelta(t, hw[k], hard[k], 1e-10)
				}
				got := r
				if cols {
					got = c
				}
				for k := range w {
					if w[k] > 0 {
						assert.InDelta(t, w[k]*math.Exp(-x[k]/rho), got[k], 1e-9, "k=%d", k)
					}
				}
			})
		}
	}
}
