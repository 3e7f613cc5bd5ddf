//go:build !purego

#include "textflag.h"

// Scalar constants of the exp kernel (exp.go, table.go), broadcast into
// registers by the AVX-512 kernels.
DATA e8Lim<>+0(SB)/8, $707.0
GLOBL e8Lim<>(SB), RODATA|NOPTR, $8
DATA e8NegLim<>+0(SB)/8, $-707.0
GLOBL e8NegLim<>(SB), RODATA|NOPTR, $8
DATA e8Underflow<>+0(SB)/8, $-7.45133219101941108420e+02
GLOBL e8Underflow<>(SB), RODATA|NOPTR, $8
DATA e8InvLn2N<>+0(SB)/8, $369.3299304675746
GLOBL e8InvLn2N<>(SB), RODATA|NOPTR, $8
DATA e8Round<>+0(SB)/8, $6755399441055744.0
GLOBL e8Round<>(SB), RODATA|NOPTR, $8
DATA e8Ln2NHi<>+0(SB)/8, $0.00270760617331689
GLOBL e8Ln2NHi<>(SB), RODATA|NOPTR, $8
DATA e8Ln2NLo<>+0(SB)/8, $7.453964567463233e-13
GLOBL e8Ln2NLo<>(SB), RODATA|NOPTR, $8
DATA e8IdxMask<>+0(SB)/8, $0xff
GLOBL e8IdxMask<>(SB), RODATA|NOPTR, $8
DATA e8C2<>+0(SB)/8, $0.5
GLOBL e8C2<>(SB), RODATA|NOPTR, $8
DATA e8C3<>+0(SB)/8, $0x3fc5555555555555
GLOBL e8C3<>(SB), RODATA|NOPTR, $8
DATA e8C4<>+0(SB)/8, $0x3fa5555555555555
GLOBL e8C4<>(SB), RODATA|NOPTR, $8

// EXP8CONST loads the constants of EXP8 into Z11–Z13 and Z24–Z31.
#define EXP8CONST \
	VBROADCASTSD e8Lim<>(SB), Z11 \
	VBROADCASTSD e8NegLim<>(SB), Z12 \
	VBROADCASTSD e8Underflow<>(SB), Z13 \
	VBROADCASTSD e8InvLn2N<>(SB), Z24 \
	VBROADCASTSD e8Round<>(SB), Z25 \
	VBROADCASTSD e8Ln2NHi<>(SB), Z26 \
	VBROADCASTSD e8Ln2NLo<>(SB), Z27 \
	VBROADCASTSD e8C4<>(SB), Z28 \
	VBROADCASTSD e8C3<>(SB), Z29 \
	VBROADCASTSD e8C2<>(SB), Z30 \
	VPBROADCASTQ e8IdxMask<>(SB), Z31

// EXP8 computes e^x in the eight lanes of Z0 into Z9 with exactly the
// operations of expKernel, lanes below underflow giving 0; it jumps to
// bail when a lane is outside the fast path otherwise (NaN, +Inf,
// |x| > expLim above underflow). R8 holds the table. Clobbers Z3–Z10 and
// K1–K5. The table is read by two four-lane gathers (faster than one
// eight-lane gather on this EPYC).
//
// The exponent: y = x·N/ln2 + 1.5·2⁵² holds k in its low bits, so the table
// index is bits(y) & 0xff and (bits(y) − index)·2⁴⁴ is (k − index)·2⁴⁴ =
// (k >> 8)·2⁵² modulo 2⁶⁴ (bits(1.5·2⁵²)·2⁴⁴ ≡ 0).
#define EXP8(bail) \
	VCMPPD   $0x1d, Z13, Z0, K3 \
	VCMPPD   $0x11, Z12, Z0, K3, K2 \
	VCMPPD   $0x06, Z11, Z0, K1 \
	KORTESTW K1, K2 \
	JNE      bail \
	VMULPD   Z24, Z0, Z3 \
	VADDPD   Z25, Z3, Z3 \
	VPANDQ   Z31, Z3, Z6 \
	KXNORW   K4, K4, K4 \
	KXNORW   K5, K5, K5 \
	VEXTRACTI64X4 $1, Z6, Y7 \
	VGATHERQPD (R8)(Y6*8), K4, Y8 \
	VGATHERQPD (R8)(Y7*8), K5, Y10 \
	VINSERTF64X4 $1, Y10, Z8, Z8 \
	VSUBPD   Z25, Z3, Z4 \
	VMULPD   Z26, Z4, Z5 \
	VSUBPD   Z5, Z0, Z5 \
	VMULPD   Z27, Z4, Z7 \
	VSUBPD   Z7, Z5, Z5 \
	VMULPD   Z28, Z5, Z7 \
	VADDPD   Z29, Z7, Z7 \
	VMULPD   Z5, Z7, Z7 \
	VADDPD   Z30, Z7, Z7 \
	VMULPD   Z5, Z5, Z4 \
	VMULPD   Z7, Z4, Z7 \
	VADDPD   Z7, Z5, Z7 \
	VMULPD   Z7, Z8, Z7 \
	VADDPD   Z7, Z8, Z9 \
	VPSUBQ   Z6, Z3, Z3 \
	VPSLLQ   $44, Z3, Z3 \
	VPADDQ.Z Z3, Z9, K3, Z9

// func affineExpSumDot512(dst, gs, c *float64, n int, s, k float64, tab, acc *float64) (done int)
TEXT ·affineExpSumDot512(SB), NOSPLIT, $0-72
	MOVQ dst+0(FP), DI
	MOVQ gs+8(FP), SI
	MOVQ c+16(FP), DX
	MOVQ n+24(FP), CX
	VBROADCASTSD s+32(FP), Z16
	VBROADCASTSD k+40(FP), Z17
	MOVQ tab+48(FP), R8
	MOVQ acc+56(FP), R13
	VMOVUPD (R13), Z22
	VMOVUPD 64(R13), Z23
	EXP8CONST
	XORQ BX, BX

adLoop:
	CMPQ    BX, CX
	JGE     adDone
	VMOVUPD (DX)(BX*8), Z1
	VADDPD  (SI)(BX*8), Z16, Z0
	VSUBPD  Z1, Z0, Z0
	VMULPD  Z17, Z0, Z0
	EXP8(adDone)
	VMOVUPD Z9, (DI)(BX*8)
	VADDPD  Z9, Z22, Z22
	VMULPD  Z1, Z9, Z10
	VADDPD  Z10, Z23, Z23
	ADDQ    $8, BX
	JMP     adLoop

adDone:
	VMOVUPD Z22, (R13)
	VMOVUPD Z23, 64(R13)
	VZEROUPPER
	MOVQ BX, done+64(FP)
	RET

// func sqExpSumDot512(dst, x *float64, d int, yt *float64, m, n int, s, k, scale float64, gs, tab, acc *float64) (done int)
TEXT ·sqExpSumDot512(SB), NOSPLIT, $0-104
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), R11
	MOVQ d+16(FP), R12
	MOVQ yt+24(FP), R9
	MOVQ m+32(FP), AX
	SHLQ $3, AX
	MOVQ n+40(FP), CX
	VBROADCASTSD s+48(FP), Z16
	VBROADCASTSD k+56(FP), Z17
	VBROADCASTSD scale+64(FP), Z18
	MOVQ gs+72(FP), SI
	MOVQ tab+80(FP), R8
	MOVQ acc+88(FP), R13
	VMOVUPD (R13), Z22
	VMOVUPD 64(R13), Z23
	EXP8CONST
	XORQ BX, BX
	// coordinate rows: R9 = yt, R10 = yt + m, DX = yt + 2m (d = 3)
	LEAQ (R9)(AX*1), R10
	VBROADCASTSD (R11), Z19
	CMPQ R12, $2
	JEQ  sq2Setup
	CMPQ R12, $3
	JEQ  sq3Setup
	JMP  sqNLoop

sq3Setup:
	LEAQ (R10)(AX*1), DX
	VBROADCASTSD 8(R11), Z20
	VBROADCASTSD 16(R11), Z21
	JMP sq3Loop

sq2Setup:
	VBROADCASTSD 8(R11), Z20

sq2Loop:
	CMPQ    BX, CX
	JGE     sqDone
	VSUBPD  (R9)(BX*8), Z19, Z1
	VMULPD  Z1, Z1, Z1
	VSUBPD  (R10)(BX*8), Z20, Z2
	VMULPD  Z2, Z2, Z2
	VADDPD  Z2, Z1, Z1
	VMULPD  Z18, Z1, Z1
	VADDPD  (SI)(BX*8), Z16, Z0
	VSUBPD  Z1, Z0, Z0
	VMULPD  Z17, Z0, Z0
	EXP8(sqDone)
	VMOVUPD Z9, (DI)(BX*8)
	VADDPD  Z9, Z22, Z22
	VMULPD  Z1, Z9, Z10
	VADDPD  Z10, Z23, Z23
	ADDQ    $8, BX
	JMP     sq2Loop

sq3Loop:
	CMPQ    BX, CX
	JGE     sqDone
	VSUBPD  (R9)(BX*8), Z19, Z1
	VMULPD  Z1, Z1, Z1
	VSUBPD  (R10)(BX*8), Z20, Z2
	VMULPD  Z2, Z2, Z2
	VADDPD  Z2, Z1, Z1
	VSUBPD  (DX)(BX*8), Z21, Z2
	VMULPD  Z2, Z2, Z2
	VADDPD  Z2, Z1, Z1
	VMULPD  Z18, Z1, Z1
	VADDPD  (SI)(BX*8), Z16, Z0
	VSUBPD  Z1, Z0, Z0
	VMULPD  Z17, Z0, Z0
	EXP8(sqDone)
	VMOVUPD Z9, (DI)(BX*8)
	VADDPD  Z9, Z22, Z22
	VMULPD  Z1, Z9, Z10
	VADDPD  Z10, Z23, Z23
	ADDQ    $8, BX
	JMP     sq3Loop

sqNLoop:
	CMPQ    BX, CX
	JGE     sqDone
	VSUBPD  (R9)(BX*8), Z19, Z1
	VMULPD  Z1, Z1, Z1
	LEAQ    (R9)(BX*8), R10
	ADDQ    AX, R10
	MOVQ    $1, DX

sqNInner:
	CMPQ    DX, R12
	JGE     sqNExp
	VBROADCASTSD (R11)(DX*8), Z2
	VSUBPD  (R10), Z2, Z2
	VMULPD  Z2, Z2, Z2
	VADDPD  Z2, Z1, Z1
	ADDQ    AX, R10
	INCQ    DX
	JMP     sqNInner

sqNExp:
	VMULPD  Z18, Z1, Z1
	VADDPD  (SI)(BX*8), Z16, Z0
	VSUBPD  Z1, Z0, Z0
	VMULPD  Z17, Z0, Z0
	EXP8(sqDone)
	VMOVUPD Z9, (DI)(BX*8)
	VADDPD  Z9, Z22, Z22
	VMULPD  Z1, Z9, Z10
	VADDPD  Z10, Z23, Z23
	ADDQ    $8, BX
	JMP     sqNLoop

sqDone:
	VMOVUPD Z22, (R13)
	VMOVUPD Z23, 64(R13)
	VZEROUPPER
	MOVQ BX, done+96(FP)
	RET

// func sumAVX2(x *float64, n int, acc *float64)
// acc[j%8] += x[j] for j < n (a multiple of 8).
TEXT ·sumAVX2(SB), NOSPLIT, $0-24
	MOVQ    x+0(FP), SI
	MOVQ    n+8(FP), CX
	MOVQ    acc+16(FP), R13
	VMOVUPD (R13), Y11
	VMOVUPD 32(R13), Y12
	XORQ    BX, BX

sumLoop8:
	CMPQ    BX, CX
	JGE     sumDone8
	VADDPD  (SI)(BX*8), Y11, Y11
	VADDPD  32(SI)(BX*8), Y12, Y12
	ADDQ    $8, BX
	JMP     sumLoop8

sumDone8:
	VMOVUPD Y11, (R13)
	VMOVUPD Y12, 32(R13)
	VZEROUPPER
	RET

// func axpy512(p, x *float64, n int, alpha float64)
// p[j] += alpha·x[j] for j < n (a multiple of 8).
TEXT ·axpy512(SB), NOSPLIT, $0-32
	MOVQ p+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	VBROADCASTSD alpha+24(FP), Z15
	XORQ BX, BX

axpy8Loop:
	CMPQ    BX, CX
	JGE     axpy8Done
	VMULPD  (SI)(BX*8), Z15, Z0
	VADDPD  (DI)(BX*8), Z0, Z0
	VMOVUPD Z0, (DI)(BX*8)
	ADDQ    $8, BX
	JMP     axpy8Loop

axpy8Done:
	VZEROUPPER
	RET

DATA e8One<>+0(SB)/8, $1.0
GLOBL e8One<>(SB), RODATA|NOPTR, $8

// func colsAffine512(mx, sum, gs, c *float64, n int, s, k float64, tab *float64) (done int)
// Cols.AddAffineRow for j < n (a multiple of 8): with z = (s + gs[j] − c[j])·k,
// where z > mx[j]: sum[j] = sum[j]·Exp(mx[j] − z) + 1, mx[j] = z; elsewhere
// sum[j] += Exp(z − mx[j]). It stops before the first group of eight with an
// exp argument outside the fast path.
TEXT ·colsAffine512(SB), NOSPLIT, $0-72
	MOVQ mx+0(FP), DI
	MOVQ sum+8(FP), R9
	MOVQ gs+16(FP), SI
	MOVQ c+24(FP), DX
	MOVQ n+32(FP), CX
	VBROADCASTSD s+40(FP), Z16
	VBROADCASTSD k+48(FP), Z17
	MOVQ tab+56(FP), R8
	VBROADCASTSD e8One<>(SB), Z18
	EXP8CONST
	XORQ BX, BX

colsLoop:
	CMPQ    BX, CX
	JGE     colsDone
	VMOVUPD (SI)(BX*8), Z0
	VADDPD  Z0, Z16, Z0
	VSUBPD  (DX)(BX*8), Z0, Z0
	VMULPD  Z17, Z0, Z14
	VMOVUPD (DI)(BX*8), Z15
	VCMPPD  $0x1e, Z15, Z14, K6
	VSUBPD  Z15, Z14, Z0
	VSUBPD  Z14, Z15, K6, Z0
	EXP8(colsDone)
	VMOVUPD (R9)(BX*8), Z2
	VADDPD  Z9, Z2, Z3
	VMULPD  Z9, Z2, Z4
	VADDPD  Z18, Z4, K6, Z3
	VMOVUPD Z3, (R9)(BX*8)
	VMOVUPD Z14, K6, (DI)(BX*8)
	ADDQ    $8, BX
	JMP     colsLoop

colsDone:
	VZEROUPPER
	MOVQ BX, done+64(FP)
	RET
