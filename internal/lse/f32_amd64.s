//go:build !purego

#include "textflag.h"

// func dot32AVX2(x *float32, y *float64, n int, acc *float64)
// acc[j%8] += float64(x[j])·y[j] for j < n (a multiple of 8): lanes
// j%8 < 4 in Y11, j%8 ≥ 4 in Y12, as dotAVX2.
TEXT ·dot32AVX2(SB), NOSPLIT, $0-32
	MOVQ    x+0(FP), SI
	MOVQ    y+8(FP), DX
	MOVQ    n+16(FP), CX
	MOVQ    acc+24(FP), R13
	VMOVUPD (R13), Y11
	VMOVUPD 32(R13), Y12
	XORQ    BX, BX

d32Loop:
	CMPQ      BX, CX
	JGE       d32Done
	VCVTPS2PD (SI)(BX*4), Y0
	VMULPD    (DX)(BX*8), Y0, Y0
	VADDPD    Y0, Y11, Y11
	VCVTPS2PD 16(SI)(BX*4), Y1
	VMULPD    32(DX)(BX*8), Y1, Y1
	VADDPD    Y1, Y12, Y12
	ADDQ      $8, BX
	JMP       d32Loop

d32Done:
	VMOVUPD Y11, (R13)
	VMOVUPD Y12, 32(R13)
	VZEROUPPER
	RET

// func axpy32AVX2(p *float64, x *float32, n int, alpha float64)
// p[j] += alpha·float64(x[j]) for j < n (a multiple of 4).
TEXT ·axpy32AVX2(SB), NOSPLIT, $0-32
	MOVQ         p+0(FP), DI
	MOVQ         x+8(FP), SI
	MOVQ         n+16(FP), CX
	VBROADCASTSD alpha+24(FP), Y15
	XORQ         BX, BX

a32Loop:
	CMPQ      BX, CX
	JGE       a32Done
	VCVTPS2PD (SI)(BX*4), Y0
	VMULPD    Y0, Y15, Y0
	VADDPD    (DI)(BX*8), Y0, Y0
	VMOVUPD   Y0, (DI)(BX*8)
	ADDQ      $4, BX
	JMP       a32Loop

a32Done:
	VZEROUPPER
	RET
