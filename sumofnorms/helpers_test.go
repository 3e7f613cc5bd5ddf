package sumofnorms

import (
	"math"

	"github.com/otkit/otkit/ot"
	"gonum.org/v1/gonum/mat"
)

// cross2 is the deterministic, tie-free reference instance CROSS-2 of
// docs/sumofnorms.md §8: two horizontal source classes, two vertical
// target components, 6 points each.
func cross2() (p *ot.Problem, xs, xt *mat.Dense, ys, yt []int) {
	const k = 6
	xs, xt = mat.NewDense(2*k, 2, nil), mat.NewDense(2*k, 2, nil)
	for c := 0; c < 2; c++ {
		for q := 0; q < k; q++ {
			i := c*k + q
			fq, fc := float64(q), float64(c)
			xs.Set(i, 0, -4+8*fq/5+0.013*float64((q*q)%5))
			xs.Set(i, 1, 3*fc+0.011*float64(q%3))
			xt.Set(i, 0, -1.5+3*fc+0.009*float64(q%2))
			xt.Set(i, 1, 3*fc-1.2+2.4*fq/5+0.017*float64((q*q)%4))
			ys = append(ys, c)
			yt = append(yt, c)
		}
	}
	pc := &ot.PointCloud{X: xs, Y: xt, Metric: ot.SqEuclidean}
	return ot.NewProblem(ot.DenseCostOf(denseOf(pc))), xs, xt, ys, yt
}

func denseOf(c ot.Cost) *mat.Dense {
	n, m := c.Dims()
	d := mat.NewDense(n, m, nil)
	row := make([]float64, m)
	for i := 0; i < n; i++ {
		d.SetRow(i, c.Row(i, row))
	}
	return d
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
