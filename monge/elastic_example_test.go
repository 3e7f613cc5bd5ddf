package monge_test

import (
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/otkit/otkit/monge"
	"github.com/otkit/otkit/ot"
)

// The STVS elastic map moves the first coordinate of a sample point by the
// translation and leaves the second exactly in place: its prox is exactly 0
// on [−γ, γ], so the displacement support is read from exact zeros.
func ExampleNewElasticMap_stvs() {
	x := mat.NewDense(4, 2, []float64{0, 0, 1, 0, 0, 1, 1, 1})
	y := mat.NewDense(4, 2, []float64{5, 0, 6, 0, 5, 1, 6, 1})
	c := ot.ElasticCost{Tau: ot.PenaltySTVS, Gamma: 0.5}
	tm, err := monge.NewElasticMap(nil, x, y, c, &monge.MapSettings{Eps: 0.05})
	if err != nil {
		panic(err)
	}
	q := []float64{0, 1}
	tx := tm.Map(q)
	fmt.Printf("T(q) − q = (%.3f, %v)\n", tx[0]-q[0], tx[1]-q[1])
	fmt.Println(c.Prox(nil, []float64{0.5, -0.4, 2}))
	// Output:
	// T(q) − q = (5.000, 0)
	// [0 0 1.875]
}
