package cardinality

import (
	"fmt"
	"math"

	"github.com/otkit/otkit/internal/lse"
	"github.com/otkit/otkit/ot"
)

// costTile is the number of tokens whose cost rows are computed together
// and stored into the columns of ct as whole cache lines (storing one row at
// a time into ct's columns strides by n entries, which thrashes the cache).
const costTile = 8

// softmaxRow overwrites row (a token's scores) with its softmax gates. It
// reports the first non-finite score of token i.
func softmaxRow(row []float64, i int) error {
	mx := math.Inf(-1)
	for j, v := range row {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%w: score[%d,%d] = %v", ot.ErrNonFinite, i, j, v)
		}
		if v > mx {
			mx = v
		}
	}
	var z float64
	for j, v := range row {
		e := lse.Exp(v - mx)
		row[j] = e
		z += e
	}
	z = 1 / z
	for j, e := range row {
		row[j] = e * z
	}
	return nil
}

// softmaxCost writes −softmax(scores) of tokens [lo, hi) into ct,
// column-major in the solved orientation (transposed scores unless
// rowSparse), using buf (length costTile·Experts) as scratch. It reports the
// first non-finite score. The entries are those of softmaxRow, negated:
// −(e_j·(1/z)), computed in one pass over the scores for the maximum, one
// for the exponentials and the store, which scales.
func softmaxCost(ct []float64, s *Scores, rowSparse bool, buf []float64, lo, hi int) error {
	n, m := s.Tokens, s.Experts
	var scale [costTile]float64
	for i0 := lo; i0 < hi; i0 += costTile {
		i1 := min(i0+costTile, hi)
		for i := i0; i < i1; i++ {
			row := buf[(i-i0)*m : (i-i0+1)*m]
			var z float64
			if s.Data != nil {
				z = expShifted(row, s.Data[i*m:(i+1)*m])
			} else {
				z = expShifted32(row, s.Data32[i*m:(i+1)*m])
			}
			if z != z { // a non-finite score: name the first
				s.row(i, row)
				return softmaxRow(row, i)
			}
			scale[i-i0] = -(1 / z)
		}
		if rowSparse {
			for i := i0; i < i1; i++ {
				src, c := buf[(i-i0)*m:(i-i0+1)*m], scale[i-i0]
				dst := ct[i*m : (i+1)*m]
				for j, e := range src {
					dst[j] = e * c
				}
			}
			continue
		}
		if i1-i0 == costTile {
			for j := 0; j < m; j++ {
				dst := ct[j*n+i0 : j*n+i0+costTile]
				for t := range dst {
					dst[t] = buf[t*m+j] * scale[t]
				}
			}
			continue
		}
		for j := 0; j < m; j++ {
			dst := ct[j*n+i0 : j*n+i1]
			for t := range dst {
				dst[t] = buf[t*m+j] * scale[t]
			}
		}
	}
	return nil
}

// expShifted writes exp(x_j − max x) into dst and returns their sum, or NaN
// when a score is not finite.
func expShifted(dst, x []float64) float64 {
	dst = dst[:len(x)]
	mx, bad := math.Inf(-1), 0.0
	for _, v := range x {
		bad += v - v // NaN for ±Inf and NaN, else 0
		if v > mx {
			mx = v
		}
	}
	if bad != 0 || bad != bad {
		return math.NaN()
	}
	var z float64
	for j, v := range x {
		e := lse.Exp(v - mx)
		dst[j] = e
		z += e
	}
	return z
}

// expShifted32 is expShifted for float32 scores.
func expShifted32(dst []float64, x []float32) float64 {
	dst = dst[:len(x)]
	mx, bad := math.Inf(-1), 0.0
	for _, v32 := range x {
		v := float64(v32)
		bad += v - v
		if v > mx {
			mx = v
		}
	}
	if bad != 0 || bad != bad {
		return math.NaN()
	}
	var z float64
	for j, v := range x {
		e := lse.Exp(float64(v) - mx)
		dst[j] = e
		z += e
	}
	return z
}
