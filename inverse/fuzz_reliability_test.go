package inverse

import (
	"context"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/otkit/otkit/internal/stress"
	"github.com/otkit/otkit/ot"
)

// FuzzFitContract fits tiny observations (pairs, couplings with zero rows,
// linear models with one or two basis costs; values k/8 for bytes k, byte
// 255 a NaN) with fuzzed ε, λ and iteration limits, and checks: no panic;
// an error wraps an ot sentinel; otherwise a terminated Status, finite θ,
// Loss, Objective and KKT unless NumericalError, and Support and Signs that
// describe θ.
func FuzzFitContract(f *testing.F) {
	f.Add([]byte{0, 3, 2, 2, 100, 100, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13})
	f.Add([]byte{1, 2, 3, 1, 128, 50, 1, 0, 3, 2, 1, 5, 4, 1, 0, 0, 9, 9, 9, 9})
	f.Add([]byte{2, 3, 3, 2, 200, 0, 3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3, 2, 3, 8, 4})
	f.Fuzz(fitContract)
}

// fitContract is the body of FuzzFitContract.
func fitContract(t *testing.T, data []byte) {
	{
		in := stress.NewBytes(data)
		model := in.Next() % 3
		n, m, d := 1+int(in.Next()%4), 1+int(in.Next()%4), 1+int(in.Next()%2)
		e := &Estimator{Epsilon: in.Log(-3, 2), Lambda: 0, MaxIter: 50, InnerMaxIter: 2000}
		if v := in.Next(); v%3 != 0 {
			e.Lambda = float64(v) / 255
		}
		val := func() float64 {
			v := in.Next()
			if v == 255 {
				return math.NaN()
			}
			return float64(int8(v)) / 8
		}
		dense := func(r, c int) *mat.Dense {
			x := mat.NewDense(r, c, nil)
			for i := range r {
				for j := range c {
					x.Set(i, j, val())
				}
			}
			return x
		}
		coupling := func(r, c int) *mat.Dense {
			p := mat.NewDense(r, c, nil)
			for i := range r {
				for j := range c {
					p.Set(i, j, float64(in.Next()%4))
				}
			}
			return p
		}
		var dt *Data
		switch model {
		case 0:
			dt = Pairs(dense(n, d), dense(n, d))
		case 1:
			dt = Coupled(dense(n, d), dense(m, d), coupling(n, m))
		default:
			basis := []*mat.Dense{dense(n, m)}
			if d == 2 {
				basis = append(basis, dense(n, m))
			}
			dt = Linear(coupling(n, m), basis...)
		}
		est, err := fitNoPanic(t, e, dt)
		if err != nil {
			if !stress.WrapsSentinel(err) {
				t.Fatalf("error wraps no ot sentinel: %v", err)
			}
			return
		}
		if est.Status == ot.NotTerminated {
			t.Fatal("Status NotTerminated")
		}
		if est.Status == ot.NumericalError {
			return
		}
		for _, v := range append([]float64{est.Loss, est.Objective, est.KKT}, est.Theta...) {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("non-finite figure %v with Status %v: θ = %v", v, est.Status, est.Theta)
			}
		}
		if len(est.Signs) != len(est.Theta) {
			t.Fatalf("%d signs for %d parameters", len(est.Signs), len(est.Theta))
		}
		nz := 0
		for k, v := range est.Theta {
			if (v > 0) != (est.Signs[k] > 0) || (v < 0) != (est.Signs[k] < 0) {
				t.Fatalf("Signs[%d] = %d for θ = %v", k, est.Signs[k], v)
			}
			if v != 0 {
				nz++
			}
		}
		if nz != len(est.Support) {
			t.Fatalf("Support %v for θ = %v", est.Support, est.Theta)
		}
	}
}

func fitNoPanic(t *testing.T, e *Estimator, d *Data) (est *Estimate, err error) {
	defer func() {
		if p := recover(); p != nil {
			t.Fatalf("%+v: panic: %v", *e, p)
		}
	}()
	return e.Fit(context.Background(), d)
}
