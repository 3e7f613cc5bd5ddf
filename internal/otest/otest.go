// Package otest holds helpers shared by the solver packages' tests: random
// problems and golden-file loading. It is imported only from _test files.
package otest

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/otkit/otkit/ot"
)

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
