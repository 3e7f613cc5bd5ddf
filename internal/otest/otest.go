// Package otest is otkit's one generator of test and benchmark problems
// (random weights and dense costs, Gaussian point clouds) and its golden-file
// loader. Tests, benchmarks, bench/ programs and the conformance suite draw
// their problems here, so that the same seed gives the same problem
// everywhere.
package otest

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/otkit/otkit/ot"
	"gonum.org/v1/gonum/mat"
)

// GaussianClouds returns n points drawn from N(0, I_d) and m points drawn
// from N(shift, I_d) (shift of length d, nil for none), as n×d and m×d
// matrices. The draws are all of x, row by row, then all of y.
func GaussianClouds(rng *rand.Rand, n, m, d int, shift []float64) (x, y *mat.Dense) {
	draw := func(k int, shift []float64) *mat.Dense {
		a := mat.NewDense(k, d, nil)
		for i := 0; i < k; i++ {
			for l := 0; l < d; l++ {
				v := rng.NormFloat64()
				if shift != nil {
					v += shift[l]
				}
				a.Set(i, l, v)
			}
		}
		return a
	}
	x = draw(n, nil)
	y = draw(m, shift)
	return x, y
}

// CloudProblem is the uniform-weight problem between GaussianClouds under
// the SqEuclidean metric: a PointCloud cost, or, with dense set, the cost
// materialized and divided by its maximum (as POT's examples do).
func CloudProblem(rng *rand.Rand, n, m, d int, shift []float64, dense bool) *ot.Problem {
	x, y := GaussianClouds(rng, n, m, d, shift)
	pc := &ot.PointCloud{X: x, Y: y, Metric: ot.SqEuclidean}
	if !dense {
		return ot.NewProblem(pc)
	}
	c := ot.CostData(pc)
	_, hi := ot.MinMax(pc)
	for k := range c {
		c[k] /= hi
	}
	return ot.NewProblem(&ot.DenseCost{N: n, M: m, Data: c})
}

// RandomWeights returns k weights drawn from 0.2 + U[0, 1), normalized to
// sum 1 (bounded away from zero, so no row or column is removed).
func RandomWeights(rng *rand.Rand, k int) []float64 {
	w := make([]float64, k)
	var s float64
	for i := range w {
		w[i] = 0.2 + rng.Float64()
		s += w[i]
	}
	for i := range w {
		w[i] /= s
	}
	return w
}

// RandomProblem returns an n×m problem with RandomWeights on both sides and
// dense costs drawn from U[0, 1). The row weights are drawn first, then the
// column weights, then the costs in row-major order.
func RandomProblem(rng *rand.Rand, n, m int) *ot.Problem {
	a, b := RandomWeights(rng, n), RandomWeights(rng, m)
	c := make([]float64, n*m)
	for k := range c {
		c[k] = rng.Float64()
	}
	return &ot.Problem{A: a, B: b, C: &ot.DenseCost{N: n, M: m, Data: c}}
}

// LoadCases reads the "cases" array of a golden JSON file written by a
// testdata/*/make_golden.py script into a slice of T; it fails the test on
// a missing, unreadable or empty file.
func LoadCases[T any](t testing.TB, path string) []T {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden file: %v", err)
	}
	var doc struct {
		Cases []T `json:"cases"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(doc.Cases) == 0 {
		t.Fatalf("%s: no cases", path)
	}
	return doc.Cases
}
