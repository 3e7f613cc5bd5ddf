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

// relaxedRef is the mass that the tolerance of a relaxed problem is
// relative to: the hard side's mass when one side is hard (the plan's mass,
// in whose units the residual and its rounding are), and max(Σa, Σb) when
// both are relaxed (the plan's mass lies between the two, up to the cost
// term). Σa alone would ask for Tol·Σa ≪ the rounding when Σa ≪ Σb.
func relaxedRef(massA, massB float64, hardA, hardB bool) float64 {
	switch {
	case hardA:
		return massA
	case hardB:
		return massB
	}
	return math.Max(massA, massB)
}

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

// tinyRho reports whether a relaxed side has ρ < 1e-8·ε. Its potentials
// are then pinned near ε log w (τ ≈ 0) and the iteration converges in a
// few sweeps; Auto runs LogDomain, whose update sets them exactly, since
// the dual term −ρ w (e^{−x̃/ρ} − 1) divides their rounding by ρ (the
// scaling methods' F = f + ε log u is rounded).
func (s *state) tinyRho() bool {
	return s.relaxed && (s.rhoA < 1e-8*s.eps || s.rhoB < 1e-8*s.eps)
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
			d -= rho * v * math.Expm1(math.Min(-xt/rho, maxExp))
		}
	}
	return d
}

// maxExp caps the exponent of the relaxed dual term, which overflows
// only for ρ far below the rounding of the potentials.
const maxExp = 700

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

// stepA is the (not over-relaxed) f-update step of row i at potential fi
// with log row sum lr: ε (log a_i − lr) on a hard side, relaxedStep on a
// relaxed one.
func (s *state) stepA(i int, fi, lr, eps float64) float64 {
	if math.IsInf(s.rhoA, 1) {
		return eps * (s.loga[i] - lr)
	}
	return relaxedStep(fi, s.loga[i], lr, eps, s.rhoA)
}

// Scaling-domain updates of a relaxed side (Stabilized, Sparse). With
// the stored kernel K̃_ij = exp((f_i + g_j − C_ij)/ε) and the plan
// u_i K̃_ij v_j, row i's potential is F_i = f_i + ε log u_i and its sum
// u_i t_i (t = K̃v); the f-update moves F_i by δ = relaxedStep, that is
// u_i ← u_i e^{ωδ/ε} = (a_i/t_i)^τ (a_i e^{−f_i/ε})^{1−τ} for ω = 1
// (POT's sinkhorn_stabilized_unbalanced update).

// relaxedScale returns the new scaling of a relaxed row or column with
// scaling x, absorbed potential p (f_i or g_j), log weight lw and kernel
// sum d (t_i or s_j), at strength ρ and over-relaxation ω, and whether d
// was in [tiny, huge] and the result is finite and positive.
func relaxedScale(x, p, lw, d, eps, rho, omega float64) (float64, bool) {
	if !(d >= tiny && d <= huge) {
		return 0, false
	}
	lx := math.Log(x)
	step := relaxedStep(p+eps*lx, lw, lx+math.Log(d), eps, rho)
	q := x * math.Exp(omega*step/eps)
	return q, !(math.IsInf(q, 0) || q == 0 || q != q)
}

// scaleU is the u-update of row i from t_i = (K̃v)_i.
func (s *state) scaleU(i int, ui, ti, eps float64) (float64, bool) {
	if math.IsInf(s.rhoA, 1) {
		return newScale(ui, s.a[i], ti, s.omega)
	}
	return relaxedScale(ui, s.f[i], s.loga[i], ti, eps, s.rhoA, s.omega)
}

// updateV is the v-update of a stored-kernel sweep from s_j = (K̃ᵀu)_j,
// computed into scratch and copied into v only if every new scaling is
// safe; it reports whether it was.
func (s *state) updateV(v, sv, scratch []float64, eps float64) bool {
	if math.IsInf(s.rhoB, 1) {
		return scaleV(v, s.b, sv, scratch, s.omega)
	}
	for j, sj := range sv {
		var ok bool
		if scratch[j], ok = relaxedScale(v[j], s.g[j], s.logb[j], sj, eps, s.rhoB, s.omega); !ok {
			return false
		}
	}
	copy(v, scratch)
	return true
}

// scaledResidual is the stopping residual of the plan u_i K̃_ij v_j with
// row kernel sums t = K̃v and column kernel sums sv = K̃ᵀu: the marginal
// error for a balanced problem, Σ resA + Σ resB at the potentials
// f + ε log u, g + ε log v for a relaxed one.
func (s *state) scaledResidual(u, t, v, sv []float64, eps float64) float64 {
	var e float64
	if !s.relaxed {
		for j, x := range sv {
			e += math.Abs(v[j]*x - s.b[j])
		}
		for i, x := range t {
			e += math.Abs(u[i]*x - s.a[i])
		}
		return e
	}
	for j, x := range sv {
		e += s.resB(j, s.g[j]+eps*math.Log(v[j]), v[j]*x, eps)
	}
	for i, x := range t {
		e += s.resA(i, s.f[i]+eps*math.Log(u[i]), u[i]*x, eps)
	}
	return e
}

// Translation step (Séjourné, Vialard and Peyré, "Faster unbalanced
// optimal transport: translation invariant Sinkhorn and 1-D Frank–Wolfe",
// AISTATS 2022). The plan of (F + λ, G − λ) is that of (F, G), and only
// the marginal terms of the dual depend on λ:
//
//	h(λ) = φ_a(F̃ + λ) + φ_b(G̃ − λ),  φ(x̃) = Σ w x̃ (hard), −ρ Σ w (e^{−x̃/ρ} − 1) (relaxed).
//
// Its maximizer, with A = Σ a_i e^{−F̃_i/ρ_a} and B = Σ b_j e^{−G̃_j/ρ_b}, is
//
//	λ = ρ_aρ_b/(ρ_a + ρ_b) · log(A/B)   (both relaxed),
//	λ = ρ_a (log A − log Σb)           (columns hard),
//	λ = ρ_b (log Σa − log B)           (rows hard).
//
// Plain unbalanced Sinkhorn moves along this direction at a rate near
// τ² per sweep (τ = ρ/(ρ+ε)), the slow mode when ρ ≫ ε and the masses
// differ; the step removes it, and, as an exact maximization of the dual
// along a direction, keeps the iteration a dual ascent with the same
// fixed point.

// translation returns λ for the potentials F_i = f_i + ε·lu(i),
// G_j = g_j + ε·lv(j) (lu, lv nil: 0), or 0 when it is not finite.
func (s *state) translation(eps float64, lu, lv func(int) float64) float64 {
	var lam float64
	switch ha, hb := math.IsInf(s.rhoA, 1), math.IsInf(s.rhoB, 1); {
	case ha && hb:
		return 0
	case hb:
		lam = s.rhoA * (math.Log(s.mass/s.massB()) + logMassRatio(s.f, s.a, s.loga, eps, s.rhoA, s.mass, lu))
	case ha:
		lam = -s.rhoB * (math.Log(s.massB()/s.mass) + logMassRatio(s.g, s.b, s.logb, eps, s.rhoB, s.massB(), lv))
	default:
		d := math.Log(s.mass/s.massB()) + logMassRatio(s.f, s.a, s.loga, eps, s.rhoA, s.mass, lu) -
			logMassRatio(s.g, s.b, s.logb, eps, s.rhoB, s.massB(), lv)
		lam = s.rhoA / (s.rhoA + s.rhoB) * s.rhoB * d
	}
	if math.IsNaN(lam) || math.IsInf(lam, 0) {
		return 0
	}
	return lam
}

// logMassRatio is log(Σ w_k e^{−x̃_k/ρ} / Σ w), x̃_k = x_k + ε·l(k) − ε log w_k
// (l nil: 0), with mass = Σ w: by log1p of Σ w_k expm1(−x̃_k/ρ) / Σ w when
// every |x̃_k|/ρ ≤ 1 (accurate for ρ ≫ x̃, where λ multiplies it by ρ),
// by a max-shifted sum otherwise.
func logMassRatio(x, w, lw []float64, eps, rho, mass float64, l func(int) float64) float64 {
	z := func(k int) float64 { // −x̃_k/ρ, recomputed in the second pass (no buffer)
		xk := x[k]
		if l != nil {
			xk += eps * l(k)
		}
		return -(xk - eps*lw[k]) / rho
	}
	mx, big := math.Inf(-1), 0.0
	for k := range x {
		zk := z(k)
		mx = math.Max(mx, zk)
		big = math.Max(big, math.Abs(zk))
	}
	var sum float64
	if big <= 1 {
		for k := range x {
			sum += w[k] * math.Expm1(z(k))
		}
		return math.Log1p(sum / mass)
	}
	for k := range x {
		sum += w[k] * math.Exp(z(k)-mx)
	}
	return mx + math.Log(sum/mass)
}

// translate applies the translation step to f, g (absorbed potentials
// with scalings u, v when not nil): f += λ, g −= λ, which leaves the
// stored kernel K̃ and the plan unchanged. It follows every g-update,
// over-relaxed ones included: as an exact maximization of the dual along
// (1, −1) it is a descent-safe step after any update, and without it an
// over-relaxed iteration keeps the slow mass mode (ω = 1.3 at ρ = 100:
// 12 000 sweeps instead of 250; bench/results/unbalanced.md).
func (s *state) translate(eps float64, u, v []float64) {
	if !s.relaxed {
		return
	}
	var lu, lv func(int) float64
	if u != nil {
		lu = func(i int) float64 { return math.Log(u[i]) }
		lv = func(j int) float64 { return math.Log(v[j]) }
	}
	lam := s.translation(eps, lu, lv)
	if lam == 0 {
		return
	}
	for i := range s.f {
		s.f[i] += lam
	}
	for j := range s.g {
		s.g[j] -= lam
	}
}

// massB is Σ b.
func (s *state) massB() float64 { return floats.Sum(s.b) }

// keepScalings reports whether the scalings can stay: in [e^−τ, e^τ],
// possibly after a gauge rebalancing (see rebalance) for a balanced
// problem. A relaxed problem has no gauge (its dual depends on F + λ,
// G − λ through the marginal terms), so its scalings are absorbed instead.
func (s *state) keepScalings(u, v, t []float64, tau float64) bool {
	if !s.relaxed {
		return rebalance(u, v, t, nil, tau)
	}
	umin, umax := minMax(u)
	vmin, vmax := minMax(v)
	return umin >= math.Exp(-tau) && umax <= math.Exp(tau) && vmin >= math.Exp(-tau) && vmax <= math.Exp(tau)
}
