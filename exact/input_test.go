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

func dense(n, m int, data ...float64) *ot.DenseCost {
	return &ot.DenseCost{N: n, M: m, Data: data}
}

func TestDegenerate(t *testing.T) {
	inf := math.Inf(1)
	dup := [][]float64{{0, 0}, {1, 0}, {0, 0}, {1, 0}}
	dupCloud, err := ot.NewPointCloud(dup, dup, ot.SqEuclidean)
	require.NoError(t, err)
	for _, tc := range []struct {
		name string
		p    *ot.Problem
		want float64
	}{
		{"1x1", &ot.Problem{A: []float64{2}, B: []float64{2}, C: dense(1, 1, 3)}, 6},
		{"1xm", &ot.Problem{A: []float64{1}, B: []float64{0.25, 0.5, 0.25}, C: dense(1, 3, 1, 2, 4)}, 2.25},
		{"nx1", &ot.Problem{A: []float64{0.25, 0.5, 0.25}, B: []float64{1}, C: dense(3, 1, 1, 2, 4)}, 2.25},
		{"all ties", &ot.Problem{A: ot.Uniform(3), B: ot.Uniform(3), C: dense(3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1)}, 1},
		{"all zero", &ot.Problem{A: ot.Uniform(2), B: ot.Uniform(3), C: dense(2, 3, 0, 0, 0, 0, 0, 0)}, 0},
		{"zero weights", &ot.Problem{A: []float64{0, 0.5, 0.5, 0}, B: []float64{0.5, 0, 0.5},
			C: dense(4, 3, -5, -9, -5, 1, 0, 2, 2, 0, 1, -7, -8, -7)}, 1},
		{"zero-weight row all forbidden", &ot.Problem{A: []float64{1, 0}, B: []float64{0.5, 0.5},
			C: dense(2, 2, 1, 2, inf, inf)}, 1.5},
		{"forbidden but feasible", &ot.Problem{A: ot.Uniform(2), B: ot.Uniform(2), C: dense(2, 2, 0, inf, inf, 0)}, 0},
		{"negative costs", &ot.Problem{A: ot.Uniform(2), B: ot.Uniform(2), C: dense(2, 2, -1, -3, -2, -1)}, -2.5},
		{"duplicate points", &ot.Problem{A: ot.Uniform(4), B: ot.Uniform(4), C: dupCloud}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := solve(t, &Solver{}, tc.p)
			checkOptimal(t, tc.p, res)
			assert.InDelta(t, tc.want, res.LinearCost, 1e-12)
		})
	}
}

func TestForbiddenAgainstLP(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	feasible, infeasible := 0, 0
	for trial := 0; trial < 200; trial++ {
		n, m := 2+rng.IntN(5), 2+rng.IntN(5)
		p := randomProblem(rng, n, m, 0, "random")
		C := p.C.(*ot.DenseCost).Data
		for k := range C {
			if rng.IntN(2) == 0 {
				C[k] = math.Inf(1)
			}
		}
		res, err := (&Solver{}).Solve(context.Background(), p)
		ref, lpErr := lpOptimumErr(p)
		if lpErr != nil {
			infeasible++
			require.ErrorIs(t, err, ot.ErrInfeasible, "trial %d", trial)
			require.Nil(t, res)
			continue
		}
		feasible++
		require.NoError(t, err, "trial %d", trial)
		checkOptimal(t, p, res)
		require.InDelta(t, ref, res.LinearCost, 1e-9, "trial %d", trial)
	}
	require.Positive(t, feasible)
	require.Positive(t, infeasible)
}

func TestInfeasible(t *testing.T) {
	inf := math.Inf(1)
	// Rows 0 and 1 can only use column 0: Hall's condition fails.
	p := &ot.Problem{A: ot.Uniform(3), B: ot.Uniform(3), C: dense(3, 3, 1, inf, inf, 2, inf, inf, 3, 4, 5)}
	res, err := (&Solver{}).Solve(context.Background(), p)
	require.ErrorIs(t, err, ot.ErrInfeasible)
	require.Nil(t, res)

	// The simplex's own safeguard, should Validate let such a problem pass.
	res, err = (&Solver{}).solve(newPoller(context.Background()), p, p.B)
	require.ErrorIs(t, err, ot.ErrInfeasible)
	require.Nil(t, res)
}

func TestIterationLimit(t *testing.T) {
	pc := gaussianClouds(40, 9)
	p := ot.NewProblem(pc)
	res, err := (&Solver{MaxIter: 3}).Solve(context.Background(), p)
	require.NoError(t, err)
	assert.Equal(t, ot.IterationLimit, res.Status)
	assert.Equal(t, 3, res.Iterations)
	assert.LessOrEqual(t, res.MarginalError, 1e-12) // the plan is feasible
	full := solve(t, &Solver{}, p)
	assert.Greater(t, res.LinearCost, full.LinearCost)
}

func TestCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, p := range []*ot.Problem{
		ot.NewProblem(gaussianClouds(30, 2)),
		{A: ot.Uniform(2), B: ot.Uniform(2), C: dense(2, 2, 0, math.Inf(1), math.Inf(1), 0)},
	} {
		res, err := (&Solver{}).Solve(ctx, p)
		require.NoError(t, err)
		assert.Equal(t, ot.Canceled, res.Status)
		checkFinite(t, res)
		assert.InDelta(t, ot.LinearCost(res.Plan, p.C), res.LinearCost, 1e-15)
		assert.InDelta(t, ot.MarginalError(res.Plan, p.A, p.B), res.MarginalError, 1e-15)
	}
}

func TestMassRenormalization(t *testing.T) {
	p := &ot.Problem{A: []float64{0.5, 0.5}, B: []float64{0.5, 0.5 + 4e-10}, C: dense(2, 2, 0, 1, 1, 0)}
	res := solve(t, &Solver{}, p)
	assert.Equal(t, ot.Converged, res.Status)
	assert.InDelta(t, 2e-10, res.LinearCost, 1e-15) // b is scaled to mass 1
	assert.InDelta(t, 4e-10, res.MarginalError, 1e-12)
	_, err := (&Solver{MassTol: 1e-12}).Solve(context.Background(), p)
	assert.ErrorIs(t, err, ot.ErrMassMismatch)
}

func TestBadInput(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	good := func() *ot.Problem {
		return &ot.Problem{A: ot.Uniform(2), B: ot.Uniform(2), C: dense(2, 2, 0, 1, 1, 0)}
	}
	for _, tc := range []struct {
		name string
		s    Solver
		p    *ot.Problem
		want error
	}{
		{"nil problem", Solver{}, nil, ot.ErrEmpty},
		{"no cost", Solver{}, &ot.Problem{A: []float64{1}, B: []float64{1}}, ot.ErrEmpty},
		{"shape", Solver{}, &ot.Problem{A: ot.Uniform(3), B: ot.Uniform(2), C: dense(2, 2, 0, 1, 1, 0)}, ot.ErrShape},
		{"NaN weight", Solver{}, &ot.Problem{A: []float64{nan, 1}, B: ot.Uniform(2), C: dense(2, 2, 0, 1, 1, 0)}, ot.ErrNonFinite},
		{"negative weight", Solver{}, &ot.Problem{A: []float64{-0.5, 1.5}, B: ot.Uniform(2), C: dense(2, 2, 0, 1, 1, 0)}, ot.ErrNegativeWeight},
		{"zero mass", Solver{}, &ot.Problem{A: []float64{0, 0}, B: []float64{0, 0}, C: dense(2, 2, 0, 1, 1, 0)}, ot.ErrZeroMass},
		{"mass mismatch", Solver{}, &ot.Problem{A: []float64{0.5, 0.5}, B: []float64{0.5, 0.6}, C: dense(2, 2, 0, 1, 1, 0)}, ot.ErrMassMismatch},
		{"NaN cost", Solver{}, &ot.Problem{A: ot.Uniform(2), B: ot.Uniform(2), C: dense(2, 2, 0, nan, 1, 0)}, ot.ErrNonFinite},
		{"-Inf cost", Solver{}, &ot.Problem{A: ot.Uniform(2), B: ot.Uniform(2), C: dense(2, 2, 0, -inf, 1, 0)}, ot.ErrNonFinite},
		{"forbidden row", Solver{}, &ot.Problem{A: ot.Uniform(2), B: ot.Uniform(2), C: dense(2, 2, inf, inf, 1, 0)}, ot.ErrInfeasible},
		{"negative MaxIter", Solver{MaxIter: -1}, good(), ot.ErrParameter},
		{"negative BlockSize", Solver{BlockSize: -1}, good(), ot.ErrParameter},
		{"NaN MassTol", Solver{MassTol: nan}, good(), ot.ErrParameter},
		{"negative MassTol", Solver{MassTol: -1}, good(), ot.ErrParameter},
		{"Init F length", Solver{Init: &ot.Potentials{F: []float64{1}}}, good(), ot.ErrShape},
		{"Init G NaN", Solver{Init: &ot.Potentials{G: []float64{0, nan}}}, good(), ot.ErrNonFinite},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := tc.s.Solve(context.Background(), tc.p)
			require.Error(t, err)
			assert.Nil(t, res)
			assert.True(t, errors.Is(err, tc.want), "got %v, want %v", err, tc.want)
		})
	}
}

func TestWarmStart(t *testing.T) {
	pc := gaussianClouds(80, 3)
	p := &ot.Problem{A: weights(rand.New(rand.NewPCG(1, 1)), 80, "random"), B: ot.Uniform(80), C: pc}
	p.A = normalize(p.A)
	cold := solve(t, &Solver{}, p)
	checkOptimal(t, p, cold)

	// Exact potentials: the start is already optimal up to degenerate pivots.
	warm := solve(t, &Solver{Init: &ot.Potentials{F: cold.F, G: cold.G}}, p)
	checkOptimal(t, p, warm)
	assert.InDelta(t, cold.LinearCost, warm.LinearCost, 1e-12)
	assert.Less(t, warm.Iterations, cold.Iterations/2)

	// Noisy potentials, only G, and −Inf entries still give the optimum.
	rng := rand.New(rand.NewPCG(2, 2))
	noisyG := make([]float64, len(cold.G))
	for j, v := range cold.G {
		noisyG[j] = v + 0.1*rng.NormFloat64()
	}
	noisyG[3] = math.Inf(-1)
	for _, init := range []*ot.Potentials{{G: noisyG}, {F: cold.F}} {
		res := solve(t, &Solver{Init: init}, p)
		checkOptimal(t, p, res)
		assert.InDelta(t, cold.LinearCost, res.LinearCost, 1e-12)
	}
}

func normalize(w []float64) []float64 {
	var s float64
	for _, v := range w {
		s += v
	}
	for i := range w {
		w[i] /= s
	}
	return w
}

func TestBlockSizes(t *testing.T) {
	p := ot.NewProblem(gaussianClouds(50, 4))
	ref := solve(t, &Solver{}, p)
	for _, bs := range []int{1, 7, 50, 5000} {
		res := solve(t, &Solver{BlockSize: bs}, p)
		checkOptimal(t, p, res)
		assert.InDelta(t, ref.LinearCost, res.LinearCost, 1e-12)
		d := &ot.Problem{A: p.A, B: p.B, C: &ot.DenseCost{N: 50, M: 50, Data: ot.CostData(p.C)}}
		res = solve(t, &Solver{BlockSize: bs}, d)
		checkOptimal(t, d, res)
		assert.InDelta(t, ref.LinearCost, res.LinearCost, 1e-12)
	}
}

// rowCost hides a dense cost behind the plain ot.Cost interface, so that the
// solver takes its generic path (rows computed on demand).
type rowCost struct{ d *ot.DenseCost }

func (c rowCost) Dims() (int, int)                   { return c.d.Dims() }
func (c rowCost) Row(i int, dst []float64) []float64 { return c.d.Row(i, dst) }

func TestCostRepresentations(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for _, metric := range []ot.Metric{ot.SqEuclidean, ot.Euclidean, ot.Lp, ot.Cosine} {
		for _, dim := range []int{1, 2, 3} {
			x, y := make([][]float64, 25), make([][]float64, 17)
			for _, pts := range [][][]float64{x, y} {
				for k := range pts {
					pts[k] = make([]float64, dim)
					for l := range pts[k] {
						pts[k][l] = rng.NormFloat64()
					}
				}
			}
			pc, err := ot.NewPointCloud(x, y, metric)
			require.NoError(t, err)
			pc.P = 3
			a := normalize(weights(rng, 25, "zeros"))
			b := normalize(weights(rng, 17, "random"))
			d := &ot.DenseCost{N: 25, M: 17, Data: ot.CostData(pc)}
			ref := solve(t, &Solver{}, &ot.Problem{A: a, B: b, C: d})
			for name, c := range map[string]ot.Cost{"cloud": pc, "rows": rowCost{d}} {
				p := &ot.Problem{A: a, B: b, C: c}
				res := solve(t, &Solver{}, p)
				checkOptimal(t, p, res)
				assert.InDelta(t, ref.LinearCost, res.LinearCost, 1e-12, "%v d=%d %s", metric, dim, name)
			}
		}
	}
}
