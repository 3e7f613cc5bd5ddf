package quadratic

import (
	"context"
	"math"
	"testing"

	"github.com/otkit/otkit/ot"
)

// FuzzSolve runs every method on small problems built from the fuzz input:
// no panic, no NaN, a nonnegative plan and either an error or a Result.
func FuzzSolve(f *testing.F) {
	f.Add([]byte{3, 3, 10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, 1.0)
	f.Add([]byte{1, 4, 0, 0, 0, 0, 0, 9, 9, 9, 9}, 0.01)
	f.Add([]byte{2, 2, 5, 0, 255, 255, 0, 1, 1, 0, 3}, 100.0)
	f.Fuzz(func(t *testing.T, data []byte, gamma float64) {
		if len(data) < 3 {
			return
		}
		n, m := 1+int(data[0])%5, 1+int(data[1])%5
		meth := Method(int(data[2]) % 3)
		data = data[3:]
		at := func(k int) float64 {
			if len(data) == 0 {
				return 1
			}
			return float64(data[k%len(data)])
		}
		c := make([]float64, n*m)
		for k := range c {
			c[k] = at(k) / 16
		}
		a, b := make([]float64, n), make([]float64, m)
		var sa, sb float64
		for i := range a {
			a[i] = float64(int(at(n*m+i)) % 4)
			sa += a[i]
		}
		for j := range b {
			b[j] = float64(int(at(n*m+n+j)) % 3)
			sb += b[j]
		}
		if sa == 0 || sb == 0 {
			return
		}
		for j := range b {
			b[j] *= sa / sb
		}
		p := &ot.Problem{A: a, B: b, C: &ot.DenseCost{N: n, M: m, Data: c}}
		s := Solver{Gamma: gamma, Method: meth, MaxIter: 300}
		r, err := s.Solve(context.Background(), p)
		if err != nil {
			return
		}
		if math.IsNaN(r.Value) || math.IsNaN(r.MarginalError) || math.IsNaN(r.DualValue) {
			t.Fatalf("NaN in result: %+v", r)
		}
		sp := r.Plan.(*ot.SparsePlan)
		for _, v := range sp.Val {
			if !(v > 0) || math.IsInf(v, 0) {
				t.Fatalf("bad plan entry %v", v)
			}
		}
		// Converged means the tolerance up to the rounding of (F − C)/γ.
		var cmax float64
		for _, v := range c {
			cmax = math.Max(cmax, v)
		}
		slack := 1e-6*math.Max(1, sa) + 1e-14*float64(n*m)*cmax/s.Gamma
		if r.Status == ot.Converged && r.MarginalError > slack {
			t.Fatalf("converged with MarginalError %v", r.MarginalError)
		}
	})
}
