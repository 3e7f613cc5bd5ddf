package ot

import (
	"math"
	"sort"

	"gonum.org/v1/gonum/mat"
)

// Plan is a coupling between the rows and the columns of a problem. Every
// Plan is a read-only gonum mat.Matrix (Dims, At, T), so mat functions accept
// it directly; DenseCopy is the fast way to materialize one.
type Plan interface {
	mat.Matrix
	// Row fills dst (length m) with row i and returns it.
	Row(i int, dst []float64) []float64
	// NNZ returns the number of stored (or, for lazy plans, positive) entries.
	NNZ() int
}

// DenseCopy materializes any plan as a new gonum matrix, row by row (an
// EntropicPlan computes each cost row once).
func DenseCopy(p Plan) *mat.Dense {
	n, m := p.Dims()
	d := mat.NewDense(n, m, nil)
	raw := d.RawMatrix()
	for i := 0; i < n; i++ {
		p.Row(i, raw.Data[i*raw.Stride:i*raw.Stride+m])
	}
	return d
}

// DensePlan is a plan stored as a row-major n×m slice.
type DensePlan struct {
	N, M int
	Data []float64
}

// Dims returns the plan's shape.
func (p *DensePlan) Dims() (n, m int) { return p.N, p.M }

// At returns entry (i, j).
func (p *DensePlan) At(i, j int) float64 { return p.Data[i*p.M+j] }

// Row copies row i into dst.
func (p *DensePlan) Row(i int, dst []float64) []float64 {
	copy(dst[:p.M], p.Data[i*p.M:(i+1)*p.M])
	return dst[:p.M]
}

// T returns the transpose as a mat.Matrix view.
func (p *DensePlan) T() mat.Matrix { return mat.Transpose{Matrix: p} }

// NNZ counts the nonzero entries.
func (p *DensePlan) NNZ() int {
	k := 0
	for _, v := range p.Data {
		if v != 0 {
			k++
		}
	}
	return k
}

// SparsePlan is a plan in compressed sparse row (CSR) form: the entries of
// row i are Val[RowPtr[i]:RowPtr[i+1]] at columns ColIdx[RowPtr[i]:RowPtr[i+1]],
// with columns ascending within a row.
type SparsePlan struct {
	N, M   int
	RowPtr []int // len N+1
	ColIdx []int
	Val    []float64
}

// Dims returns the plan's shape.
func (p *SparsePlan) Dims() (n, m int) { return p.N, p.M }

// At returns entry (i, j) by binary search within row i.
func (p *SparsePlan) At(i, j int) float64 {
	lo, hi := p.RowPtr[i], p.RowPtr[i+1]
	k := lo + sort.SearchInts(p.ColIdx[lo:hi], j)
	if k < hi && p.ColIdx[k] == j {
		return p.Val[k]
	}
	return 0
}

// Row writes row i into dst (zeros included).
func (p *SparsePlan) Row(i int, dst []float64) []float64 {
	dst = dst[:p.M]
	clear(dst)
	for k := p.RowPtr[i]; k < p.RowPtr[i+1]; k++ {
		dst[p.ColIdx[k]] = p.Val[k]
	}
	return dst
}

// NNZ returns the number of stored entries.
func (p *SparsePlan) NNZ() int { return len(p.Val) }

// T returns the transpose as a mat.Matrix view.
func (p *SparsePlan) T() mat.Matrix { return mat.Transpose{Matrix: p} }

// Triplet is one entry of a sparse plan under construction.
type Triplet struct {
	I, J int
	V    float64
}

// NewSparsePlan builds a CSR plan from entries in any order. Zero entries
// are dropped; duplicate (i, j) entries are summed.
func NewSparsePlan(n, m int, entries []Triplet) *SparsePlan {
	e := make([]Triplet, 0, len(entries))
	for _, t := range entries {
		if t.V != 0 {
			e = append(e, t)
		}
	}
	sort.Slice(e, func(a, b int) bool {
		if e[a].I != e[b].I {
			return e[a].I < e[b].I
		}
		return e[a].J < e[b].J
	})
	p := &SparsePlan{N: n, M: m, RowPtr: make([]int, n+1)}
	for k, t := range e {
		if k > 0 && e[k-1].I == t.I && e[k-1].J == t.J {
			p.Val[len(p.Val)-1] += t.V
			continue
		}
		p.ColIdx = append(p.ColIdx, t.J)
		p.Val = append(p.Val, t.V)
		p.RowPtr[t.I+1] = len(p.Val)
	}
	for i := 1; i <= n; i++ {
		if p.RowPtr[i] < p.RowPtr[i-1] {
			p.RowPtr[i] = p.RowPtr[i-1]
		}
	}
	return p
}

// EntropicPlan is the lazy plan P_ij = exp((F_i + G_j − C_ij)/Eps) of an
// entropic solver, evaluated on demand from the potentials (O(n+m) memory).
// A potential of −Inf (zero weight) gives a zero row or column.
type EntropicPlan struct {
	F, G []float64
	Eps  float64
	C    Cost
}

// Dims returns the plan's shape.
func (p *EntropicPlan) Dims() (n, m int) { return len(p.F), len(p.G) }

// At evaluates entry (i, j); it computes row i of the cost.
func (p *EntropicPlan) At(i, j int) float64 {
	if d, ok := p.C.(*DenseCost); ok {
		return p.entry(i, j, d.At(i, j))
	}
	row := p.C.Row(i, make([]float64, len(p.G)))
	return p.entry(i, j, row[j])
}

func (p *EntropicPlan) entry(i, j int, c float64) float64 {
	if math.IsInf(p.F[i], -1) || math.IsInf(p.G[j], -1) {
		return 0
	}
	return math.Exp((p.F[i] + p.G[j] - c) / p.Eps)
}

// Row evaluates row i into dst.
func (p *EntropicPlan) Row(i int, dst []float64) []float64 {
	dst = p.C.Row(i, dst[:len(p.G)])
	for j, c := range dst {
		dst[j] = p.entry(i, j, c)
	}
	return dst
}

// T returns the transpose as a mat.Matrix view.
func (p *EntropicPlan) T() mat.Matrix { return mat.Transpose{Matrix: p} }

// NNZ counts the positive entries (an O(nm) pass).
func (p *EntropicPlan) NNZ() int {
	row := make([]float64, len(p.G))
	k := 0
	for i := range p.F {
		for _, v := range p.Row(i, row) {
			if v > 0 {
				k++
			}
		}
	}
	return k
}

// Marginals returns the row sums r = P1 and column sums c = Pᵀ1 of a plan.
func Marginals(p Plan) (r, c []float64) {
	n, m := p.Dims()
	r, c = make([]float64, n), make([]float64, m)
	if sp, ok := p.(*SparsePlan); ok {
		for i := 0; i < n; i++ {
			for k := sp.RowPtr[i]; k < sp.RowPtr[i+1]; k++ {
				r[i] += sp.Val[k]
				c[sp.ColIdx[k]] += sp.Val[k]
			}
		}
		return r, c
	}
	row := make([]float64, m)
	for i := 0; i < n; i++ {
		for j, v := range p.Row(i, row) {
			r[i] += v
			c[j] += v
		}
	}
	return r, c
}

// MarginalError returns ‖P1 − a‖₁ + ‖Pᵀ1 − b‖₁.
func MarginalError(p Plan, a, b []float64) float64 {
	r, c := Marginals(p)
	return L1Dist(r, a) + L1Dist(c, b)
}

// L1Dist returns Σ|x_k − y_k|.
func L1Dist(x, y []float64) float64 {
	var s float64
	for k := range x {
		s += math.Abs(x[k] - y[k])
	}
	return s
}

// LinearCost returns <P, C>, skipping zero plan entries (so forbidden +Inf
// costs with zero mass do not give NaN).
func LinearCost(p Plan, c Cost) float64 {
	n, m := p.Dims()
	var s float64
	if sp, ok := p.(*SparsePlan); ok {
		crow := make([]float64, m)
		dc, _ := c.(*DenseCost)
		for i := 0; i < n; i++ {
			lo, hi := sp.RowPtr[i], sp.RowPtr[i+1]
			if lo == hi {
				continue
			}
			var cr []float64
			if dc != nil {
				cr = dc.RowView(i)
			} else {
				cr = c.Row(i, crow)
			}
			for k := lo; k < hi; k++ {
				if sp.Val[k] != 0 {
					s += sp.Val[k] * cr[sp.ColIdx[k]]
				}
			}
		}
		return s
	}
	prow, crow := make([]float64, m), make([]float64, m)
	for i := 0; i < n; i++ {
		pr := p.Row(i, prow)
		cr := c.Row(i, crow)
		for j, v := range pr {
			if v != 0 {
				s += v * cr[j]
			}
		}
	}
	return s
}
