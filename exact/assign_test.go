package exact

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otkit/otkit/ot"
)

// bruteAssign returns the best total over all matchings of the smaller
// side of an n×m cost (minimizing, or maximizing; forbidden pairs skipped)
// and whether any such matching exists.
func bruteAssign(n, m int, C []float64, maximize bool) (float64, bool) {
	best, found := math.Inf(1), false
	if maximize {
		best = math.Inf(-1)
	}
	used := make([]bool, m)
	var rec func(i, matched int, s float64)
	rec = func(i, matched int, s float64) {
		if i == n {
			if matched < min(n, m) {
				return
			}
			found = true
			if (!maximize && s < best) || (maximize && s > best) {
				best = s
			}
			return
		}
		if n-i > m-matched { // row i may stay unmatched
			rec(i+1, matched, s)
		}
		for j := 0; j < m; j++ {
			if c := C[i*m+j]; !used[j] && !math.IsInf(c, 0) {
				used[j] = true
				rec(i+1, matched+1, s+c)
				used[j] = false
			}
		}
	}
	rec(0, 0, 0)
	return best, found
}

// isMatching reports whether match (length n, −1 for unmatched rows) is a
// matching of the smaller side of an n×m cost.
func isMatching(match []int, n, m int) bool {
	if len(match) != n {
		return false
	}
	seen := make([]bool, m)
	matched := 0
	for _, j := range match {
		if j == -1 {
			continue
		}
		if j < 0 || j >= m || seen[j] {
			return false
		}
		seen[j] = true
		matched++
	}
	return matched == min(n, m)
}

func isPerm(p []int) bool { return isMatching(p, len(p), len(p)) }

// randomAssignCost draws an n×m cost in [−5, 5), with ties (integers) or
// forbidden pairs (about a third; −Inf scores when maximizing) as asked.
func randomAssignCost(rng *rand.Rand, n, m int, ties, forbid, maximize bool) []float64 {
	C := make([]float64, n*m)
	for k := range C {
		C[k] = rng.Float64()*10 - 5
		if ties {
			C[k] = math.Floor(C[k])
		}
		if forbid && rng.IntN(3) == 0 {
			C[k] = math.Inf(1)
			if maximize {
				C[k] = math.Inf(-1)
			}
		}
	}
	return C
}

func TestAssignBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := 0; trial < 400; trial++ {
		n, m := 1+rng.IntN(6), 1+rng.IntN(6)
		if trial < 150 {
			m = n
		}
		maximize := trial%2 == 1
		C := randomAssignCost(rng, n, m, trial%3 == 0, trial%4 == 1, maximize)
		want, feasible := bruteAssign(n, m, C, maximize)
		for _, c := range []ot.Cost{&ot.DenseCost{N: n, M: m, Data: C}, rowCost{&ot.DenseCost{N: n, M: m, Data: C}}} {
			match, total, err := Assign(context.Background(), c, &AssignOptions{Maximize: maximize})
			if !feasible {
				require.ErrorIs(t, err, ot.ErrInfeasible, "trial %d", trial)
				continue
			}
			require.NoError(t, err, "trial %d", trial)
			require.True(t, isMatching(match, n, m), "trial %d: %v", trial, match)
			var s float64
			for i, j := range match {
				if j >= 0 {
					s += C[i*m+j]
				}
			}
			assert.Equal(t, s, total)
			require.InDelta(t, want, total, 1e-9, "trial %d %dx%d", trial, n, m)
		}
	}
}

// TestAssignRectangular: a 2×3 and a 3×2 problem with known answers.
func TestAssignRectangular(t *testing.T) {
	c := []float64{
		1, 5, 0,
		4, 2, 6,
	}
	match, total, err := Assign(context.Background(), dense(2, 3, c...), nil)
	require.NoError(t, err)
	assert.Equal(t, []int{2, 1}, match)
	assert.Equal(t, 2.0, total)
	// The transpose: column 0 of the 2×3 problem (row 0 here) is left out.
	ct := []float64{
		1, 4,
		5, 2,
		0, 6,
	}
	match, total, err = Assign(context.Background(), dense(3, 2, ct...), nil)
	require.NoError(t, err)
	assert.Equal(t, []int{-1, 1, 0}, match)
	assert.Equal(t, 2.0, total)
	match, total, err = Assign(context.Background(), dense(3, 2, ct...), &AssignOptions{Maximize: true})
	require.NoError(t, err)
	assert.Equal(t, []int{-1, 0, 1}, match)
	assert.Equal(t, 11.0, total)
}

func TestAssignCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err := Assign(ctx, gaussianClouds(10, 1), nil)
	require.ErrorIs(t, err, context.Canceled)
	require.ErrorIs(t, err, ot.ErrNotConverged)
	//lint:ignore SA1012 a nil context is allowed
	match, _, err := Assign(nil, gaussianClouds(10, 1), nil) //nolint:staticcheck
	require.NoError(t, err)
	require.True(t, isPerm(match))
}

func TestAssignMatchesSolver(t *testing.T) {
	for _, n := range []int{1, 2, 10, 60} {
		pc := gaussianClouds(n, uint64(n))
		perm, total, err := Assign(context.Background(), pc, nil)
		require.NoError(t, err)
		require.True(t, isPerm(perm))
		unit := make([]float64, n)
		for i := range unit {
			unit[i] = 1
		}
		p := &ot.Problem{A: unit, B: append([]float64(nil), unit...), C: pc}
		res, err := (&Solver{}).Solve(context.Background(), p)
		require.NoError(t, err)
		checkOptimal(t, p, res)
		require.InDelta(t, res.LinearCost, total, 1e-9*math.Max(1, total))
		got, err := ot.Permutation(res.Plan)
		require.NoError(t, err)
		require.Equal(t, perm, got)
	}
}

func TestAssignErrors(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	for _, tc := range []struct {
		name string
		c    ot.Cost
		opt  *AssignOptions
		want error
	}{
		{"nil", nil, nil, ot.ErrEmpty},
		{"empty", &ot.DenseCost{}, nil, ot.ErrEmpty},
		{"short data", &ot.DenseCost{N: 2, M: 3, Data: make([]float64, 5)}, nil, ot.ErrShape},
		{"NaN", &ot.DenseCost{N: 2, M: 2, Data: []float64{0, nan, 1, 1}}, nil, ot.ErrNonFinite},
		{"-Inf cost", &ot.DenseCost{N: 2, M: 2, Data: []float64{0, -inf, 1, 1}}, nil, ot.ErrNonFinite},
		{"+Inf score", &ot.DenseCost{N: 2, M: 2, Data: []float64{0, inf, 1, 1}}, &AssignOptions{Maximize: true}, ot.ErrNonFinite},
		{"forbidden column", &ot.DenseCost{N: 2, M: 2, Data: []float64{0, inf, 1, inf}}, nil, ot.ErrInfeasible},
		{"no perfect matching", &ot.DenseCost{N: 3, M: 3, Data: []float64{0, inf, inf, 1, inf, inf, 1, 2, 3}}, nil, ot.ErrInfeasible},
		{"wide, no matching", &ot.DenseCost{N: 2, M: 3, Data: []float64{0, inf, inf, 1, inf, inf}}, nil, ot.ErrInfeasible},
		{"tall, forbidden column", &ot.DenseCost{N: 3, M: 2, Data: []float64{0, inf, 1, inf, 2, inf}}, nil, ot.ErrInfeasible},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Assign(context.Background(), tc.c, tc.opt)
			require.Error(t, err)
			require.True(t, errors.Is(err, tc.want), "%v", err)
		})
	}
}
