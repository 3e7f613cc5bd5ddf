package lse

import (
	"math"
	"math/rand/v2"
	"testing"
)

// benchArgs are Sinkhorn-like exponents: mostly in [−50, 0], a few far below.
func benchArgs(n int) []float64 {
	rng := rand.New(rand.NewPCG(1, 1))
	x := make([]float64, n)
	for i := range x {
		x[i] = -50 * rng.Float64()
	}
	return x
}

func reportExps(b *testing.B, perOp int) {
	b.ReportMetric(float64(b.N)*float64(perOp)/b.Elapsed().Seconds(), "exps/s")
}

var sink float64

func BenchmarkMathExp(b *testing.B) {
	x, dst := benchArgs(4096), make([]float64, 4096)
	for b.Loop() {
		for i, v := range x {
			dst[i] = math.Exp(v)
		}
	}
	reportExps(b, len(x))
}

func BenchmarkExpTo(b *testing.B) {
	x, dst := benchArgs(4096), make([]float64, 4096)
	for b.Loop() {
		ExpTo(dst, x)
	}
	reportExps(b, len(x))
}

func BenchmarkExpScalar(b *testing.B) {
	x := benchArgs(4096)
	var s float64
	for b.Loop() {
		for _, v := range x {
			s += Exp(v)
		}
	}
	sink = s
	reportExps(b, len(x))
}

func BenchmarkAffineSumExp(b *testing.B) {
	g, c := benchArgs(4096), benchArgs(4096)
	var s float64
	for b.Loop() {
		s += AffineSumExp(-1, g, c, -0.5)
	}
	sink = s
	reportExps(b, len(g))
}

func BenchmarkAffineSumMathExp(b *testing.B) {
	g, c := benchArgs(4096), benchArgs(4096)
	var s float64
	for b.Loop() {
		for j, gj := range g {
			s += math.Exp((-1 + gj - c[j]) * -0.5)
		}
	}
	sink = s
	reportExps(b, len(g))
}

func BenchmarkAffineLSE(b *testing.B) {
	g, c := benchArgs(4096), benchArgs(4096)
	var s float64
	for b.Loop() {
		s += AffineLSE(-1, g, c, 3)
	}
	sink = s
	reportExps(b, len(g))
}

func BenchmarkColsAffineRow(b *testing.B) {
	g, c := benchArgs(4096), benchArgs(4096)
	acc := NewCols(len(g))
	rng := rand.New(rand.NewPCG(2, 2))
	for b.Loop() {
		acc.AddAffineRow(rng.Float64(), g, c, 3)
	}
	reportExps(b, len(g))
}

// mixedArgs are small-ε Sinkhorn exponents: 90% underflow, randomly placed.
func mixedArgs(n int) []float64 {
	rng := rand.New(rand.NewPCG(1, 3))
	x := make([]float64, n)
	for i := range x {
		if rng.IntN(10) == 0 {
			x[i] = -50 * rng.Float64()
		} else {
			x[i] = -800 - 1e4*rng.Float64()
		}
	}
	return x
}

func BenchmarkExpToMixed(b *testing.B) {
	x, dst := mixedArgs(4096), make([]float64, 4096)
	for b.Loop() {
		ExpTo(dst, x)
	}
	reportExps(b, len(x))
}

func BenchmarkMathExpMixed(b *testing.B) {
	x, dst := mixedArgs(4096), make([]float64, 4096)
	for b.Loop() {
		for i, v := range x {
			dst[i] = math.Exp(v)
		}
	}
	reportExps(b, len(x))
}

func BenchmarkAffineExpTo(b *testing.B) {
	g, c := benchArgs(4096), benchArgs(4096)
	dst := make([]float64, len(g))
	for b.Loop() {
		AffineExpTo(dst, -1, g, c, -0.5)
	}
	reportExps(b, len(g))
}

func BenchmarkAffineExpToScalar(b *testing.B) {
	g, c := benchArgs(4096), benchArgs(4096)
	dst := make([]float64, len(g))
	for b.Loop() {
		affineExpScalar(dst, -1, g, c, -0.5)
	}
	reportExps(b, len(g))
}

// cloudRow is a Sinkhorn-like row of a 2-D point cloud: the cost row has
// entries up to about 20, the exponents are in [−100, 0].
func cloudRow(m int) (x, yt, g, p, dst []float64) {
	x, yt, _ = cloudArgs(2, m, 3)
	g = make([]float64, m)
	for j := range g {
		g[j] = 0.5
	}
	return x, yt, g, make([]float64, m), make([]float64, m)
}

// BenchmarkCloudRowUnfused is a log-domain sweep's work on one row of a
// 2-D point cloud with separate passes: the cost row, the exps with their
// sum, then the column sums with <P_i, C_i> (entries/s).
func BenchmarkCloudRowUnfused(b *testing.B) {
	x, yt, g, p, dst := cloudRow(4000)
	c := make([]float64, len(g))
	for b.Loop() {
		SqDistRow(c, x, yt)
		r := AffineExpSum(dst, -1, g, c, 5)
		sink += AddScaledDot(p, 1/r, dst, c)
	}
	reportExps(b, len(g))
}

// BenchmarkCloudRowFused is BenchmarkCloudRowUnfused with
// SqDistExpSumDot: the cost row stays in registers.
func BenchmarkCloudRowFused(b *testing.B) {
	x, yt, g, p, dst := cloudRow(4000)
	for b.Loop() {
		r, d := SqDistExpSumDot(dst, x, yt, 1, -1, g, 5)
		AddScaled(p, 1/r, dst)
		sink += d
	}
	reportExps(b, len(g))
}

func BenchmarkColsAddAffineRow(b *testing.B) {
	g, c := benchArgs(4096), benchArgs(4096)
	cols := NewCols(4096)
	for b.Loop() {
		cols.AddAffineRow(-1, g, c, 0.5)
	}
	reportExps(b, len(g))
}
