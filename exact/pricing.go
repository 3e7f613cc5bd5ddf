package exact

import "gonum.org/v1/gonum/floats"

// pricer chooses entering arcs by block search (Grigoriadis 1986; the
// default rule of LEMON and of POT's ot.emd): arcs are scanned cyclically in
// blocks, and the most negative reduced cost of the first block holding one
// enters. Dense costs are scanned in place; other costs are priced by whole
// rows computed on demand, so the n×m matrix is never stored.
type pricer struct {
	rows  *costRows
	n, m  int
	block int // arcs per block
	next  int // dense: next arc to scan; computed: next row
	tol   float64
	rc    []float64 // reduced costs of one row
	zero  []float64 // m zeros
	poll  *poller   // stops a scan when the context is done
}

// scanMin returns the least c_k + pii − pj_k below best and its index k, or
// k = −1 if there is none. It tests four entries at a time, which lets the
// common case (no entry below best) run without unpredictable branches.
func scanMin(row, pj []float64, pii, best float64) (float64, int) {
	bk := -1
	pj = pj[:len(row)]
	k := 0
	for ; k+4 <= len(row); k += 4 {
		rr := row[k : k+4 : k+4]
		pp := pj[k : k+4 : k+4]
		r0 := rr[0] + pii - pp[0]
		r1 := rr[1] + pii - pp[1]
		r2 := rr[2] + pii - pp[2]
		r3 := rr[3] + pii - pp[3]
		if min(min(r0, r1), min(r2, r3)) < best {
			for q, c := range rr {
				if r := c + pii - pp[q]; r < best {
					best, bk = r, k+q
				}
			}
		}
	}
	for ; k < len(row); k++ {
		if r := row[k] + pii - pj[k]; r < best {
			best, bk = r, k
		}
	}
	return best, bk
}

// find returns an arc (i, j) of reduced cost C_ij + pi[i] − pi[n+j] < −tol
// (costs in working units), or i < 0 when there is none (the basis is
// optimal) or when the poller stopped the scan (p.poll.stopped).
func (p *pricer) find(pi []float64) (i, j int, rc float64) {
	switch {
	case p.rows.dense != nil:
		return p.findDense(pi)
	case p.rows.sq != nil && p.rows.inv == 1:
		return p.findRows(pi, p.rows.sq.reduced)
	}
	return p.findRows(pi, p.reducedRow)
}

func (p *pricer) findDense(pi []float64) (bi, bj int, best float64) {
	n, m := p.n, p.m
	data := p.rows.dense
	piCol := pi[n : n+m]
	total := n * m
	e := p.next
	cnt := p.block
	best, bi, bj = -p.tol, -1, -1
	inv := p.rows.inv
	if inv != 1 && len(p.rc) != m {
		p.rc = make([]float64, m)
	}
	for scanned := 0; scanned < total; {
		i, j0 := e/m, e%m
		seg := min(m-j0, cnt)
		c := data[e : e+seg]
		if inv != 1 {
			c = floats.ScaleTo(p.rc[:seg], inv, c)
		}
		if r, k := scanMin(c, piCol[j0:j0+seg], pi[i], best); k >= 0 {
			best, bi, bj = r, i, j0+k
		}
		e += seg
		scanned += seg
		cnt -= seg
		if p.poll.add(seg) {
			return -1, -1, 0
		}
		if e == total {
			e = 0
		}
		if cnt == 0 {
			if bi >= 0 {
				p.next = e
				return bi, bj, best
			}
			cnt = p.block
		}
	}
	return bi, bj, best
}

// reducedRow computes the reduced costs of row i into dst from a computed
// cost row.
func (p *pricer) reducedRow(i int, pi, dst []float64) {
	piCol := pi[p.n : p.n+p.m]
	pii := pi[i]
	for j, c := range p.rows.row(i) {
		dst[j] = c + pii - piCol[j]
	}
}

// findRows prices whole rows whose reduced costs reduced computes.
func (p *pricer) findRows(pi []float64, reduced func(i int, pi, dst []float64)) (bi, bj int, best float64) {
	n, m := p.n, p.m
	i := p.next
	cnt := p.block
	best, bi, bj = -p.tol, -1, -1
	if len(p.zero) != m {
		p.rc, p.zero = make([]float64, m), make([]float64, m)
	}
	for scanned := 0; scanned < n; scanned++ {
		reduced(i, pi, p.rc)
		if r, j := scanMin(p.rc, p.zero, 0, best); j >= 0 {
			best, bi, bj = r, i, j
		}
		i++
		if i == n {
			i = 0
		}
		if p.poll.add(m) {
			return -1, -1, 0
		}
		cnt -= m
		if cnt <= 0 {
			if bi >= 0 {
				p.next = i
				return bi, bj, best
			}
			cnt = p.block
		}
	}
	return bi, bj, best
}
