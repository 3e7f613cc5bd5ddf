package exact

import (
	"math"

	"gonum.org/v1/gonum/floats"

	"github.com/otkit/otkit/ot"
)

// solvePartial is Solve for a partial problem (p.PartialMass > 0), by the
// dummy-node reduction: the extended (n+1)×(m+1) transportation problem with
// a dummy row of weight ΣB − s and a dummy column of weight ΣA − s, zero
// cost between a dummy and a real node and cost D = 2·max|C| between the
// two dummies. A real row sends to the dummy column what it keeps back, and
// the dummy row supplies what a real column does not receive; since D
// exceeds −C_ij for every finite cost, moving flow off the dummy–dummy arc
// onto a real pair always lowers the cost, so an optimal plan leaves that
// arc empty and moves exactly s between real nodes.
//
// The dual of the partial problem, max <a,u> + <b,v> + s·λ subject to
// u ≤ 0, v ≤ 0, u_i + v_j + λ ≤ C_ij, is read from the extended potentials:
// u_i = F_i + G_d, v_j = G_j + F_d, λ = −F_d − G_d. The returned F, G are
// u + λ/2 and v + λ/2.
func (s *Solver) solvePartial(poll *poller, p *ot.Problem) (*ot.Result, error) {
	n, m := p.Dims()
	sa, sb := floats.Sum(p.A), floats.Sum(p.B)
	mass := min(p.PartialMass, sa, sb)
	// A dummy of zero weight is left out rather than removed later, so that
	// a dense cost stays dense.
	dr, dc := sb-mass, sa-mass // weights of the dummy row and column
	e := extension{n: n, m: m, row: dr > 0, col: dc > 0}
	N, M := e.dims()

	var cost ot.Cost
	if d, ok := p.C.(*ot.DenseCost); ok {
		cost = e.dense(poll, d)
	} else {
		c := &partialCost{extension: e, c: p.C}
		if e.row && e.col {
			c.d = dummyCost(poll, p.C)
		}
		cost = c
		if at := entryFunc(p.C); at != nil {
			cost = &partialCostAt{partialCost: c, at: at}
		}
	}
	a, b := e.weights(p.A, dr, N), e.weights(p.B, dc, M)
	ext := &ot.Problem{A: a, B: b, C: cost}
	b, err := s.balance(a, b) // the totals agree to round-off
	if err != nil {
		return nil, err
	}
	t := *s
	if s.Init != nil {
		t.Init = &ot.Potentials{}
		if s.Init.F != nil {
			t.Init.F = e.weights(s.Init.F, 0, N)
		}
		if s.Init.G != nil {
			t.Init.G = e.weights(s.Init.G, 0, M)
		}
	}
	res, err := t.solve(poll, ext, b)
	if err != nil {
		return nil, err
	}

	// The plan between real rows and columns.
	full := res.Plan.(*ot.SparsePlan)
	plan := &ot.SparsePlan{N: n, M: m, RowPtr: make([]int, n+1)}
	for i := 0; i < n; i++ {
		for k := full.RowPtr[i]; k < full.RowPtr[i+1]; k++ {
			if full.ColIdx[k] < m {
				plan.ColIdx = append(plan.ColIdx, full.ColIdx[k])
				plan.Val = append(plan.Val, full.Val[k])
			}
		}
		plan.RowPtr[i+1] = len(plan.ColIdx)
	}
	res.Plan = plan

	// The potentials of the dummies; one left out gets the c-transform of
	// its zero costs (any value at most that is dual feasible).
	F, G := res.F[:n], res.G[:m]
	fd, gd := -floats.Max(G), -floats.Max(F)
	if e.row {
		fd = res.F[n]
	}
	if e.col {
		gd = res.G[m]
	}
	// Shifted so that the two dummies have the same potential −λ/2, and the
	// partial dual value.
	shift := (gd - fd) / 2
	lambda := -fd - gd
	for i := range F {
		F[i] += shift
	}
	for j := range G {
		G[j] -= shift
	}
	res.F, res.G = F, G
	res.DualValue = floats.Dot(p.A, F) + floats.Dot(p.B, G) + lambda*(mass-(sa+sb)/2)
	res.LinearCost = ot.LinearCost(plan, p.C)
	res.Value = res.LinearCost
	res.MarginalError = p.MarginalError(plan)
	return res, nil
}

// extension describes the extended problem of the partial reduction: the
// n×m problem with a dummy row (when row) and a dummy column (when col).
type extension struct {
	n, m     int
	row, col bool
}

func (e extension) dims() (int, int) {
	N, M := e.n, e.m
	if e.row {
		N++
	}
	if e.col {
		M++
	}
	return N, M
}

// weights returns w followed by the dummy's weight d when the extended
// length size has room for it.
func (e extension) weights(w []float64, d float64, size int) []float64 {
	out := make([]float64, size)
	copy(out, w)
	if size > len(w) {
		out[len(w)] = d
	}
	return out
}

// dense returns the extended cost of a dense cost as a dense matrix (as
// POT does), so that the simplex prices it in place. If poll stops the
// copy, the rest stays zero (the solve that follows stops at once).
func (e extension) dense(poll *poller, c *ot.DenseCost) *ot.DenseCost {
	n, m := c.N, c.M
	N, M := e.dims()
	out := &ot.DenseCost{N: N, M: M, Data: make([]float64, N*M)}
	var hi float64
	for i := 0; i < n && !poll.add(m); i++ {
		row := c.RowView(i)
		if e.row && e.col {
			hi = max(hi, maxAbsFinite(row))
		}
		copy(out.Data[i*M:], row)
	}
	if e.row && e.col {
		out.Data[len(out.Data)-1] = dummyFromMax(hi)
	}
	return out
}

// dummyCost returns the cost of the dummy–dummy arc of the partial
// reduction: 2·max|C| over the finite costs (1 when they are all zero, and
// the largest float64 when 2·max|C| overflows). If poll stops the pass, the
// maximum so far is used (the solve that follows stops at once).
func dummyCost(poll *poller, c ot.Cost) float64 {
	n, m := c.Dims()
	var hi float64
	row := make([]float64, m)
	for i := 0; i < n && !poll.add(m); i++ {
		hi = max(hi, maxAbsFinite(c.Row(i, row)))
	}
	return dummyFromMax(hi)
}

func dummyFromMax(hi float64) float64 {
	switch {
	case hi == 0:
		return 1
	case hi > math.MaxFloat64/2:
		return math.MaxFloat64
	}
	return 2 * hi
}

func maxAbsFinite(x []float64) float64 {
	var hi float64
	for _, v := range x {
		if v = math.Abs(v); v > hi && v != inf {
			hi = v
		}
	}
	return hi
}

// entryFunc returns a function giving single entries of c without a whole
// row, or nil when c offers only rows.
func entryFunc(c ot.Cost) func(i, j int) float64 {
	switch c := c.(type) {
	case *ot.DenseCost:
		return func(i, j int) float64 { return c.Data[i*c.M+j] }
	case *ot.PointCloud:
		if c.Metric == ot.SqEuclidean || c.Metric == ot.Euclidean {
			return newSqCloud(c).entry
		}
		return cloudEntry(c)
	case interface{ At(i, j int) float64 }:
		return c.At
	}
	return nil
}

// partialCost is the extended cost of the partial reduction read through
// c: zero on the dummy row and column, d at the dummy–dummy corner.
type partialCost struct {
	extension
	c ot.Cost
	d float64
}

func (e *partialCost) Dims() (int, int) { return e.dims() }

func (e *partialCost) Row(i int, dst []float64) []float64 {
	_, M := e.dims()
	dst = dst[:M]
	if i == e.n {
		clear(dst)
		if e.col {
			dst[e.m] = e.d
		}
		return dst
	}
	if r := e.c.Row(i, dst[:e.m]); &r[0] != &dst[0] {
		copy(dst, r)
	}
	if e.col {
		dst[e.m] = 0
	}
	return dst
}

// partialCostAt is a partialCost whose entries can be read singly.
type partialCostAt struct {
	*partialCost
	at func(i, j int) float64
}

func (e *partialCostAt) At(i, j int) float64 {
	switch {
	case i == e.n && j == e.m:
		return e.d
	case i == e.n || j == e.m:
		return 0
	}
	return e.at(i, j)
}
