package lse

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func relErr(got, want float64) float64 {
	if got == want {
		return 0
	}
	return math.Abs(got-want) / math.Abs(want)
}

// refExp is math.Exp, whose amd64 assembly returns +Inf from about 709.44
// on; above 700 it is computed as e^(x−20)·e^20 (two roundings).
func refExp(x float64) float64 {
	if x > 700 {
		return math.Exp(x-20) * math.Exp(20)
	}
	return math.Exp(x)
}

func TestExpAccuracy(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, r := range []struct{ lo, hi float64 }{
		{-708, 0}, {-1, 1}, {-1e-6, 1e-6}, {0, 50}, {50, 709.7},
	} {
		var worst float64
		for k := 0; k < 200000; k++ {
			x := r.lo + (r.hi-r.lo)*rng.Float64()
			worst = math.Max(worst, relErr(Exp(x), refExp(x)))
		}
		assert.LessOrEqual(t, worst, 1e-14, "range [%v, %v]", r.lo, r.hi)
		assert.LessOrEqual(t, worst, 6.7e-16, "range [%v, %v]: more than 3 ulp", r.lo, r.hi)
	}
}

func TestExpSpecial(t *testing.T) {
	for _, x := range []float64{
		0, -0.0, 1, -1, 1e-300, -1e-300, 0x1p-1074, 709, 709.5, 709.78, 709.79, 710, -707, -707.5, -708.5, -720,
		-740, -745, -745.13, -745.14, -746, -1e10, 1e10, -0.5 * math.Ln2 / 256, 0.5 * math.Ln2 / 256,
	} {
		got, want := Exp(x), refExp(x)
		if want >= 0x1p-1022 || math.IsInf(want, 1) || want == 0 {
			assert.LessOrEqual(t, relErr(got, want), 6.7e-16, "x = %v: got %v want %v", x, got, want)
		} else {
			// Subnormal results have fewer bits; allow one subnormal ulp.
			assert.LessOrEqual(t, math.Abs(got-want), 0x1p-1074, "x = %v: got %v want %v", x, got, want)
		}
	}
	assert.Equal(t, 0.0, Exp(math.Inf(-1)))
	assert.True(t, math.IsInf(Exp(math.Inf(1)), 1))
	assert.True(t, math.IsNaN(Exp(math.NaN())))
	assert.Equal(t, 1.0, Exp(0))
}

func TestExpSubnormal(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for k := 0; k < 100000; k++ {
		x := -745.2 + 38*rng.Float64()
		got, want := Exp(x), math.Exp(x)
		require.LessOrEqual(t, math.Abs(got-want), math.Max(0x1p-1074, 4.5e-16*want), "x = %v", x)
	}
}

func TestExpTo(t *testing.T) {
	x := []float64{-800, -700, -3, 0, 2, 800, math.NaN(), math.Inf(-1)}
	dst := ExpTo(make([]float64, len(x)), x)
	for i, v := range x {
		if math.IsNaN(v) {
			assert.True(t, math.IsNaN(dst[i]))
			continue
		}
		assert.LessOrEqual(t, relErr(dst[i], refExp(v)), 6.7e-16, "x = %v", v)
	}
	assert.Panics(t, func() { ExpTo(make([]float64, 2), x) })
}

// refLSE is log Σ exp(x − max) + max with math.Exp.
func refLSE(x []float64) float64 {
	mx := math.Inf(-1)
	for _, v := range x {
		mx = math.Max(mx, v)
	}
	if math.IsInf(mx, 0) {
		return mx
	}
	var s float64
	for _, v := range x {
		s += math.Exp(v - mx)
	}
	return mx + math.Log(s)
}

func TestLSE(t *testing.T) {
	inf := math.Inf(1)
	for _, x := range [][]float64{
		{}, {-inf, -inf}, {0}, {1, 2, 3}, {-1e5, -1e5 + 1}, {1000, 1000}, {-inf, 5, 1}, {-3000, 0, -3000},
	} {
		assert.InDelta(t, refLSE(x), LSE(x), 1e-13*math.Max(1, math.Abs(refLSE(x))), "%v", x)
	}
	assert.True(t, math.IsInf(LSE([]float64{1, inf}), 1))
	assert.True(t, math.IsNaN(LSE([]float64{1, math.NaN(), 2})))
	assert.True(t, math.IsInf(LSE(nil), -1))
}

func TestAffine(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const m = 37
	g, c := make([]float64, m), make([]float64, m)
	for j := range g {
		g[j] = rng.NormFloat64()
		c[j] = 3 * rng.Float64()
	}
	c[5] = math.Inf(1)
	for _, k := range []float64{1, 100, 1e4} {
		s := 0.3
		z := make([]float64, m)
		var sum float64
		for j := range z {
			z[j] = (s + g[j] - c[j]) * k
			sum += math.Exp(z[j])
		}
		assert.InDelta(t, refLSE(z), AffineLSE(s, g, c, k), 1e-14*math.Max(1, math.Abs(refLSE(z))), "k = %v", k)
		if sum > 0 {
			assert.LessOrEqual(t, relErr(AffineSumExp(s, g, c, k), sum), 1e-14)
		}
		dst := AffineExpTo(make([]float64, m), s, g, c, k)
		acc := make([]float64, m)
		if sum > 0 {
			assert.LessOrEqual(t, relErr(AffineAddExp(acc, s, g, c, k), sum), 1e-14)
		}
		for j := range z {
			assert.LessOrEqual(t, relErr(dst[j], math.Exp(z[j])), 1e-15)
			assert.Equal(t, dst[j], acc[j])
		}
	}
	allInf := []float64{math.Inf(1), math.Inf(1)}
	assert.True(t, math.IsInf(AffineLSE(0, []float64{0, 0}, allInf, 1), -1))
	assert.Panics(t, func() { AffineLSE(0, g, c[:3], 1) })
}

func TestCols(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	const n, m = 23, 11
	data := make([]float64, n*m)
	for i := range data {
		data[i] = 800 * rng.NormFloat64()
	}
	data[3] = math.Inf(-1) // column 3, row 0
	for i := 0; i < n; i++ {
		data[i*m+7] = math.Inf(-1) // column 7 entirely −Inf
	}
	acc := NewCols(m)
	half := NewCols(m)
	for i := 0; i < n; i++ {
		acc.AddRow(data[i*m : (i+1)*m])
		if i >= n/2 {
			half.AddRow(data[i*m : (i+1)*m])
		}
	}
	first := NewCols(m)
	for i := 0; i < n/2; i++ {
		first.AddRow(data[i*m : (i+1)*m])
	}
	first.Merge(half)
	got := acc.LSE(make([]float64, m))
	merged := first.LSE(make([]float64, m))
	col := make([]float64, n)
	for j := 0; j < m; j++ {
		for i := range col {
			col[i] = data[i*m+j]
		}
		want := refLSE(col)
		if math.IsInf(want, -1) {
			assert.True(t, math.IsInf(got[j], -1))
			assert.True(t, math.IsInf(merged[j], -1))
			continue
		}
		assert.InDelta(t, want, got[j], 1e-13*math.Abs(want), "column %d", j)
		assert.InDelta(t, want, merged[j], 1e-13*math.Abs(want), "column %d (merged)", j)
	}
	// Affine rows agree with explicit rows.
	g, c := make([]float64, m), make([]float64, m)
	for j := range g {
		g[j], c[j] = rng.NormFloat64(), rng.Float64()
	}
	a1, a2 := NewCols(m), NewCols(m)
	row := make([]float64, m)
	for i := 0; i < 5; i++ {
		s := rng.NormFloat64()
		for j := range row {
			row[j] = (s + g[j] - c[j]) * 50
		}
		a1.AddRow(row)
		a2.AddAffineRow(s, g, c, 50)
	}
	assert.Equal(t, a1.LSE(make([]float64, m)), a2.LSE(make([]float64, m)))
	a1.Reset()
	assert.True(t, math.IsInf(a1.LSE(make([]float64, m))[0], -1))
}

func TestExpLimBits(t *testing.T) {
	assert.Equal(t, uint64(expLimBits), math.Float64bits(expLim))
}
