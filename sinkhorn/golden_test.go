package sinkhorn

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"github.com/otkit/otkit/internal/otest"
	"github.com/otkit/otkit/ot"
)

type goldenCase struct {
	Name       string    `json:"name"`
	N          int       `json:"n"`
	M          int       `json:"m"`
	D          int       `json:"d"`
	X          []float64 `json:"x"`
	Y          []float64 `json:"y"`
	A          []float64 `json:"a"`
	B          []float64 `json:"b"`
	Eps        float64   `json:"eps"`
	Plan       []float64 `json:"plan"`
	LinearCost float64   `json:"linear_cost"`
	F          []float64 `json:"f"`
	G          []float64 `json:"g"`
}

// loadGolden reads testdata/sinkhorn/golden.json (POT 0.8.2 sinkhorn_log,
// written by make_golden.py).
func loadGolden(t *testing.T) []goldenCase {
	return otest.LoadCases[goldenCase](t, "../testdata/sinkhorn/golden.json")
}

func TestGoldenPOT(t *testing.T) {
	for _, gc := range loadGolden(t) {
		pc := &ot.PointCloud{X: mat.NewDense(gc.N, gc.D, gc.X), Y: mat.NewDense(gc.M, gc.D, gc.Y)}
		costs := map[string]ot.Cost{"pointcloud": pc, "dense": &ot.DenseCost{N: gc.N, M: gc.M, Data: ot.CostData(pc)}}
		for cname, c := range costs {
			for _, meth := range []Method{Auto, LogDomain, Stabilized, Sparse} {
				p := &ot.Problem{A: gc.A, B: gc.B, C: c}
				res, err := (&Solver{Eps: gc.Eps, Tol: 1e-12, Method: meth}).Solve(context.Background(), p)
				require.NoError(t, err)
				name := gc.Name + "/" + cname + "/" + meth.String()
				require.Equal(t, ot.Converged, res.Status, name)
				assert.InDelta(t, gc.LinearCost, res.LinearCost, 1e-8*math.Abs(gc.LinearCost), name)
				plan := mat.NewDense(gc.N, gc.M, gc.Plan)
				got := ot.DenseCopy(res.Plan)
				var worst float64
				for i := 0; i < gc.N; i++ {
					for j := 0; j < gc.M; j++ {
						worst = math.Max(worst, math.Abs(got.At(i, j)-plan.At(i, j)))
						// Potentials agree up to the gauge: compare f_i + g_j.
						assert.InDelta(t, gc.F[i]+gc.G[j], res.F[i]+res.G[j], 1e-9*math.Max(1, gc.Eps), name)
					}
				}
				assert.LessOrEqual(t, worst, 1e-10, name)
			}
		}
	}
}
