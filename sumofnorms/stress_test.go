package sumofnorms

import (
	"context"
	"testing"

	"github.com/otkit/otkit/internal/stress"
	"github.com/otkit/otkit/ot"
)

// TestStressGrid runs the stress grid (a slice; all of it with
// OTKIT_STRESS=1) at the default settings with λ = ratio × max C and two
// row classes, and the GroupLasso baseline with ε = ratio × max C.
func TestStressGrid(t *testing.T) {
	labels := func(n int) []int {
		l := make([]int, n)
		for i := range l {
			l[i] = i % 2
		}
		return l
	}
	t.Run("Solver", func(t *testing.T) {
		stress.Run(t, stress.Config{
			Name: "sumofnorms",
			Solve: func(ctx context.Context, c stress.Case) (*ot.Result, error) {
				n, _ := c.P.Dims()
				return (&Solver{Lambda: c.Reg(), Labels: labels(n)}).Solve(ctx, c.P)
			},
			Tol: DefaultTol,
		})
	})
	t.Run("GroupLasso", func(t *testing.T) {
		stress.Run(t, stress.Config{
			Name: "sumofnorms GroupLasso",
			Solve: func(ctx context.Context, c stress.Case) (*ot.Result, error) {
				n, _ := c.P.Dims()
				return (&GroupLasso{Eps: c.Reg(), Labels: labels(n)}).Solve(ctx, c.P)
			},
			Tol: DefaultTol,
		})
	})
}
