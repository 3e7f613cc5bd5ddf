package lse

import "math"

// Sums over a row are kept in four lanes, lane l holding the entries
// j ≡ l (mod 4) in order, and returned as (l0 + l1) + (l2 + l3): the order
// of the vector kernels, which the scalar code follows exactly.

func laneSum(acc *[4]float64) float64 { return (acc[0] + acc[1]) + (acc[2] + acc[3]) }

// AffineExpSum sets dst_j = exp((s + g_j − c_j)·k), as AffineExpTo, and
// returns Σ_j dst_j (in four lanes).
func AffineExpSum(dst []float64, s float64, g, c []float64, k float64) float64 {
	if len(g) != len(c) || len(dst) != len(g) {
		panic("lse: length mismatch")
	}
	var acc [4]float64
	for done := 0; useAVX2 && len(g) >= 4; {
		done = affineExpSumAVX2(&dst[0], &g[0], &c[0], len(g)&^3, s, k, &exp2Table[0], &acc[0])
		if done+4 > len(g) {
			dst, g, c = dst[done:], g[done:], c[done:]
			break
		}
		affineExpSumScalar(dst[done:done+4], s, g[done:done+4], c[done:done+4], k, &acc)
		dst, g, c = dst[done+4:], g[done+4:], c[done+4:]
	}
	affineExpSumScalar(dst, s, g, c, k, &acc)
	return laneSum(&acc)
}

// affineExpSumScalar is AffineExpSum's scalar loop; dst starts at a lane
// boundary.
func affineExpSumScalar(dst []float64, s float64, g, c []float64, k float64, acc *[4]float64) {
	for j, gj := range g {
		var e float64
		if z := (s + gj - c[j]) * k; math.Float64bits(z)&^signBit <= expLimBits {
			e = expKernel(z)
		} else {
			e = expSlow(z)
		}
		dst[j] = e
		acc[j&3] += e
	}
}

// AddScaledDot sets p_j += alpha·x_j and returns Σ_j x_j c_j (in four
// lanes).
func AddScaledDot(p []float64, alpha float64, x, c []float64) float64 {
	if len(x) != len(p) || len(c) != len(p) {
		panic("lse: length mismatch")
	}
	var acc [4]float64
	j := 0
	if useAVX2 && len(p) >= 4 {
		j = len(p) &^ 3
		axpyDotAVX2(&p[0], &x[0], &c[0], j, alpha, &acc[0])
	}
	for ; j < len(p); j++ {
		p[j] += alpha * x[j]
		acc[j&3] += x[j] * c[j]
	}
	return laneSum(&acc)
}

// Dot returns Σ_j x_j y_j in eight lanes (lane l: the j ≡ l mod 8 in
// order), returned as ((l0 + l4) + (l1 + l5)) + ((l2 + l6) + (l3 + l7)).
func Dot(x, y []float64) float64 {
	if len(x) != len(y) {
		panic("lse: length mismatch")
	}
	var acc [8]float64
	j := 0
	if useAVX2 && len(x) >= 8 {
		j = len(x) &^ 7
		dotAVX2(&x[0], &y[0], j, &acc[0])
	}
	for ; j < len(x); j++ {
		acc[j&7] += x[j] * y[j]
	}
	return ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]))
}

// AddScaled sets p_j += alpha·x_j (as gonum's floats.AddScaled, bitwise).
func AddScaled(p []float64, alpha float64, x []float64) {
	if len(x) != len(p) {
		panic("lse: length mismatch")
	}
	j := 0
	switch {
	case useAVX512 && len(p) >= 8:
		j = len(p) &^ 7
		axpy512(&p[0], &x[0], j, alpha)
	case useAVX2 && len(p) >= 4:
		j = len(p) &^ 3
		axpyAVX2(&p[0], &x[0], j, alpha)
	}
	for ; j < len(p); j++ {
		p[j] += alpha * x[j]
	}
}
