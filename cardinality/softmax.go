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
// first non-finite score.
func softmaxCost(ct []float64, s *Scores, rowSparse bool, buf []float64, lo, hi int) error {
	n, m := s.Tokens, s.Experts
	for i0 := lo; i0 < hi; i0 += costTile {
		i1 := min(i0+costTile, hi)
		for i := i0; i < i1; i++ {
			row := buf[(i-i0)*m : (i-i0+1)*m]
			s.row(i, row)
			if err := softmaxRow(row, i); err != nil {
				return err
			}
			for j := range row {
				row[j] = -row[j]
			}
		}
		if rowSparse {
			copy(ct[i0*m:i1*m], buf[:(i1-i0)*m])
			continue
		}
		for j := 0; j < m; j++ {
			dst := ct[j*n+i0 : j*n+i1]
			for t := range dst {
				dst[t] = buf[t*m+j]
			}
		}
	}
	return nil
}
