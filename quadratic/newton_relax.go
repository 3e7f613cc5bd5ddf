package quadratic

import (
	"math"

	"gonum.org/v1/gonum/floats"
)

// Semismooth Newton on the relaxed dual D_ρ (docs/quadratic.md §11.2).
// Each relaxed side adds its conjugate term φ(x) = −ρ Σ w_i (e^{−x_i/ρ} − 1)
// to the balanced dual with its linear term removed; φ is smooth with
// ∇φ = w e^{−x/ρ} and ∇²φ = −diag(w e^{−x/ρ}/ρ). The Newton matrix of
// Φ = −γ D_ρ is therefore the balanced one of §5.3 plus a diagonal,
//
//	H = [[diag(σ1 + γ r/ρa), σ], [σᵀ, diag(σᵀ1 + γ c/ρb)]],
//	r = a e^{−F/ρa}, c = b e^{−G/ρb}   (0 for a hard side),
//
// which is positive definite when both sides are relaxed (no gauge
// direction: D_ρ is strictly concave along (F + t, G − t)) and keeps the
// same 2-cyclic structure, so the Schur-complement CG of direction is
// unchanged. Small ρ makes the diagonal dominate, which the Jacobi
// preconditioner absorbs, where L-BFGS's single scaling cannot.

// eval evaluates D (balanced) or D_ρ (relaxed) and its gradient at x.
func (nt *newton) eval(x, grad []float64) float64 {
	v := nt.obj.eval(x, grad)
	if !nt.relaxed || math.IsNaN(v) {
		return v // balanced, or a canceled pass
	}
	n := nt.n
	return v + conjugateTerms(nt.obj.a, x[:n], grad[:n], nt.rhoA) +
		conjugateTerms(nt.obj.b, x[n:], grad[n:], nt.rhoB)
}

// conjugateTerms returns φ(x) − <w, x> and adds ∇φ − w = w (e^{−x/ρ} − 1)
// to grad: the change from the balanced dual's linear term <w, x> to the
// conjugate term of ρ KL(·‖w) (nothing for ρ = +Inf, a hard side).
func conjugateTerms(w, x, grad []float64, rho float64) float64 {
	if math.IsInf(rho, 1) {
		return 0
	}
	var lin, conj float64
	for i, wi := range w {
		e := math.Expm1(-x[i] / rho)
		grad[i] += wi * e
		lin += wi * x[i]
		conj += wi * e
	}
	return -lin - rho*conj
}

// addConjugateCurvature adds γ w e^{−x/ρ}/ρ of each relaxed side to the
// diagonal blocks σ1, σᵀ1 of the Newton matrix at x.
func (nt *newton) addConjugateCurvature(x []float64, gamma float64) {
	add := func(d, w, x []float64, rho float64) {
		if math.IsInf(rho, 1) {
			return
		}
		k := gamma / rho
		for i, wi := range w {
			d[i] += k * wi * math.Exp(-x[i]/rho)
		}
	}
	add(nt.rowCnt, nt.obj.a, x[:nt.n], nt.rhoA)
	add(nt.colCnt, nt.obj.b, x[nt.n:], nt.rhoB)
}

// relaxedStartK bounds the conjugate terms' factors e^{−x/ρ} of the start
// by e^{relaxedStartK}.
const relaxedStartK = 2

// relaxedStart adapts the c-transform start to D_ρ. The gauge (F + t,
// G − t) leaves the quadratic term unchanged: it is moved to the t
// maximizing the conjugate terms (see gaugeShift). Then each relaxed
// potential is raised to at least −relaxedStartK·ρ: below, e^{−x/ρ} is
// huge for small ρ, and Newton, which moves x by about ρ per iteration
// where the exponential dominates, would need |x|/ρ iterations to come
// back (a potential raised leaves entries inactive, never a row without
// its conjugate curvature).
func relaxedStart(f, g []float64, in *instance, rhoA, rhoB float64) {
	t := gaugeShift(floats.Sum(in.a), floats.Sum(in.b), rhoA, rhoB)
	floats.AddConst(t, f)
	floats.AddConst(-t, g)
	clamp := func(x []float64, rho float64) {
		lo := -relaxedStartK * rho
		for i, v := range x {
			x[i] = math.Max(v, lo)
		}
	}
	clamp(f, rhoA)
	clamp(g, rhoB)
}
