package exact

import (
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/otkit/otkit/internal/lse"
	"github.com/otkit/otkit/ot"
)

// sqCloud is a (squared) Euclidean point cloud packed for pricing: the
// reduced costs of a row are computed straight from the points, without
// filling a cost row first. The distances are summed over coordinates in
// order and rooted for Euclidean, as ot.PointCloud.Row does, so both give
// the same costs.
type sqCloud struct {
	d    int
	x, y []float64 // row-major n×d and m×d
	y2   [][2]float64
	root bool // Euclidean: the cost is the square root
}

func newSqCloud(pc *ot.PointCloud) *sqCloud {
	// pack returns the points row-major without gaps, in place when the
	// matrix already stores them so.
	pack := func(a *mat.Dense) []float64 {
		r, d := a.Dims()
		raw := a.RawMatrix()
		if raw.Stride == d {
			return raw.Data[:r*d]
		}
		out := make([]float64, 0, r*d)
		for i := 0; i < r; i++ {
			out = append(out, a.RawRowView(i)...)
		}
		return out
	}
	_, d := pc.X.Dims()
	s := &sqCloud{d: d, x: pack(pc.X), y: pack(pc.Y), root: pc.Metric == ot.Euclidean}
	if d == 2 {
		s.y2 = make([][2]float64, len(s.y)/2)
		for j := range s.y2 {
			s.y2[j] = [2]float64{s.y[2*j], s.y[2*j+1]}
		}
	}
	return s
}

// reduced writes C_ij + pi[i] − pi[n+j] for every column j into dst, with
// C_ij = ‖x_i − y_j‖² (or its root).
func (s *sqCloud) reduced(i int, pi, dst []float64) {
	n := len(s.x) / s.d
	m := len(dst)
	piCol := pi[n : n+m]
	pii := pi[i]
	if s.d == 2 {
		x0, x1 := s.x[2*i], s.x[2*i+1]
		y := s.y2[:m]
		dst, piCol = dst[:len(y)], piCol[:len(y)]
		if s.root {
			for j, yj := range y {
				t0 := x0 - yj[0]
				t1 := x1 - yj[1]
				dst[j] = math.Sqrt(t0*t0+t1*t1) + pii - piCol[j]
			}
			return
		}
		for j, yj := range y {
			t0 := x0 - yj[0]
			t1 := x1 - yj[1]
			dst[j] = t0*t0 + t1*t1 + pii - piCol[j]
		}
		return
	}
	d := s.d
	x := s.x[i*d : (i+1)*d]
	for j := range dst {
		y := s.y[j*d : (j+1)*d]
		var c float64
		for k, xk := range x {
			t := xk - y[k]
			c += t * t
		}
		if s.root {
			c = math.Sqrt(c)
		}
		dst[j] = c + pii - piCol[j]
	}
}

// entry returns the cost C_ij, computed as ot.PointCloud.Row does.
func (s *sqCloud) entry(i, j int) float64 {
	d := s.d
	x, y := s.x[i*d:(i+1)*d], s.y[j*d:(j+1)*d]
	c := lse.SqDist(x, y)
	if s.root {
		c = math.Sqrt(c)
	}
	return c
}
