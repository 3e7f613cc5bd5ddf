package exact

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/otkit/otkit/ot"
)

// FuzzSolve decodes a small problem (shape, weights with zeros, costs with
// ties, forbidden pairs, negative values) from bytes and checks that Solve
// never panics, never returns NaN, and that a Converged result is feasible,
// dual feasible and has a zero duality gap.
func FuzzSolve(f *testing.F) {
	f.Add([]byte{3, 3, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15})
	f.Add([]byte{1, 5, 0, 0, 0, 255, 9, 9, 9, 9, 9, 9, 9, 1})
	f.Add([]byte{4, 2, 250, 0, 3, 0, 5, 7, 255, 255, 1, 2, 3, 4, 5, 6, 7, 8})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 2 {
			return
		}
		n, m := 1+int(data[0]%6), 1+int(data[1]%6)
		data = data[2:]
		next := func() byte {
			if len(data) == 0 {
				return 1
			}
			b := data[0]
			data = data[1:]
			return b
		}
		a, b := make([]float64, n), make([]float64, m)
		for i := range a {
			a[i] = float64(next() % 4)
		}
		for j := range b {
			b[j] = float64(next() % 4)
		}
		sa, sb := sum(a), sum(b)
		if sa == 0 || sb == 0 {
			return
		}
		for j := range b {
			b[j] *= sa / sb
		}
		C := make([]float64, n*m)
		for k := range C {
			v := next()
			switch {
			case v == 255:
				C[k] = math.Inf(1)
			default:
				C[k] = float64(int8(v)) / 8
			}
		}
		p := &ot.Problem{A: a, B: b, C: &ot.DenseCost{N: n, M: m, Data: C}}
		res, err := (&Solver{BlockSize: 1 + int(next()%7)}).Solve(context.Background(), p)
		if err != nil {
			return
		}
		if math.IsNaN(res.LinearCost) || math.IsNaN(res.DualValue) {
			t.Fatalf("NaN result: %+v", res)
		}
		if res.Status != ot.Converged {
			t.Fatalf("status %v", res.Status)
		}
		if res.MarginalError > 1e-12*sa {
			t.Fatalf("marginal error %g", res.MarginalError)
		}
		if math.Abs(res.LinearCost-res.DualValue) > 1e-9*sa*16 {
			t.Fatalf("duality gap %g", res.LinearCost-res.DualValue)
		}
		for i := 0; i < n; i++ {
			for j := 0; j < m; j++ {
				if res.F[i]+res.G[j] > C[i*m+j]+1e-9*16 {
					t.Fatalf("dual infeasible at (%d,%d): %g + %g > %g", i, j, res.F[i], res.G[j], C[i*m+j])
				}
			}
		}
	})
}

// FuzzAssign checks Assign against brute force on small costs, square and
// rectangular, with ties and forbidden pairs, minimizing and maximizing.
func FuzzAssign(f *testing.F) {
	f.Add([]byte{3, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9})
	f.Add([]byte{4, 1, 255, 255, 0, 0, 1, 1, 255, 2, 3, 3, 3, 3, 255, 0, 0, 9})
	f.Add([]byte{2 + 5*4, 0, 1, 2, 3, 255, 5, 6, 7})
	f.Add([]byte{4 + 5*1, 1, 255, 2, 3, 4, 5, 6, 7, 255, 9})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 2 {
			return
		}
		n, m, maximize := 1+int(data[0]%5), 1+int(data[0]/5%5), data[1]%2 == 1
		if data[0] < 25 {
			m = n // the first seeds: square
		}
		data = data[2:]
		C := make([]float64, n*m)
		for k := range C {
			v := byte(1)
			if k < len(data) {
				v = data[k]
			}
			switch {
			case v == 255 && maximize:
				C[k] = math.Inf(-1)
			case v == 255:
				C[k] = math.Inf(1)
			default:
				C[k] = float64(int8(v)) / 4
			}
		}
		want, feasible := bruteAssign(n, m, C, maximize)
		match, total, err := Assign(context.Background(), &ot.DenseCost{N: n, M: m, Data: C}, &AssignOptions{Maximize: maximize})
		if !feasible {
			if !errors.Is(err, ot.ErrInfeasible) {
				t.Fatalf("want ErrInfeasible, got %v", err)
			}
			return
		}
		if err != nil || !isMatching(match, n, m) || math.Abs(total-want) > 1e-9 {
			t.Fatalf("%d×%d: got %v %v %v, want total %v", n, m, match, total, err, want)
		}
	})
}

func sum(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v
	}
	return s
}
