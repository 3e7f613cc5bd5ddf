package exact

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/otkit/otkit/internal/otest"
	"github.com/otkit/otkit/ot"
)

// goldenCase is one entry of testdata/exact/golden.json: points (squared
// Euclidean cost) or an explicit row-major cost, weights, and POT's optimum.
type goldenCase struct {
	Name       string      `json:"name"`
	A          []float64   `json:"a"`
	B          []float64   `json:"b"`
	X          [][]float64 `json:"x"`
	Y          [][]float64 `json:"y"`
	N          int         `json:"n"`
	M          int         `json:"m"`
	Cost       []float64   `json:"cost"`
	LinearCost float64     `json:"linear_cost"`
}

func loadGolden(t testing.TB) []goldenCase {
	return otest.LoadCases[goldenCase](t, "../testdata/exact/golden.json")
}

// problems returns the case as a problem on each cost representation it
// supports: the point cloud (computed rows) and its dense matrix.
func (g *goldenCase) problems(t testing.TB) map[string]*ot.Problem {
	if g.Cost != nil {
		c, err := ot.NewDenseCost(g.N, g.M, g.Cost)
		require.NoError(t, err)
		return map[string]*ot.Problem{"dense": {A: g.A, B: g.B, C: c}}
	}
	pc, err := ot.NewPointCloud(g.X, g.Y, ot.SqEuclidean)
	require.NoError(t, err)
	n, m := pc.Dims()
	return map[string]*ot.Problem{
		"cloud": {A: g.A, B: g.B, C: pc},
		"dense": {A: g.A, B: g.B, C: &ot.DenseCost{N: n, M: m, Data: ot.CostData(pc)}},
	}
}

func TestGoldenPOT(t *testing.T) {
	for _, g := range loadGolden(t) {
		for kind, p := range g.problems(t) {
			t.Run(g.Name+"/"+kind, func(t *testing.T) {
				res := solve(t, &Solver{}, p)
				checkOptimal(t, p, res)
				require.InDelta(t, g.LinearCost, res.LinearCost, 1e-10*math.Abs(g.LinearCost)+1e-300,
					"otkit %.17g, POT %.17g", res.LinearCost, g.LinearCost)
			})
		}
	}
}
