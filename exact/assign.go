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

// Assign solves the linear assignment problem on a square n×n cost: it
// returns the permutation perm (row i goes to column perm[i]) minimizing
// Σ_i C[i, perm[i]] (maximizing with opt.Maximize), and that total.
//
// It is the transport problem with unit weights, solved by the network
// simplex of Solver: with integer weights every flow of the simplex is an
// integer, so the optimal vertex it returns is a permutation matrix.
// Forbidden pairs (+Inf costs) are allowed; if no permutation avoids them the
// error wraps ot.ErrInfeasible. A non-square or empty cost wraps ot.ErrShape
// or ot.ErrEmpty, and a NaN or wrong-signed infinity wraps ot.ErrNonFinite.
func Assign(c ot.Cost, opt *AssignOptions) (perm []int, total float64, err error) {
	if c == nil {
		return nil, 0, fmt.Errorf("%w: no cost", ot.ErrEmpty)
	}
	n, m := c.Dims()
	if n <= 0 || m <= 0 {
		return nil, 0, fmt.Errorf("%w: cost is %d×%d", ot.ErrEmpty, n, m)
	}
	if n != m {
		return nil, 0, fmt.Errorf("%w: assignment needs a square cost, got %d×%d", ot.ErrShape, n, m)
	}
	cost := c
	if opt != nil && opt.Maximize {
		neg := append([]float64(nil), ot.CostData(c)...)
		for k, v := range neg {
			neg[k] = -v
		}
		cost = &ot.DenseCost{N: n, M: n, Data: neg}
	}
	unit := make([]float64, n)
	for i := range unit {
		unit[i] = 1
	}
	p := &ot.Problem{A: unit, B: unit, C: cost}
	res, err := (&Solver{}).Solve(context.Background(), p)
	if err != nil {
		return nil, 0, err
	}
	if res.Status != ot.Converged {
		return nil, 0, fmt.Errorf("exact: assignment stopped with status %v after %d pivots", res.Status, res.Iterations)
	}
	plan := res.Plan.(*ot.SparsePlan)
	perm = make([]int, n)
	row := make([]float64, n)
	for i := range perm {
		best := plan.RowPtr[i]
		for k := best + 1; k < plan.RowPtr[i+1]; k++ {
			if plan.Val[k] > plan.Val[best] {
				best = k
			}
		}
		perm[i] = plan.ColIdx[best]
		total += c.Row(i, row)[perm[i]]
	}
	return perm, total, nil
}
