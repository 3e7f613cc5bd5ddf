package cardinality

import (
	"fmt"

	"github.com/otkit/otkit/ot"
)

// Scores is a tokens × experts matrix of router scores (logits; higher is
// better), row-major. Exactly one of Data and Data32 is used: Data when it
// is non-nil, else Data32. Computations are in float64 either way.
type Scores struct {
	Tokens, Experts int
	Data            []float64
	Data32          []float32
}

func (s *Scores) check() error {
	if s.Tokens <= 0 || s.Experts <= 0 {
		return fmt.Errorf("%w: scores are %d tokens × %d experts", ot.ErrEmpty, s.Tokens, s.Experts)
	}
	l := len(s.Data32)
	if s.Data != nil {
		l = len(s.Data)
	}
	if l != s.Tokens*s.Experts {
		return fmt.Errorf("%w: scores have %d entries, want %d×%d", ot.ErrShape, l, s.Tokens, s.Experts)
	}
	return nil
}

// row writes the scores of token i into dst (length Experts) as float64.
func (s *Scores) row(i int, dst []float64) {
	m := s.Experts
	if s.Data != nil {
		copy(dst, s.Data[i*m:(i+1)*m])
		return
	}
	for j, v := range s.Data32[i*m : (i+1)*m] {
		dst[j] = float64(v)
	}
}
