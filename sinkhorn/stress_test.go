package sinkhorn

import (
	"context"
	"testing"

	"github.com/otkit/otkit/internal/stress"
	"github.com/otkit/otkit/ot"
)

// TestStressGrid runs the stress grid (a slice; all of it with
// OTKIT_STRESS=1) at the default settings with ε = ratio × max C.
func TestStressGrid(t *testing.T) {
	stress.Run(t, stress.Config{
		Name: "sinkhorn",
		Solve: func(ctx context.Context, c stress.Case) (*ot.Result, error) {
			return (&Solver{Eps: c.Reg()}).Solve(ctx, c.P)
		},
		Tol: DefaultTol,
	})
}
