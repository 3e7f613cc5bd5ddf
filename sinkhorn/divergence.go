package sinkhorn

import (
	"context"
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/otkit/otkit/ot"
)

// Divergence is the debiased Sinkhorn divergence between two weighted point
// clouds (Feydy et al. 2019),
//
//	S_ε(a, b) = OT_ε(a, b) − ½ OT_ε(a, a) − ½ OT_ε(b, b),
//
// with OT_ε the regularized optimum Value (the same number under the K and
// E conventions; not POT's empirical_sinkhorn_divergence, which uses linear
// costs and clips at 0).
type Divergence struct {
	// Value is S_ε. It is ≥ 0 for SqEuclidean costs, and 0 for identical
	// weighted clouds.
	Value float64
	// XY, XX and YY are the three solves.
	XY, XX, YY *ot.Result
	// GradA and GradB are ∂S/∂a and ∂S/∂b, centred.
	GradA, GradB []float64
	// GradX and GradY are ∂S/∂x_i and ∂S/∂y_j for SqEuclidean clouds
	// (nil for other metrics).
	GradX, GradY *mat.Dense
}

// Divergence solves the three problems of S_ε for p, whose cost must be an
// *ot.PointCloud, all at the same ε (the solver's Eps, or the default ε of
// the x–y cost). The statuses of the three solves are in XY, XX and YY.
func (s *Solver) Divergence(ctx context.Context, p *ot.Problem) (*Divergence, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	pc, ok := p.C.(*ot.PointCloud)
	if !ok {
		return nil, fmt.Errorf("%w: sinkhorn: Divergence needs a point-cloud cost, got %T", ot.ErrParameter, p.C)
	}
	solver := *s
	if solver.Eps == 0 {
		solver.Eps = DefaultEps(p.C)
	}
	solver.Init = nil
	self := func(x *mat.Dense, w []float64) *ot.Problem {
		return &ot.Problem{A: w, B: w, C: &ot.PointCloud{X: x, Y: x, Metric: pc.Metric, P: pc.P}}
	}
	probs := []*ot.Problem{p, self(pc.X, p.A), self(pc.Y, p.B)}
	res := make([]*ot.Result, 3)
	grads := make([]*Gradient, 3)
	for k, q := range probs {
		r, err := solver.Solve(ctx, q)
		if err != nil {
			return nil, err
		}
		if grads[k], err = Grad(q, r); err != nil {
			return nil, err
		}
		res[k] = r
	}
	d := &Divergence{XY: res[0], XX: res[1], YY: res[2],
		Value: res[0].Value - 0.5*res[1].Value - 0.5*res[2].Value}
	// a enters OT(a, a) through both marginals: ∂/∂a = f̃ + g̃ there.
	d.GradA = make([]float64, len(p.A))
	for i := range d.GradA {
		d.GradA[i] = grads[0].A[i] - 0.5*(grads[1].A[i]+grads[1].B[i])
	}
	d.GradB = make([]float64, len(p.B))
	for j := range d.GradB {
		d.GradB[j] = grads[0].B[j] - 0.5*(grads[2].A[j]+grads[2].B[j])
	}
	centre(d.GradA)
	centre(d.GradB)
	if grads[0].X != nil {
		// x enters C(x, x) through both indices.
		d.GradX = selfGrad(grads[0].X, grads[1])
		d.GradY = selfGrad(grads[0].Y, grads[2])
	}
	return d, nil
}

// selfGrad returns g − ½(∂/∂x + ∂/∂y) of a symmetric problem's gradient.
func selfGrad(g *mat.Dense, self *Gradient) *mat.Dense {
	var out mat.Dense
	out.Add(self.X, self.Y)
	out.Scale(-0.5, &out)
	out.Add(&out, g)
	return &out
}
