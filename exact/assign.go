package exact

import (
	"context"
	"fmt"

	"github.com/otkit/otkit/ot"
)

// AssignOptions are the settings of Assign. The zero value (or nil)
// minimizes the total cost.
type AssignOptions struct {
	// Maximize treats the matrix as scores and maximizes their total;
	// −Inf scores then mark forbidden pairs (and +Inf is an error). The
	// scores are copied, negated, into a dense matrix.
	Maximize bool
}

// Assign solves the linear assignment problem on an n×m cost: it matches
// each row to a distinct column, or, when there are more rows than columns
// (n > m), each column to a distinct row, minimizing the total cost of the
// matched pairs (maximizing it with opt.Maximize). Every row and column of
// the smaller side is matched.
//
// The matching is returned as match, of length n: row i is matched to
// column match[i], or match[i] = −1 when row i is left unmatched (which
// happens only when n > m, for n − m rows), the convention of
// ot.Permutation. total is the sum of the matched entries.
//
// It is the transport problem with unit weights, solved by the network
// simplex of Solver (with a zero-cost dummy row or column of weight |n − m|
// taking the unmatched side's excess): with integer weights every flow of
// the simplex is an integer, so the optimal vertex it returns is a matching.
// Forbidden pairs (+Inf costs) are allowed; if no matching of the smaller
// side avoids them the error wraps ot.ErrInfeasible. An empty cost wraps
// ot.ErrEmpty, dense data of the wrong length ot.ErrShape, and a NaN or
// wrong-signed infinity ot.ErrNonFinite. A nil ctx means
// context.Background(); if ctx is done before the matching is found, the
// error matches both ctx's error and ot.ErrNotConverged.
func Assign(ctx context.Context, c ot.Cost, opt *AssignOptions) (match []int, total float64, err error) {
	if c == nil {
		return nil, 0, fmt.Errorf("%w: no cost", ot.ErrEmpty)
	}
	n, m := c.Dims()
	if n <= 0 || m <= 0 {
		return nil, 0, fmt.Errorf("%w: cost is %d×%d", ot.ErrEmpty, n, m)
	}
	if d, ok := c.(*ot.DenseCost); ok && len(d.Data) != n*m {
		return nil, 0, fmt.Errorf("%w: cost data has %d entries, want %d×%d", ot.ErrShape, len(d.Data), n, m)
	}
	if ctx == nil {
		ctx = context.Background()
	}
	maximize := opt != nil && opt.Maximize
	cost := assignCost(c, maximize)
	N, M := cost.Dims()
	a, b := make([]float64, N), make([]float64, M)
	for i := range a {
		a[i] = 1
	}
	for j := range b {
		b[j] = 1
	}
	switch {
	case n < m:
		a[n] = float64(m - n)
	case n > m:
		b[m] = float64(n - m)
	}
	res, err := (&Solver{}).Solve(ctx, &ot.Problem{A: a, B: b, C: cost})
	if err != nil {
		return nil, 0, err
	}
	switch res.Status {
	case ot.Converged:
	case ot.Canceled:
		return nil, 0, fmt.Errorf("exact: assignment canceled after %d pivots: %w (%w)", res.Iterations, ctx.Err(), ot.ErrNotConverged)
	default:
		return nil, 0, fmt.Errorf("exact: assignment stopped after %d pivots: %w", res.Iterations, res.Status.Err())
	}
	plan := res.Plan.(*ot.SparsePlan)
	match = make([]int, n)
	row := make([]float64, m)
	for i := range match {
		best := plan.RowPtr[i]
		for k := best + 1; k < plan.RowPtr[i+1]; k++ {
			if plan.Val[k] > plan.Val[best] {
				best = k
			}
		}
		match[i] = plan.ColIdx[best]
		if match[i] == m {
			match[i] = -1 // the dummy column
			continue
		}
		total += c.Row(i, row)[match[i]]
	}
	return match, total, nil
}

// assignCost returns the cost Assign solves: c itself when it is square and
// minimized, else c (negated when maximizing) with a row of zeros appended
// when n < m or a column of zeros when n > m. Dense costs and scores are
// copied into a dense matrix; other costs are wrapped.
func assignCost(c ot.Cost, maximize bool) ot.Cost {
	n, m := c.Dims()
	if n == m && !maximize {
		return c
	}
	_, isDense := c.(*ot.DenseCost)
	if !isDense && !maximize {
		return &padCost{c: c, n: n, m: m}
	}
	N, M := n, m
	if n < m {
		N++
	} else if n > m {
		M++
	}
	data := make([]float64, N*M) // the dummy row or column stays zero
	for i := 0; i < n; i++ {
		dst := c.Row(i, data[i*M:i*M+m])
		if maximize {
			for j, v := range dst {
				dst[j] = -v
			}
		}
	}
	return &ot.DenseCost{N: N, M: M, Data: data}
}

// padCost is a rectangular cost with a row of zeros appended (n < m) or a
// column of zeros (n > m).
type padCost struct {
	c    ot.Cost
	n, m int
}

func (p *padCost) Dims() (int, int) {
	if p.n < p.m {
		return p.n + 1, p.m
	}
	return p.n, p.m + 1
}

func (p *padCost) Row(i int, dst []float64) []float64 {
	if p.n < p.m {
		if i == p.n {
			dst = dst[:p.m]
			clear(dst)
			return dst
		}
		return p.c.Row(i, dst[:p.m])
	}
	dst = dst[:p.m+1]
	p.c.Row(i, dst[:p.m])
	dst[p.m] = 0
	return dst
}
