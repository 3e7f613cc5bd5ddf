package monge

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/otkit/otkit/internal/stress"
)

// TestReliabilityDeterminism: Settings.Gap gives bitwise identical results
// for Workers 1, 2 and 7, and one Settings value used from several
// goroutines at once (run with -race) gives the same result again.
func TestReliabilityDeterminism(t *testing.T) {
	n, d := 300, 2
	if testing.Short() {
		n = 20
	}
	rng := rand.New(rand.NewPCG(15, 6))
	x, tx := mat.NewDense(n, d, nil), mat.NewDense(n, d, nil)
	for i := range n {
		for j := range d {
			v := rng.NormFloat64()
			x.Set(i, j, v)
			tx.Set(i, j, 1.5*v+0.2*rng.NormFloat64())
		}
	}
	gap := func(s *Settings) *GapResult {
		g, err := s.Gap(context.Background(), x, tx, 1)
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	want := gap(&Settings{Workers: 1})
	for _, w := range []int{2, 7} {
		if err := sameGap(want, gap(&Settings{Workers: w})); err != nil {
			t.Errorf("Workers %d: %v", w, err)
		}
	}
	shared := &Settings{Workers: 7}
	for k, got := range stress.Parallel(4, func() *GapResult { return gap(shared) }) {
		if err := sameGap(want, got); err != nil {
			t.Errorf("goroutine %d sharing one Settings: %v", k, err)
		}
	}
}

func sameGap(want, got *GapResult) error {
	if want.Status != got.Status {
		return fmt.Errorf("status %v, want %v", got.Status, want.Status)
	}
	if err := stress.SameSlice("Value, Floor", []float64{want.Value, want.Floor}, []float64{got.Value, got.Floor}); err != nil {
		return err
	}
	if err := stress.SameSlice("Grad", want.Grad.RawMatrix().Data, got.Grad.RawMatrix().Data); err != nil {
		return err
	}
	return stress.Same(want.Solve, got.Solve)
}
