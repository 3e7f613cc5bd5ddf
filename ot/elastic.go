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
)

var penaltyNames = [...]string{PenaltyL1: "l1", PenaltyL0: "l0"}

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
	return 0, fmt.Errorf("%w: unknown elastic penalty %q (want l1 or l0)", ErrParameter, s)
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
	// Gamma is the weight γ ≥ 0 of the penalty. For PenaltyL0 it must be
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
	case PenaltyL1:
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

// tau1 is the penalty of one coordinate.
func (e *ElasticCost) tau1(z float64) float64 {
	if e.Tau == PenaltyL0 {
		s := e.s()
		return -math.Expm1(-z * z / (2 * s * s))
	}
	return math.Abs(z)
}

// dtau1 is the derivative of the penalty of one coordinate (sign(0) = 0 for
// ℓ1).
func (e *ElasticCost) dtau1(z float64) float64 {
	if e.Tau == PenaltyL0 {
		s2 := e.s() * e.s()
		return z / s2 * math.Exp(-z*z/(2*s2))
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
func (e *ElasticCost) h1(z float64) float64 { return 0.5*z*z + e.Gamma*e.tau1(z) }

// TauValue returns τ(z).
func (e *ElasticCost) TauValue(z []float64) float64 {
	var s float64
	for _, v := range z {
		s += e.tau1(v)
	}
	return s
}

// H returns h(z) = ½‖z‖² + γτ(z).
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

// GradH stores ∇h(z) = z + γ∇τ(z) in dst (allocated when nil) and returns it.
func (e *ElasticCost) GradH(dst, z []float64) []float64 {
	if dst == nil {
		dst = make([]float64, len(z))
	}
	for k, v := range z {
		dst[k] = v + e.Gamma*e.dtau1(v)
	}
	return dst
}

// Prox stores prox_{γτ}(w) = argmin_z ½‖z − w‖² + γτ(z) in dst (allocated
// when nil) and returns it. It is ∇h* (the gradient of the convex conjugate
// of h), so Prox(GradH(z)) = z. For ℓ1 it is soft-thresholding at γ (exact
// zeros where |w_k| ≤ γ); for the smoothed ℓ0 it is the root z of
// z + γ τ_s'(z) = w_k with the sign of w_k and |z| ≤ |w_k|, found by
// bisection to full precision (it shrinks but never gives exact zeros).
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
	if e.Tau == PenaltyL1 {
		a := math.Abs(w) - e.Gamma
		if a <= 0 {
			return 0
		}
		return math.Copysign(a, w)
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
	if e.Tau == PenaltyL0 {
		return fmt.Sprintf("½‖z‖² + %g·l0(s=%g)", e.Gamma, e.s())
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
