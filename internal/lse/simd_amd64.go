//go:build !purego

package lse

// useAVX2 selects the AVX2 kernels (the scalar code is their fallback and
// test reference; both give bitwise equal results).
var useAVX2 = hasAVX2()

// useAVX512 selects the AVX-512 kernels of the eight-lane fused functions
// (fused8.go), bitwise equal to their scalar loops.
var useAVX512 = useAVX2 && hasAVX512()

// hasAVX2 reports whether the CPU has AVX2 and the OS saves the YMM state.
func hasAVX2() bool {
	maxID, _, _, _ := cpuid(0, 0)
	if maxID < 7 {
		return false
	}
	_, _, ecx1, _ := cpuid(1, 0)
	const osxsave, avx = 1 << 27, 1 << 28
	if ecx1&osxsave == 0 || ecx1&avx == 0 {
		return false
	}
	if xcr0, _ := xgetbv(); xcr0&6 != 6 { // XMM and YMM state
		return false
	}
	_, ebx7, _, _ := cpuid(7, 0)
	return ebx7&(1<<5) != 0
}

// hasAVX512 reports whether the CPU has AVX-512F and the OS saves the
// opmask and ZMM state.
func hasAVX512() bool {
	if xcr0, _ := xgetbv(); xcr0&0xe6 != 0xe6 {
		return false
	}
	_, ebx7, _, _ := cpuid(7, 0)
	return ebx7&(1<<16) != 0
}

func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)

func xgetbv() (eax, edx uint32)

// affineExpAVX2 sets dst[j] = Exp((s + g[j] − c[j])·k) for j < n (a
// multiple of 4), four at a time, and returns the number done: n, or the
// start of the first group of four with an argument outside the fast path
// (other than below underflow, which gives 0).
//
//go:noescape
func affineExpAVX2(dst, gs, c *float64, n int, s, k float64, tab *float64) (done int)

// expAVX2 is affineExpAVX2 for dst[j] = Exp(x[j]).
//
//go:noescape
func expAVX2(dst, x *float64, n int, tab *float64) (done int)

// sqDistAVX2 sets dst[j] = Σ_k (x[k] − yt[k·m + j])² for j < n4 (a
// multiple of 4), summing over k in order.
//
//go:noescape
func sqDistAVX2(dst, x *float64, d int, yt *float64, m, n4 int)

// affineExpSumAVX2 is affineExpAVX2 that also adds dst[j] to acc[j%4].
//
//go:noescape
func affineExpSumAVX2(dst, gs, c *float64, n int, s, k float64, tab, acc *float64) (done int)

// axpyDotAVX2 sets p[j] += alpha·x[j] and adds x[j]·c[j] to acc[j%4] for
// j < n (a multiple of 4).
//
//go:noescape
func axpyDotAVX2(p, x, c *float64, n int, alpha float64, acc *float64)

// dotAVX2 adds x[j]·y[j] to acc[j%8] for j < n (a multiple of 8).
//
//go:noescape
func dotAVX2(x, y *float64, n int, acc *float64)

// axpyAVX2 sets p[j] += alpha·x[j] for j < n (a multiple of 4).
//
//go:noescape
func axpyAVX2(p, x *float64, n int, alpha float64)

// affineExpSumDot512 sets dst[j] = Exp((s + g[j] − c[j])·k) for j < n (a
// multiple of 8), eight at a time, adds dst[j] to acc[j%8] and dst[j]·c[j]
// to acc[8 + j%8], and returns the number done: n, or the start of the first
// group of eight with an argument outside the fast path (other than below
// underflow, which gives 0).
//
//go:noescape
func affineExpSumDot512(dst, gs, c *float64, n int, s, k float64, tab, acc *float64) (done int)

// sqExpSumDot512 is affineExpSumDot512 with c[j] = scale·Σ_k (x[k] − yt[k·m + j])²
// (x of length d ≥ 1) computed in registers.
//
//go:noescape
func sqExpSumDot512(dst, x *float64, d int, yt *float64, m, n int, s, k, scale float64, gs, tab, acc *float64) (done int)

// sumAVX2 adds x[j] to acc[j%8] for j < n (a multiple of 8).
//
//go:noescape
func sumAVX2(x *float64, n int, acc *float64)

// axpy512 sets p[j] += alpha·x[j] for j < n (a multiple of 8).
//
//go:noescape
func axpy512(p, x *float64, n int, alpha float64)

// colsAffine512 is Cols.AddAffineRow for j < n (a multiple of 8), eight
// columns at a time; it returns n or the start of the first group of eight
// with an exp argument outside the fast path.
//
//go:noescape
func colsAffine512(mx, sum, gs, c *float64, n int, s, k float64, tab *float64) (done int)
