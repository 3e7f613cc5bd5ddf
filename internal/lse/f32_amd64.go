//go:build !purego

package lse

// dot32AVX2 adds float64(x[j])·y[j] to acc[j%8] for j < n (a multiple of 8).
//
//go:noescape
func dot32AVX2(x *float32, y *float64, n int, acc *float64)

// axpy32AVX2 sets p[j] += alpha·float64(x[j]) for j < n (a multiple of 4).
//
//go:noescape
func axpy32AVX2(p *float64, x *float32, n int, alpha float64)
