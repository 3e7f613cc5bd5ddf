package cardinality

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/otkit/otkit/ot"
)

// FuzzSolve solves small problems built from fuzz bytes and checks that
// nothing panics, no NaN comes back, and the k-sparsity guarantee holds.
func FuzzSolve(f *testing.F) {
	f.Add(uint8(3), uint8(3), uint8(2), uint8(0), []byte{0, 10, 40, 10, 0, 10, 40, 10, 0, 2, 5, 3, 4, 4, 2})
	f.Add(uint8(2), uint8(1), uint8(1), uint8(1), []byte{0, 1, 5, 5, 1})
	f.Add(uint8(4), uint8(2), uint8(1), uint8(3), []byte{255, 0, 7, 9, 1, 1, 1, 1, 0, 0, 3, 1})
	f.Fuzz(func(t *testing.T, nb, mb, kb, mode uint8, data []byte) {
		n, m, k := 1+int(nb%5), 1+int(mb%5), 1+int(kb%6)
		at := func(q int) float64 {
			if len(data) == 0 {
				return 1
			}
			return float64(data[q%len(data)])
		}
		c := make([]float64, n*m)
		for q := range c {
			c[q] = at(q) / 16
		}
		a, b := make([]float64, n), make([]float64, m)
		var sa, sb float64
		for i := range a {
			a[i] = at(n*m + i)
			sa += a[i]
		}
		for j := range b {
			b[j] = at(n*m + n + j)
			sb += b[j]
		}
		if sa == 0 || sb == 0 {
			return
		}
		for j := range b {
			b[j] *= sa / sb
		}
		cost, _ := ot.NewDenseCost(n, m, c)
		p := &ot.Problem{A: a, B: b, C: cost}
		if p.Validate() != nil {
			return
		}
		s := Solver{K: k, Gamma: 0.05 + at(7)/32, MaxIter: 200,
			Formulation: Formulation(mode & 1), RowSparse: mode&2 != 0}
		if mode&4 != 0 {
			s.Optimizer = Adam
		}
		res, err := s.Solve(context.Background(), p)
		if errors.Is(err, ot.ErrInfeasible) {
			return // no k-sparse plan (a proof of docs/cardinality.md §5)
		}
		if err != nil {
			t.Fatalf("valid problem rejected: %v", err)
		}
		for _, v := range []float64{res.Value, res.DualValue, res.MarginalError, res.LinearCost} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("non-finite result %+v", res)
			}
		}
		plan := res.Plan.(*ot.SparsePlan)
		count := make([]int, m)
		for i := 0; i < n; i++ {
			if s.RowSparse && plan.RowPtr[i+1]-plan.RowPtr[i] > k {
				t.Fatalf("row %d has %d > %d entries", i, plan.RowPtr[i+1]-plan.RowPtr[i], k)
			}
			for q := plan.RowPtr[i]; q < plan.RowPtr[i+1]; q++ {
				if !(plan.Val[q] > 0) {
					t.Fatalf("entry %v", plan.Val[q])
				}
				count[plan.ColIdx[q]]++
			}
		}
		for j, cnt := range count {
			if !s.RowSparse && cnt > k {
				t.Fatalf("column %d has %d > %d entries", j, cnt, k)
			}
		}
	})
}

// FuzzRoute routes small groups built from fuzz bytes.
func FuzzRoute(f *testing.F) {
	f.Add(uint8(8), uint8(2), uint8(4), false, []byte{20, 0, 15, 5, 10, 10, 2, 18})
	f.Fuzz(func(t *testing.T, nb, mb, kb uint8, rowSparse bool, data []byte) {
		n, m := 1+int(nb%16), 1+int(mb%6)
		s := Scores{Tokens: n, Experts: m, Data32: make([]float32, n*m)}
		for q := range s.Data32 {
			if len(data) > 0 {
				s.Data32[q] = float32(int(data[q%len(data)])-128) / 8
			}
		}
		r := Router{Capacity: 1 + int(kb%20), RowSparse: rowSparse}
		out, err := r.Route(context.Background(), s)
		if err != nil {
			if !rowSparse && r.Capacity*m < n {
				return
			}
			t.Fatal(err)
		}
		if math.IsNaN(out.Score) || math.IsNaN(out.MarginalError) || math.IsNaN(out.DualValue) {
			t.Fatalf("NaN in %+v", out)
		}
		for j := 0; j < m && !rowSparse; j++ {
			if out.Load(j) > r.Capacity {
				t.Fatalf("expert %d takes %d > %d", j, out.Load(j), r.Capacity)
			}
		}
	})
}
