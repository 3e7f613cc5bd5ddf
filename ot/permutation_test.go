package ot_test

import (
	"errors"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/otkit/otkit/ot"
)

// rowsOnly hides a plan's type so that Permutation reads it row by row.
type rowsOnly struct{ ot.Plan }

func TestPermutation(t *testing.T) {
	sparse := func(n, m int, e ...ot.Triplet) *ot.SparsePlan { return ot.NewSparsePlan(n, m, e) }
	withZero := sparse(2, 2, ot.Triplet{I: 0, J: 1, V: 1}, ot.Triplet{I: 1, J: 0, V: 1})
	withZero.ColIdx = []int{0, 1, 0} // an explicit zero stored in row 0
	withZero.Val = []float64{0, 1, 1}
	withZero.RowPtr = []int{0, 2, 3}
	for _, tc := range []struct {
		name string
		p    ot.Plan
		want []int
		err  error
	}{
		{"permutation", sparse(3, 3, ot.Triplet{I: 0, J: 2, V: 1}, ot.Triplet{I: 1, J: 0, V: 1}, ot.Triplet{I: 2, J: 1, V: 1}), []int{2, 0, 1}, nil},
		{"scaled dense", &ot.DensePlan{N: 2, M: 2, Data: []float64{0, 0.5, 0.5, 0}}, []int{1, 0}, nil},
		{"wide", sparse(2, 3, ot.Triplet{I: 0, J: 2, V: 1}, ot.Triplet{I: 1, J: 1, V: 1}), []int{2, 1}, nil},
		{"tall, empty rows", sparse(4, 2, ot.Triplet{I: 1, J: 1, V: 1}, ot.Triplet{I: 3, J: 0, V: 1}), []int{-1, 1, -1, 0}, nil},
		{"empty", &ot.DensePlan{N: 2, M: 3, Data: make([]float64, 6)}, []int{-1, -1}, nil},
		{"stored zero", withZero, []int{1, 0}, nil},
		{"rows only", rowsOnly{&ot.DensePlan{N: 2, M: 2, Data: []float64{0, 3, 2, 0}}}, []int{1, 0}, nil},
		{"negative entry counts", &ot.DensePlan{N: 1, M: 2, Data: []float64{-1, 0}}, []int{0}, nil},
		{"two in a row", sparse(2, 2, ot.Triplet{I: 0, J: 0, V: 0.5}, ot.Triplet{I: 0, J: 1, V: 0.5}), nil, ot.ErrShape},
		{"two in a column", &ot.DensePlan{N: 2, M: 2, Data: []float64{1, 0, 1, 0}}, nil, ot.ErrShape},
		{"dense rows", rowsOnly{&ot.DensePlan{N: 2, M: 2, Data: []float64{0.25, 0.25, 0.25, 0.25}}}, nil, ot.ErrShape},
		{"NaN counts", &ot.DensePlan{N: 1, M: 2, Data: []float64{math.NaN(), 1}}, nil, ot.ErrShape},
		{"nil", nil, nil, ot.ErrEmpty},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ot.Permutation(tc.p)
			if tc.err != nil {
				require.True(t, errors.Is(err, tc.err), "got %v, want %v", err, tc.err)
				require.Nil(t, got)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}
