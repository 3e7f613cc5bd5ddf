package cardinality_test

import (
	"context"
	"fmt"

	"github.com/otkit/otkit/cardinality"
)

// CapacityFactor is vmoe's capacity rule: ⌈tokens·factor/experts⌉ rounded
// up to a multiple of 4.
func ExampleCapacityFactor() {
	fmt.Println(cardinality.CapacityFactor(4096, 64, 1.25), cardinality.CapacityFactor(196, 8, 1))
	// Output: 80 28
}

// FixedSlots lays the routing out in fixed-size expert buffers as vmoe
// dispatches it: each expert's tokens, then padding tokens (the lowest
// indices it does not take) up to the capacity.
func ExampleRouter_fixedSlots() {
	logits := []float64{3, 0, 2, 0, 2.5, 0, 0, 1, 0, 2, 1.5, 0}
	r := cardinality.Router{Capacity: 4, Gamma: 0.1, MaxIter: 1, FixedSlots: true}
	out, err := r.Route(context.Background(), cardinality.Scores{Tokens: 6, Experts: 2, Data: logits})
	if err != nil {
		fmt.Println(err)
		return
	}
	for j := 0; j < out.Experts; j++ {
		fmt.Printf("expert %d: tokens %v, slots %v\n", j, out.ExpertTokens[out.ExpertStart[j]:out.ExpertStart[j+1]],
			out.Slots[j*out.SlotCapacity:(j+1)*out.SlotCapacity])
	}
	fmt.Printf("padding %d, status %v after %d step, experts per token %v\n", out.Padding, out.Status, out.Steps, out.ExpertsPerToken)
	w32 := out.SlotWeights32(nil)
	fmt.Printf("%d float32 slot weights\n", len(w32))
	// Output:
	// expert 0: tokens [0 1 2 5], slots [0 1 2 5]
	// expert 1: tokens [3 4], slots [3 4 0 1]
	// padding 2, status Converged after 1 step, experts per token [0 6]
	// 8 float32 slot weights
}
