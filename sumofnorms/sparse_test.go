package sumofnorms

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/otkit/otkit/exact"
	"github.com/otkit/otkit/internal/otest"
	"github.com/otkit/otkit/ot"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// withSparse runs f with the column-generation PDHG forced on (1) or off
// (−1) whatever the problem size.
func withSparse(mode int, f func()) {
	old := sparseMode
	sparseMode = mode
	defer func() { sparseMode = old }()
	f()
}

// TestSparsePDHG checks the column-generation PDHG (docs/sumofnorms.md
// §5.2) on CROSS-2's reference values, at λ = 0 against package exact,
// against the dense PDHG on a problem where columns must be priced in,
// and for bitwise identical results with 1 and 3 workers.
func TestSparsePDHG(t *testing.T) {
	t.Run("Cross2", func(t *testing.T) {
		p, _, _, ys, _ := cross2()
		withSparse(1, func() {
			for _, tc := range []struct{ lambda, value float64 }{
				{0.01, 5.203033}, {0.1, 6.443793}, {0.45, 10.219260}, {1, 10.393709},
			} {
				res := solve(t, &Solver{Lambda: tc.lambda, Labels: ys}, p)
				assert.InDelta(t, tc.value, res.Value, 1e-6, "Value at λ = %g", tc.lambda)
				assert.LessOrEqual(t, res.Value-res.DualValue, DefaultGapTol*res.Value, "gap at λ = %g", tc.lambda)
			}
		})
	})
	t.Run("LambdaZero", func(t *testing.T) {
		exactAtZero = false
		defer func() { exactAtZero = true }()
		rng := rand.New(rand.NewPCG(4, 2))
		withSparse(1, func() {
			for k := 0; k < 3; k++ {
				p := otest.RandomProblem(rng, 5+k, 7-k)
				want, err := (&exact.Solver{}).Solve(context.Background(), p)
				require.NoError(t, err)
				res := solve(t, &Solver{}, p)
				assert.InDelta(t, want.Value, res.Value, 1e-8, "problem %d", k)
				assert.InDelta(t, want.Value, res.DualValue, 1e-8, "problem %d", k)
			}
		})
	})
	t.Run("AgreesWithDense", func(t *testing.T) {
		xs, xt, ys, _ := Segments(3, 8, 3)
		p := ot.NewProblem(ot.DenseCostOf(denseOf(&ot.PointCloud{X: xs, Y: xt})))
		lambdas := []float64{0.05, 1}
		if testing.Short() {
			lambdas = lambdas[1:]
		}
		for _, lam := range lambdas {
			s := &Solver{Lambda: lam, Labels: ys, Edges: SameClassKNN, K: 3, GapTol: 1e-7}
			var sp, de *ot.Result
			withSparse(1, func() { sp = solve(t, s, p) })
			withSparse(-1, func() { de = solve(t, s, p) })
			assert.InDelta(t, 1, sp.Value/de.Value, 3e-7, "λ = %g: sparse %v dense %v", lam, sp.Value, de.Value)
			assert.LessOrEqual(t, sp.DualValue, de.Value+1e-12, "λ = %g: the sparse certificate is a lower bound", lam)
			assert.Less(t, ot.MarginalError(sp.Plan, p.A, p.B), 1e-12)
		}
	})
	t.Run("Workers", func(t *testing.T) {
		xs, xt, ys, _ := Segments(5, 6, 3)
		p := ot.NewProblem(ot.DenseCostOf(denseOf(&ot.PointCloud{X: xs, Y: xt})))
		withSparse(1, func() {
			var ref *ot.Result
			for _, w := range []int{1, 3} {
				res := solve(t, &Solver{Lambda: 0.1, Labels: ys, Edges: SameClassKNN, K: 3, GapTol: 1e-6, Workers: w}, p)
				if ref == nil {
					ref = res
					continue
				}
				assert.Equal(t, ref.Iterations, res.Iterations)
				assert.Equal(t, math.Float64bits(ref.Value), math.Float64bits(res.Value))
				assert.Equal(t, math.Float64bits(ref.DualValue), math.Float64bits(res.DualValue))
				assert.Equal(t, ref.History, res.History)
				assert.Equal(t, ot.DenseCopy(ref.Plan).RawMatrix().Data, ot.DenseCopy(res.Plan).RawMatrix().Data)
			}
		})
	})
}
