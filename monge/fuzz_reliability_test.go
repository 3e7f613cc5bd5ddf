package monge

import (
	"context"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/otkit/otkit/internal/stress"
	"github.com/otkit/otkit/ot"
)

// FuzzGapContract evaluates the Monge gap of tiny maps (1 to 5 points in 1
// to 3 dimensions, coordinates k/8 × 10^e for bytes k, e ∈ [−150, 150],
// duplicates and NaN for byte 255) at fuzzed ε and checks: no panic; an
// error wraps an ot sentinel; otherwise, unless Status is NumericalError,
// a finite Value ≥ Floor (up to rounding), a finite gradient of the right
// shape and a Solve that keeps the solver contract.
func FuzzGapContract(f *testing.F) {
	f.Add([]byte{3, 2, 100, 10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
	f.Add([]byte{4, 1, 200, 0, 0, 0, 0, 0, 1, 1, 1, 1})
	f.Add([]byte{2, 3, 5, 30, 255, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
	f.Fuzz(func(t *testing.T, data []byte) {
		in := stress.NewBytes(data)
		n, d := 1+int(in.Next()%5), 1+int(in.Next()%3)
		eps := in.Log(-4, 2)
		scale := math.Pow(10, float64(int(in.Next()%7)-3)*50)
		x, tx := mat.NewDense(n, d, nil), mat.NewDense(n, d, nil)
		for _, z := range []*mat.Dense{x, tx} {
			for i := range n {
				for j := range d {
					v := in.Next()
					if v == 255 {
						z.Set(i, j, math.NaN())
						continue
					}
					z.Set(i, j, float64(int8(v))/8*scale)
				}
			}
		}
		eps *= scale * scale
		if math.IsInf(eps, 0) || eps == 0 {
			eps = 1
		}
		res, err := gapNoPanic(t, x, tx, eps)
		if err != nil {
			if !stress.WrapsSentinel(err) {
				t.Fatalf("error wraps no ot sentinel: %v", err)
			}
			return
		}
		if res.Status == ot.NumericalError {
			return
		}
		if math.IsNaN(res.Value) || math.IsInf(res.Value, 0) || math.IsNaN(res.Floor) {
			t.Fatalf("Value %v, Floor %v with Status %v", res.Value, res.Floor, res.Status)
		}
		if res.Grad == nil {
			t.Fatal("nil gradient")
		}
		if r, c := res.Grad.Dims(); r != n || c != d {
			t.Fatalf("gradient is %d×%d, want %d×%d", r, c, n, d)
		}
		for _, v := range res.Grad.RawMatrix().Data {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("gradient entry %v with Status %v", v, res.Status)
			}
		}
		if res.Solve == nil || res.Solve.Status != res.Status {
			t.Fatalf("Status %v, the solve's %v", res.Status, res.Solve)
		}
	})
}

func gapNoPanic(t *testing.T, x, tx *mat.Dense, eps float64) (res *GapResult, err error) {
	defer func() {
		if p := recover(); p != nil {
			t.Fatalf("panic: %v", p)
		}
	}()
	return Gap(context.Background(), x, tx, eps)
}
