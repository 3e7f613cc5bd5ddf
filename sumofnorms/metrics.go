package sumofnorms

import (
	"math"

	"github.com/otkit/otkit/ot"
	"gonum.org/v1/gonum/mat"
)

// Purity returns the class-mass purity of a plan (docs/sumofnorms.md §8):
// the share of the transported mass that goes from a row of class c to a
// column of class c, Σ_{ys(i) = yt(j)} T_ij / Σ T_ij. It is 1 for a plan
// that respects the classes. Row and column labels must use the same
// class numbers.
func Purity(p ot.Plan, ys, yt []int) float64 {
	n, m := p.Dims()
	row := make([]float64, m)
	var in, all float64
	for i := 0; i < n; i++ {
		for j, v := range p.Row(i, row) {
			all += v
			if ys[i] == yt[j] {
				in += v
			}
		}
	}
	if all == 0 {
		return 0
	}
	return in / all
}

// TransferLabels returns the label of each column by mass vote: the class
// c maximizing Σ_{ys(i) = c} T_ij (ties to the lowest label; −1 for a
// column that receives no mass).
func TransferLabels(p ot.Plan, ys []int) []int {
	n, m := p.Dims()
	votes := map[int][]float64{}
	row := make([]float64, m)
	for i := 0; i < n; i++ {
		v := votes[ys[i]]
		if v == nil {
			v = make([]float64, m)
			votes[ys[i]] = v
		}
		for j, x := range p.Row(i, row) {
			v[j] += x
		}
	}
	out := make([]int, m)
	for j := range out {
		best, lab := 0.0, -1
		for c, v := range votes {
			if v[j] > best || (v[j] == best && v[j] > 0 && c < lab) {
				best, lab = v[j], c
			}
		}
		out[j] = lab
	}
	return out
}

// TransferAccuracy returns the label-transfer accuracy Σ_j b_j [ŷ_j = yt_j]
// / Σ b with ŷ = TransferLabels(p, ys) and b the column sums of the plan.
func TransferAccuracy(p ot.Plan, ys, yt []int) float64 {
	pred := TransferLabels(p, ys)
	_, b := ot.Marginals(p)
	var ok, all float64
	for j, v := range b {
		all += v
		if pred[j] == yt[j] {
			ok += v
		}
	}
	if all == 0 {
		return 0
	}
	return ok / all
}

// Barycentric maps each source point to the barycentre of its plan row,
// x̂_i = Σ_j T_ij xt_j / Σ_j T_ij (a row without mass keeps xs_i).
func Barycentric(p ot.Plan, xs, xt mat.Matrix) *mat.Dense {
	n, m := p.Dims()
	_, d := xt.Dims()
	out := mat.NewDense(n, d, nil)
	row := make([]float64, m)
	for i := 0; i < n; i++ {
		var s float64
		for j, v := range p.Row(i, row) {
			if v == 0 {
				continue
			}
			s += v
			for k := 0; k < d; k++ {
				out.Set(i, k, out.At(i, k)+v*xt.At(j, k))
			}
		}
		for k := 0; k < d; k++ {
			if s > 0 {
				out.Set(i, k, out.At(i, k)/s)
			} else {
				out.Set(i, k, xs.At(i, k))
			}
		}
	}
	return out
}

// OneNNAccuracy maps the source points barycentrically (Barycentric),
// labels each target point by its nearest mapped source point (Euclidean,
// ties to the lowest index) and returns the fraction of target points
// labelled yt.
func OneNNAccuracy(p ot.Plan, xs, xt mat.Matrix, ys, yt []int) float64 {
	xh := Barycentric(p, xs, xt)
	n, d := xh.Dims()
	m, _ := xt.Dims()
	ok := 0
	for j := 0; j < m; j++ {
		best, lab := math.Inf(1), -1
		for i := 0; i < n; i++ {
			var s float64
			for k := 0; k < d; k++ {
				t := xh.At(i, k) - xt.At(j, k)
				s += t * t
			}
			if s < best {
				best, lab = s, ys[i]
			}
		}
		if lab == yt[j] {
			ok++
		}
	}
	return float64(ok) / float64(m)
}
