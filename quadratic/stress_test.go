package quadratic

import (
	"context"
	"testing"

	"github.com/otkit/otkit/internal/stress"
	"github.com/otkit/otkit/ot"
)

// TestStressGrid runs the stress grid (a slice; all of it with
// OTKIT_STRESS=1) at the default settings with
// γ = ratio × max C × max(n, m) / mass (the unit of the default γ).
func TestStressGrid(t *testing.T) {
	stress.Run(t, stress.Config{
		Name: "quadratic",
		Solve: func(ctx context.Context, c stress.Case) (*ot.Result, error) {
			n, m := c.P.Dims()
			return (&Solver{Gamma: c.Reg() * float64(max(n, m)) / c.Mass}).Solve(ctx, c.P)
		},
		Tol: 1e-9,
	})
}
