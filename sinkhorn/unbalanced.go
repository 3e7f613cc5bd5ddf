package sinkhorn

import (
	"math"

	"gonum.org/v1/gonum/floats"

	"github.com/otkit/otkit/ot"
)

// Unbalanced (relaxed) marginals, docs/sinkhorn.md and the package doc.
//
// With P_ij = exp((f_i + g_j − C_ij)/ε) and the objective
// <P, C> + ε KL(P ‖ a⊗b) + ρ_a KL(P1 ‖ a) + ρ_b KL(Pᵀ1 ‖ b), the first-order
// condition in P gives f_i = ε log a_i − ρ_a log(r_i/a_i) (r = P1), and with
// log r_i = f_i/ε + L_i, L_i = LSE_j((g_j − C_ij)/ε), the exact f-update is
//
//	f_i ← ε log a_i − τ_a ε L_i,  τ_a = ρ_a/(ρ_a + ε),
//
// written as a step from the current f_i (log r_i = lr):
//
//	f_i ← f_i + τ_a ε (log a_i − lr) + (1 − τ_a)(ε log a_i − f_i),
//
// and symmetrically for g. A hard side has τ = 1, the balanced update. The
// solver stops when the plan mass that the next updates would move,
// Σ_i r_i |e^{δ_i/ε} − 1| + Σ_j c_j |e^{δ_j/ε} − 1| (δ the steps), is at most
// Tol·M; for a hard side the term is the usual |r_i − a_i|.

// tau is ρ/(ρ+ε), 1 for a hard side (ρ = +Inf).
func tau(rho, eps float64) float64 {
	if math.IsInf(rho, 1) {
		return 1
	}
	return rho / (rho + eps)
}

// relaxedStep is the change of a potential x of a relaxed side with log
// weight lw, given the log of its current plan marginal lr, at ε with
// strength ρ (before over-relaxation).
func relaxedStep(x, lw, lr, eps, rho float64) float64 {
	t := tau(rho, eps)
	return t*eps*(lw-lr) + (1-t)*(eps*lw-x)
}

// resA is row i's term of the stopping residual at f_i = fi with row sum
// ri: |ri − a_i| for a hard side, and for a relaxed one the change
// ri·|e^{δ/ε} − 1| of the row sum that the next f-update (a step δ) would
// make, which is |ri − a_i| too when ρ = ∞ and stays well conditioned for
// any ρ (a target a_i e^{(ε log a_i − f_i)/ρ} would not be for ρ ≪ ε).
func (s *state) resA(i int, fi, ri, eps float64) float64 {
	if math.IsInf(s.rhoA, 1) {
		return math.Abs(ri - s.a[i])
	}
	return stepChange(ri, relaxedStep(fi, s.loga[i], math.Log(ri), eps, s.rhoA), eps)
}

// resB is resA for column j.
func (s *state) resB(j int, gj, cj, eps float64) float64 {
	if math.IsInf(s.rhoB, 1) {
		return math.Abs(cj - s.b[j])
	}
	return stepChange(cj, relaxedStep(gj, s.logb[j], math.Log(cj), eps, s.rhoB), eps)
}

// stepChange is x·|e^{δ/ε} − 1|, finite (capped at MaxFloat64), 0 for x = 0.
func stepChange(x, delta, eps float64) float64 {
	if x == 0 {
		return 0
	}
	return math.Min(x*math.Abs(math.Expm1(math.Min(delta/eps, 700))), math.MaxFloat64)
}

// residual is the stopping residual Σ resA + Σ resB of the plan sums r, c
// at the current potentials (the marginal error for a balanced problem).
func (s *state) residual(r, c []float64, eps float64) float64 {
	if !s.relaxed {
		return marginalError(r, c, s.a, s.b)
	}
	var e float64
	for i, v := range r {
		e += s.resA(i, s.f[i], v, eps)
	}
	for j, v := range c {
		e += s.resB(j, s.g[j], v, eps)
	}
	return e
}

// klDiv is the generalized Kullback–Leibler divergence Σ x log(x/y) − x + y
// (y > 0).
func klDiv(x, y []float64) float64 {
	var d float64
	for k, v := range x {
		if v > 0 {
			d += y[k] * klTerm((v-y[k])/y[k])
		} else {
			d += y[k]
		}
	}
	return d
}

// klTerm is (1+d) log(1+d) − d, accurate near d = 0 (where a large ρ
// multiplies it).
func klTerm(d float64) float64 {
	if d <= -1 {
		return 1 // x = 0 (a row sum that underflowed)
	}
	if math.Abs(d) < 1e-3 {
		return d * d * (1.0/2 + d*(-1.0/6+d*(1.0/12+d*(-1.0/20+d/30))))
	}
	return (1+d)*math.Log1p(d) - d
}

// dualTerm is the dual objective's term of one side at the shifted
// potentials x̃ = x − ε log w: Σ w x̃ for a hard side and
// −ρ Σ w (exp(−x̃/ρ) − 1) for a relaxed one.
func dualTerm(w, x, lw []float64, eps, rho float64) float64 {
	var d float64
	for k, v := range w {
		xt := x[k] - eps*lw[k]
		if math.IsInf(rho, 1) {
			d += v * xt
		} else {
			d -= rho * v * math.Expm1(-xt/rho)
		}
	}
	return d
}

// summarizeRelaxed fills Value, DualValue and MarginalError of a relaxed
// problem from the plan's row sums r, column sums c and <P, C> = lin:
//
//	Value = Σ r_i (f_i − ε log a_i) + Σ c_j (g_j − ε log b_j) + ε (M_a M_b − Σ P)
//	        + ρ_a KL(r ‖ a) + ρ_b KL(c ‖ b)
//	D     = φ_a(f̃) + φ_b(g̃) + ε (M_a M_b − Σ P)
//
// (a hard side has no KL term, and φ(x̃) = Σ w x̃ for it, −ρ Σ w (e^{−x̃/ρ} − 1)
// for a relaxed one), and MarginalError is the violation of the hard sides.
func (s *state) summarizeRelaxed(res *ot.Result, r, col []float64, lin, eps float64) {
	var massA, massB, total, primal, merr float64
	for i, ri := range r {
		primal += ri * (s.f[i] - eps*s.loga[i])
		total += ri
		massA += s.a[i]
	}
	for j, cj := range col {
		primal += cj * (s.g[j] - eps*s.logb[j])
		massB += s.b[j]
	}
	ent := eps * (massA*massB - total)
	value := primal + ent
	if math.IsInf(s.rhoA, 1) {
		merr += floats.Distance(r, s.a, 1)
	} else {
		value += s.rhoA * klDiv(r, s.a)
	}
	if math.IsInf(s.rhoB, 1) {
		merr += floats.Distance(col, s.b, 1)
	} else {
		value += s.rhoB * klDiv(col, s.b)
	}
	res.LinearCost = lin
	res.MarginalError = merr
	res.Value = value
	res.DualValue = dualTerm(s.a, s.f, s.loga, eps, s.rhoA) + dualTerm(s.b, s.g, s.logb, eps, s.rhoB) + ent
}
