package lse

// Kernels on a float32 row: the stored-kernel sweep of package sinkhorn
// reads half the bytes when its kernel is float32. Every float32 value is
// converted to float64 (exactly) before any arithmetic, so the results are
// those of the float64 kernels on the converted row, and the AVX2 path is
// bitwise the scalar one.

// Dot32 returns Σ_j x_j y_j in eight lanes, as Dot on the row x converted
// to float64 (bitwise).
func Dot32(x []float32, y []float64) float64 {
	if len(x) != len(y) {
		panic("lse: length mismatch")
	}
	var acc [8]float64
	j := 0
	if useAVX2 && len(x) >= 8 {
		j = len(x) &^ 7
		dot32AVX2(&x[0], &y[0], j, &acc[0])
	}
	for ; j < len(x); j++ {
		acc[j&7] += float64(float64(x[j]) * y[j])
	}
	return ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]))
}

// AddScaled32 sets p_j += alpha·x_j, as AddScaled on the row x converted
// to float64 (bitwise).
func AddScaled32(p []float64, alpha float64, x []float32) {
	if len(x) != len(p) {
		panic("lse: length mismatch")
	}
	j := 0
	if useAVX2 && len(p) >= 4 {
		j = len(p) &^ 3
		axpy32AVX2(&p[0], &x[0], j, alpha)
	}
	for ; j < len(p); j++ {
		p[j] += float64(alpha * float64(x[j]))
	}
}

// To32 sets dst_j = float32(x_j) (round to nearest) and returns the sum of
// the rounded values as float64, in four lanes as AffineExpSum.
func To32(dst []float32, x []float64) float64 {
	if len(x) != len(dst) {
		panic("lse: length mismatch")
	}
	var acc [4]float64
	for j, v := range x {
		r := float32(v)
		dst[j] = r
		acc[j&3] += float64(r)
	}
	return laneSum(&acc)
}
