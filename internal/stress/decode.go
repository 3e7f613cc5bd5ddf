package stress

import (
	"math"

	"github.com/otkit/otkit/ot"
)

// Bytes reads fuzz input a byte at a time; past the end it reads 1.
type Bytes struct{ data []byte }

// NewBytes returns a reader of data.
func NewBytes(data []byte) *Bytes { return &Bytes{data} }

// Next returns the next byte (1 once the input is exhausted).
func (b *Bytes) Next() byte {
	if len(b.data) == 0 {
		return 1
	}
	v := b.data[0]
	b.data = b.data[1:]
	return v
}

// Log returns 10^(lo + (hi−lo)·x) for the next byte x/255: a value spread
// log-uniformly over [10^lo, 10^hi].
func (b *Bytes) Log(lo, hi float64) float64 {
	return math.Pow(10, lo+(hi-lo)*float64(b.Next())/255)
}

// Fuzzed is a small problem decoded from fuzz bytes, with what solvers need
// to set a relative regularization.
type Fuzzed struct {
	P *ot.Problem
	// Scale is the power of ten the costs were multiplied by (1e-300…1e300).
	Scale float64
	// MaxC is the largest |finite cost| (0 when none), Mass is ΣA.
	MaxC, Mass float64
	// In reads the bytes left after the problem, for solver settings.
	In *Bytes
}

// Decode builds a problem of at most 6×6 from data: the shape, a cost scale
// 10^e with e ∈ {−300, −250, …, 300}, weights from {0} ∪ {1, 1e-1, …, 1e-12}
// (B rescaled to the mass of A; all-zero weights give a problem Validate
// rejects), and costs k/8·scale for k ∈ [−128, 127) with byte 255 a
// forbidden (+Inf) pair. The problem may be invalid: solvers must then
// return an error wrapping an ot sentinel.
func Decode(data []byte) Fuzzed {
	in := NewBytes(data)
	n, m := 1+int(in.Next()%6), 1+int(in.Next()%6)
	scale := math.Pow(10, float64(int(in.Next()%13)-6)*50)
	weight := func() float64 {
		v := in.Next() % 14
		if v == 0 {
			return 0
		}
		return math.Pow(10, -float64(v-1))
	}
	a, b := make([]float64, n), make([]float64, m)
	var sa, sb float64
	for i := range a {
		a[i] = weight()
		sa += a[i]
	}
	for j := range b {
		b[j] = weight()
		sb += b[j]
	}
	if sa > 0 && sb > 0 {
		for j := range b {
			b[j] *= sa / sb
		}
	}
	c := make([]float64, n*m)
	var maxC float64
	for k := range c {
		v := in.Next()
		if v == 255 {
			c[k] = math.Inf(1)
			continue
		}
		c[k] = float64(int8(v)) / 8 * scale
		maxC = math.Max(maxC, math.Abs(c[k]))
	}
	p := &ot.Problem{A: a, B: b, C: &ot.DenseCost{N: n, M: m, Data: c}}
	return Fuzzed{P: p, Scale: scale, MaxC: maxC, Mass: sa, In: in}
}
