package ottest

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/otkit/otkit/ot"
)

// independent is a toy solver that keeps the contract: after "iterating"
// until its context is canceled or its budget is spent, it returns the
// matrix scaling of the finite pattern (Sinkhorn on a 0/1 kernel), a
// feasible plan that avoids the forbidden pairs.
type independent struct{ budget time.Duration }

func (s *independent) Solve(ctx context.Context, p *ot.Problem) (*ot.Result, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	if err := p.ValidateWith(nil); err != nil {
		return nil, err
	}
	status := ot.Converged
	if s.budget > 0 {
		deadline := time.Now().Add(s.budget)
		for time.Now().Before(deadline) && ctx.Err() == nil {
			time.Sleep(time.Millisecond)
		}
	}
	if ctx.Err() != nil {
		status = ot.Canceled
	}
	n, m := p.Dims()
	plan := &ot.DensePlan{N: n, M: m, Data: make([]float64, n*m)}
	row := make([]float64, m)
	for i := 0; i < n; i++ {
		for j, c := range p.C.Row(i, row) {
			if c < math.Inf(1) {
				plan.Data[i*m+j] = 1
			}
		}
	}
	for it := 0; it < 5000 && ctx.Err() == nil; it++ {
		r, c := ot.Marginals(plan)
		for i := 0; i < n; i++ {
			for j := 0; j < m; j++ {
				if r[i] > 0 {
					plan.Data[i*m+j] *= p.A[i] / r[i]
				}
			}
		}
		_, c = ot.Marginals(plan)
		for i := 0; i < n; i++ {
			for j := 0; j < m; j++ {
				if c[j] > 0 {
					plan.Data[i*m+j] *= p.B[j] / c[j]
				}
			}
		}
	}
	res := &ot.Result{Plan: plan, Status: status, LinearCost: ot.LinearCost(plan, p.C)}
	res.Value = res.LinearCost
	res.MarginalError = ot.MarginalError(plan, p.A, p.B)
	return res, nil
}

func TestSuiteAcceptsAConformingSolver(t *testing.T) {
	Run(t, Config{
		New:     func(float64) ot.Solver { return &independent{} },
		Tol:     1e-9,
		CancelN: -1,
	})
}

func TestCancelLargeWithABusySolver(t *testing.T) {
	cancelLarge(t, Config{New: func(float64) ot.Solver { return &independent{budget: 10 * time.Second} }, Tol: 1, CancelN: 300})
}
