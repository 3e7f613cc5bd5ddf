package cardinality

import (
	"fmt"
	"slices"

	"github.com/otkit/otkit/ot"
)

// CheckCapacity tests a cheap necessary condition for the sparsity-
// constrained problem to have a feasible plan (one meeting both marginals):
// every column's weight b_j must fit into k rows, i.e. the k largest row
// weights must sum to at least b_j (with rowSparse, the same with rows and
// columns swapped). It returns nil when the condition holds and otherwise an
// error wrapping ot.ErrInfeasible that names the first column that cannot be
// filled. For mixture-of-experts masses (a_i = 1, b_j = n/m) the condition
// is k ≥ n/m.
//
// Passing the check does not make the problem feasible: deciding
// feasibility is NP-hard (it contains PARTITION). Solver.Solve runs this
// check and stronger ones (docs/cardinality.md §5) before solving.
func CheckCapacity(p *ot.Problem, k int, rowSparse bool) error {
	if k < 1 {
		return fmt.Errorf("%w: cardinality K = %d (want K ≥ 1)", ot.ErrParameter, k)
	}
	if err := p.ValidateWith(nil); err != nil {
		return err
	}
	rows, cols, what := p.A, p.B, "column"
	if rowSparse {
		rows, cols, what = p.B, p.A, "row"
	}
	w := slices.Clone(rows)
	slices.Sort(w)
	slices.Reverse(w)
	var top float64
	for _, v := range w[:min(k, len(w))] {
		top += v
	}
	tol := ot.MassTol * p.Mass()
	for j, b := range cols {
		if b > top+tol {
			return fmt.Errorf("%w: %s %d has weight %v but the %d largest weights on the other side sum to %v",
				ot.ErrInfeasible, what, j, b, k, top)
		}
	}
	return nil
}
