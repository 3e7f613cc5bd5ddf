package cardinality_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/otkit/otkit/cardinality"
	"github.com/otkit/otkit/ot"
)

// At most two nonzeros per column on the 3×3 example of docs/cardinality.md §8.1: the
// relaxation is tight, so the plan meets the marginals and is the global
// optimum of the nonconvex problem.
func ExampleSolver() {
	cost, _ := ot.NewDenseCost(3, 3, []float64{0, 1, 4, 1, 0, 1, 4, 1, 0})
	p := &ot.Problem{A: []float64{0.2, 0.5, 0.3}, B: []float64{0.4, 0.4, 0.2}, C: cost}
	res, err := (&cardinality.Solver{K: 2, Gamma: 10}).Solve(context.Background(), p)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("status %v, value %.6f, marginal error < 1e-9: %v\n", res.Status, res.Value, res.MarginalError < 1e-9)
	for i := 0; i < 3; i++ {
		fmt.Printf("%.4f\n", ot.DenseCopy(res.Plan).RawRowView(i))
	}
	// Output:
	// status Converged, value 1.350000, marginal error < 1e-9: true
	// [0.2000 0.0000 0.0000]
	// [0.2000 0.2500 0.0500]
	// [0.0000 0.1500 0.1500]
}

// With one nonzero per column the problem has no feasible plan (a column of
// weight 1 cannot be served by one row of weight 0.5): that is bad input,
// an error wrapping ot.ErrInfeasible. With two the plan is forced.
func ExampleSolver_infeasible() {
	cost, _ := ot.NewDenseCost(2, 1, []float64{0, 1})
	p := &ot.Problem{A: []float64{0.5, 0.5}, B: []float64{1}, C: cost}
	_, err := (&cardinality.Solver{K: 1}).Solve(context.Background(), p)
	fmt.Println(errors.Is(err, ot.ErrInfeasible))
	res, _ := (&cardinality.Solver{K: 2, Gamma: 1}).Solve(context.Background(), p)
	fmt.Printf("K = 2: plan [%.2f %.2f], value %.4f, certified lower bound %.4f, %v\n",
		res.Plan.At(0, 0), res.Plan.At(1, 0), res.Value, res.DualValue, res.Status)
	// Output:
	// true
	// K = 2: plan [0.50 0.50], value 0.7500, certified lower bound 0.7500, Converged
}

// Route 8 tokens to 2 experts with at most 4 tokens per expert.
func ExampleRouter() {
	logits := []float64{2, 0, 1.5, 0.5, 1, 1, 0.2, 1.8, 0, 2, 1.2, 0.3, 0.4, 0.6, 2.5, -0.5}
	r := cardinality.Router{Capacity: 4, Optimizer: cardinality.LBFGS}
	out, err := r.Route(context.Background(), cardinality.Scores{Tokens: 8, Experts: 2, Data: logits})
	if err != nil {
		fmt.Println(err)
		return
	}
	for j := 0; j < out.Experts; j++ {
		fmt.Printf("expert %d: tokens %v\n", j, out.ExpertTokens[out.ExpertStart[j]:out.ExpertStart[j+1]])
	}
	fmt.Printf("dropped %d, score %.4f\n", out.Dropped, out.Score)
	// Output:
	// expert 0: tokens [0 1 5 7]
	// expert 1: tokens [2 3 4 6]
	// dropped 0, score 6.0380
}

// RouteBatch routes many groups; reusing the Routing values makes the
// steady state allocation-free.
func ExampleRouter_RouteBatch() {
	groups := []cardinality.Scores{
		{Tokens: 4, Experts: 2, Data32: []float32{3, 0, 2, 0, 0, 1, 1, 0}},
		{Tokens: 4, Experts: 2, Data32: []float32{0, 3, 0, 2, 1, 0, 0, 1}},
	}
	dst := make([]cardinality.Routing, len(groups))
	r := cardinality.Router{Capacity: 2, Optimizer: cardinality.LBFGS}
	if err := r.RouteBatch(context.Background(), dst, groups); err != nil {
		fmt.Println(err)
		return
	}
	for g := range dst {
		fmt.Printf("group %d: expert 0 takes %v, expert 1 takes %v\n", g,
			dst[g].ExpertTokens[:dst[g].ExpertStart[1]], dst[g].ExpertTokens[dst[g].ExpertStart[1]:])
	}
	// Output:
	// group 0: expert 0 takes [0 1], expert 1 takes [2 3]
	// group 1: expert 0 takes [2 3], expert 1 takes [0 1]
}
