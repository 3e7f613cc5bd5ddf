package cardinality

import (
	"context"
	"fmt"
	"testing"

	"github.com/otkit/otkit/internal/stress"
	"github.com/otkit/otkit/ot"
)

// TestStressGrid runs the stress grid (a slice; all of it with
// OTKIT_STRESS=1) at the default settings with K = 3 and
// γ = ratio × max C × max(n, m) / mass (the default γ for ratio 0), and
// checks the sparsity bound.
func TestStressGrid(t *testing.T) {
	const k = 3
	stress.Run(t, stress.Config{
		Name: "cardinality (K = 3)",
		Solve: func(ctx context.Context, c stress.Case) (*ot.Result, error) {
			n, m := c.P.Dims()
			return (&Solver{K: k, Gamma: c.Reg() * float64(max(n, m)) / c.Mass}).Solve(ctx, c.P)
		},
		Tol: defaultTol,
		Extra: func(c stress.Case, res *ot.Result) error {
			if nnz := stress.ColumnNNZ(res.Plan); nnz > k {
				return fmt.Errorf("%d nonzeros in a column, K = %d", nnz, k)
			}
			return nil
		},
	})
}
