//go:build !amd64 || purego

package lse

const (
	useAVX2   = false
	useAVX512 = false
)

func affineExpAVX2(dst, gs, c *float64, n int, s, k float64, tab *float64) int { panic("lse: no AVX2") }

func expAVX2(dst, x *float64, n int, tab *float64) int { panic("lse: no AVX2") }

func sqDistAVX2(dst, x *float64, d int, yt *float64, m, n4 int) { panic("lse: no AVX2") }

func affineExpSumAVX2(dst, gs, c *float64, n int, s, k float64, tab, acc *float64) int {
	panic("lse: no AVX2")
}

func axpyDotAVX2(p, x, c *float64, n int, alpha float64, acc *float64) { panic("lse: no AVX2") }

func dotAVX2(x, y *float64, n int, acc *float64) { panic("lse: no AVX2") }

func axpyAVX2(p, x *float64, n int, alpha float64) { panic("lse: no AVX2") }

func affineExpSumDot512(dst, g, c *float64, n int, s, k float64, tab, acc *float64) int {
	panic("lse: no AVX-512")
}

func sqExpSumDot512(dst, x *float64, d int, yt *float64, m, n int, s, k, scale float64, g, tab, acc *float64) int {
	panic("lse: no AVX-512")
}

func sumAVX2(x *float64, n int, acc *float64) { panic("lse: no AVX2") }

func axpy512(p, x *float64, n int, alpha float64) { panic("lse: no AVX-512") }

func colsAffine512(mx, sum, gs, c *float64, n int, s, k float64, tab *float64) int {
	panic("lse: no AVX-512")
}
