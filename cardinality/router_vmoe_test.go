package cardinality

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otkit/otkit/ot"
)

// TestCapacityFactor checks vmoe's compute_capacity (ceil, multiple of 4).
func TestCapacityFactor(t *testing.T) {
	for _, tc := range []struct {
		tokens, experts int
		factor          float64
		want            int
	}{
		{4096, 64, 1.25, 80},
		{4096, 64, 1, 64},
		{4096, 64, 1.05, 68}, // ⌈67.2⌉ = 68
		{4096, 64, 1.01, 68}, // ⌈64.64⌉ = 65 → 68
		{196, 8, 1, 28},      // ⌈24.5⌉ = 25 → 28
		{196 * 2, 8, 1.25, 64},
		{8, 2, 1, 4},
		{1, 64, 1, 4},
		{10, 3, 0, 0},
		{10, 3, -1, 0},
		{10, 3, math.NaN(), 0},
		{10, 3, math.Inf(1), 0},
		{0, 3, 1, 0},
		{10, 0, 1, 0},
	} {
		got := CapacityFactor(tc.tokens, tc.experts, tc.factor)
		assert.Equal(t, tc.want, got, "%d tokens, %d experts, factor %v", tc.tokens, tc.experts, tc.factor)
	}
	huge := CapacityFactor(math.MaxInt, 1, 4)
	assert.Positive(t, huge)
	assert.Zero(t, huge%4)
}

// TestRouterStatusSteps: a fixed-step Adam run that took its steps is
// Converged with Steps = MaxIter, whatever its marginal error; L-BFGS
// keeps the tolerance meaning.
func TestRouterStatusSteps(t *testing.T) {
	ctx := context.Background()
	s := gaussianScores(31, 256, 8)
	for _, steps := range []int{1, 3, 20} {
		out, err := (&Router{Capacity: 40, MaxIter: steps}).Route(ctx, s)
		require.NoError(t, err)
		assert.Equal(t, ot.Converged, out.Status, "steps %d", steps)
		assert.Equal(t, steps, out.Steps)
	}
	out, err := (&Router{Capacity: 40, Optimizer: LBFGS, MaxIter: 1}).Route(ctx, s)
	require.NoError(t, err)
	assert.NotEqual(t, ot.Converged, out.Status)
	assert.Greater(t, out.MarginalError, 1e-9*256)
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	out, err = (&Router{Capacity: 40}).Route(canceled, s)
	require.NoError(t, err)
	assert.Equal(t, ot.Canceled, out.Status)
	assert.Zero(t, out.Steps)
}

// vmoeTopItems is vmoe's experts-choose-tokens dispatch over a plan: every
// expert takes the capacity tokens of largest plan entry, ties (the zero
// entries among them) by lowest token index, as jax.lax.top_k.
func vmoeTopItems(plan *ot.SparsePlan, capacity int) [][]int {
	d := ot.DenseCopy(plan)
	n, m := d.Dims()
	out := make([][]int, m)
	for j := 0; j < m; j++ {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		slices.SortStableFunc(idx, func(x, y int) int {
			switch vx, vy := d.At(x, j), d.At(y, j); {
			case vx > vy:
				return -1
			case vx < vy:
				return 1
			}
			return 0
		})
		out[j] = idx[:capacity]
	}
	return out
}

// TestRouterFixedSlots: every expert has Capacity slots holding vmoe's
// top-capacity tokens of its plan column, its own tokens first; padding
// tokens carry their gate (or 0 with PlanWeights); float32 weights round
// the float64 ones.
func TestRouterFixedSlots(t *testing.T) {
	ctx := context.Background()
	s := gaussianScores(41, 128, 8)
	for _, r := range []Router{
		{Capacity: 24, MaxIter: 3, FixedSlots: true},
		{Capacity: 24, FixedSlots: true, PlanWeights: true},
		{Capacity: 20, MaxIter: 10, FixedSlots: true, Refill: true},
		{Capacity: 128, MaxIter: 2, FixedSlots: true},
	} {
		out, err := r.Route(ctx, s)
		require.NoError(t, err)
		if !r.Refill { // Refill moves plan mass between experts
			checkRouting(t, out, false)
		}
		c := out.Capacity
		require.Equal(t, c, out.SlotCapacity)
		require.Len(t, out.Slots, 8*c)
		want := vmoeTopItems(out.Plan(), c)
		pad := 0
		for j := 0; j < 8; j++ {
			slots := out.Slots[j*c : (j+1)*c]
			assert.ElementsMatch(t, want[j], slots, "expert %d", j)
			own := out.Load(j)
			assert.Equal(t, out.ExpertTokens[out.ExpertStart[j]:out.ExpertStart[j+1]], slots[:own])
			pad += c - own
			for q, i := range slots {
				w := out.SlotWeights[j*c+q]
				switch {
				case q < own:
					assert.Equal(t, out.ExpertWeights[out.ExpertStart[j]+q], w)
				case r.PlanWeights:
					assert.Zero(t, w)
				default:
					g := s.Data[i*8 : (i+1)*8]
					assert.InDelta(t, softmaxOf(g)[j], w, 1e-15)
				}
			}
		}
		assert.Equal(t, pad, out.Padding)
		w32 := out.SlotWeights32(nil)
		require.Len(t, w32, len(out.SlotWeights))
		for q, v := range out.SlotWeights {
			assert.Equal(t, float32(v), w32[q])
		}
		e32 := out.ExpertWeights32(make([]float32, 0, len(out.ExpertWeights)))
		assert.Len(t, e32, len(out.ExpertWeights))
		assert.Len(t, out.TokenWeights32(nil), len(out.TokenWeights))
	}
	// Without FixedSlots there are none.
	out, err := (&Router{Capacity: 24}).Route(ctx, s)
	require.NoError(t, err)
	assert.Empty(t, out.Slots)
	assert.Zero(t, out.SlotCapacity)
}

func softmaxOf(x []float64) []float64 {
	row := slices.Clone(x)
	if err := softmaxRow(row, 0); err != nil {
		panic(err)
	}
	return row
}

// vmoeTopExperts is vmoe's tokens-choose-experts capacity drop on the
// entries of a plan (nonzero entries only): choices ranked by plan value
// within a token (ties by expert), first choices before second ones, tokens
// in index order or by descending top entry; a choice over the expert's
// capacity is dropped. It returns the kept experts of every token.
func vmoeTopExperts(plan *ot.SparsePlan, capacity int, batchPriority bool) [][]int {
	n := plan.N
	choices := make([][]int, n)
	val := func(i, j int) float64 {
		for q := plan.RowPtr[i]; q < plan.RowPtr[i+1]; q++ {
			if plan.ColIdx[q] == j {
				return plan.Val[q]
			}
		}
		return 0
	}
	kmax := 0
	for i := 0; i < n; i++ {
		choices[i] = slices.Clone(plan.ColIdx[plan.RowPtr[i]:plan.RowPtr[i+1]])
		slices.SortStableFunc(choices[i], func(x, y int) int {
			switch vx, vy := val(i, x), val(i, y); {
			case vx > vy:
				return -1
			case vx < vy:
				return 1
			}
			return 0
		})
		kmax = max(kmax, len(choices[i]))
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	if batchPriority {
		top := func(i int) float64 {
			if len(choices[i]) == 0 {
				return math.Inf(-1)
			}
			return val(i, choices[i][0])
		}
		slices.SortStableFunc(order, func(x, y int) int {
			switch tx, ty := top(x), top(y); {
			case tx > ty:
				return -1
			case tx < ty:
				return 1
			}
			return 0
		})
	}
	load := make([]int, plan.M)
	kept := make([][]int, n)
	for c := 0; c < kmax; c++ {
		for _, i := range order {
			if c >= len(choices[i]) {
				continue
			}
			if j := choices[i][c]; load[j] < capacity {
				load[j]++
				kept[i] = append(kept[i], j)
			}
		}
	}
	for i := range kept {
		slices.Sort(kept[i])
	}
	return kept
}

// TestRouterExpertCapacity: tokens-choose-experts with ExpertCapacity
// drops as vmoe does, keeps loads within the capacity, and FixedSlots
// gives ExpertCapacity slots per expert with −1 padding.
func TestRouterExpertCapacity(t *testing.T) {
	ctx := context.Background()
	s := gaussianScores(51, 512, 8)
	for _, k := range []int{1, 2} {
		free, err := (&Router{Capacity: k, RowSparse: true, MaxIter: 5}).Route(ctx, s)
		require.NoError(t, err)
		most := 0
		for j := 0; j < 8; j++ {
			most = max(most, free.Load(j))
		}
		capacity := CapacityFactor(512*k, 8, 1)
		require.Greater(t, most, capacity, "the test needs overloaded experts")
		for _, bp := range []bool{false, true} {
			r := Router{Capacity: k, RowSparse: true, MaxIter: 5, ExpertCapacity: capacity, BatchPriority: bp, FixedSlots: true}
			out, err := r.Route(ctx, s)
			require.NoError(t, err)
			checkRouting(t, out, true)
			want := vmoeTopExperts(free.Plan(), capacity, bp)
			for i := 0; i < 512; i++ {
				got := out.TokenExperts[out.TokenStart[i]:out.TokenStart[i+1]]
				assert.Equal(t, append([]int{}, want[i]...), append([]int{}, got...), "k %d, batch priority %v, token %d", k, bp, i)
			}
			require.Equal(t, capacity, out.SlotCapacity)
			pad := 0
			for j := 0; j < 8; j++ {
				assert.LessOrEqual(t, out.Load(j), capacity)
				slots := out.Slots[j*capacity : (j+1)*capacity]
				for q, i := range slots {
					if q < out.Load(j) {
						assert.Equal(t, out.ExpertTokens[out.ExpertStart[j]+q], i)
						continue
					}
					assert.Equal(t, -1, i)
					assert.Zero(t, out.SlotWeights[j*capacity+q])
					pad++
				}
			}
			assert.Equal(t, pad, out.Padding)
		}
	}
	_, err := (&Router{Capacity: 1, RowSparse: true, FixedSlots: true}).Route(ctx, s)
	assert.ErrorIs(t, err, ot.ErrParameter)
	_, err = (&Router{Capacity: 1, RowSparse: true, ExpertCapacity: -1}).Route(ctx, s)
	assert.ErrorIs(t, err, ot.ErrParameter)
}

// TestSoftmaxCostFused: the fused cost pass equals the plain one bitwise,
// in both orientations, for float64 and float32 scores and partial tiles.
func TestSoftmaxCostFused(t *testing.T) {
	s := gaussianScores(61, 37, 5)
	s.Data[3] = 700 // a large logit: exp underflows for the others
	s32 := Scores{Tokens: 37, Experts: 5, Data32: make([]float32, len(s.Data))}
	for q, v := range s.Data {
		s32.Data32[q] = float32(v)
	}
	for _, sc := range []Scores{s, s32} {
		for _, rowSparse := range []bool{false, true} {
			want := make([]float64, 37*5)
			got := make([]float64, 37*5)
			require.NoError(t, softmaxCostRef(want, &sc, rowSparse, 0, 37))
			buf := make([]float64, costTile*5)
			require.NoError(t, softmaxCost(got, &sc, rowSparse, buf, 0, 20))
			require.NoError(t, softmaxCost(got, &sc, rowSparse, buf, 20, 37))
			assert.Equal(t, want, got, "row sparse %v", rowSparse)
		}
	}
}

// refillRef is Refill as documented, on the relaxation's routing: tokens in
// index order; each dropped token tries the experts by descending gate
// (ties by index), takes a free slot, or evicts the expert's relaxation
// entry of least plan value (ties by token) whose token also goes
// elsewhere. It returns every expert's (token → plan value) map.
func refillRef(plain *Routing, s Scores, capacity int) []map[int]float64 {
	n, m := plain.Tokens, plain.Experts
	ent := make([]map[int]float64, m)
	count := make([]int, n)
	for j := range ent {
		ent[j] = map[int]float64{}
		for q := plain.ExpertStart[j]; q < plain.ExpertStart[j+1]; q++ {
			ent[j][plain.ExpertTokens[q]] = plain.ExpertPlan[q]
			count[plain.ExpertTokens[q]]++
		}
	}
	added := make([]map[int]bool, m)
	for j := range added {
		added[j] = map[int]bool{}
	}
	for i := 0; i < n; i++ {
		if count[i] > 0 {
			continue
		}
		g := softmaxOf(s.Data[i*m : (i+1)*m])
		order := make([]int, m)
		for j := range order {
			order[j] = j
		}
		slices.SortStableFunc(order, func(x, y int) int {
			switch {
			case g[x] > g[y]:
				return -1
			case g[x] < g[y]:
				return 1
			}
			return 0
		})
		for _, j := range order {
			if len(ent[j]) >= capacity {
				out, ov := -1, math.Inf(1)
				for t, v := range ent[j] {
					if !added[j][t] && count[t] >= 2 && (v < ov || v == ov && t < out) {
						out, ov = t, v
					}
				}
				if out < 0 {
					continue
				}
				delete(ent[j], out)
				count[out]--
			}
			ent[j][i] = 1
			added[j][i] = true
			count[i]++
			break
		}
	}
	return ent
}

// TestRouterRefillReference: Refill's fast path (sorted eviction lists)
// gives the documented routing.
func TestRouterRefillReference(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		seed          uint64
		n, m, k, iter int
	}{
		{71, 512, 16, 40, 2},
		{72, 512, 16, 33, 10},
		{73, 256, 8, 40, 1},
		{74, 300, 7, 43, 20},
	} {
		s := gaussianScores(tc.seed, tc.n, tc.m)
		plain, err := (&Router{Capacity: tc.k, MaxIter: tc.iter}).Route(ctx, s)
		require.NoError(t, err)
		require.Positive(t, plain.Dropped)
		out, err := (&Router{Capacity: tc.k, MaxIter: tc.iter, Refill: true}).Route(ctx, s)
		require.NoError(t, err)
		want := refillRef(plain, s, tc.k)
		for j := 0; j < tc.m; j++ {
			got := map[int]float64{}
			for q := out.ExpertStart[j]; q < out.ExpertStart[j+1]; q++ {
				got[out.ExpertTokens[q]] = out.ExpertPlan[q]
			}
			assert.Equal(t, want[j], got, "seed %d expert %d", tc.seed, j)
		}
	}
}
