package ot_test

import (
	"errors"
	"fmt"

	"github.com/otkit/otkit/ot"
)

// A problem is a cost and two weight vectors; Validate reports bad data with
// errors that errors.Is can classify.
func Example() {
	pc, _ := ot.NewPointCloud([][]float64{{0, 0}, {1, 0}}, [][]float64{{0, 1}, {2, 0}, {1, 1}}, ot.SqEuclidean)
	p := ot.NewProblem(pc) // uniform weights
	fmt.Println(p.Validate())
	fmt.Println(pc.Row(1, make([]float64, 3)))

	p.B = []float64{0.5, 0.5, 0.5}
	err := p.Validate()
	fmt.Println(errors.Is(err, ot.ErrMassMismatch))
	// Output:
	// <nil>
	// [2 1 1]
	// true
}
