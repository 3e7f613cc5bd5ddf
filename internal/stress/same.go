package stress

import (
	"context"
	"fmt"
	"math"
	"sync"
	"testing"

	"github.com/otkit/otkit/ot"
)

// Same returns nil when two results are bitwise identical: Status,
// Iterations, Value, DualValue, LinearCost, MarginalError, History, the
// potentials and every plan entry.
func Same(want, got *ot.Result) error {
	if want == nil || got == nil {
		if want != got {
			return fmt.Errorf("one result is nil")
		}
		return nil
	}
	if want.Status != got.Status || want.Iterations != got.Iterations {
		return fmt.Errorf("status %v after %d iterations, want %v after %d", got.Status, got.Iterations, want.Status, want.Iterations)
	}
	for _, f := range []struct {
		name string
		w, g float64
	}{{"Value", want.Value, got.Value}, {"DualValue", want.DualValue, got.DualValue},
		{"LinearCost", want.LinearCost, got.LinearCost}, {"MarginalError", want.MarginalError, got.MarginalError}} {
		if math.Float64bits(f.w) != math.Float64bits(f.g) {
			return fmt.Errorf("%s = %v, want %v", f.name, f.g, f.w)
		}
	}
	for _, s := range []struct {
		name string
		w, g []float64
	}{{"F", want.F, got.F}, {"G", want.G, got.G}, {"History", want.History, got.History}} {
		if err := SameSlice(s.name, s.w, s.g); err != nil {
			return err
		}
	}
	if (want.Plan == nil) != (got.Plan == nil) {
		return fmt.Errorf("one plan is nil")
	}
	if want.Plan == nil {
		return nil
	}
	return SameSlice("plan", ot.DenseCopy(want.Plan).RawMatrix().Data, ot.DenseCopy(got.Plan).RawMatrix().Data)
}

// SameSlice returns nil when two slices are bitwise identical.
func SameSlice(name string, want, got []float64) error {
	if len(want) != len(got) {
		return fmt.Errorf("%s has %d entries, want %d", name, len(got), len(want))
	}
	for k := range want {
		if math.Float64bits(want[k]) != math.Float64bits(got[k]) {
			return fmt.Errorf("%s[%d] = %v, want %v", name, k, got[k], want[k])
		}
	}
	return nil
}

// Parallel calls f from g goroutines at once and returns the results in
// order, so that one settings value can be checked under -race.
func Parallel[T any](g int, f func() T) []T {
	out := make([]T, g)
	var wg sync.WaitGroup
	for k := range g {
		wg.Go(func() { out[k] = f() })
	}
	wg.Wait()
	return out
}

// Deterministic solves p with newSolver(1), newSolver(2) and newSolver(7)
// and fails t unless the results are bitwise identical (Same); then one
// settings value, newSolver(7), solves p from 4 goroutines at once (run it
// under -race) and every result must again be identical.
func Deterministic(t *testing.T, p *ot.Problem, newSolver func(workers int) ot.Solver) {
	t.Helper()
	ctx := context.Background()
	want, err := newSolver(1).Solve(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []int{2, 7} {
		got, err := newSolver(w).Solve(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if e := Same(want, got); e != nil {
			t.Errorf("Workers %d: %v", w, e)
		}
	}
	s := newSolver(7)
	type out struct {
		res *ot.Result
		err error
	}
	for k, o := range Parallel(4, func() out {
		res, err := s.Solve(ctx, p)
		return out{res, err}
	}) {
		if o.err != nil {
			t.Fatal(o.err)
		}
		if e := Same(want, o.res); e != nil {
			t.Errorf("goroutine %d sharing one settings value: %v", k, e)
		}
	}
}
