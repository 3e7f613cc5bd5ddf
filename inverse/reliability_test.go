package inverse

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/otkit/otkit/internal/stress"
)

// TestReliabilityDeterminism: Fit gives bitwise identical estimates for
// Workers 1, 2 and 7, and one Estimator value used from several goroutines
// at once (run with -race) gives the same estimate again.
func TestReliabilityDeterminism(t *testing.T) {
	n, d := 60, 2
	if testing.Short() {
		n = 20
	}
	rng := rand.New(rand.NewPCG(15, 5))
	x, y := mat.NewDense(n, d, nil), mat.NewDense(n, d, nil)
	for i := range n {
		for j := range d {
			v := rng.NormFloat64()
			x.Set(i, j, v)
			y.Set(i, j, 0.8*v+0.3*rng.NormFloat64())
		}
	}
	data := Pairs(x, y)
	fit := func(e *Estimator) *Estimate {
		est, err := e.Fit(context.Background(), data)
		if err != nil {
			t.Fatal(err)
		}
		return est
	}
	base := Estimator{Epsilon: 0.5, Lambda: 0.01, MaxIter: 200}
	e1 := base
	e1.Workers = 1
	want := fit(&e1)
	for _, w := range []int{2, 7} {
		e := base
		e.Workers = w
		if err := sameEstimate(want, fit(&e)); err != nil {
			t.Errorf("Workers %d: %v", w, err)
		}
	}
	shared := base
	shared.Workers = 7
	for k, got := range stress.Parallel(4, func() *Estimate { return fit(&shared) }) {
		if err := sameEstimate(want, got); err != nil {
			t.Errorf("goroutine %d sharing one Estimator: %v", k, err)
		}
	}
}

func sameEstimate(want, got *Estimate) error {
	if want.Status != got.Status || want.Iterations != got.Iterations || want.NewtonSteps != got.NewtonSteps ||
		want.InnerSweeps != got.InnerSweeps {
		return fmt.Errorf("status %v after %d/%d/%d steps, want %v after %d/%d/%d", got.Status, got.Iterations,
			got.NewtonSteps, got.InnerSweeps, want.Status, want.Iterations, want.NewtonSteps, want.InnerSweeps)
	}
	for _, s := range []struct {
		name string
		w, g []float64
	}{{"Theta", want.Theta, got.Theta}, {"Grad", want.Grad, got.Grad}, {"History", want.History, got.History},
		{"Loss, Objective, KKT", []float64{want.Loss, want.Objective, want.KKT}, []float64{got.Loss, got.Objective, got.KKT}}} {
		if err := stress.SameSlice(s.name, s.w, s.g); err != nil {
			return err
		}
	}
	return stress.Same(want.Inner, got.Inner)
}
