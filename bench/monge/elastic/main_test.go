package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"gonum.org/v1/gonum/mat"
)

// TestEntropicSlope: the closed form against the fixture of docs/monge.md
// §8.1 (A = [[2,1],[1,2]], B = diag(1, 4)) at ε = 0 (Brenier), 0.1, 0.5, 2.
func TestEntropicSlope(t *testing.T) {
	A := mat.NewSymDense(2, []float64{2, 1, 1, 2})
	B := mat.NewSymDense(2, []float64{1, 0, 0, 4})
	for _, tc := range []struct {
		eps float64
		J   []float64
	}{
		{0, []float64{0.8043479730, -0.2806492824, -0.2806492824, 1.5334961975}},
		{0.1, []float64{0.78785617, -0.27241434, -0.27241434, 1.51693863}},
		{0.5, []float64{0.72537455, -0.24143545, -0.24143545, 1.45288551}},
		{2, []float64{0.53809896, -0.15162866, -0.15162866, 1.24262391}},
	} {
		assert.InDeltaSlice(t, tc.J, entropicSlope(A, B, tc.eps).RawMatrix().Data, 1e-8, "ε = %v", tc.eps)
	}
}
