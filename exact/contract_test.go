package exact

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otkit/otkit/ot"
)

// checkFinite asserts that every figure of res is finite.
func checkFinite(t *testing.T, res *ot.Result) {
	t.Helper()
	for name, v := range map[string]float64{"Value": res.Value, "DualValue": res.DualValue,
		"LinearCost": res.LinearCost, "MarginalError": res.MarginalError} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("%s = %v", name, v)
		}
	}
	for name, x := range map[string][]float64{"F": res.F, "G": res.G, "plan": res.Plan.(*ot.SparsePlan).Val} {
		for k, v := range x {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("%s[%d] = %v", name, k, v)
			}
		}
	}
}

func TestNilContext(t *testing.T) {
	p := ot.NewProblem(gaussianClouds(20, 3))
	//lint:ignore SA1012 a nil context is part of the contract
	res, err := (&Solver{}).Solve(nil, p) //nolint:staticcheck
	require.NoError(t, err)
	checkOptimal(t, p, res)
}

// TestCancelEverywhere stops the solve after every amount of work, from
// the first pass over the cost to the last pivot: the poller's context is
// done from its second look on, which comes after work w. Each result is
// Canceled (Converged past the end) and holds a feasible plan with finite
// figures computed for it.
func TestCancelEverywhere(t *testing.T) {
	pc := gaussianClouds(120, 5)
	zeroRow := normalize(weights(rand.New(rand.NewPCG(3, 3)), 120, "zeros"))
	forbid := ot.CostData(pc)
	for k := 0; k < len(forbid); k += 7 {
		if k%120 != k/120 {
			forbid[k] = math.Inf(1)
		}
	}
	for name, p := range map[string]*ot.Problem{
		"cloud":     ot.NewProblem(pc),
		"dense":     {A: ot.Uniform(120), B: ot.Uniform(120), C: &ot.DenseCost{N: 120, M: 120, Data: ot.CostData(pc)}},
		"rows":      {A: ot.Uniform(120), B: ot.Uniform(120), C: rowCost{&ot.DenseCost{N: 120, M: 120, Data: ot.CostData(pc)}}},
		"zeros":     {A: zeroRow, B: ot.Uniform(120), C: pc},
		"forbidden": {A: ot.Uniform(120), B: ot.Uniform(120), C: &ot.DenseCost{N: 120, M: 120, Data: forbid}},
		"scaled":    {A: ot.Uniform(120), B: ot.Uniform(120), C: scaledCost(pc, 1e300)},
	} {
		ref := solve(t, &Solver{}, p)
		b, err := (&Solver{}).balance(p.A, p.B)
		require.NoError(t, err)
		canceled := 0
		for w := 1; ; w += min(997+w/2, 48611) { // finely through the setup passes
			poll := &poller{}
			looks := 0
			poll.done = func() bool {
				if looks++; looks == 1 { // the look before the first pass
					poll.work = pollWork - w
				}
				return looks > 1
			}
			res, err := (&Solver{}).solve(poll, p, b)
			require.NoError(t, err, "%s w=%d", name, w)
			checkFinite(t, res)
			require.InDelta(t, ot.LinearCost(res.Plan, p.C), res.LinearCost, 1e-12*math.Abs(res.LinearCost), "%s w=%d", name, w)
			require.Equal(t, ot.MarginalError(res.Plan, p.A, p.B), res.MarginalError)
			if name != "forbidden" {
				require.LessOrEqual(t, res.MarginalError, 1e-12, "%s w=%d: the last iterate is feasible", name, w)
			}
			if res.Status == ot.Converged {
				require.Equal(t, ref.LinearCost, res.LinearCost, name)
				break
			}
			require.Equal(t, ot.Canceled, res.Status, "%s w=%d", name, w)
			require.GreaterOrEqual(t, res.LinearCost, ref.LinearCost*(1-1e-12))
			canceled++
		}
		t.Logf("%s: %d cancellation points, %d pivots", name, canceled, ref.Iterations)
		require.Greater(t, canceled, 10, name)
	}
}

// scaledCost returns the dense cost of c multiplied by s.
func scaledCost(c ot.Cost, s float64) *ot.DenseCost {
	n, m := c.Dims()
	data := append([]float64(nil), ot.CostData(c)...)
	for k := range data {
		data[k] *= s
	}
	return &ot.DenseCost{N: n, M: m, Data: data}
}

// TestScale: multiplying the cost by s gives the same plan, and potentials
// and values multiplied by s, from s = 1e-300 to 1e300 (the simplex then
// works in units of a power of two near max|C|). Powers of two give the
// same plan bitwise.
func TestScale(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	base := randomProblem(rng, 23, 17, 0, "random")
	C := base.C.(*ot.DenseCost).Data
	forbidden := append([]float64(nil), C...)
	for k := range forbidden {
		if rng.IntN(4) == 0 && k%17 != k/17%17 {
			forbidden[k] = math.Inf(1)
		}
	}
	for name, c := range map[string]*ot.DenseCost{
		"dense":     dense(23, 17, C...),
		"forbidden": dense(23, 17, forbidden...),
		"negative":  scaledCost(dense(23, 17, C...), -1),
	} {
		for _, repr := range []string{"dense", "rows"} {
			as := func(c *ot.DenseCost) ot.Cost {
				if repr == "rows" {
					return rowCost{c}
				}
				return c
			}
			p := &ot.Problem{A: base.A, B: base.B, C: as(c)}
			ref := solve(t, &Solver{}, p)
			checkOptimal(t, p, ref)
			for _, s := range []float64{1e-300, 1e-150, 0x1p-1000, 0x1p600, 1e150, 1e300} {
				t.Run(fmt.Sprintf("%s/%s/%g", name, repr, s), func(t *testing.T) {
					q := &ot.Problem{A: p.A, B: p.B, C: as(scaledCost(c, s))}
					res := solve(t, &Solver{}, q)
					require.Equal(t, ot.Converged, res.Status)
					checkFinite(t, res)
					got, want := res.Plan.(*ot.SparsePlan), ref.Plan.(*ot.SparsePlan)
					require.Equal(t, want.RowPtr, got.RowPtr)
					require.Equal(t, want.ColIdx, got.ColIdx)
					exact := math.Abs(math.Log2(s)) == math.Trunc(math.Abs(math.Log2(s)))
					if exact {
						require.Equal(t, want.Val, got.Val)
						require.Equal(t, ref.LinearCost*s, res.LinearCost)
					} else {
						require.InDeltaSlice(t, want.Val, got.Val, 1e-15)
					}
					tol := 1e-9 * math.Abs(ref.LinearCost*s)
					require.InDelta(t, ref.LinearCost*s, res.LinearCost, tol)
					require.InDelta(t, ref.DualValue*s, res.DualValue, tol)
					for i, v := range ref.F {
						require.InDelta(t, v*s, res.F[i], 1e-9*math.Abs(s)*(1+math.Abs(v)), "F[%d]", i)
					}
					for j, v := range ref.G {
						require.InDelta(t, v*s, res.G[j], 1e-9*math.Abs(s)*(1+math.Abs(v)), "G[%d]", j)
					}
				})
			}
		}
	}
}

// TestMass: the marginal error of a converged plan is relative to the mass,
// for masses from 1e-12 to 1e12.
func TestMass(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	base := randomProblem(rng, 40, 30, 0, "random")
	mass := base.Mass()
	for _, target := range []float64{1e-12, 1, 1e12} {
		a, b := append([]float64(nil), base.A...), append([]float64(nil), base.B...)
		for i := range a {
			a[i] *= target / mass
		}
		for j := range b {
			b[j] *= target / mass
		}
		for name, c := range map[string]ot.Cost{"dense": base.C, "cloud": gaussianCloudsNM(40, 30, 4)} {
			t.Run(fmt.Sprintf("%s/%g", name, target), func(t *testing.T) {
				p := &ot.Problem{A: a, B: b, C: c}
				res := solve(t, &Solver{}, p)
				checkOptimal(t, p, res) // MarginalError ≤ 1e-12·mass
				checkFinite(t, res)
			})
		}
	}
}

// gaussianCloudsNM is gaussianClouds with n and m points.
func gaussianCloudsNM(n, m int, seed uint64) *ot.PointCloud {
	rng := rand.New(rand.NewPCG(seed, 7))
	x, y := make([][]float64, n), make([][]float64, m)
	for i := range x {
		x[i] = []float64{rng.NormFloat64(), rng.NormFloat64()}
	}
	for j := range y {
		y[j] = []float64{rng.NormFloat64() + 1, rng.NormFloat64() + 1}
	}
	pc, err := ot.NewPointCloud(x, y, ot.SqEuclidean)
	if err != nil {
		panic(err)
	}
	return pc
}

// TestCanceledContext: a context done before Solve starts gives Canceled
// with the northwest-corner flow and a nil error.
func TestCanceledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	p := ot.NewProblem(gaussianClouds(50, 1))
	res, err := (&Solver{}).Solve(ctx, p)
	require.NoError(t, err)
	assert.Equal(t, ot.Canceled, res.Status)
	assert.ErrorIs(t, res.Status.Err(), context.Canceled)
	checkFinite(t, res)
}
