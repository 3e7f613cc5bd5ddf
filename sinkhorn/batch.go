package sinkhorn

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/otkit/otkit/internal/parallel"
	"github.com/otkit/otkit/ot"
)

// SolveBatch solves independent problems of any sizes on a pool of
// s.Workers goroutines (zero means one), each problem on one goroutine with
// the receiver's other settings. results[k] and errs[k] belong to ps[k];
// a problem that fails validation has a nil result and its error. Results
// are identical to solving the problems one by one. Progress is not called
// and Init must be nil (use Solve for warm starts).
func (s *Solver) SolveBatch(ctx context.Context, ps []*ot.Problem) (results []*ot.Result, errs []error) {
	results, errs = make([]*ot.Result, len(ps)), make([]error, len(ps))
	if s.Init != nil {
		err := fmt.Errorf("%w: sinkhorn: SolveBatch does not take Init", ot.ErrParameter)
		for k := range errs {
			errs[k] = err
		}
		return results, errs
	}
	one := *s
	one.Workers, one.Progress = 1, nil
	// Problems go to the next free worker (sizes differ); each result is
	// independent of the assignment.
	pool := parallel.NewPool(min(max(s.Workers, 1), len(ps)))
	defer pool.Close()
	var next atomic.Int64
	pool.Run(func(int) {
		for {
			k := int(next.Add(1)) - 1
			if k >= len(ps) {
				return
			}
			results[k], errs[k] = one.Solve(ctx, ps[k])
		}
	})
	return results, errs
}
