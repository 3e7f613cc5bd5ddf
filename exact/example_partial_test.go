package exact_test

import (
	"context"
	"fmt"
	"log"

	"github.com/otkit/otkit/exact"
	"github.com/otkit/otkit/ot"
)

// Partial transport: three drivers and two riders on a line (unequal
// masses), of which only 1.5 units are to be matched, at least cost.
func ExampleSolver_partial() {
	x := [][]float64{{0.25}, {1}, {5}}
	y := [][]float64{{0.5}, {4}}
	c, err := ot.NewPointCloud(x, y, ot.SqEuclidean)
	if err != nil {
		log.Fatal(err)
	}
	p := &ot.Problem{A: []float64{1, 1, 1}, B: []float64{1, 1}, C: c, PartialMass: 1.5}
	res, err := (&exact.Solver{}).Solve(context.Background(), p)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Status, "cost", res.Value, "marginal error", res.MarginalError)
	for i := 0; i < 3; i++ {
		for j := 0; j < 2; j++ {
			fmt.Printf("%5.2f", res.Plan.At(i, j))
		}
		fmt.Println()
	}
	// Output:
	// Converged cost 0.5625 marginal error 0
	//  1.00 0.00
	//  0.00 0.00
	//  0.00 0.50
}
