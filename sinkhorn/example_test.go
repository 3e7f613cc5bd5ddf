package sinkhorn_test

import (
	"context"
	"fmt"

	"github.com/otkit/otkit/ot"
	"github.com/otkit/otkit/sinkhorn"
)

func Example() {
	c, _ := ot.NewDenseCost(3, 3, []float64{0, 1, 4, 1, 0, 1, 4, 1, 0})
	p := &ot.Problem{A: []float64{0.2, 0.5, 0.3}, B: []float64{0.4, 0.4, 0.2}, C: c}
	res, err := (&sinkhorn.Solver{Eps: 0.05}).Solve(context.Background(), p)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%v after %d sweeps\n", res.Status, res.Iterations)
	fmt.Printf("Value_K %.8f, <P,C> %.8f\n", res.Value, res.LinearCost)
	fmt.Printf("P[2,1] = %.6f\n", res.Plan.At(2, 1))
	// Output:
	// Converged after 80 sweeps
	// Value_K 0.32637300, <P,C> 0.30000000
	// P[2,1] = 0.100000
}
