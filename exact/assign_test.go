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

// bruteAssign returns the best total over all permutations (minimizing,
// forbidden pairs skipped) and whether any permutation is feasible.
func bruteAssign(n int, C []float64, maximize bool) (float64, bool) {
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	best, found := math.Inf(1), false
	if maximize {
		best = math.Inf(-1)
	}
	var rec func(k int)
	rec = func(k int) {
		if k == n {
			var s float64
			for i, j := range perm {
				s += C[i*n+j]
			}
			if math.IsInf(s, 0) {
				return
			}
			found = true
			if (!maximize && s < best) || (maximize && s > best) {
				best = s
			}
			return
		}
		for l := k; l < n; l++ {
			perm[k], perm[l] = perm[l], perm[k]
			rec(k + 1)
			perm[k], perm[l] = perm[l], perm[k]
		}
	}
	rec(0)
	return best, found
}

func isPerm(p []int) bool {
	seen := make([]bool, len(p))
	for _, j := range p {
		if j < 0 || j >= len(p) || seen[j] {
			return false
		}
		seen[j] = true
	}
	return true
}

func TestAssignBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := 0; trial < 300; trial++ {
		n := 1 + rng.IntN(7)
		C := make([]float64, n*n)
		ties := trial%3 == 0
		forbid := trial%4 == 1
		for k := range C {
			C[k] = rng.Float64()*10 - 5
			if ties {
				C[k] = math.Floor(C[k])
			}
		}
		maximize := trial%2 == 1
		if forbid {
			for k := range C {
				if rng.IntN(3) == 0 {
					C[k] = math.Inf(1)
					if maximize {
						C[k] = math.Inf(-1)
					}
				}
			}
		}
		want, feasible := bruteAssign(n, C, maximize)
		perm, total, err := Assign(&ot.DenseCost{N: n, M: n, Data: C}, &AssignOptions{Maximize: maximize})
		if !feasible {
			require.ErrorIs(t, err, ot.ErrInfeasible, "trial %d", trial)
			continue
		}
		require.NoError(t, err, "trial %d", trial)
		require.True(t, isPerm(perm), "trial %d: %v", trial, perm)
		var s float64
		for i, j := range perm {
			s += C[i*n+j]
		}
		assert.Equal(t, s, total)
		require.InDelta(t, want, total, 1e-9, "trial %d", trial)
	}
}

func TestAssignMatchesSolver(t *testing.T) {
	for _, n := range []int{1, 2, 10, 60} {
		pc := gaussianClouds(n, uint64(n))
		perm, total, err := Assign(pc, nil)
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
		{"non-square", &ot.DenseCost{N: 2, M: 3, Data: make([]float64, 6)}, nil, ot.ErrShape},
		{"NaN", &ot.DenseCost{N: 2, M: 2, Data: []float64{0, nan, 1, 1}}, nil, ot.ErrNonFinite},
		{"-Inf cost", &ot.DenseCost{N: 2, M: 2, Data: []float64{0, -inf, 1, 1}}, nil, ot.ErrNonFinite},
		{"+Inf score", &ot.DenseCost{N: 2, M: 2, Data: []float64{0, inf, 1, 1}}, &AssignOptions{Maximize: true}, ot.ErrNonFinite},
		{"forbidden column", &ot.DenseCost{N: 2, M: 2, Data: []float64{0, inf, 1, inf}}, nil, ot.ErrInfeasible},
		{"no perfect matching", &ot.DenseCost{N: 3, M: 3, Data: []float64{0, inf, inf, 1, inf, inf, 1, 2, 3}}, nil, ot.ErrInfeasible},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Assign(tc.c, tc.opt)
			require.Error(t, err)
			require.True(t, errors.Is(err, tc.want), "%v", err)
		})
	}
}
