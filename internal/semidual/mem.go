package semidual

import "math"

// Large buffers. make zeroes memory that the Go heap reuses in one pass
// that cannot be interrupted: for the dense n×m cost of a large problem
// that pass alone can outlast the 100 ms in which a canceled solve must
// return (on a loaded machine, where each page costs a fault, it took
// seconds for 512 MB). Alloc instead maps fresh zero pages where the
// platform allows: obtaining the buffer costs nothing, and its pages are
// faulted in by the caller's own fill loop, which checks its context.

// minMapped is the smallest buffer, in bytes, that Alloc maps outside the
// Go heap; smaller ones come from make.
const minMapped = 1 << 20

// Alloc returns a zeroed slice of n float64. Buffers of at least 1 MiB lie
// outside the Go heap where the platform allows (they do not count towards
// the garbage collector's heap goal) and must be released with Free, once,
// when no slice of them is used any more; smaller ones are ordinary Go
// memory, for which Free does nothing.
func Alloc(n int) []float64 {
	if n*8 >= minMapped {
		if x := mapFloats(n); x != nil {
			return x
		}
	}
	return make([]float64, n)
}

// Free releases a slice returned by Alloc (the slice itself, not a
// subslice); a nil slice is ignored.
func Free(x []float64) {
	if cap(x)*8 >= minMapped {
		unmapFloats(x)
	}
}

// Exponent returns the integer e nearest to log2 x (0 when x is not
// positive and finite): dividing by 2^e brings x into [1/√2, √2), exactly.
// Packages quadratic and cardinality normalize their costs and masses with
// it; unlike the exponent of math.Frexp it leaves values near 1 alone on
// either side, so that a mass of 0.9999999999999998 and one of
// 1.0000000000000002 are treated alike.
func Exponent(x float64) int {
	if !(x > 0) || math.IsInf(x, 1) {
		return 0
	}
	return int(math.Round(math.Log2(x)))
}
