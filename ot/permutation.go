package ot

import "fmt"

// Permutation reads a matching from a plan in which every row and every
// column holds at most one nonzero entry: a permutation matrix, scaled or
// not (the plan of a transport problem with uniform weights on a square
// cost, when it is a vertex, as the exact solver returns), or a partial
// matching. It returns the column of each row's entry, −1 for a row without
// one. A row or column with more than one nonzero entry is an error
// wrapping ErrShape, and a nil plan an error wrapping ErrEmpty. Sparse and
// dense plans are read in place; other plans a row at a time.
func Permutation(p Plan) ([]int, error) {
	if p == nil {
		return nil, fmt.Errorf("%w: no plan", ErrEmpty)
	}
	n, m := p.Dims()
	match := make([]int, n)
	owner := make([]int, m) // row of the entry in each column, −1 if none
	for j := range owner {
		owner[j] = -1
	}
	var buf []float64
	for i := range match {
		match[i] = -1
		var cols []int
		var vals []float64
		switch p := p.(type) {
		case *SparsePlan:
			lo, hi := p.RowPtr[i], p.RowPtr[i+1]
			cols, vals = p.ColIdx[lo:hi], p.Val[lo:hi]
		case *DensePlan:
			vals = p.Data[i*m : (i+1)*m]
		default:
			if buf == nil {
				buf = make([]float64, m)
			}
			vals = p.Row(i, buf)
		}
		for k, v := range vals {
			if v == 0 {
				continue
			}
			j := k
			if cols != nil {
				j = cols[k]
			}
			if match[i] >= 0 {
				return nil, fmt.Errorf("%w: not a matching: row %d has entries in columns %d and %d", ErrShape, i, match[i], j)
			}
			if owner[j] >= 0 {
				return nil, fmt.Errorf("%w: not a matching: column %d has entries in rows %d and %d", ErrShape, j, owner[j], i)
			}
			match[i], owner[j] = j, i
		}
	}
	return match, nil
}
