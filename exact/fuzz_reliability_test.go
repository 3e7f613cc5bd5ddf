package exact

import (
	"context"
	"testing"

	"github.com/otkit/otkit/internal/stress"
	"github.com/otkit/otkit/ot"
)

// FuzzContract decodes a small problem (weights 0 or 1e-12…1, costs with
// forbidden pairs, scaled by 1e-300…1e300) and settings (block size,
// MaxIter) and checks the solver contract with stress.Check; a network
// simplex solve that is not cut short by MaxIter must converge.
func FuzzContract(f *testing.F) {
	f.Add([]byte{3, 3, 6, 1, 1, 1, 1, 1, 1, 8, 16, 24, 32, 40, 48, 56, 64, 72, 0, 0})
	f.Add([]byte{2, 4, 0, 1, 13, 0, 5, 9, 2, 255, 8, 16, 255, 24, 1, 2, 0, 3, 1, 5})
	f.Add([]byte{5, 1, 12, 3, 0, 1, 12, 7, 2, 200, 100, 50, 25, 0, 10, 2, 2, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		fz := stress.Decode(data)
		in := fz.In
		s := &Solver{BlockSize: int(in.Next() % 8), MaxIter: []int{0, 0, 0, 1, 3}[in.Next()%5]}
		res, err := s.Solve(context.Background(), fz.P)
		if e := stress.Check(fz.P, res, err, 1e-12); e != nil {
			t.Fatalf("BlockSize %d, MaxIter %d: %v", s.BlockSize, s.MaxIter, e)
		}
		// NumericalError is the Converged plan whose round-off flow on
		// forbidden pairs, left out, puts it above the documented bound.
		roundoff := err == nil && res.Status == ot.NumericalError &&
			res.MarginalError <= 1e-10*fz.P.Mass()
		if err == nil && s.MaxIter == 0 && res.Status != ot.Converged && !roundoff {
			t.Fatalf("status %v without an iteration limit", res.Status)
		}
	})
}
