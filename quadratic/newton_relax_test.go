package quadratic

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otkit/otkit/ot"
)

// TestRelaxedNewtonHessian: the gradient of D_ρ matches central finite
// differences of its value, and the Newton matrix (σ-blocks plus the
// conjugates' diagonal γ w e^{−x/ρ}/ρ) matches −γ times central finite
// differences of the gradient, at points where no entry is near the
// boundary of the active set (D_ρ is C² there).
func TestRelaxedNewtonHessian(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for _, rho := range [][2]float64{{0.3, 2}, {1e-2, 5e-3}, {0.7, math.Inf(1)}, {math.Inf(1), 0.05}} {
		t.Run(fmt.Sprint(rho), func(t *testing.T) {
			n, m := 6, 5
			c := make([]float64, n*m)
			for k := range c {
				c[k] = r.Float64()
			}
			a, b := make([]float64, n), make([]float64, m)
			for i := range a {
				a[i] = 0.1 + r.Float64()
			}
			for j := range b {
				b[j] = 0.1 + 2*r.Float64()
			}
			const gamma = 0.7
			in := &instance{n: n, m: m, a: a, b: b, c: c, gamma: gamma, mass: 1, workers: 1}
			nt := newNewton(newDualObjective(in))
			nt.rhoA, nt.rhoB, nt.relaxed = rho[0], rho[1], true
			x := make([]float64, n+m)
			const h = 1e-6
			for {
				for k := range x {
					x[k] = 0.6 * r.Float64()
				}
				near := false
				for i := 0; i < n; i++ {
					for j := 0; j < m; j++ {
						near = near || math.Abs(x[i]+x[n+j]-c[i*m+j]) < 1e3*h
					}
				}
				if !near {
					break
				}
			}
			grad := make([]float64, n+m)
			nt.eval(x, grad)
			nt.ptr, nt.idx = nt.obj.activeSet(x, nil, nil)
			require.True(t, nt.setActive())
			nt.addConjugateCurvature(x, gamma)
			nt.shift = 0
			gp, gm := make([]float64, n+m), make([]float64, n+m)
			xp, xm := make([]float64, n+m), make([]float64, n+m)
			for k := range x {
				copy(xp, x)
				copy(xm, x)
				xp[k] += h
				xm[k] -= h
				vp, vm := nt.eval(xp, gp), nt.eval(xm, gm)
				assert.InDelta(t, (vp-vm)/(2*h), grad[k], 1e-6*(1+math.Abs(grad[k])), "∂D/∂x[%d]", k)
				// Column k of H = −γ ∂∇D/∂x_k, against hessMul of e_k.
				e := make([]float64, n+m)
				e[k] = 1
				hk := make([]float64, n+m)
				relaxedHessMul(nt, e, hk)
				for q := range hk {
					fd := -gamma * (gp[q] - gm[q]) / (2 * h)
					assert.InDelta(t, fd, hk[q], 1e-5*(1+math.Abs(fd)), "H[%d,%d]", q, k)
				}
			}
			// The CG solves this system (with a small shift where a hard
			// side's empty row or column makes H singular).
			nt.shift = 1e-3
			rhs := make([]float64, n+m)
			for k := range rhs {
				rhs[k] = r.NormFloat64()
			}
			nt.direction(rhs, 1e-10)
			hd := make([]float64, n+m)
			relaxedHessMul(nt, nt.d, hd)
			for k := range hd {
				assert.InDelta(t, rhs[k], hd[k], 1e-7*(1+math.Abs(rhs[k])), "H d = rhs, entry %d", k)
			}
		})
	}
}

// relaxedHessMul sets out = H·v, H = [[diag(rowCnt) + s, σ], [σᵀ,
// diag(colCnt) + s]], entry by entry from the active set (rowCnt, colCnt
// hold σ1, σᵀ1 plus the conjugates' curvature).
func relaxedHessMul(nt *newton, v, out []float64) {
	n := nt.n
	for i := 0; i < n; i++ {
		out[i] = (nt.rowCnt[i] + nt.shift) * v[i]
	}
	for j := 0; j < nt.m; j++ {
		out[n+j] = (nt.colCnt[j] + nt.shift) * v[n+j]
	}
	for i := 0; i < n; i++ {
		for _, j := range nt.idx[nt.ptr[i]:nt.ptr[i+1]] {
			out[i] += v[n+int(j)]
			out[n+int(j)] += v[i]
		}
	}
}

// TestRelaxedNewtonSmallRho: both sides relaxed with ρ from 1e-4 to 100
// and γ default or small, Newton converges (where DualLBFGS stalls for
// the small ρ), satisfies the KKT conditions of D_ρ, and agrees with
// DualLBFGS where that converges.
func TestRelaxedNewtonSmallRho(t *testing.T) {
	p0 := cloudProblem(t, 60, 50, 21)
	for j := range p0.B {
		p0.B[j] *= 1.6
	}
	for _, rho := range []float64{1e-4, 1e-3, 1e-2, 1, 100} {
		for _, gamma := range []float64{0, 0.01} {
			t.Run(fmt.Sprintf("ρ=%g/γ=%g", rho, gamma), func(t *testing.T) {
				p := *p0
				p.RhoA, p.RhoB = rho, 2*rho
				res := solve(t, Solver{Gamma: gamma, Tol: 1e-10}, &p)
				require.Equal(t, ot.Converged, res.Status, "after %d iterations", res.Iterations)
				g := gamma
				if g == 0 {
					g = DefaultGammaFactor * 1 * 60 / (1 + 1.6) // range(C) = 1 after normalization
					// the default γ is the solver's: recover it from the plan.
					g = gammaFromPlan(t, &p, res)
				}
				pl := denseData(res.Plan)
				c := ot.CostData(p.C)
				for i := 0; i < 60; i++ {
					for j := 0; j < 50; j++ {
						want := math.Max(res.F[i]+res.G[j]-c[i*50+j], 0) / g
						assert.InDelta(t, want, pl[i*50+j], 1e-9, "T[%d,%d]", i, j)
					}
				}
				r, col := ot.Marginals(res.Plan)
				var kkt float64
				for i := range r {
					kkt += math.Abs(p.A[i]*math.Exp(-res.F[i]/p.RhoA) - r[i])
				}
				for j := range col {
					kkt += math.Abs(p.B[j]*math.Exp(-res.G[j]/p.RhoB) - col[j])
				}
				assert.LessOrEqual(t, kkt, 1e-9*(1+1.6))
				assert.InDelta(t, res.Value, res.DualValue, 1e-7*math.Abs(res.Value))
				ref := solve(t, Solver{Gamma: gamma, Tol: 1e-10, Method: DualLBFGS, MaxIter: 5000}, &p)
				if ref.Status != ot.Converged {
					return
				}
				want := denseData(ref.Plan)
				for k, v := range pl {
					assert.InDelta(t, want[k], v, 1e-6*(1+math.Abs(want[k])), "entry %d", k)
				}
				assert.InDelta(t, ref.Value, res.Value, 1e-8*math.Abs(ref.Value))
			})
		}
	}
}

// gammaFromPlan returns the γ of a solved problem from an active entry:
// T_ij = (F_i + G_j − C_ij)/γ.
func gammaFromPlan(t *testing.T, p *ot.Problem, res *ot.Result) float64 {
	sp := res.Plan.(*ot.SparsePlan)
	c := ot.CostData(p.C)
	best, g := 0.0, 0.0
	for i := 0; i < sp.N; i++ {
		for q := sp.RowPtr[i]; q < sp.RowPtr[i+1]; q++ {
			j := sp.ColIdx[q]
			if v := sp.Val[q]; v > best {
				best, g = v, (res.F[i]+res.G[j]-c[i*sp.M+j])/v
			}
		}
	}
	require.Greater(t, best, 0.0)
	return g
}

// TestRelaxedNewtonTable prints the iterations and times of Newton and
// DualLBFGS on both-sides-relaxed point clouds (docs/quadratic.md §11.2's
// table); it runs only with OTKIT_RELAX_TABLE=1.
func TestRelaxedNewtonTable(t *testing.T) {
	if os.Getenv("OTKIT_RELAX_TABLE") == "" {
		t.Skip("set OTKIT_RELAX_TABLE=1")
	}
	sizes := []int{50, 200, 1000}
	fmt.Println("| n | ρ | γ | DualLBFGS it | status | time | Newton it | status | time |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|")
	for _, n := range sizes {
		p0 := cloudProblem(t, n, n, 31)
		for j := range p0.B {
			p0.B[j] *= 1.5
		}
		for _, rho := range []float64{1e-4, 1e-3, 1e-2, 1, 100} {
			for _, gamma := range []float64{0, 0.01} {
				p := *p0
				p.RhoA, p.RhoB = rho, rho
				row := fmt.Sprintf("| %d | %g | %s |", n, rho, map[bool]string{true: "default", false: "0.01"}[gamma == 0])
				for _, meth := range []Method{DualLBFGS, Newton} {
					t0 := time.Now()
					res := solve(t, Solver{Gamma: gamma, Method: meth}, &p)
					row += fmt.Sprintf(" %d | %v | %.3g s |", res.Iterations, res.Status, time.Since(t0).Seconds())
				}
				fmt.Println(row)
			}
		}
	}
}
