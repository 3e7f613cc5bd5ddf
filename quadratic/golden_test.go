package quadratic

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize/convex/lp"

	"github.com/otkit/otkit/internal/otest"
	"github.com/otkit/otkit/ot"
)

// goldenCase is one problem of testdata/quadratic/golden.json, written by
// make_golden.py (POT 0.8.2 smooth_ot_dual polished to a KKT point).
type goldenCase struct {
	Name       string    `json:"name"`
	N          int       `json:"n"`
	M          int       `json:"m"`
	Gamma      float64   `json:"gamma"`
	A          []float64 `json:"a"`
	B          []float64 `json:"b"`
	C          []float64 `json:"c"`
	Value      float64   `json:"value"`
	LinearCost float64   `json:"linear_cost"`
	Plan       []float64 `json:"plan"`
	NNZ        int       `json:"nnz"`
}

func loadGolden(t *testing.T) []goldenCase {
	return otest.LoadCases[goldenCase](t, "../testdata/quadratic/golden.json")
}

func TestGolden(t *testing.T) {
	for _, gc := range loadGolden(t) {
		for _, meth := range allMethods {
			t.Run(gc.Name+"/"+meth.String(), func(t *testing.T) {
				p := &ot.Problem{A: gc.A, B: gc.B, C: dense(t, gc.N, gc.M, gc.C)}
				r := solve(t, Solver{Gamma: gc.Gamma, Method: meth}, p)
				require.Equal(t, ot.Converged, r.Status)
				assert.InDelta(t, gc.Value, r.Value, 1e-7*math.Abs(gc.Value))
				assert.InDelta(t, gc.LinearCost, r.LinearCost, 1e-6*math.Abs(gc.LinearCost))
				assert.LessOrEqual(t, r.MarginalError, 1e-9*p.Mass()) // Tol is relative to the mass
				// Primal–dual gap.
				assert.LessOrEqual(t, math.Abs(r.Value-r.DualValue), 1e-8)
				// The plan, and no more nonzeros than the optimum
				// beyond entries of the size of the tolerance.
				got := denseData(r.Plan)
				assert.InDeltaSlice(t, gc.Plan, got, 1e-8)
				extra := 0
				for k, v := range got {
					if v > 0 && gc.Plan[k] == 0 {
						extra++
						assert.Less(t, v, 1e-9)
					}
				}
				assert.LessOrEqual(t, r.Plan.NNZ(), gc.NNZ+extra)
				checkResult(t, p, gc.Gamma, r)
			})
		}
	}
}

// lpCost solves the unregularized OT linear program with gonum's simplex.
func lpCost(t *testing.T, a, b, c []float64) float64 {
	n, m := len(a), len(b)
	A := mat.NewDense(n+m, n*m, nil)
	rhs := make([]float64, n+m)
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			A.Set(i, i*m+j, 1)
			A.Set(n+j, i*m+j, 1)
		}
		rhs[i] = a[i]
	}
	for j := 0; j < m; j++ {
		rhs[n+j] = b[j]
	}
	// Drop one redundant equality (the masses are equal).
	A2 := mat.DenseCopyOf(A.Slice(0, n+m-1, 0, n*m))
	opt, _, err := lp.Simplex(c, A2, rhs[:n+m-1], 1e-12, nil)
	require.NoError(t, err)
	return opt
}

func TestSmallGammaLP(t *testing.T) {
	// γ → 0: Value → the LP optimum; for γ small enough the plan is an LP
	// plan and Value = OT + (γ/2)‖T‖² (docs/quadratic.md §7).
	for seed := uint64(1); seed <= 4; seed++ {
		p := cloudProblem(t, 4, 5, seed)
		c := ot.CostData(p.C)
		opt := lpCost(t, p.A, p.B, c)
		for _, meth := range allMethods {
			r := solve(t, Solver{Gamma: 1e-4, Method: meth}, p)
			require.Equal(t, ot.Converged, r.Status, "%v", meth)
			assert.InDelta(t, opt, r.LinearCost, 1e-9, "seed %d %v", seed, meth)
			assert.GreaterOrEqual(t, r.Value, opt-1e-12)
			assert.LessOrEqual(t, r.Value, opt+1e-4/2*0.25+1e-9)
		}
	}
	p := problem3x3(t)
	assert.InDelta(t, 0.3, lpCost(t, p.A, p.B, ot.CostData(p.C)), 1e-12)
}
