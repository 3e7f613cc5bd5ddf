package sumofnorms

import (
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// Segments returns the randomized family of docs/sumofnorms.md §8 with
// adversarial geometry: source class c is perClass points spread
// uniformly along a horizontal segment of half-length 4 at height 3c
// (plus N(0, 0.05²) noise on both coordinates); target component c is
// perClass points along a vertical segment of half-length 1.2 at x = −1.5
// (c even) or +1.5 (c odd), height 3c, with the same noise. Labels are the
// class and component indices. The draws come from a PCG source seeded
// with seed.
func Segments(seed uint64, perClass, classes int) (xs, xt *mat.Dense, ys, yt []int) {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	n := perClass * classes
	xs, xt = mat.NewDense(n, 2, nil), mat.NewDense(n, 2, nil)
	ys, yt = make([]int, n), make([]int, n)
	for c := 0; c < classes; c++ {
		x0 := -1.5
		if c%2 == 1 {
			x0 = 1.5
		}
		for k := 0; k < perClass; k++ {
			i := c*perClass + k
			xs.Set(i, 0, -4+8*rng.Float64()+0.05*rng.NormFloat64())
			xs.Set(i, 1, 3*float64(c)+0.05*rng.NormFloat64())
			ys[i] = c
		}
		for k := 0; k < perClass; k++ {
			i := c*perClass + k
			xt.Set(i, 0, x0+0.05*rng.NormFloat64())
			xt.Set(i, 1, 3*float64(c)-1.2+2.4*rng.Float64()+0.05*rng.NormFloat64())
			yt[i] = c
		}
	}
	return xs, xt, ys, yt
}
