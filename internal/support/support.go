// Package support removes the rows and columns of zero weight from a
// transport problem and puts them back into results.
//
// Several solvers (entropic, quadratic, sparsity-constrained) cannot handle a
// zero marginal directly: its potential goes to −Inf. They solve the reduced
// problem and expand the result, with zero plan entries and −Inf (or a
// caller-chosen) potentials for the removed indices.
package support

import (
	"gonum.org/v1/gonum/mat"

	"github.com/otkit/otkit/ot"
)

// Reduced is the positive-weight part of a problem.
type Reduced struct {
	*ot.Problem       // the reduced problem (the original when nothing is removed)
	Rows, Cols  []int // indices kept, ascending (nil when nothing is removed)
	N, M        int   // the original shape
}

// Identity reports whether nothing was removed.
func (r *Reduced) Identity() bool { return r.Rows == nil && r.Cols == nil }

// Reduce drops zero-weight rows and columns. It assumes p is valid.
func Reduce(p *ot.Problem) *Reduced {
	n, m := p.C.Dims()
	rows, cols := positive(p.A), positive(p.B)
	if len(rows) == n && len(cols) == m {
		return &Reduced{Problem: p, N: n, M: m}
	}
	q := &ot.Problem{A: pick(p.A, rows), B: pick(p.B, cols), C: Restrict(p.C, rows, cols)}
	return &Reduced{Problem: q, Rows: rows, Cols: cols, N: n, M: m}
}

func positive(w []float64) []int {
	idx := make([]int, 0, len(w))
	for i, v := range w {
		if v > 0 {
			idx = append(idx, i)
		}
	}
	return idx
}

func pick(x []float64, idx []int) []float64 {
	if idx == nil {
		return x
	}
	out := make([]float64, len(idx))
	for k, i := range idx {
		out[k] = x[i]
	}
	return out
}

// Restrict returns the cost restricted to the given rows and columns. Dense
// costs are copied, point clouds keep the selected points, other costs are
// wrapped in an ot.SubCost.
func Restrict(c ot.Cost, rows, cols []int) ot.Cost {
	switch c := c.(type) {
	case *ot.DenseCost:
		data := make([]float64, len(rows)*len(cols))
		for k, i := range rows {
			src := c.RowView(i)
			for l, j := range cols {
				data[k*len(cols)+l] = src[j]
			}
		}
		return &ot.DenseCost{N: len(rows), M: len(cols), Data: data}
	case *ot.PointCloud:
		return &ot.PointCloud{X: pickRows(c.X, rows), Y: pickRows(c.Y, cols), Metric: c.Metric, P: c.P}
	default:
		return &ot.SubCost{C: c, Rows: rows, Cols: cols}
	}
}

func pickRows(a *mat.Dense, idx []int) *mat.Dense {
	_, d := a.Dims()
	out := mat.NewDense(len(idx), d, nil)
	for k, i := range idx {
		out.SetRow(k, a.RawRowView(i))
	}
	return out
}

// RowsOf restricts a vector over the original rows (a warm-start F, say)
// to the kept rows. It returns x itself when nothing was removed, and nil
// for nil.
func (r *Reduced) RowsOf(x []float64) []float64 {
	if x == nil {
		return nil
	}
	return pick(x, r.Rows)
}

// ColsOf restricts a vector over the original columns to the kept columns.
func (r *Reduced) ColsOf(x []float64) []float64 {
	if x == nil {
		return nil
	}
	return pick(x, r.Cols)
}

// ExpandRows maps a vector over the kept rows back to the original n rows,
// filling removed rows with fill.
func (r *Reduced) ExpandRows(x []float64, fill float64) []float64 {
	return expand(x, r.Rows, r.N, fill)
}

// ExpandCols maps a vector over the kept columns back to the original m
// columns, filling removed columns with fill.
func (r *Reduced) ExpandCols(x []float64, fill float64) []float64 {
	return expand(x, r.Cols, r.M, fill)
}

func expand(x []float64, idx []int, size int, fill float64) []float64 {
	if x == nil || (idx == nil && len(x) == size) {
		return x
	}
	out := make([]float64, size)
	for i := range out {
		out[i] = fill
	}
	for k, i := range idx {
		out[i] = x[k]
	}
	return out
}

// ExpandPlan maps a sparse plan of the reduced problem back to the original
// shape (removed rows and columns are empty).
func (r *Reduced) ExpandPlan(p *ot.SparsePlan) *ot.SparsePlan {
	if r.Identity() {
		return p
	}
	out := &ot.SparsePlan{N: r.N, M: r.M, RowPtr: make([]int, r.N+1),
		ColIdx: make([]int, len(p.ColIdx)), Val: append([]float64(nil), p.Val...)}
	for k, j := range p.ColIdx {
		out.ColIdx[k] = r.Cols[j] // ascending order is kept: Cols is ascending
	}
	for k, i := range r.Rows {
		out.RowPtr[i+1] = p.RowPtr[k+1] - p.RowPtr[k]
	}
	for i := 0; i < r.N; i++ {
		out.RowPtr[i+1] += out.RowPtr[i]
	}
	return out
}
