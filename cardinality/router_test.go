package cardinality

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otkit/otkit/ot"
)

func moeScores() Scores {
	data := make([]float64, 0, 16)
	for _, l := range moeLogits {
		data = append(data, l[0], l[1])
	}
	return Scores{Tokens: 8, Experts: 2, Data: data}
}

func gaussianScores(seed uint64, n, m int) Scores {
	rng := rand.New(rand.NewPCG(seed, 1))
	data := make([]float64, n*m)
	for i := range data {
		data[i] = rng.NormFloat64()
	}
	return Scores{Tokens: n, Experts: m, Data: data}
}

// checkRouting asserts the structural guarantees of a routing.
func checkRouting(t *testing.T, r *Routing, rowSparse bool) {
	t.Helper()
	n, m := r.Tokens, r.Experts
	require.Len(t, r.ExpertStart, m+1)
	require.Len(t, r.TokenStart, n+1)
	dropped := 0
	for i := 0; i < n; i++ {
		ex := r.TokenExperts[r.TokenStart[i]:r.TokenStart[i+1]]
		require.Equal(t, len(ex), r.TokenLoad(i))
		if len(ex) == 0 {
			dropped++
		}
		for q := 1; q < len(ex); q++ {
			require.Less(t, ex[q-1], ex[q])
		}
		if rowSparse {
			require.LessOrEqual(t, len(ex), r.Capacity)
		}
	}
	assert.Equal(t, dropped, r.Dropped)
	for j := 0; j < m; j++ {
		tok := r.ExpertTokens[r.ExpertStart[j]:r.ExpertStart[j+1]]
		if !rowSparse {
			require.LessOrEqual(t, len(tok), r.Capacity, "expert %d", j)
		}
		var mass float64
		for q := range tok {
			if q > 0 {
				require.Less(t, tok[q-1], tok[q])
			}
			require.Greater(t, r.ExpertPlan[r.ExpertStart[j]+q], 0.0)
			mass += r.ExpertPlan[r.ExpertStart[j]+q]
		}
		if !rowSparse {
			assert.InDelta(t, float64(n)/float64(m), mass, 1e-9*float64(n), "expert %d load", j)
		}
	}
	plan := r.Plan()
	a := make([]float64, n)
	b := make([]float64, m)
	for i := range a {
		a[i] = 1
	}
	for j := range b {
		b[j] = float64(n) / float64(m)
	}
	assert.InDelta(t, ot.MarginalError(plan, a, b), r.MarginalError, 1e-9*float64(n))
	// The two sides, normalized by the tokens, and the histogram.
	rows, cols := ot.Marginals(plan)
	var te, ee float64
	for i := range rows {
		te += math.Abs(rows[i] - 1)
	}
	for j := range cols {
		ee += math.Abs(cols[j] - b[j])
	}
	assert.InDelta(t, te/float64(n), r.TokenError, 1e-12)
	assert.InDelta(t, ee/float64(n), r.ExpertError, 1e-12)
	assert.InDelta(t, r.MarginalError, (r.TokenError+r.ExpertError)*float64(n), 1e-9)
	hist := map[int]int{}
	for i := 0; i < n; i++ {
		hist[r.TokenLoad(i)]++
	}
	total := 0
	for c, cnt := range r.ExpertsPerToken {
		assert.Equal(t, hist[c], cnt, "tokens with %d experts", c)
		total += cnt
	}
	assert.Equal(t, n, total)
	assert.Equal(t, r.Dropped, r.ExpertsPerToken[0])
	assert.Positive(t, r.ExpertsPerToken[len(r.ExpertsPerToken)-1], "histogram ends at the largest count")
}

// TestRouterMoEToy routes the §8.3 group and compares with Solver.
func TestRouterMoEToy(t *testing.T) {
	ctx := context.Background()
	r := Router{Capacity: 4, Optimizer: LBFGS}
	out, err := r.Route(ctx, moeScores())
	require.NoError(t, err)
	checkRouting(t, out, false)
	assert.Equal(t, []int{0, 1, 5, 7}, out.ExpertTokens[out.ExpertStart[0]:out.ExpertStart[1]])
	assert.Equal(t, []int{2, 3, 4, 6}, out.ExpertTokens[out.ExpertStart[1]:out.ExpertStart[2]])
	assert.Equal(t, 0, out.Dropped)
	assert.Equal(t, ot.Converged, out.Status)
	// Combine weights are the softmax gates; Score sums them.
	p := moeProblem(t, 1)
	var score float64
	for j := 0; j < 2; j++ {
		for q := out.ExpertStart[j]; q < out.ExpertStart[j+1]; q++ {
			g := -p.C.(*ot.DenseCost).At(out.ExpertTokens[q], j)
			assert.InDelta(t, g, out.ExpertWeights[q], 1e-15)
			score += g
		}
	}
	assert.InDelta(t, score, out.Score, 1e-12)
	assert.InDelta(t, 6.0380287465, score, 1e-9)

	// Capacity = n: the quadratic plan, same as Solver.
	r = Router{Capacity: 8, Optimizer: LBFGS, PlanWeights: true}
	out, err = r.Route(ctx, moeScores())
	require.NoError(t, err)
	checkRouting(t, out, false)
	for q := out.ExpertStart[0]; q < out.ExpertStart[1]; q++ {
		assert.InDelta(t, moeCol0[out.ExpertTokens[q]], out.ExpertWeights[q], 1e-6)
	}
	res, err := (&Solver{K: 8, Gamma: 1}).Solve(ctx, p)
	require.NoError(t, err)
	assert.InDeltaSlice(t, ot.DenseCopy(res.Plan).RawMatrix().Data, ot.DenseCopy(out.Plan()).RawMatrix().Data, 1e-8)
}

// TestRouterGaussian checks the guarantees on random groups for both
// optimizers and orientations, float32 against float64, and workers.
func TestRouterGaussian(t *testing.T) {
	ctx := context.Background()
	s := gaussianScores(1, 256, 8)
	s32 := Scores{Tokens: s.Tokens, Experts: s.Experts, Data32: make([]float32, len(s.Data))}
	for k, v := range s.Data {
		s32.Data32[k] = float32(v)
		s.Data[k] = float64(float32(v)) // same inputs for both widths
	}
	for _, tc := range []Router{
		{Capacity: 40},
		{Capacity: 32},
		{Capacity: 40, Optimizer: LBFGS, MaxIter: 200},
		{Capacity: 2, RowSparse: true},
		{Capacity: 1, RowSparse: true, Optimizer: LBFGS, MaxIter: 100},
	} {
		out, err := tc.Route(ctx, s)
		require.NoError(t, err)
		checkRouting(t, out, tc.RowSparse)
		o32, err := tc.Route(ctx, s32)
		require.NoError(t, err)
		assert.Equal(t, out.ExpertTokens, o32.ExpertTokens)
		assert.Equal(t, out.ExpertPlan, o32.ExpertPlan)
		for _, w := range []int{2, 3} {
			tc.Workers = w
			ow, err := tc.Route(ctx, s)
			require.NoError(t, err)
			assert.Equal(t, out.ExpertPlan, ow.ExpertPlan, "workers %d", w)
			assert.Equal(t, out.F, ow.F, "workers %d", w)
		}
	}
}

// TestRouteBatch checks that batches equal one-by-one routing for any
// worker count.
func TestRouteBatch(t *testing.T) {
	ctx := context.Background()
	groups := make([]Scores, 5)
	for g := range groups {
		groups[g] = gaussianScores(uint64(g), 64, 4)
	}
	r := Router{Capacity: 20}
	want := make([]*Routing, len(groups))
	for g := range groups {
		var err error
		want[g], err = r.Route(ctx, groups[g])
		require.NoError(t, err)
	}
	for _, w := range []int{0, 1, 2, 3, 8} {
		r.Workers = w
		dst := make([]Routing, len(groups))
		require.NoError(t, r.RouteBatch(ctx, dst, groups))
		for g := range groups {
			assert.Equal(t, want[g].ExpertTokens, dst[g].ExpertTokens)
			assert.Equal(t, want[g].ExpertWeights, dst[g].ExpertWeights)
			assert.Equal(t, want[g].F, dst[g].F)
		}
	}
	err := r.RouteBatch(ctx, make([]Routing, 2), groups)
	assert.True(t, errors.Is(err, ot.ErrShape))
	groups[3].Data[7] = math.NaN()
	err = r.RouteBatch(ctx, make([]Routing, len(groups)), groups)
	assert.True(t, errors.Is(err, ot.ErrNonFinite))
	assert.Contains(t, err.Error(), "group 3")
}

// TestRouterAllocs checks the allocation-free steady state.
func TestRouterAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under the race detector")
	}
	ctx := context.Background()
	s := gaussianScores(2, 512, 8)
	for _, r := range []Router{{Capacity: 80}, {Capacity: 80, Optimizer: LBFGS, MaxIter: 30}, {Capacity: 2, RowSparse: true},
		{Capacity: 70, MaxIter: 3, Refill: true, FixedSlots: true}, {Capacity: 2, RowSparse: true, ExpertCapacity: 100, BatchPriority: true}} {
		var out Routing
		require.NoError(t, r.RouteInto(ctx, &out, s))
		allocs := testing.AllocsPerRun(5, func() {
			if err := r.RouteInto(ctx, &out, s); err != nil {
				t.Fatal(err)
			}
		})
		assert.Zero(t, allocs, "%+v", r)
	}
	groups := []Scores{gaussianScores(3, 128, 4), gaussianScores(4, 128, 4)}
	dst := make([]Routing, 2)
	r := Router{Capacity: 40}
	require.NoError(t, r.RouteBatch(ctx, dst, groups))
	allocs := testing.AllocsPerRun(5, func() {
		if err := r.RouteBatch(ctx, dst, groups); err != nil {
			t.Fatal(err)
		}
	})
	assert.Zero(t, allocs)
}

// TestRouterBadInput checks the errors.
func TestRouterBadInput(t *testing.T) {
	ctx := context.Background()
	good := moeScores()
	nan := moeScores()
	nan.Data[3] = math.NaN()
	inf := moeScores()
	inf.Data[0] = math.Inf(1)
	inf32 := Scores{Tokens: 1, Experts: 2, Data32: []float32{1, float32(math.Inf(-1))}}
	for _, tc := range []struct {
		name string
		r    Router
		s    Scores
		want error
	}{
		{"capacity0", Router{}, good, ot.ErrParameter},
		{"capacityNeg", Router{Capacity: -3}, good, ot.ErrParameter},
		{"capacityTooSmall", Router{Capacity: 3}, good, ot.ErrInfeasible},
		{"nan", Router{Capacity: 4}, nan, ot.ErrNonFinite},
		{"inf", Router{Capacity: 4}, inf, ot.ErrNonFinite},
		{"inf32", Router{Capacity: 4}, inf32, ot.ErrNonFinite},
		{"shape", Router{Capacity: 4}, Scores{Tokens: 3, Experts: 2, Data: []float64{1}}, ot.ErrShape},
		{"empty", Router{Capacity: 4}, Scores{}, ot.ErrEmpty},
		{"gamma", Router{Capacity: 4, Gamma: -1}, good, ot.ErrParameter},
		{"workers", Router{Capacity: 4, Workers: -1}, good, ot.ErrParameter},
	} {
		_, err := tc.r.Route(ctx, tc.s)
		assert.True(t, errors.Is(err, tc.want), "%s: %v", tc.name, err)
	}
}

// TestRouterNonFiniteWorkers checks that the parallel softmax pass reports
// the first non-finite score in row order, as one worker does.
func TestRouterNonFiniteWorkers(t *testing.T) {
	s := gaussianScores(5, 40, 4)
	s.Data[37*4+1] = math.NaN()
	s.Data[3*4+2] = math.Inf(1)
	for _, w := range []int{1, 2, 3} {
		_, err := (&Router{Capacity: 20, Workers: w}).Route(context.Background(), s)
		require.ErrorIs(t, err, ot.ErrNonFinite)
		assert.Contains(t, err.Error(), "score[3,2]", "workers %d", w)
	}
}

// TestRouterReferenceSettings mirrors the reference router's tests
// (vmoe ksparse_projection_routing_test.py, Adam, 500 steps): with
// tokens-choose-experts the projected side (tokens) is exact and the loads
// are close; with experts-choose-tokens and capacity n (plain quadratic OT)
// both sides are close.
func TestRouterReferenceSettings(t *testing.T) {
	ctx := context.Background()
	s := gaussianScores(11, 4, 2)
	out, err := (&Router{Capacity: 1, RowSparse: true, MaxIter: 500}).Route(ctx, s)
	require.NoError(t, err)
	checkRouting(t, out, true)
	plan := out.Plan()
	r, c := ot.Marginals(plan)
	for i := range r {
		assert.InDelta(t, 1, r[i], 1e-12, "token %d", i)
		assert.Equal(t, 1, out.TokenLoad(i))
	}
	for j := range c {
		assert.InDelta(t, 2, c[j], 1e-1, "expert %d", j)
	}
	s = gaussianScores(12, 8, 2)
	out, err = (&Router{Capacity: 8, MaxIter: 500}).Route(ctx, s)
	require.NoError(t, err)
	r, c = ot.Marginals(out.Plan())
	for i := range r {
		assert.InDelta(t, 1, r[i], 1e-3, "token %d", i)
	}
	for j := range c {
		assert.InDelta(t, 4, c[j], 1e-12, "expert %d", j)
	}
}

// TestRouterRefill: with Refill no token is dropped when the experts have
// room in all, loads stay at most Capacity, the lists stay ascending, and
// the kept routing differs from the plain one only where tokens moved.
func TestRouterRefill(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 3))
	n, m := 512, 16
	data := make([]float64, n*m)
	for i := range data {
		data[i] = rng.NormFloat64()
	}
	s := Scores{Tokens: n, Experts: m, Data: data}
	for _, w := range []int{1, 2} {
		plain, err := (&Router{Capacity: 40, Workers: w}).Route(context.Background(), s)
		require.NoError(t, err)
		require.Greater(t, plain.Dropped, 0)
		out, err := (&Router{Capacity: 40, Workers: w, Refill: true}).Route(context.Background(), s)
		require.NoError(t, err)
		assert.Equal(t, 0, out.Dropped)
		for j := 0; j < m; j++ {
			assert.LessOrEqual(t, out.Load(j), 40)
			toks := out.ExpertTokens[out.ExpertStart[j]:out.ExpertStart[j+1]]
			assert.True(t, slices.IsSorted(toks))
		}
		for i := 0; i < n; i++ {
			assert.Positive(t, out.TokenLoad(i))
			exps := out.TokenExperts[out.TokenStart[i]:out.TokenStart[i+1]]
			assert.True(t, slices.IsSorted(exps))
		}
		assert.GreaterOrEqual(t, out.Score, plain.Score-1)
	}
}
