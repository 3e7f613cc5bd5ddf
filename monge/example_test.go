package monge_test

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/otkit/otkit/monge"
	"github.com/otkit/otkit/ot"
)

// ring returns 8 points x_i = (1 + 0.1i)(cos(2πi/8), sin(2πi/8)).
func ring() *mat.Dense {
	x := mat.NewDense(8, 2, nil)
	for i := 0; i < 8; i++ {
		r, a := 1+0.1*float64(i), 2*math.Pi*float64(i)/8
		x.Set(i, 0, r*math.Cos(a))
		x.Set(i, 1, r*math.Sin(a))
	}
	return x
}

// The Monge gap of an optimal (affine, symmetric positive) map sits at its
// floor ε·log n; a rotation is far from optimal.
func ExampleGap() {
	x := ring()
	aff, rot := mat.NewDense(8, 2, nil), mat.NewDense(8, 2, nil)
	for i := 0; i < 8; i++ {
		aff.Set(i, 0, 2*x.At(i, 0)+1)
		aff.Set(i, 1, 0.5*x.At(i, 1)-1)
		rot.Set(i, 0, -x.At(i, 1))
		rot.Set(i, 1, x.At(i, 0))
	}
	for _, tc := range []struct {
		name string
		tx   *mat.Dense
	}{{"affine", aff}, {"rotation", rot}} {
		g, err := monge.Gap(context.Background(), x, tc.tx, 0.01)
		if err != nil {
			panic(err)
		}
		// gap − floor ≥ 0 up to the solver's tolerance: print 0, not −0.000.
		fmt.Printf("%s: gap − floor = %.3f\n", tc.name, math.Max(g.Value-g.Floor, 0))
	}
	// Output:
	// affine: gap − floor = 0.000
	// rotation: gap − floor = 3.630
}

func ExampleDivergence() {
	x := mat.NewDense(3, 1, []float64{0, 1, 2})
	y := mat.NewDense(3, 1, []float64{1, 2, 3})
	d, err := monge.Divergence(nil, x, y, 0.1)
	if err != nil {
		panic(err)
	}
	fmt.Printf("S = %.3f, ∂S/∂x_0 = %.3f\n", d.Value, d.Grad.At(0, 0))
	// Output:
	// S = 1.000, ∂S/∂x_0 = -0.667
}

func ExampleNewEntropicMap() {
	x := mat.NewDense(4, 2, []float64{0, 0, 1, 0, 0, 1, 1, 1})
	y := mat.NewDense(4, 2, []float64{5, 0, 6, 0, 5, 1, 6, 1})
	tm, err := monge.NewEntropicMap(nil, x, y, &monge.MapSettings{Eps: 0.01})
	if err != nil {
		panic(err)
	}
	fmt.Printf("T(1, 1) = %.3f\n", tm.Map([]float64{1, 1}))
	// Output:
	// T(1, 1) = [6.000 1.000]
}

// The ℓ1-elastic map moves only the coordinates that need to move.
func ExampleNewElasticMap() {
	x := mat.NewDense(4, 2, []float64{0, 0, 1, 0, 0, 1, 1, 1})
	y := mat.NewDense(4, 2, []float64{5, 0, 6, 0, 5, 1, 6, 1})
	tm, err := monge.NewElasticMap(nil, x, y, ot.ElasticCost{Gamma: 0.5}, &monge.MapSettings{Eps: 0.05})
	if err != nil {
		panic(err)
	}
	tx := tm.Map([]float64{0, 1})
	fmt.Printf("T(0, 1) − (0, 1) = (%.3f, %.3f)\n", tx[0], tx[1]-1)
	// Output:
	// T(0, 1) − (0, 1) = (5.000, 0.000)
}

func ExampleFit() {
	x := mat.NewDense(64, 1, nil)
	y := mat.NewDense(64, 1, nil)
	for i := 0; i < 64; i++ {
		x.Set(i, 0, float64(i)/64)
		y.Set(i, 0, 2+float64(i)/64)
	}
	f, err := monge.Fit(nil, x, y, &monge.FitSettings{Lambda: 1, Epochs: 30, BatchSize: 32, LearningRate: 5e-2, Hidden: []int{8}, Seed: 1})
	if err != nil {
		panic(err)
	}
	fmt.Printf("%d steps, status %v, T(0.5) ≈ %.1f\n", f.Steps, f.Status, f.Map.Map([]float64{0.5})[0])
	// Output:
	// 60 steps, status Converged, T(0.5) ≈ 2.5
}
