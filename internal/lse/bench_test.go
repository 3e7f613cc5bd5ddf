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
