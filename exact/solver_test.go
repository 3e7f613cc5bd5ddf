package exact

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSolveAgainstLP(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, kind := range []string{"random", "uniform", "unit", "zeros"} {
		for _, q := range []int{0, 3} {
			for trial := 0; trial < 30; trial++ {
				n, m := 1+rng.IntN(6), 1+rng.IntN(6)
				p := randomProblem(rng, n, m, q, kind)
				t.Run(fmt.Sprintf("%s/q%d/%dx%d/%d", kind, q, n, m, trial), func(t *testing.T) {
					res := solve(t, &Solver{}, p)
					checkOptimal(t, p, res)
					require.InDelta(t, lpOptimum(t, p), res.LinearCost, 1e-9)
				})
			}
		}
	}
}
