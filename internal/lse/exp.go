package lse

import "math"

//go:generate sh -c "python3 gentable.py && gofmt -w table.go"

const (
	// Bound of the fast path: for |x| ≤ expLim the result is a normal
	// float64 and the exponent can be set by integer addition. The test
	// Float64bits(x)&^signBit ≤ expLimBits is one integer comparison (NaN
	// and ±Inf fail it).
	expLim     = 707.0
	expLimBits = 0x4086180000000000 // math.Float64bits(expLim)
	signBit    = 1 << 63
	// Beyond these e^x rounds to +Inf or to 0, as math.Exp.
	overflow  = 7.09782712893383973096e+02
	underflow = -7.45133219101941108420e+02

	roundShift = 0x1.8p52 // adding and subtracting it rounds to an integer

	// Taylor coefficients of e^r − 1 on |r| ≤ ln 2/(2N); the truncation
	// error r⁵/120 is below 4e-17.
	c2 = 1.0 / 2
	c3 = 1.0 / 6
	c4 = 1.0 / 24
)

// Exp returns e^x with an error of about one ulp for normal results (the
// table entry and the final rounding each contribute at most half an ulp,
// the polynomial less than 0.4 ulp). Special cases are as math.Exp:
// Exp(+Inf) = +Inf, Exp(−Inf) = 0, Exp(NaN) = NaN; results that overflow
// are +Inf and results below the smallest subnormal are 0.
//
// The method is the table-driven reduction x = (kN + j)·ln2/N + r with
// N = 256, a two-constant Cody–Waite split of ln2/N so that r is exact to
// about 2⁻⁸⁰, e^x = 2^k · 2^(j/N) · e^r, and a degree-4 polynomial for e^r.
func Exp(x float64) float64 {
	if math.Float64bits(x)&^signBit <= expLimBits {
		return expKernel(x)
	}
	return expSlow(x)
}

// expKernel is Exp for |x| ≤ expLim.
// expKernel stays within the inlining budget; exp2Table[uint8(ki)] relies
// on tableBits == 8.
func expKernel(x float64) float64 {
	kf := x*invLn2N + roundShift - roundShift
	r := x - kf*ln2NHi - kf*ln2NLo
	ki := int64(kf)
	t := exp2Table[uint8(ki)]
	p := r + r*r*(c2+r*(c3+r*c4))
	return math.Float64frombits(math.Float64bits(t+t*p) + uint64(ki>>tableBits)<<52)
}

// expSlow handles the arguments outside the fast path: NaN, overflow,
// underflow and the subnormal and near-overflow results, which are
// computed with a shifted exponent and one final scaling.
func expSlow(x float64) float64 {
	switch {
	case math.IsNaN(x):
		return x
	case x > overflow:
		return math.Inf(1)
	case x < underflow:
		return 0
	}
	shift := int64(-200) // subnormal results: scale by 2⁻²⁰⁰ at the end
	scale := 0x1p-200
	if x > 0 {
		shift, scale = 1, 2
	}
	kf := x*invLn2N + roundShift - roundShift
	r := x - kf*ln2NHi - kf*ln2NLo
	ki := int64(kf)
	t := exp2Table[uint8(ki)]
	p := r + r*r*(c2+r*(c3+r*c4))
	y := math.Float64frombits(math.Float64bits(t+t*p) + uint64((ki>>tableBits)-shift)<<52)
	return y * scale
}
