//go:build !purego

#include "textflag.h"

// Four-lane constants of the exp kernel (see exp.go and table.go).
DATA expAbsMask<>+0(SB)/8, $0x7fffffffffffffff
DATA expAbsMask<>+8(SB)/8, $0x7fffffffffffffff
DATA expAbsMask<>+16(SB)/8, $0x7fffffffffffffff
DATA expAbsMask<>+24(SB)/8, $0x7fffffffffffffff
GLOBL expAbsMask<>(SB), RODATA|NOPTR, $32

DATA expLimBits<>+0(SB)/8, $0x4086180000000000
DATA expLimBits<>+8(SB)/8, $0x4086180000000000
DATA expLimBits<>+16(SB)/8, $0x4086180000000000
DATA expLimBits<>+24(SB)/8, $0x4086180000000000
GLOBL expLimBits<>(SB), RODATA|NOPTR, $32

// underflow = -7.45133219101941108420e+02
DATA expUnderflow<>+0(SB)/8, $-7.45133219101941108420e+02
DATA expUnderflow<>+8(SB)/8, $-7.45133219101941108420e+02
DATA expUnderflow<>+16(SB)/8, $-7.45133219101941108420e+02
DATA expUnderflow<>+24(SB)/8, $-7.45133219101941108420e+02
GLOBL expUnderflow<>(SB), RODATA|NOPTR, $32

DATA expInvLn2N<>+0(SB)/8, $369.3299304675746
DATA expInvLn2N<>+8(SB)/8, $369.3299304675746
DATA expInvLn2N<>+16(SB)/8, $369.3299304675746
DATA expInvLn2N<>+24(SB)/8, $369.3299304675746
GLOBL expInvLn2N<>(SB), RODATA|NOPTR, $32

// roundShift = 0x1.8p52
DATA expRound<>+0(SB)/8, $6755399441055744.0
DATA expRound<>+8(SB)/8, $6755399441055744.0
DATA expRound<>+16(SB)/8, $6755399441055744.0
DATA expRound<>+24(SB)/8, $6755399441055744.0
GLOBL expRound<>(SB), RODATA|NOPTR, $32

DATA expLn2NHi<>+0(SB)/8, $0.00270760617331689
DATA expLn2NHi<>+8(SB)/8, $0.00270760617331689
DATA expLn2NHi<>+16(SB)/8, $0.00270760617331689
DATA expLn2NHi<>+24(SB)/8, $0.00270760617331689
GLOBL expLn2NHi<>(SB), RODATA|NOPTR, $32

DATA expLn2NLo<>+0(SB)/8, $7.453964567463233e-13
DATA expLn2NLo<>+8(SB)/8, $7.453964567463233e-13
DATA expLn2NLo<>+16(SB)/8, $7.453964567463233e-13
DATA expLn2NLo<>+24(SB)/8, $7.453964567463233e-13
GLOBL expLn2NLo<>(SB), RODATA|NOPTR, $32

DATA expIdxMask<>+0(SB)/8, $0xff
DATA expIdxMask<>+8(SB)/8, $0xff
DATA expIdxMask<>+16(SB)/8, $0xff
DATA expIdxMask<>+24(SB)/8, $0xff
GLOBL expIdxMask<>(SB), RODATA|NOPTR, $32

DATA expC2<>+0(SB)/8, $0.5
DATA expC2<>+8(SB)/8, $0.5
DATA expC2<>+16(SB)/8, $0.5
DATA expC2<>+24(SB)/8, $0.5
GLOBL expC2<>(SB), RODATA|NOPTR, $32

// c3 = 1/6, c4 = 1/24 as bits (exactly the Go constants rounded to float64).
DATA expC3<>+0(SB)/8, $0x3fc5555555555555
DATA expC3<>+8(SB)/8, $0x3fc5555555555555
DATA expC3<>+16(SB)/8, $0x3fc5555555555555
DATA expC3<>+24(SB)/8, $0x3fc5555555555555
GLOBL expC3<>(SB), RODATA|NOPTR, $32

DATA expC4<>+0(SB)/8, $0x3fa5555555555555
DATA expC4<>+8(SB)/8, $0x3fa5555555555555
DATA expC4<>+16(SB)/8, $0x3fa5555555555555
DATA expC4<>+24(SB)/8, $0x3fa5555555555555
GLOBL expC4<>(SB), RODATA|NOPTR, $32

// EXP4 computes e^x in the four lanes of Y0 into Y9 with exactly the
// operations of expKernel, lanes below underflow giving 0; it jumps to bail
// when a lane is outside the fast path otherwise (NaN, ±Inf excepted −Inf,
// |x| > expLim above underflow). R8 holds the table. Clobbers Y1–Y10, AX and R9–R12.
#define EXP4(bail) \
	VANDPD   expAbsMask<>(SB), Y0, Y1 \
	VPCMPGTQ expLimBits<>(SB), Y1, Y1 \
	VCMPPD   $1, expUnderflow<>(SB), Y0, Y2 \
	VPANDN   Y1, Y2, Y1 \
	VMOVMSKPD Y1, AX \
	TESTL    AX, AX \
	JNZ      bail \
	VMULPD   expInvLn2N<>(SB), Y0, Y3 \
	VADDPD   expRound<>(SB), Y3, Y3 \
	VSUBPD   expRound<>(SB), Y3, Y4 \
	VMULPD   expLn2NHi<>(SB), Y4, Y5 \
	VSUBPD   Y5, Y0, Y5 \
	VMULPD   expLn2NLo<>(SB), Y4, Y6 \
	VSUBPD   Y6, Y5, Y5 \
	VPSUBQ   expRound<>(SB), Y3, Y3 \
	VPAND    expIdxMask<>(SB), Y3, Y6 \
	VMOVQ    X6, R9 \
	VPEXTRQ  $1, X6, R10 \
	VEXTRACTI128 $1, Y6, X7 \
	VMOVQ    X7, R11 \
	VPEXTRQ  $1, X7, R12 \
	VMOVSD   (R8)(R9*8), X8 \
	VMOVHPD  (R8)(R10*8), X8, X8 \
	VMOVSD   (R8)(R11*8), X7 \
	VMOVHPD  (R8)(R12*8), X7, X7 \
	VINSERTF128 $1, X7, Y8, Y8 \
	VMULPD   expC4<>(SB), Y5, Y9 \
	VADDPD   expC3<>(SB), Y9, Y9 \
	VMULPD   Y5, Y9, Y9 \
	VADDPD   expC2<>(SB), Y9, Y9 \
	VMULPD   Y5, Y5, Y10 \
	VMULPD   Y9, Y10, Y9 \
	VADDPD   Y9, Y5, Y9 \
	VMULPD   Y9, Y8, Y9 \
	VADDPD   Y9, Y8, Y9 \
	VPSUBQ   Y6, Y3, Y3 \
	VPSLLQ   $44, Y3, Y3 \
	VPADDQ   Y3, Y9, Y9 \
	VANDNPD  Y9, Y2, Y9

// func affineExpAVX2(dst, gs, c *float64, n int, s, k float64, tab *float64) (done int)
TEXT ·affineExpAVX2(SB), NOSPLIT, $0-64
	MOVQ dst+0(FP), DI
	MOVQ gs+8(FP), SI
	MOVQ c+16(FP), DX
	MOVQ n+24(FP), CX
	VBROADCASTSD s+32(FP), Y15
	VBROADCASTSD k+40(FP), Y14
	MOVQ tab+48(FP), R8
	XORQ BX, BX

affineLoop:
	CMPQ BX, CX
	JGE  affineDone
	VMOVUPD (SI)(BX*8), Y0
	VADDPD  Y0, Y15, Y0
	VSUBPD  (DX)(BX*8), Y0, Y0
	VMULPD  Y14, Y0, Y0
	EXP4(affineDone)
	VMOVUPD Y9, (DI)(BX*8)
	ADDQ    $4, BX
	JMP     affineLoop

affineDone:
	VZEROUPPER
	MOVQ BX, done+56(FP)
	RET

// func expAVX2(dst, x *float64, n int, tab *float64) (done int)
TEXT ·expAVX2(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ tab+24(FP), R8
	XORQ BX, BX

expLoop:
	CMPQ BX, CX
	JGE  expDone
	VMOVUPD (SI)(BX*8), Y0
	EXP4(expDone)
	VMOVUPD Y9, (DI)(BX*8)
	ADDQ    $4, BX
	JMP     expLoop

expDone:
	VZEROUPPER
	MOVQ BX, done+32(FP)
	RET

// func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)
TEXT ·cpuid(SB), NOSPLIT, $0-24
	MOVL eaxArg+0(FP), AX
	MOVL ecxArg+4(FP), CX
	CPUID
	MOVL AX, eax+8(FP)
	MOVL BX, ebx+12(FP)
	MOVL CX, ecx+16(FP)
	MOVL DX, edx+20(FP)
	RET

// func xgetbv() (eax, edx uint32)
TEXT ·xgetbv(SB), NOSPLIT, $0-8
	MOVL $0, CX
	XGETBV
	MOVL AX, eax+0(FP)
	MOVL DX, edx+4(FP)
	RET

// func sqDistAVX2(dst, x *float64, d int, yt *float64, m, n4 int)
TEXT ·sqDistAVX2(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), R11
	MOVQ d+16(FP), R12
	MOVQ yt+24(FP), R9
	MOVQ m+32(FP), R13
	SHLQ $3, R13
	MOVQ n4+40(FP), CX
	XORQ BX, BX

sqLoop:
	CMPQ   BX, CX
	JGE    sqDone
	VXORPD Y0, Y0, Y0
	MOVQ   R9, R10
	XORQ   DX, DX

sqInner:
	CMPQ         DX, R12
	JGE          sqStore
	VBROADCASTSD (R11)(DX*8), Y1
	VSUBPD       (R10), Y1, Y1
	VMULPD       Y1, Y1, Y1
	VADDPD       Y1, Y0, Y0
	ADDQ         R13, R10
	INCQ         DX
	JMP          sqInner

sqStore:
	VMOVUPD Y0, (DI)(BX*8)
	ADDQ    $4, BX
	ADDQ    $32, R9
	JMP     sqLoop

sqDone:
	VZEROUPPER
	RET

// func affineExpSumAVX2(dst, gs, c *float64, n int, s, k float64, tab, acc *float64) (done int)
// affineExpAVX2 that also adds the results to the four lane sums acc[0:4].
TEXT ·affineExpSumAVX2(SB), NOSPLIT, $0-72
	MOVQ dst+0(FP), DI
	MOVQ gs+8(FP), SI
	MOVQ c+16(FP), DX
	MOVQ n+24(FP), CX
	VBROADCASTSD s+32(FP), Y15
	VBROADCASTSD k+40(FP), Y14
	MOVQ tab+48(FP), R8
	MOVQ acc+56(FP), R13
	VMOVUPD (R13), Y11
	XORQ BX, BX

sumLoop:
	CMPQ BX, CX
	JGE  sumDone
	VMOVUPD (SI)(BX*8), Y0
	VADDPD  Y0, Y15, Y0
	VSUBPD  (DX)(BX*8), Y0, Y0
	VMULPD  Y14, Y0, Y0
	EXP4(sumDone)
	VMOVUPD Y9, (DI)(BX*8)
	VADDPD  Y9, Y11, Y11
	ADDQ    $4, BX
	JMP     sumLoop

sumDone:
	VMOVUPD Y11, (R13)
	VZEROUPPER
	MOVQ BX, done+64(FP)
	RET

// func axpyDotAVX2(p, x, c *float64, n int, alpha float64, acc *float64)
// p[j] += alpha·x[j] and acc[j%4] += x[j]·c[j] for j < n (a multiple of 4).
TEXT ·axpyDotAVX2(SB), NOSPLIT, $0-48
	MOVQ p+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ c+16(FP), DX
	MOVQ n+24(FP), CX
	VBROADCASTSD alpha+32(FP), Y15
	MOVQ acc+40(FP), R13
	VMOVUPD (R13), Y11
	XORQ BX, BX

adLoop:
	CMPQ    BX, CX
	JGE     adDone
	VMOVUPD (SI)(BX*8), Y0
	VMULPD  Y0, Y15, Y1
	VADDPD  (DI)(BX*8), Y1, Y1
	VMOVUPD Y1, (DI)(BX*8)
	VMULPD  (DX)(BX*8), Y0, Y2
	VADDPD  Y2, Y11, Y11
	ADDQ    $4, BX
	JMP     adLoop

adDone:
	VMOVUPD Y11, (R13)
	VZEROUPPER
	RET

// func dotAVX2(x, y *float64, n int, acc *float64)
// acc[j%8] += x[j]·y[j] for j < n (a multiple of 8), two accumulators of
// four lanes merged lane-wise at the end: lanes (j%8 < 4) and (j%8 ≥ 4).
TEXT ·dotAVX2(SB), NOSPLIT, $0-32
	MOVQ   x+0(FP), SI
	MOVQ   y+8(FP), DX
	MOVQ   n+16(FP), CX
	MOVQ   acc+24(FP), R13
	VMOVUPD (R13), Y11
	VMOVUPD 32(R13), Y12
	XORQ   BX, BX

dotLoop:
	CMPQ    BX, CX
	JGE     dotDone
	VMOVUPD (SI)(BX*8), Y0
	VMULPD  (DX)(BX*8), Y0, Y0
	VADDPD  Y0, Y11, Y11
	VMOVUPD 32(SI)(BX*8), Y1
	VMULPD  32(DX)(BX*8), Y1, Y1
	VADDPD  Y1, Y12, Y12
	ADDQ    $8, BX
	JMP     dotLoop

dotDone:
	VMOVUPD Y11, (R13)
	VMOVUPD Y12, 32(R13)
	VZEROUPPER
	RET

// func axpyAVX2(p, x *float64, n int, alpha float64)
// p[j] += alpha·x[j] for j < n (a multiple of 4).
TEXT ·axpyAVX2(SB), NOSPLIT, $0-32
	MOVQ p+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	VBROADCASTSD alpha+24(FP), Y15
	XORQ BX, BX

axpyLoop:
	CMPQ    BX, CX
	JGE     axpyDone
	VMULPD  (SI)(BX*8), Y15, Y0
	VADDPD  (DI)(BX*8), Y0, Y0
	VMOVUPD Y0, (DI)(BX*8)
	ADDQ    $4, BX
	JMP     axpyLoop

axpyDone:
	VZEROUPPER
	RET
