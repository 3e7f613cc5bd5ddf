package ot

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Cost is an n×m ground cost read a row at a time. Implementations must be
// safe for concurrent calls to Row with distinct dst slices.
type Cost interface {
	// Dims returns the number of rows n (sources) and columns m (targets).
	Dims() (n, m int)
	// Row fills dst (length m) with row i of the cost and returns it.
	Row(i int, dst []float64) []float64
}

// DenseCost is a cost stored as a row-major n×m slice.
type DenseCost struct {
	N, M int
	Data []float64 // row-major, len N*M
}

// NewDenseCost wraps row-major data as an n×m cost. It does not copy data.
func NewDenseCost(n, m int, data []float64) (*DenseCost, error) {
	if n <= 0 || m <= 0 {
		return nil, fmt.Errorf("%w: cost is %d×%d", ErrEmpty, n, m)
	}
	if n > math.MaxInt/m {
		return nil, fmt.Errorf("%w: cost of %d×%d entries overflows", ErrShape, n, m)
	}
	if len(data) != n*m {
		return nil, fmt.Errorf("%w: cost data has %d entries, want %d×%d = %d", ErrShape, len(data), n, m, n*m)
	}
	return &DenseCost{N: n, M: m, Data: data}, nil
}

// DenseCostOf copies any gonum matrix into a DenseCost.
func DenseCostOf(a mat.Matrix) *DenseCost {
	n, m := a.Dims()
	data := make([]float64, n*m)
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			data[i*m+j] = a.At(i, j)
		}
	}
	return &DenseCost{N: n, M: m, Data: data}
}

// Dims returns the cost's shape.
func (c *DenseCost) Dims() (n, m int) { return c.N, c.M }

// Row copies row i into dst.
func (c *DenseCost) Row(i int, dst []float64) []float64 {
	copy(dst[:c.M], c.Data[i*c.M:(i+1)*c.M])
	return dst[:c.M]
}

// RowView returns row i without copying.
func (c *DenseCost) RowView(i int) []float64 { return c.Data[i*c.M : (i+1)*c.M] }

// At returns entry (i, j).
func (c *DenseCost) At(i, j int) float64 { return c.Data[i*c.M+j] }

// CostData returns the row-major n×m entries of c: a *DenseCost's own Data
// slice (not a copy: writes to it change the cost), or, for any other cost, a
// newly materialized slice.
func CostData(c Cost) []float64 {
	if d, ok := c.(*DenseCost); ok {
		return d.Data
	}
	n, m := c.Dims()
	data := make([]float64, n*m)
	for i := 0; i < n; i++ {
		c.Row(i, data[i*m:(i+1)*m])
	}
	return data
}

// MinMax returns the smallest and largest finite entries of c (+Inf entries,
// forbidden pairs, are skipped). If no entry is finite both are NaN.
func MinMax(c Cost) (lo, hi float64) {
	n, m := c.Dims()
	lo, hi = math.Inf(1), math.Inf(-1)
	var row []float64
	if _, ok := c.(*DenseCost); !ok {
		row = make([]float64, m)
	}
	for i := 0; i < n; i++ {
		var r []float64
		if d, ok := c.(*DenseCost); ok {
			r = d.RowView(i)
		} else {
			r = c.Row(i, row)
		}
		for _, v := range r {
			if math.IsInf(v, 0) {
				continue
			}
			lo = math.Min(lo, v)
			hi = math.Max(hi, v)
		}
	}
	if lo > hi {
		return math.NaN(), math.NaN()
	}
	return lo, hi
}

// Transpose returns the m×n cost Cᵀ. Point clouds are transposed by swapping
// X and Y; other costs are materialized.
func Transpose(c Cost) Cost {
	if pc, ok := c.(*PointCloud); ok {
		return &PointCloud{X: pc.Y, Y: pc.X, Metric: pc.Metric, P: pc.P}
	}
	n, m := c.Dims()
	src := CostData(c)
	data := make([]float64, n*m)
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			data[j*n+i] = src[i*m+j]
		}
	}
	return &DenseCost{N: m, M: n, Data: data}
}

// SubCost is the restriction of a cost to some rows and columns, in the
// order given. It computes rows on demand.
type SubCost struct {
	C          Cost
	Rows, Cols []int
}

// Dims returns (len(Rows), len(Cols)).
func (s *SubCost) Dims() (n, m int) { return len(s.Rows), len(s.Cols) }

// Row fills dst with the selected columns of row Rows[i] of the parent.
func (s *SubCost) Row(i int, dst []float64) []float64 {
	_, m := s.C.Dims()
	var full []float64
	if d, ok := s.C.(*DenseCost); ok {
		full = d.RowView(s.Rows[i])
	} else {
		full = s.C.Row(s.Rows[i], make([]float64, m))
	}
	for k, j := range s.Cols {
		dst[k] = full[j]
	}
	return dst[:len(s.Cols)]
}
