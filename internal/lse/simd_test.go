package lse

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// simdArgs mixes the fast path with every slow case, at every offset of
// the groups of four.
func simdArgs(n int, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 5))
	special := []float64{-800, -745.2, -745.1, -720, -707.5, 707.5, 709.7, 800, math.Inf(-1), math.Inf(1), math.NaN(), 0, -0.0, 1e-300}
	x := make([]float64, n)
	for i := range x {
		switch r := rng.IntN(20); {
		case r == 0:
			x[i] = special[rng.IntN(len(special))]
		case r < 4:
			x[i] = -2000 * rng.Float64()
		default:
			x[i] = -708 + 1416*rng.Float64()
		}
	}
	return x
}

func sameBits(t *testing.T, want, got []float64, msg string) {
	t.Helper()
	for i := range want {
		if math.Float64bits(want[i]) != math.Float64bits(got[i]) && !(math.IsNaN(want[i]) && math.IsNaN(got[i])) {
			t.Fatalf("%s: index %d: got %v want %v", msg, i, got[i], want[i])
		}
	}
}

// TestExpToVector: the vector kernels give bitwise the results of the
// scalar code (their reference), for every length and offset.
func TestExpToVector(t *testing.T) {
	if !useAVX2 {
		t.Skip("no vector kernel on this machine")
	}
	for n := 0; n < 70; n++ {
		for _, seed := range []uint64{1, 2, 3} {
			x := simdArgs(n, seed)
			want := expToScalar(make([]float64, n), x)
			got := ExpTo(make([]float64, n), x)
			sameBits(t, want, got, "ExpTo")
			g, c := simdArgs(n, seed+10), simdArgs(n, seed+20)
			for i := range g {
				g[i] /= 3
				c[i] /= 5
			}
			for _, k := range []float64{0.5, 1, 3.7} {
				want := make([]float64, n)
				affineExpScalar(want, -1.25, g, c, k)
				got := AffineExpTo(make([]float64, n), -1.25, g, c, k)
				sameBits(t, want, got, "AffineExpTo")
			}
		}
	}
}

// TestExpUlpVector is TestExpUlp for the vector kernel.
func TestExpUlpVector(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	x := make([]float64, 3000)
	for i := range x {
		x[i] = -708 + 1416*rng.Float64()
	}
	got := ExpTo(make([]float64, len(x)), x)
	var worst float64
	for i, v := range x {
		want := bigExp(v)
		ulp := math.Nextafter(want, math.Inf(1)) - want
		worst = math.Max(worst, math.Abs(got[i]-want)/ulp)
	}
	t.Logf("worst error %.2f ulp (vector kernel: %v)", worst, useAVX2)
	assert.LessOrEqual(t, worst, 1.5)
	require.Panics(t, func() { AffineExpTo(make([]float64, 3), 0, x[:4], x[:4], 1) })
}

// TestSqDistRow: bitwise the row-major scalar loop, for every length and
// dimension.
func TestSqDistRow(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	for _, d := range []int{1, 2, 3, 5} {
		for m := 0; m < 23; m++ {
			x := make([]float64, d)
			for k := range x {
				x[k] = rng.NormFloat64()
			}
			y := make([][]float64, m)
			yt := make([]float64, d*m)
			for j := range y {
				y[j] = make([]float64, d)
				for k := range y[j] {
					y[j][k] = 10 * rng.NormFloat64()
					yt[k*m+j] = y[j][k]
				}
			}
			got := SqDistRow(make([]float64, m), x, yt)
			want := make([]float64, m)
			for j := range want {
				var s float64
				for k, xk := range x {
					u := xk - y[j][k]
					s += u * u
				}
				want[j] = s
			}
			sameBits(t, want, got, "SqDistRow")
		}
	}
	assert.Panics(t, func() { SqDistRow(make([]float64, 3), make([]float64, 2), make([]float64, 5)) })
}

// TestFusedVector: AffineExpSum and AddScaledDot give bitwise the results
// of their scalar loops.
func TestFusedVector(t *testing.T) {
	for n := 0; n < 70; n++ {
		g, c := simdArgs(n, 30), simdArgs(n, 40)
		for i := range g {
			g[i] /= 3
			c[i] /= 5
		}
		dst := make([]float64, n)
		got := AffineExpSum(dst, -1.25, g, c, 0.7)
		want := make([]float64, n)
		var acc [4]float64
		affineExpSumScalar(want, -1.25, g, c, 0.7, &acc)
		sameBits(t, want, dst, "AffineExpSum entries")
		sameBits(t, []float64{laneSum(&acc)}, []float64{got}, "AffineExpSum sum")

		x, cc := simdArgs(n, 50), simdArgs(n, 60)
		for i := range x {
			x[i] = math.Abs(x[i]) / 100
			if math.IsNaN(x[i]) || math.IsInf(x[i], 0) {
				x[i] = 1
			}
			cc[i] = x[i] * 3
		}
		p1, p2 := simdArgs(n, 70), simdArgs(n, 70)
		d := AddScaledDot(p1, 0.3, x, cc)
		var acc2 [4]float64
		for j := range p2 {
			p2[j] += 0.3 * x[j]
			acc2[j&3] += x[j] * cc[j]
		}
		sameBits(t, p2, p1, "AddScaledDot p")
		sameBits(t, []float64{laneSum(&acc2)}, []float64{d}, "AddScaledDot dot")
	}
}

// TestDotAddScaled: bitwise the scalar loops (and AddScaled gonum's).
func TestDotAddScaled(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	for n := 0; n < 40; n++ {
		x, y := make([]float64, n), make([]float64, n)
		for i := range x {
			x[i], y[i] = rng.NormFloat64(), rng.NormFloat64()
		}
		var acc [8]float64
		for j := range x {
			acc[j&7] += x[j] * y[j]
		}
		want := ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]))
		sameBits(t, []float64{want}, []float64{Dot(x, y)}, "Dot")
		p1, p2 := append([]float64(nil), y...), append([]float64(nil), y...)
		AddScaled(p1, 0.37, x)
		for j := range p2 {
			p2[j] += 0.37 * x[j]
		}
		sameBits(t, p2, p1, "AddScaled")
	}
}
