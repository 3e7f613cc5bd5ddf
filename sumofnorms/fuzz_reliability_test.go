package sumofnorms

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/otkit/otkit/internal/stress"
	"github.com/otkit/otkit/ot"
)

// FuzzContract decodes a small problem (weights 0 or 1e-12…1, costs with
// forbidden pairs, scaled by 1e-300…1e300) and settings (λ from 1e-4 to
// 1e2 × max C or 0, labels, method, MaxIter; or the GroupLasso baseline)
// and checks the solver contract with stress.Check.
func FuzzContract(f *testing.F) {
	f.Add([]byte{3, 3, 6, 1, 1, 1, 1, 1, 1, 8, 16, 24, 32, 40, 48, 56, 64, 72, 1, 0, 0, 0, 0, 0})
	f.Add([]byte{2, 4, 0, 1, 13, 0, 5, 9, 2, 255, 8, 16, 255, 24, 1, 2, 0, 3, 1, 5})
	f.Add([]byte{5, 1, 12, 3, 0, 1, 12, 7, 2, 200, 100, 50, 25, 0, 10, 2, 2, 1})
	f.Add([]byte{4, 3, 6, 1, 2, 3, 4, 1, 2, 3, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2, 3, 3, 200, 1, 1, 2})
	f.Fuzz(func(t *testing.T, data []byte) {
		fz := stress.Decode(data)
		in := fz.In
		n, _ := fz.P.Dims()
		reg := in.Log(-4, 2) * math.Max(fz.MaxC, fz.Scale)
		var labels []int
		if c := int(in.Next() % 3); c > 0 {
			labels = make([]int, n)
			for i := range labels {
				labels[i] = int(in.Next()) % c
			}
		}
		kind := in.Next() % 4
		maxIter := []int{0, 1, 50, 2000}[in.Next()%4]
		if kind == 3 {
			g := &GroupLasso{Eps: reg, Eta: in.Log(-4, 2) * math.Max(fz.MaxC, fz.Scale), Labels: labels, MaxIter: min(maxIter, 20)}
			res, err := g.Solve(context.Background(), fz.P)
			if labels != nil && errors.Is(err, ot.ErrZeroMass) {
				return
			}
			if e := stress.Check(fz.P, res, err, DefaultTol); e != nil {
				t.Fatalf("%+v: %v", *g, e)
			}
			return
		}
		s := &Solver{Lambda: reg, Labels: labels, Method: Method(kind % 2), MaxIter: maxIter}
		if kind == 2 {
			s.Lambda = 0
		}
		res, err := s.Solve(context.Background(), fz.P)
		if labels != nil && errors.Is(err, ot.ErrZeroMass) {
			return // a class of zero weight: a documented error of the Labels setting
		}
		if e := stress.Check(fz.P, res, err, DefaultTol); e != nil {
			t.Fatalf("%+v: %v", *s, e)
		}
	})
}
