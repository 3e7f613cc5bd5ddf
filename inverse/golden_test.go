package inverse

import (
	"context"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/otkit/otkit/internal/otest"
	"github.com/otkit/otkit/ot"
)

// goldenCase is one case of testdata/inverse/golden.json.
type goldenCase struct {
	Name  string      `json:"name"`
	Eps   float64     `json:"eps"`
	XRows [][]float64 `json:"x"`
	YRows [][]float64 `json:"y"`
	A0    [][]float64 `json:"A0"`
	Plan  [][]float64 `json:"plan"`
}

func denseOf(rows [][]float64) *mat.Dense {
	m := mat.NewDense(len(rows), len(rows[0]), nil)
	for i, r := range rows {
		m.SetRow(i, r)
	}
	return m
}

// TestGoldenPOT fits λ = 0 to entropic plans of the cost −x A0 yᵀ computed by
// POT 0.8.2 (testdata/inverse/make_golden.py): each plan is exactly of the
// model's form between its own marginals, so the fit recovers A0, and the
// final Sinkhorn plan reproduces POT's.
func TestGoldenPOT(t *testing.T) {
	cases := otest.LoadCases[goldenCase](t, "../testdata/inverse/golden.json")
	for _, gc := range cases {
		t.Run(gc.Name, func(t *testing.T) {
			x, y, a0, p := denseOf(gc.XRows), denseOf(gc.YRows), denseOf(gc.A0), denseOf(gc.Plan)
			e := Estimator{Epsilon: gc.Eps, Tol: 1e-12, InnerTol: 1e-14}
			est, err := e.Fit(context.Background(), Coupled(x, y, p))
			if err != nil {
				t.Fatal(err)
			}
			d := maxAbsDiff(est.Theta, a0.RawMatrix().Data)
			t.Logf("status %v iterations %d newton %d sweeps %d: max|Â − A0| = %.3g", est.Status, est.Iterations,
				est.NewtonSteps, est.InnerSweeps, d)
			if est.Status != ot.Converged || d > 1e-8 {
				t.Errorf("status %v, max|Â − A0| = %.3g, want Converged and ≤ 1e-8", est.Status, d)
			}
			n, m := p.Dims()
			got := ot.DenseCopy(est.Inner.Plan)
			var worst float64
			for i := 0; i < n; i++ {
				for j := 0; j < m; j++ {
					worst = math.Max(worst, math.Abs(got.At(i, j)-p.At(i, j)))
				}
			}
			if worst > 1e-10 {
				t.Errorf("plan at Â differs from POT's by %.3g", worst)
			}
		})
	}
}
