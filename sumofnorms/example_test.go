package sumofnorms_test

import (
	"context"
	"fmt"

	"github.com/otkit/otkit/ot"
	"github.com/otkit/otkit/sumofnorms"
)

// Two source classes along horizontal segments, two target components
// along vertical ones: exact OT splits the classes, a large enough λ keeps
// each class together.
func ExampleSolver() {
	xs, xt, ys, yt := sumofnorms.Segments(1, 20, 2)
	p := ot.NewProblem(&ot.PointCloud{X: xs, Y: xt})
	for _, lambda := range []float64{0, 0.3} {
		res, err := (&sumofnorms.Solver{Lambda: lambda, Labels: ys}).Solve(context.Background(), p)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("λ = %g: %v, purity %.2f, gap ≤ 1e-8: %v\n", lambda, res.Status,
			sumofnorms.Purity(res.Plan, ys, yt), res.Value-res.DualValue <= 1e-8*res.Value)
	}
	// Output:
	// λ = 0: Converged, purity 0.60, gap ≤ 1e-8: true
	// λ = 0.3: Converged, purity 1.00, gap ≤ 1e-8: true
}

func ExampleGroupLasso() {
	xs, xt, ys, yt := sumofnorms.Segments(1, 6, 2)
	p := ot.NewProblem(&ot.PointCloud{X: xs, Y: xt})
	res, err := (&sumofnorms.GroupLasso{Eps: 0.5, Eta: 1, Labels: ys}).Solve(context.Background(), p)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%v, purity %.2f\n", res.Status, sumofnorms.Purity(res.Plan, ys, yt))
	// Output: Converged, purity 0.66
}

func ExamplePurity() {
	plan := &ot.DensePlan{N: 2, M: 2, Data: []float64{0.4, 0.1, 0, 0.5}}
	fmt.Printf("%.2f\n", sumofnorms.Purity(plan, []int{0, 1}, []int{0, 1}))
	// Output: 0.90
}
