package sinkhorn

import (
	"math"

	"gonum.org/v1/gonum/floats"

	"github.com/otkit/otkit/internal/lse"
	"github.com/otkit/otkit/ot"
)

// relaxedGrad is Grad for relaxed marginals (see Gradient): not centred,
// ∂Value/∂a_i = ψ_a(f̃_i) − ε (r_i/a_i − Σb) and likewise for b.
func relaxedGrad(p *ot.Problem, res *ot.Result, plan *ot.EntropicPlan) *Gradient {
	eps := plan.Eps
	rhoA, rhoB := relaxedRho(p.RhoA), relaxedRho(p.RhoB)
	gr := &Gradient{
		A: sideGrad(p.C, p.A, res.F, res.G, floats.Sum(p.B), eps, rhoA),
		B: sideGrad(ot.Transpose(p.C), p.B, res.G, res.F, floats.Sum(p.A), eps, rhoB),
	}
	if pc, ok := p.C.(*ot.PointCloud); ok && pc.Metric == ot.SqEuclidean {
		gr.X, gr.Y = pointGrad(plan, pc)
	}
	return gr
}

// relaxedRho is ρ, or +Inf for a hard side.
func relaxedRho(rho float64) float64 {
	if rho == 0 {
		return math.Inf(1)
	}
	return rho
}

// sideGrad is ∂Value/∂w_i = ψ(x̃_i) − ε (r_i/w_i − massOther) for the
// rows of c with weights w, potentials x and the other side's potentials
// y: r_i/w_i = exp(x̃_i/ε + L_i), L_i = LSE_k((y_k − c_ik)/ε), and
// x̃_i = x_i − ε log w_i, or −τ ε L_i for a zero weight.
func sideGrad(c ot.Cost, w, x, y []float64, massOther, eps, rho float64) []float64 {
	n, m := c.Dims()
	out := make([]float64, n)
	buf := make([]float64, m)
	for i := range out {
		l := lse.AffineLSE(0, y, rowOf(c, i, buf), 1/eps)
		var xt float64
		if w[i] > 0 {
			xt = x[i] - eps*math.Log(w[i])
		} else {
			xt = -tau(rho, eps) * eps * l
		}
		ratio := math.Exp(xt/eps + l)
		psi := xt
		if !math.IsInf(rho, 1) {
			psi = -rho * math.Expm1(-xt/rho)
		}
		out[i] = psi - eps*(ratio-massOther)
	}
	return out
}
