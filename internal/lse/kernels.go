package lse

import "math"

// The loops below spell out Exp's range test so that expKernel, which is
// exactly at the inlining budget, is inlined into them.

// ExpTo sets dst[i] = Exp(x[i]) and returns dst.
func ExpTo(dst, x []float64) []float64 {
	if len(dst) != len(x) {
		panic("lse: length mismatch")
	}
	out := dst
	for done := 0; useAVX2 && len(x) >= 4; {
		done = expAVX2(&dst[0], &x[0], len(x)&^3, &exp2Table[0])
		if done+4 > len(x) {
			dst, x = dst[done:], x[done:]
			break
		}
		expToScalar(dst[done:done+4], x[done:done+4])
		dst, x = dst[done+4:], x[done+4:]
	}
	expToScalar(dst, x)
	return out
}

// expToScalar is ExpTo without the vector kernel (its reference).
func expToScalar(dst, x []float64) []float64 {
	for i, v := range x {
		if math.Float64bits(v)&^signBit <= expLimBits {
			dst[i] = expKernel(v)
		} else {
			dst[i] = expSlow(v)
		}
	}
	return dst
}

// LSE returns log Σ exp(x_i), computed as max + log Σ exp(x_i − max). It
// returns −Inf for an empty or all −Inf slice, +Inf if some x_i is +Inf and
// NaN if some x_i is NaN.
func LSE(x []float64) float64 {
	mx := math.Inf(-1)
	for _, v := range x {
		if v > mx || v != v {
			mx = v
		}
	}
	if math.IsInf(mx, 0) || mx != mx {
		return mx
	}
	var s float64
	for _, v := range x {
		if d := v - mx; d >= -expLim {
			s += expKernel(d)
		} else {
			s += expSlow(d)
		}
	}
	return mx + math.Log(s)
}

// AffineLSE returns log Σ_j exp(z_j) with z_j = (s + g_j − c_j)·k, shifted by
// the maximum: the robust row log-sum-exp of a Sinkhorn potential update.
// An all −Inf row gives −Inf.
func AffineLSE(s float64, g, c []float64, k float64) float64 {
	if len(g) != len(c) {
		panic("lse: length mismatch")
	}
	mx := -math.MaxFloat64
	for j, gj := range g {
		if z := (s + gj - c[j]) * k; z > mx || z != z {
			mx = z
		}
	}
	if mx != mx || math.IsInf(mx, 1) {
		return mx
	}
	var sum float64
	for j, gj := range g {
		if z := (s+gj-c[j])*k - mx; z >= -expLim {
			sum += expKernel(z)
		} else {
			sum += expSlow(z)
		}
	}
	if sum == 0 {
		return math.Inf(-1)
	}
	return mx + math.Log(sum)
}

// AffineSumExp returns Σ_j exp(z_j) with z_j = (s + g_j − c_j)·k, without a
// shift: the caller keeps z_j ≤ O(1).
func AffineSumExp(s float64, g, c []float64, k float64) float64 {
	if len(g) != len(c) {
		panic("lse: length mismatch")
	}
	var sum float64
	for j, gj := range g {
		if z := (s + gj - c[j]) * k; math.Float64bits(z)&^signBit <= expLimBits {
			sum += expKernel(z)
		} else {
			sum += expSlow(z)
		}
	}
	return sum
}

// AffineAddExp adds e_j = exp(z_j), z_j = (s + g_j − c_j)·k, to acc_j and
// returns Σ_j e_j: one row of the column and row sums of an entropic plan.
func AffineAddExp(acc []float64, s float64, g, c []float64, k float64) float64 {
	if len(g) != len(c) || len(acc) != len(g) {
		panic("lse: length mismatch")
	}
	var sum float64
	for j, gj := range g {
		var e float64
		if z := (s + gj - c[j]) * k; math.Float64bits(z)&^signBit <= expLimBits {
			e = expKernel(z)
		} else {
			e = expSlow(z)
		}
		acc[j] += e
		sum += e
	}
	return sum
}

// AffineExpTo sets dst_j = exp((s + g_j − c_j)·k) and returns dst.
func AffineExpTo(dst []float64, s float64, g, c []float64, k float64) []float64 {
	if len(g) != len(c) || len(dst) != len(g) {
		panic("lse: length mismatch")
	}
	out := dst
	for done := 0; useAVX2 && len(g) >= 4; {
		done = affineExpAVX2(&dst[0], &g[0], &c[0], len(g)&^3, s, k, &exp2Table[0])
		if done+4 > len(g) {
			dst, g, c = dst[done:], g[done:], c[done:]
			break
		}
		affineExpScalar(dst[done:done+4], s, g[done:done+4], c[done:done+4], k)
		dst, g, c = dst[done+4:], g[done+4:], c[done+4:]
	}
	affineExpScalar(dst, s, g, c, k)
	return out
}

// affineExpScalar is AffineExpTo without the vector kernel (its reference).
func affineExpScalar(dst []float64, s float64, g, c []float64, k float64) {
	for j, gj := range g {
		if z := (s + gj - c[j]) * k; math.Float64bits(z)&^signBit <= expLimBits {
			dst[j] = expKernel(z)
		} else {
			dst[j] = expSlow(z)
		}
	}
}
