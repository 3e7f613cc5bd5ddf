//go:build !purego

package lse

import "testing"

// TestFused8Paths runs TestFused8's comparison on every kernel set this
// machine has: AVX-512, the AVX2 compositions and the scalar loops.
func TestFused8Paths(t *testing.T) {
	avx2, avx512 := useAVX2, useAVX512
	defer func() { useAVX2, useAVX512 = avx2, avx512 }()
	for _, tc := range []struct {
		name         string
		avx2, avx512 bool
	}{{"avx512", avx2 && avx512, avx2 && avx512}, {"avx2", avx2, false}, {"scalar", false, false}} {
		t.Run(tc.name, func(t *testing.T) {
			useAVX2, useAVX512 = tc.avx2, tc.avx512
			checkFused(t)
		})
	}
}
