package lse

import "math"

// The kernels below sum in eight lanes, lane l holding the entries
// j ≡ l (mod 8) in order, combined as ((l0 + l4) + (l1 + l5)) +
// ((l2 + l6) + (l3 + l7)) (the order of Dot). The AVX-512 kernels, the
// AVX2 compositions and the scalar loops all follow it, so every code path
// gives bitwise the same results.

func laneSum8(acc []float64) float64 {
	return ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]))
}

// fusedChunk is the number of entries the AVX2 compositions handle at a
// time (a multiple of 8).
const fusedChunk = 512

// AffineExpSumDot sets dst_j = exp((s + g_j − c_j)·k), as AffineExpTo, and
// returns Σ_j dst_j and Σ_j dst_j·c_j (each in eight lanes).
func AffineExpSumDot(dst []float64, s float64, g, c []float64, k float64) (sum, dot float64) {
	if len(g) != len(c) || len(dst) != len(g) {
		panic("lse: length mismatch")
	}
	var acc [16]float64 // sum lanes, then dot lanes
	n8 := len(g) &^ 7
	j := 0
	switch {
	case useAVX512 && n8 > 0:
		for j < n8 {
			j += affineExpSumDot512(&dst[j], &g[j], &c[j], n8-j, s, k, &exp2Table[0], &acc[0])
			if j < n8 { // a group with an argument outside the fast path
				affineExpSumDotScalar(dst, s, g, c, k, j, j+8, &acc)
				j += 8
			}
		}
	case useAVX2 && n8 > 0:
		AffineExpTo(dst[:n8], s, g[:n8], c[:n8], k)
		sumAVX2(&dst[0], n8, &acc[0])
		dotAVX2(&dst[0], &c[0], n8, &acc[8])
		j = n8
	}
	affineExpSumDotScalar(dst, s, g, c, k, j, len(g), &acc)
	return laneSum8(acc[:8]), laneSum8(acc[8:])
}

// affineExpSumDotScalar is AffineExpSumDot's loop over [j0, j1), j0 a
// multiple of 8.
func affineExpSumDotScalar(dst []float64, s float64, g, c []float64, k float64, j0, j1 int, acc *[16]float64) {
	for j := j0; j < j1; j++ {
		var e float64
		if z := (s + g[j] - c[j]) * k; math.Float64bits(z)&^signBit <= expLimBits {
			e = expKernel(z)
		} else {
			e = expSlow(z)
		}
		dst[j] = e
		acc[j&7] += e
		acc[8+(j&7)] += e * c[j]
	}
}

// SqDistExpSumDot is AffineExpSumDot for the cost row
// c_j = scale·Σ_k (x[k] − y_j[k])² (bitwise SqDistRow times scale) of the
// point x against m = len(dst) points stored by coordinate (yt[k·m + j] is
// coordinate k of point j). The cost row is computed on the fly and never
// stored.
func SqDistExpSumDot(dst, x, yt []float64, scale, s float64, g []float64, k float64) (sum, dot float64) {
	m, d := len(dst), len(x)
	if len(yt) != d*m || len(g) != m {
		panic("lse: length mismatch")
	}
	var acc [16]float64
	n8 := m &^ 7
	j := 0
	switch {
	case useAVX512 && n8 > 0 && d > 0:
		for j < n8 {
			j += sqExpSumDot512(&dst[j], &x[0], d, &yt[j], m, n8-j, s, k, scale, &g[j], &exp2Table[0], &acc[0])
			if j < n8 {
				sqExpSumDotScalar(dst, x, yt, scale, s, g, k, j, j+8, &acc)
				j += 8
			}
		}
	case useAVX2 && n8 > 0 && d > 0:
		var cb [fusedChunk]float64
		for l := 0; j < n8; j += l {
			l = min(fusedChunk, n8-j)
			c := cb[:l]
			sqDistAVX2(&c[0], &x[0], d, &yt[j], m, l)
			if scale != 1 {
				for i := range c {
					c[i] *= scale
				}
			}
			AffineExpTo(dst[j:j+l], s, g[j:j+l], c, k)
			sumAVX2(&dst[j], l, &acc[0])
			dotAVX2(&dst[j], &c[0], l, &acc[8])
		}
	}
	sqExpSumDotScalar(dst, x, yt, scale, s, g, k, j, m, &acc)
	return laneSum8(acc[:8]), laneSum8(acc[8:])
}

// sqExpSumDotScalar is SqDistExpSumDot's loop over [j0, j1), j0 a multiple
// of 8.
func sqExpSumDotScalar(dst, x, yt []float64, scale, s float64, g []float64, k float64, j0, j1 int, acc *[16]float64) {
	m := len(dst)
	for j := j0; j < j1; j++ {
		var c float64
		for kk, xk := range x {
			t := xk - yt[kk*m+j]
			c += t * t
		}
		c *= scale
		var e float64
		if z := (s + g[j] - c) * k; math.Float64bits(z)&^signBit <= expLimBits {
			e = expKernel(z)
		} else {
			e = expSlow(z)
		}
		dst[j] = e
		acc[j&7] += e
		acc[8+(j&7)] += e * c
	}
}
