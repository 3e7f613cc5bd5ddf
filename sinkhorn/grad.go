package sinkhorn

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/otkit/otkit/internal/lse"
	"github.com/otkit/otkit/ot"
)

// Gradient holds the derivatives of Value_K at a converged solve (they are
// accurate to O(MarginalError)). The derivative with respect to the cost
// is the plan itself, ∂Value_K/∂C = P (envelope theorem); note that the
// derivative of LinearCost is not P.
type Gradient struct {
	// A and B are ∂Value_K/∂a and ∂Value_K/∂b. For a balanced problem they
	// are centred to zero mean: only directions with zero sum are
	// meaningful (the weights must keep equal masses). Before centring they
	// are f̃_i = F_i − ε log a_i and g̃_j = G_j − ε log b_j; for a zero
	// weight f̃ is the finite c-transform −ε LSE_j((G_j − C_ij)/ε). For
	// Value_E they would be F and G.
	//
	// For relaxed marginals (RhoA, RhoB) every direction is meaningful and
	// they are not centred: with the dual written in f̃, g̃ (which do not
	// depend on the weights), the envelope theorem gives
	//
	//	∂Value/∂a_i = ψ_a(f̃_i) − ε (r_i/a_i − Σb),
	//
	// ψ(x) = x on a hard side and −ρ (e^{−x/ρ} − 1) on a relaxed one, r the
	// plan's row sums (r_i/a_i = Σ_j b_j e^{(f̃_i + g̃_j − C_ij)/ε}, finite
	// for a zero weight, whose f̃_i is −τ_a ε LSE_j((G_j − C_ij)/ε)); and
	// symmetrically for b (docs/sinkhorn.md §13).
	A, B []float64
	// X and Y are ∂Value_K/∂x_i and ∂Value_K/∂y_j (one row per point) when
	// the cost is a SqEuclidean PointCloud:
	// ∂/∂x_i = 2(r_i x_i − (P y)_i), ∂/∂y_j = 2(c_j y_j − (Pᵀx)_j), with r,
	// c the plan's marginals. They are nil for other costs.
	X, Y *mat.Dense
}

// Grad returns the gradients of Value_K (Value for relaxed marginals) for
// the Result of a Solve of p.
func Grad(p *ot.Problem, res *ot.Result) (*Gradient, error) {
	if err := p.Require("sinkhorn.Grad", ot.Support{RelaxA: true, RelaxB: true}); err != nil {
		return nil, err
	}
	plan, ok := res.Plan.(*ot.EntropicPlan)
	if !ok {
		return nil, fmt.Errorf("%w: sinkhorn: Grad needs the *ot.EntropicPlan of a sinkhorn Result", ot.ErrParameter)
	}
	n, m := p.Dims()
	if len(res.F) != n || len(res.G) != m || len(p.A) != n || len(p.B) != m {
		return nil, fmt.Errorf("%w: sinkhorn: Grad: result is not for this %d×%d problem", ot.ErrShape, n, m)
	}
	eps := plan.Eps
	if !p.Balanced() {
		return relaxedGrad(p, res, plan), nil
	}
	gr := &Gradient{A: make([]float64, n), B: make([]float64, m)}
	buf := make([]float64, m)
	for i := range gr.A {
		if p.A[i] > 0 {
			gr.A[i] = res.F[i] - eps*math.Log(p.A[i])
		} else {
			gr.A[i] = -eps * lse.AffineLSE(0, res.G, rowOf(p.C, i, buf), 1/eps)
		}
	}
	var ct ot.Cost
	for j := range gr.B {
		if p.B[j] > 0 {
			gr.B[j] = res.G[j] - eps*math.Log(p.B[j])
			continue
		}
		if ct == nil {
			ct = ot.Transpose(p.C)
		}
		gr.B[j] = -eps * lse.AffineLSE(0, res.F, rowOf(ct, j, make([]float64, n)), 1/eps)
	}
	centre(gr.A)
	centre(gr.B)
	if pc, ok := p.C.(*ot.PointCloud); ok && pc.Metric == ot.SqEuclidean {
		gr.X, gr.Y = pointGrad(plan, pc)
	}
	return gr, nil
}

func centre(x []float64) {
	var mean float64
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	for i := range x {
		x[i] -= mean
	}
}

// pointGrad streams the plan's rows and returns 2(r_i x_i − (P y)_i) and
// 2(c_j y_j − (Pᵀx)_j).
func pointGrad(plan ot.Plan, pc *ot.PointCloud) (gx, gy *mat.Dense) {
	n, d := pc.X.Dims()
	m, _ := pc.Y.Dims()
	gx, gy = mat.NewDense(n, d, nil), mat.NewDense(m, d, nil)
	c := make([]float64, m)
	row := make([]float64, m)
	for i := 0; i < n; i++ {
		x := pc.X.RawRowView(i)
		gxi := gx.RawRowView(i)
		var r float64
		for j, pij := range plan.Row(i, row) {
			if pij == 0 {
				continue
			}
			r += pij
			c[j] += pij
			y := pc.Y.RawRowView(j)
			gyj := gy.RawRowView(j)
			for k := range gxi {
				gxi[k] -= 2 * pij * y[k]
				gyj[k] -= 2 * pij * x[k]
			}
		}
		for k := range gxi {
			gxi[k] += 2 * r * x[k]
		}
	}
	for j := 0; j < m; j++ {
		y := pc.Y.RawRowView(j)
		gyj := gy.RawRowView(j)
		for k := range gyj {
			gyj[k] += 2 * c[j] * y[k]
		}
	}
	return gx, gy
}
