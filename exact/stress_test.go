package exact

import (
	"context"
	"testing"

	"github.com/otkit/otkit/internal/stress"
	"github.com/otkit/otkit/ot"
)

// TestStressGrid runs the stress grid (a slice; all of it with
// OTKIT_STRESS=1) at the default settings; the network simplex has no
// regularization, so the ratios only repeat the cases.
func TestStressGrid(t *testing.T) {
	stress.Run(t, stress.Config{
		Name: "exact",
		Solve: func(ctx context.Context, c stress.Case) (*ot.Result, error) {
			return (&Solver{}).Solve(ctx, c.P)
		},
		Tol: 1e-12,
	})
}
