package quadratic_test

import (
	"context"
	"fmt"

	"github.com/otkit/otkit/ot"
	"github.com/otkit/otkit/quadratic"
)

// Quadratically-regularized OT on the 3×3 example of docs/quadratic.md §9.3,
// solved by the default method (semismooth Newton): a sparse plan.
func Example() {
	c, _ := ot.NewDenseCost(3, 3, []float64{
		0, 1, 4,
		1, 0, 1,
		4, 1, 0,
	})
	p := &ot.Problem{A: []float64{0.2, 0.5, 0.3}, B: []float64{0.4, 0.4, 0.2}, C: c}
	res, err := (&quadratic.Solver{Gamma: 10}).Solve(context.Background(), p)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Status)
	fmt.Printf("value %.6f, linear cost %.6f, nnz %d\n", res.Value, res.LinearCost, res.Plan.NNZ())
	row := make([]float64, 3)
	for i := 0; i < 3; i++ {
		fmt.Printf("%.4f\n", res.Plan.Row(i, row))
	}
	// Output:
	// Converged
	// value 1.346667, linear cost 0.420000, nnz 7
	// [0.1867 0.0133 0.0000]
	// [0.2133 0.2400 0.0467]
	// [0.0000 0.1467 0.1533]
}
