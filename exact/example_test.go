package exact_test

import (
	"context"
	"fmt"
	"log"

	"github.com/otkit/otkit/exact"
	"github.com/otkit/otkit/ot"
)

func ExampleSolver() {
	// Three sources and two targets on a line, squared distances.
	x := [][]float64{{0}, {1}, {2}}
	y := [][]float64{{0.5}, {2}}
	c, err := ot.NewPointCloud(x, y, ot.SqEuclidean)
	if err != nil {
		log.Fatal(err)
	}
	p := &ot.Problem{A: []float64{0.25, 0.25, 0.5}, B: []float64{0.5, 0.5}, C: c}
	res, err := (&exact.Solver{}).Solve(context.Background(), p)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Status, "cost", res.LinearCost, "nnz", res.Plan.NNZ())
	for i := 0; i < 3; i++ {
		for j := 0; j < 2; j++ {
			fmt.Printf("%5.2f", res.Plan.At(i, j))
		}
		fmt.Println()
	}
	fmt.Printf("duality gap %.1g\n", res.LinearCost-res.DualValue)
	// Output:
	// Converged cost 0.125 nnz 3
	//  0.25 0.00
	//  0.25 0.00
	//  0.00 0.50
	// duality gap 0
}

func ExampleAssign() {
	// Scores of three workers (rows) for three jobs (columns).
	scores := &ot.DenseCost{N: 3, M: 3, Data: []float64{
		9, 2, 7,
		6, 4, 3,
		5, 8, 1,
	}}
	perm, total, err := exact.Assign(context.Background(), scores, &exact.AssignOptions{Maximize: true})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(perm, total)
	// Output:
	// [2 0 1] 21
}

func ExampleAssign_rectangular() {
	// Costs of two workers (rows) for three jobs (columns): every worker
	// gets a job, one job stays open. With the transpose (three workers,
	// two jobs) one worker is left out: −1.
	c := &ot.DenseCost{N: 2, M: 3, Data: []float64{
		1, 5, 0,
		4, 2, 6,
	}}
	match, total, err := exact.Assign(context.Background(), c, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(match, total)
	match, total, err = exact.Assign(context.Background(), ot.Transpose(c), nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(match, total)
	// Output:
	// [2 1] 2
	// [-1 1 0] 2
}
