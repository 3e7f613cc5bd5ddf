package plot

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/otkit/otkit/ot"
)

// Points is a set of points, one per row: a [][]float64 of rows of equal
// length or a *mat.Dense.
type Points interface {
	[][]float64 | *mat.Dense
}

// rows converts pts into a dense n×d matrix, checking shape and values.
func rows[P Points](pts P, name string) (*mat.Dense, error) {
	switch x := any(pts).(type) {
	case [][]float64:
		if len(x) == 0 {
			return nil, fmt.Errorf("plot: %w: no %s points", ot.ErrEmpty, name)
		}
		d := len(x[0])
		if d == 0 {
			return nil, fmt.Errorf("plot: %w: %s points have no coordinates", ot.ErrEmpty, name)
		}
		data := make([]float64, 0, len(x)*d)
		for i, r := range x {
			if len(r) != d {
				return nil, fmt.Errorf("plot: %w: %s point %d has %d coordinates, point 0 has %d", ot.ErrShape, name, i, len(r), d)
			}
			data = append(data, r...)
		}
		return checkFinite(mat.NewDense(len(x), d, data), name)
	case *mat.Dense:
		if x == nil || x.IsEmpty() {
			return nil, fmt.Errorf("plot: %w: no %s points", ot.ErrEmpty, name)
		}
		return checkFinite(x, name)
	}
	panic("unreachable")
}

func checkFinite(x *mat.Dense, name string) (*mat.Dense, error) {
	n, d := x.Dims()
	for i := range n {
		for j := range d {
			if v := x.At(i, j); math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("plot: %w: coordinate %d of %s point %d is %v", ot.ErrNonFinite, j, name, i, v)
			}
		}
	}
	return x, nil
}

// planar returns the 2-D coordinates of the rows of x and y (which have the
// same dimension d), and the axis labels: the points themselves for d = 2,
// their first two principal components (of x and y pooled) for d > 2, and
// (x, 0), (y, 1) for d = 1.
func planar(x, y *mat.Dense) (px, py [][2]float64, xlabel, ylabel string) {
	nx, d := x.Dims()
	ny, _ := y.Dims()
	px, py = make([][2]float64, nx), make([][2]float64, ny)
	switch d {
	case 1:
		for i := range nx {
			px[i] = [2]float64{x.At(i, 0), 0}
		}
		for j := range ny {
			py[j] = [2]float64{y.At(j, 0), 1}
		}
		return px, py, "x", ""
	case 2:
		for i := range nx {
			px[i] = [2]float64{x.At(i, 0), x.At(i, 1)}
		}
		for j := range ny {
			py[j] = [2]float64{y.At(j, 0), y.At(j, 1)}
		}
		return px, py, "x₁", "x₂"
	}
	// Pooled mean and covariance.
	var all mat.Dense
	all.Stack(x, y)
	n := nx + ny
	mean := make([]float64, d)
	for i := range n {
		for k := range d {
			mean[k] += all.At(i, k)
		}
	}
	for k := range mean {
		mean[k] /= float64(n)
	}
	for i := range n {
		for k := range d {
			all.Set(i, k, all.At(i, k)-mean[k])
		}
	}
	var cov mat.SymDense
	cov.SymOuterK(1/float64(n), all.T())
	var eig mat.EigenSym
	var v mat.Dense
	if eig.Factorize(&cov, true) {
		eig.VectorsTo(&v)
	} else {
		v = *mat.NewDense(d, d, nil)
		for k := range d {
			v.Set(k, k, 1)
		}
	}
	// EigenSym sorts eigenvalues ascending: the last two columns.
	pc := [2][]float64{mat.Col(nil, d-1, &v), mat.Col(nil, d-2, &v)}
	for _, u := range pc {
		big := 0
		for k := range u {
			if math.Abs(u[k]) > math.Abs(u[big]) {
				big = k
			}
		}
		if u[big] < 0 {
			for k := range u {
				u[k] = -u[k]
			}
		}
	}
	proj := func(i int) [2]float64 {
		var p [2]float64
		for a := range 2 {
			for k := range d {
				p[a] += all.At(i, k) * pc[a][k]
			}
		}
		return p
	}
	for i := range nx {
		px[i] = proj(i)
	}
	for j := range ny {
		py[j] = proj(nx + j)
	}
	return px, py, "PC1", "PC2"
}
