package lse

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
)

// cloudArgs returns a point x (dimension d), m points stored by coordinate
// and potentials g mixing every slow case of the exp (simdArgs).
func cloudArgs(d, m int, seed uint64) (x, yt, g []float64) {
	rng := rand.New(rand.NewPCG(seed, 7))
	x = make([]float64, d)
	for k := range x {
		x[k] = rng.NormFloat64()
	}
	yt = make([]float64, d*m)
	for i := range yt {
		yt[i] = 3 * rng.NormFloat64()
	}
	g = simdArgs(m, seed+100)
	for i := range g {
		g[i] /= 3
	}
	return x, yt, g
}

// checkFused compares AffineExpSumDot and SqDistExpSumDot with their
// scalar loops, bitwise, at every length, offset and dimension.
func checkFused(t *testing.T) {
	t.Helper()
	for _, d := range []int{1, 2, 3, 5} {
		for m := 0; m < 80; m++ {
			for _, off := range []int{0, 1, 3, 7} {
				x, yt, g0 := cloudArgs(d, m, uint64(7*m+d))
				g := append(make([]float64, off), g0...)[off:]
				dst := make([]float64, m+off)[off:]
				for _, sc := range []float64{1, 0.25, 0.3} {
					for _, k := range []float64{-0.7, -3.1} {
						sum, dot := SqDistExpSumDot(dst, x, yt, sc, -1.25, g, k)
						want := make([]float64, m)
						var acc [16]float64
						sqExpSumDotScalar(want, x, yt, sc, -1.25, g, k, 0, m, &acc)
						sameBits(t, want, dst, "SqDistExpSumDot entries")
						sameBits(t, []float64{laneSum8(acc[:8]), laneSum8(acc[8:])}, []float64{sum, dot}, "SqDistExpSumDot sums")

						// The cost row is SqDistRow's, scaled.
						c := SqDistRow(make([]float64, m+off)[off:], x, yt)
						for j := range c {
							c[j] *= sc
						}
						dst2 := make([]float64, m+off)[off:]
						sum2, dot2 := AffineExpSumDot(dst2, -1.25, g, c, k)
						sameBits(t, want, dst2, "AffineExpSumDot entries")
						sameBits(t, []float64{sum, dot}, []float64{sum2, dot2}, "AffineExpSumDot sums")
					}
				}
			}
		}
	}
}

// TestFused8: the eight-lane fused kernels give bitwise the results of
// their scalar loops (the vector kernels this machine selects).
func TestFused8(t *testing.T) {
	checkFused(t)
	assert.Panics(t, func() { AffineExpSumDot(make([]float64, 3), 0, make([]float64, 3), make([]float64, 2), 1) })
	assert.Panics(t, func() {
		SqDistExpSumDot(make([]float64, 3), make([]float64, 2), make([]float64, 5), 1, 0, make([]float64, 3), 1)
	})
}

// TestFused8Ulp: the fused kernels' entries are within the exp's ulp bound
// of the correctly rounded exponential of their argument.
func TestFused8Ulp(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	const m = 2000
	g, c := make([]float64, m), make([]float64, m)
	for j := range g {
		g[j] = 300 * rng.Float64()
		c[j] = 600 * rng.Float64()
	}
	dst := make([]float64, m)
	AffineExpSumDot(dst, -1, g, c, 1.1)
	var worst float64
	for j := range dst {
		want := bigExp((-1 + g[j] - c[j]) * 1.1)
		ulp := math.Nextafter(want, math.Inf(1)) - want
		worst = math.Max(worst, math.Abs(dst[j]-want)/ulp)
	}
	t.Logf("worst error %.2f ulp (AVX-512: %v)", worst, useAVX512)
	assert.LessOrEqual(t, worst, 1.5)
}
