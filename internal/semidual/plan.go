package semidual

import "github.com/otkit/otkit/ot"

// Plan builds the CSR plan of the last complete evaluation from the stored column
// entries, keeping those above drop (≥ 0), and returns it with <T,C> and
// ‖T‖²_F (summed in column order). The entries are those of the objective's
// own arithmetic, t_ij = (F_i − C_ij)/γ − θ_j on the kept rows, so the
// column sums are exact to rounding even when γ is tiny relative to the
// cost. No dense n×m buffer is formed: a counting pass scatters the
// columns into rows, columns ascending within a row.
func (c *Columns) Plan(drop float64) (p *ot.SparsePlan, lin, sq float64) {
	n, m := c.n, c.m
	p = &ot.SparsePlan{N: n, M: m, RowPtr: make([]int, n+1)}
	for j := 0; j < m; j++ {
		vals := c.cur.vals[j]
		for s, i := range c.cur.rows[j] {
			if t := vals[s]; t > drop {
				p.RowPtr[i+1]++
				lin += t * c.Cost(int(i), j)
				sq += t * t
			}
		}
	}
	for i := 0; i < n; i++ {
		p.RowPtr[i+1] += p.RowPtr[i]
	}
	nnz := p.RowPtr[n]
	p.ColIdx, p.Val = make([]int, nnz), make([]float64, nnz)
	next := append([]int(nil), p.RowPtr[:n]...)
	for j := 0; j < m; j++ {
		vals := c.cur.vals[j]
		for s, i := range c.cur.rows[j] {
			if t := vals[s]; t > drop {
				p.ColIdx[next[i]] = j
				p.Val[next[i]] = t
				next[i]++
			}
		}
	}
	return p, lin, sq
}
