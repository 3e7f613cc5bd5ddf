//go:build !amd64 || purego

package lse

func dot32AVX2(x *float32, y *float64, n int, acc *float64) { panic("lse: no AVX2") }

func axpy32AVX2(p *float64, x *float32, n int, alpha float64) { panic("lse: no AVX2") }
