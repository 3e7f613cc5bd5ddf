package lse

import (
	"math/rand/v2"
	"testing"
)

// TestF32Kernels: Dot32 and AddScaled32 are bitwise Dot and AddScaled on
// the converted row (the scalar loops), at every length and offset of the
// groups of four and eight; To32 rounds to nearest and sums the rounded
// values.
func TestF32Kernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for n := 0; n < 40; n++ {
		x32, x, y := make([]float32, n), make([]float64, n), make([]float64, n)
		for i := range x {
			x[i], y[i] = rng.ExpFloat64(), rng.NormFloat64()
		}
		var acc [4]float64
		for j, v := range x {
			acc[j&3] += float64(float32(v))
		}
		sum := To32(x32, x)
		sameBits(t, []float64{laneSum(&acc)}, []float64{sum}, "To32")
		for j := range x {
			if x32[j] != float32(x[j]) {
				t.Fatalf("To32: index %d", j)
			}
			x[j] = float64(x32[j])
		}
		sameBits(t, []float64{Dot(x, y)}, []float64{Dot32(x32, y)}, "Dot32")
		p1, p2 := append([]float64(nil), y...), append([]float64(nil), y...)
		AddScaled32(p1, 0.37, x32)
		AddScaled(p2, 0.37, x)
		sameBits(t, p2, p1, "AddScaled32")
	}
}

func BenchmarkDot32(b *testing.B) {
	const n = 2000
	x32, y := make([]float32, n), make([]float64, n)
	for i := range y {
		x32[i], y[i] = 1, 1
	}
	b.SetBytes(4 * n)
	for b.Loop() {
		Dot32(x32, y)
	}
}
