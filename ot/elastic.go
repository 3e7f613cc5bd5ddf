package ot

import (
	"fmt"
	"math"
)

// Penalty selects the sparsity-inducing term τ of an ElasticCost.
type Penalty int

const (
	// PenaltyL1 is τ(z) = ‖z‖₁ = Σ|z_k|.
	PenaltyL1 Penalty = iota
	// PenaltyL0 is the smoothed ℓ0 penalty τ_s(z) = Σ_k (1 − exp(−z_k²/(2s²)))
	// with width s = ElasticCost.S (Chen, Xie & Zhang, "Displacement-Sparse
	// Neural Optimal Transport", 2025). It is not convex: γ·τ_s added to
	// ½‖z‖² stays convex only for γ ≤ e^{3/2} s²/2 ≈ 2.2408 s².
	PenaltyL0
	// PenaltySTVS is the soft-thresholding-with-vanishing-shrinkage penalty
	// (Schreck et al. 2015; Cuturi, Klein & Ablin 2023) with parameter
	// γ = ElasticCost.Gamma and weight fixed to 1:
	//
	//	τ_γ(z) = γ² Σ_k [σ_k − ½e^{−2σ_k} + ½],  σ_k = asinh(|z_k|/(2γ)),
	//
	// so h(z) = ½‖z‖² + τ_γ(z) (γ sits inside τ, not in front of it). It
	// behaves like γ|z_k| near 0 and grows like γ² log|z_k| (an ℓ0-like
	// penalty): its prox w_k·max(1 − γ²/w_k², 0) is exactly 0 for |w_k| ≤ γ
	// and shrinks large entries by γ²/|w_k| only. τ_γ is not convex, but h is
	// ½-strongly convex for every γ ≥ 0.
	PenaltySTVS
)

var penaltyNames = [...]string{PenaltyL1: "l1", PenaltyL0: "l0", PenaltySTVS: "stvs"}

// String returns the penalty's lower-case name, as the CLI spells it.
func (p Penalty) String() string {
	if p >= 0 && int(p) < len(penaltyNames) {
		return penaltyNames[p]
	}
	return fmt.Sprintf("Penalty(%d)", int(p))
}

// ParsePenalty reads a penalty name as String writes it.
func ParsePenalty(s string) (Penalty, error) {
	for k, name := range penaltyNames {
		if name == s {
			return Penalty(k), nil
		}
	}
	return 0, fmt.Errorf("%w: unknown elastic penalty %q (want l1, l0 or stvs)", ErrParameter, s)
}

// ElasticCost is the translation-invariant elastic cost c(x, y) = h(x − y),
//
//	h(z) = ½‖z‖² + γ τ(z),
//
// of Cuturi, Klein & Ablin ("Monge, Bregman and Occam", ICML 2023): with
// γ = 0 it is half the SqEuclidean cost. It is the cost of the Elastic metric
// of a PointCloud (PointCloud.Elastic). Its zero value is ½‖z‖² with the ℓ1
// penalty at γ = 0.
type ElasticCost struct {
	// Tau is the penalty τ; the zero value is PenaltyL1.
	Tau Penalty
	// Gamma is the weight γ ≥ 0 of the penalty (for PenaltySTVS its
	// parameter, which is also its threshold). For PenaltyL0 it must be
	// at most e^{3/2} S²/2, where h is convex (and its proximal operator
	// single-valued).
	Gamma float64
	// S is the width s of PenaltyL0; zero means 1. Unused for PenaltyL1.
	S float64
}

func (e *ElasticCost) s() float64 {
	if e.S == 0 {
		return 1
	}
	return e.S
}

// MaxGammaL0 returns the largest γ for which ½z² + γ τ_s(z) is convex:
// e^{3/2} s²/2.
func MaxGammaL0(s float64) float64 { return math.Exp(1.5) * s * s / 2 }

// Validate checks the parameters; errors wrap ErrParameter.
func (e *ElasticCost) Validate() error {
	if e == nil {
		return fmt.Errorf("%w: elastic metric without ElasticCost parameters", ErrParameter)
	}
	if !(e.Gamma >= 0) || math.IsInf(e.Gamma, 0) {
		return fmt.Errorf("%w: elastic γ = %v (want a finite number ≥ 0)", ErrParameter, e.Gamma)
	}
	switch e.Tau {
	case PenaltyL1, PenaltySTVS:
	case PenaltyL0:
		s := e.s()
		if !(s > 0) || math.IsInf(s, 0) {
			return fmt.Errorf("%w: smoothed-ℓ0 width s = %v (want a finite number > 0)", ErrParameter, e.S)
		}
		if g := MaxGammaL0(s); e.Gamma > g {
			return fmt.Errorf("%w: smoothed-ℓ0 γ = %v > e^{3/2}s²/2 = %.6g for s = %v: the cost is not convex",
				ErrParameter, e.Gamma, g, s)
		}
	default:
		return fmt.Errorf("%w: unknown elastic penalty %d", ErrParameter, int(e.Tau))
	}
	return nil
}

// weight is the factor of τ in h: γ, or 1 for STVS (whose γ is inside τ).
func (e *ElasticCost) weight() float64 {
	if e.Tau == PenaltySTVS {
		return 1
	}
	return e.Gamma
}

// tau1 is the penalty of one coordinate.
func (e *ElasticCost) tau1(z float64) float64 {
	switch e.Tau {
	case PenaltyL0:
		s := e.s()
		return -math.Expm1(-z * z / (2 * s * s))
	case PenaltySTVS:
		g := e.Gamma
		if g == 0 {
			return 0
		}
		// With u = |z|/(2γ), r = √(1 + u²): e^σ = u + r, so
		// σ − ½e^{−2σ} + ½ = asinh(u) + u/(u + r), and
		// asinh(u) = log1p(u + u²/(1 + r)) is accurate near 0.
		// Beyond u = 1e8, asinh(u) = log(2u) and u/(u + r) = ½ to double
		// precision (and u² could overflow).
		u := math.Abs(z) / (2 * g)
		if u > 1e8 {
			return g * g * (math.Log(2*u) + 0.5)
		}
		r := math.Sqrt(1 + u*u)
		return g * g * (math.Log1p(u+u*u/(1+r)) + u/(u+r))
	}
	return math.Abs(z)
}

// dtau1 is the derivative of the penalty of one coordinate (sign(0) = 0 for
// ℓ1 and STVS).
func (e *ElasticCost) dtau1(z float64) float64 {
	switch e.Tau {
	case PenaltyL0:
		s2 := e.s() * e.s()
		return z / s2 * math.Exp(-z*z/(2*s2))
	case PenaltySTVS:
		// sign(z)(√(γ² + z²/4) − |z|/2), written without cancellation.
		if z == 0 || e.Gamma == 0 {
			return 0
		}
		g, a := e.Gamma, math.Abs(z)/2
		return math.Copysign(g*g/(math.Hypot(g, a)+a), z)
	}
	switch {
	case z > 0:
		return 1
	case z < 0:
		return -1
	}
	return 0
}

// h1 is ½z² + γτ(z) for one coordinate.
func (e *ElasticCost) h1(z float64) float64 { return 0.5*z*z + e.weight()*e.tau1(z) }

// TauValue returns τ(z).
func (e *ElasticCost) TauValue(z []float64) float64 {
	var s float64
	for _, v := range z {
		s += e.tau1(v)
	}
	return s
}

// H returns h(z) = ½‖z‖² + γτ(z) (½‖z‖² + τ_γ(z) for STVS).
func (e *ElasticCost) H(z []float64) float64 {
	var s float64
	for _, v := range z {
		s += e.h1(v)
	}
	return s
}

// GradTau stores ∇τ(z) in dst (allocated when nil) and returns it; the ℓ1
// subgradient at 0 is taken as 0.
func (e *ElasticCost) GradTau(dst, z []float64) []float64 {
	if dst == nil {
		dst = make([]float64, len(z))
	}
	for k, v := range z {
		dst[k] = e.dtau1(v)
	}
	return dst
}

// GradH stores ∇h(z) = z + γ∇τ(z) (z + ∇τ_γ(z) for STVS) in dst (allocated
// when nil) and returns it.
func (e *ElasticCost) GradH(dst, z []float64) []float64 {
	if dst == nil {
		dst = make([]float64, len(z))
	}
	wt := e.weight()
	for k, v := range z {
		dst[k] = v + wt*e.dtau1(v)
	}
	return dst
}

// Prox stores prox_{γτ}(w) = argmin_z ½‖z − w‖² + γτ(z) (prox_{τ_γ} for
// STVS) in dst (allocated when nil) and returns it. It is ∇h* (the gradient
// of the convex conjugate of h), so Prox(GradH(z)) = z. For ℓ1 it is
// soft-thresholding at γ and for STVS w_k·max(1 − γ²/w_k², 0): both are
// exactly 0 where |w_k| ≤ γ. For the smoothed ℓ0 it is the root z of
// z + γ τ_s'(z) = w_k with the sign of w_k and |z| ≤ |w_k|, found by
// bisection to full precision; since τ_s is differentiable at 0 with
// τ_s'(0) = 0, it is 0 only at w_k = 0 (it shrinks but never thresholds).
func (e *ElasticCost) Prox(dst, w []float64) []float64 {
	if dst == nil {
		dst = make([]float64, len(w))
	}
	for k, v := range w {
		dst[k] = e.prox1(v)
	}
	return dst
}

func (e *ElasticCost) prox1(w float64) float64 {
	switch e.Tau {
	case PenaltyL1:
		a := math.Abs(w) - e.Gamma
		if a <= 0 {
			return 0
		}
		return math.Copysign(a, w)
	case PenaltySTVS:
		// z + τ_γ'(z) = w for z > 0 reads z/2 + √(γ² + z²/4) = w, whose
		// root is z = w − γ²/w (w > γ); ∂h(0) = [−γ, γ].
		switch {
		case math.IsNaN(w):
			return w
		case math.Abs(w) <= e.Gamma:
			return 0
		}
		return w - e.Gamma*(e.Gamma/w)
	}
	aw := math.Abs(w)
	if e.Gamma == 0 || aw == 0 || math.IsInf(aw, 0) || math.IsNaN(aw) {
		return w
	}
	// φ(z) = z + γ τ'(z) is non-decreasing on [0, |w|] (h convex) with
	// φ(0) = 0 ≤ |w| ≤ φ(|w|).
	lo, hi := 0.0, aw
	for it := 0; it < 200; it++ {
		mid := 0.5 * (lo + hi)
		if mid <= lo || mid >= hi {
			break
		}
		if mid+e.Gamma*e.dtau1(mid) < aw {
			lo = mid
		} else {
			hi = mid
		}
	}
	return math.Copysign(0.5*(lo+hi), w)
}

// String describes the cost, e.g. "½‖z‖² + 0.5·l1".
func (e *ElasticCost) String() string {
	switch e.Tau {
	case PenaltyL0:
		return fmt.Sprintf("½‖z‖² + %g·l0(s=%g)", e.Gamma, e.s())
	case PenaltySTVS:
		return fmt.Sprintf("½‖z‖² + stvs(γ=%g)", e.Gamma)
	}
	return fmt.Sprintf("½‖z‖² + %g·%v", e.Gamma, e.Tau)
}

// elasticRow computes h(x_i − y_j) for every target point j.
func (pc *PointCloud) elasticRow(x []float64, dst []float64) {
	yr := pc.Y.RawMatrix()
	d := len(x)
	e := pc.Elastic
	for j := range dst {
		y := yr.Data[j*yr.Stride : j*yr.Stride+d]
		var s float64
		for k, xk := range x {
			s += e.h1(xk - y[k])
		}
		dst[j] = s
	}
}
