package ot_test

import (
	"context"
	"math"
	"testing"

	"github.com/otkit/otkit/exact"
	"github.com/otkit/otkit/internal/stress"
	"github.com/otkit/otkit/ot"
)

// FuzzValidateFeasibility decodes small problems (weights from {0, 1, 2,
// 3}, costs k/8 with byte 255 a forbidden pair, byte 254 NaN, 253 −Inf) and
// checks Validate against the network simplex: an error wraps an ot
// sentinel; an accepted problem has finite non-negative weights of equal
// mass and no NaN or −Inf cost; and Validate accepts exactly the problems
// that admit a plan avoiding the forbidden pairs (the exact solve with
// forbidden pairs priced 1e9 moves no mass over them).
func FuzzValidateFeasibility(f *testing.F) {
	f.Add([]byte{3, 3, 1, 1, 1, 1, 1, 1, 8, 16, 24, 32, 40, 48, 56, 64, 72})
	f.Add([]byte{2, 2, 1, 1, 1, 1, 255, 0, 0, 255})
	f.Add([]byte{2, 2, 1, 2, 2, 1, 255, 0, 0, 255})
	f.Add([]byte{3, 2, 1, 0, 2, 1, 2, 254, 0, 253, 0, 1, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		in := stress.NewBytes(data)
		n, m := 1+int(in.Next()%6), 1+int(in.Next()%6)
		a, b := make([]float64, n), make([]float64, m)
		var sa, sb float64
		for i := range a {
			a[i] = float64(in.Next() % 4)
			sa += a[i]
		}
		for j := range b {
			b[j] = float64(in.Next() % 4)
			sb += b[j]
		}
		if sa > 0 && sb > 0 {
			for j := range b {
				b[j] *= sa / sb
			}
		}
		c := make([]float64, n*m)
		pen := make([]float64, n*m)
		special := false
		for k := range c {
			switch v := in.Next(); v {
			case 255:
				c[k], pen[k] = math.Inf(1), 1e9
			case 254:
				c[k], special = math.NaN(), true
			case 253:
				c[k], special = math.Inf(-1), true
			default:
				c[k] = float64(int8(v)) / 8
				pen[k] = c[k]
			}
		}
		p := &ot.Problem{A: a, B: b, C: &ot.DenseCost{N: n, M: m, Data: c}}
		err := p.Validate()
		if err != nil && !stress.WrapsSentinel(err) {
			t.Fatalf("error wraps no ot sentinel: %v", err)
		}
		if special || sa == 0 || sb == 0 {
			if err == nil {
				t.Fatalf("accepted a=%v b=%v c=%v", a, b, c)
			}
			return
		}
		res, perr := (&exact.Solver{}).Solve(context.Background(),
			&ot.Problem{A: a, B: b, C: &ot.DenseCost{N: n, M: m, Data: pen}})
		if perr != nil {
			t.Fatalf("penalized problem: %v", perr)
		}
		var forbidden float64
		for i := range n {
			for j := range m {
				if math.IsInf(c[i*m+j], 1) {
					forbidden += res.Plan.At(i, j)
				}
			}
		}
		feasible := forbidden <= 1e-9*sa
		if feasible != (err == nil) {
			t.Fatalf("Validate = %v but %g of the mass %g must cross forbidden pairs: a=%v b=%v c=%v", err, forbidden, sa, a, b, c)
		}
	})
}
