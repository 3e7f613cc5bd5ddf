package inverse_test

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/otkit/otkit/inverse"
	"github.com/otkit/otkit/ot"
	"github.com/otkit/otkit/sinkhorn"
)

// points returns n deterministic, well-spread points in d dimensions.
func points(n, d int, phase float64) *mat.Dense {
	x := mat.NewDense(n, d, nil)
	for i := 0; i < n; i++ {
		for k := 0; k < d; k++ {
			x.Set(i, k, math.Sin(float64(i*(k+2))+phase*float64(k+1)))
		}
	}
	return x
}

// plan returns the entropic plan of the cost −xᵀAy (uniform marginals).
func plan(x, y, A *mat.Dense, eps float64) *mat.Dense {
	n, _ := x.Dims()
	m, _ := y.Dims()
	var xa mat.Dense
	xa.Mul(x, A)
	c := mat.NewDense(n, m, nil)
	c.Mul(&xa, y.T())
	c.Scale(-1, c)
	res, _ := (&sinkhorn.Solver{Eps: eps, Tol: 1e-13}).Solve(context.Background(), ot.NewProblem(ot.DenseCostOf(c)))
	return ot.DenseCopy(res.Plan)
}

// Fit recovers the affinity matrix A of an observed entropic coupling.
func ExampleEstimator_Fit() {
	x, y := points(12, 2, 0), points(10, 2, 1)
	A := mat.NewDense(2, 2, []float64{1, 0, 0, -0.5})
	p := plan(x, y, A, 0.5)

	e := inverse.Estimator{Epsilon: 0.5, Lambda: 1e-3}
	est, err := e.Fit(context.Background(), inverse.Coupled(x, y, p))
	if err != nil {
		panic(err)
	}
	fmt.Println(est.Status, est.Support, est.Signs)
	fmt.Printf("%.2f\n", mat.Formatted(est.Params))
	// Output:
	// Converged [0 3] [1 0 0 -1]
	// ⎡ 0.99   0.00⎤
	// ⎣ 0.00  -0.50⎦
}

// Path runs a regularization path from λ_max down.
func ExampleEstimator_Path() {
	x, y := points(12, 2, 0), points(10, 2, 1)
	p := plan(x, y, mat.NewDense(2, 2, []float64{1, 0, 0, -0.5}), 0.5)

	e := inverse.Estimator{Epsilon: 0.5}
	path, err := e.Path(context.Background(), inverse.Coupled(x, y, p), inverse.PathSettings{N: 4, MinRatio: 0.01})
	if err != nil {
		panic(err)
	}
	for i, est := range path.Estimates {
		fmt.Printf("λ/λmax = %.2f: support %v\n", path.Lambdas[i]/path.LambdaMax, est.Support)
	}
	// Output:
	// λ/λmax = 1.00: support []
	// λ/λmax = 0.22: support [0 3]
	// λ/λmax = 0.05: support [0 3]
	// λ/λmax = 0.01: support [0 3]
}

// Certificate tells whether ℓ1 inverse OT can recover the signs of a truth.
func ExampleEstimator_Certificate() {
	x, y := points(12, 2, 0), points(10, 2, 1)
	A := mat.NewDense(2, 2, []float64{1, 0, 0, -0.5})
	e := inverse.Estimator{Epsilon: 0.5}
	c, err := e.Certificate(context.Background(), inverse.Coupled(x, y, plan(x, y, A, 0.5)), A.RawMatrix().Data)
	if err != nil {
		panic(err)
	}
	fmt.Printf("max off-support |z| = %.3f, nondegenerate: %v\n", c.MaxOff, c.Nondegenerate)
	// Output:
	// max off-support |z| = 0.072, nondegenerate: true
}

// GaussianCertificate on the shifted ring Laplacian: degenerate at small ε,
// nondegenerate at large ε (docs/inverse.md §9.1).
func ExampleGaussianCertificate() {
	const d = 10
	A := mat.NewDense(d, d, nil)
	for i := 0; i < d; i++ {
		A.Set(i, i, 2.1)
		A.Set(i, (i+1)%d, -1)
		A.Set(i, (i+d-1)%d, -1)
	}
	for _, eps := range []float64{0.1, 1, 10} {
		c, err := inverse.GaussianCertificate(A, nil, nil, eps, nil)
		if err != nil {
			panic(err)
		}
		fmt.Printf("ε = %4.1f: %.4f %v\n", eps, c.MaxOff, c.Nondegenerate)
	}
	// Output:
	// ε =  0.1: 2.8300 false
	// ε =  1.0: 1.1405 false
	// ε = 10.0: 0.1241 true
}

// FitGaussian estimates A from a cross moment in O(d³) per step.
func ExampleEstimator_FitGaussian() {
	A := mat.NewDense(2, 2, []float64{0.8, 0, 0.3, -0.5})
	sigma, _ := inverse.GaussianCrossCov(A, nil, nil, 1)
	e := inverse.Estimator{Epsilon: 1, Lambda: 1e-4}
	est, err := e.FitGaussian(context.Background(), sigma, nil, nil)
	if err != nil {
		panic(err)
	}
	fmt.Println(est.Status, est.Support)
	fmt.Printf("%.2f\n", mat.Formatted(est.Params))
	// Output:
	// Converged [0 2 3]
	// ⎡ 0.80   0.00⎤
	// ⎣ 0.30  -0.50⎦
}

// LambdaMax is the smallest λ whose estimate is zero.
func ExampleEstimator_LambdaMax() {
	x, y := points(12, 2, 0), points(10, 2, 1)
	p := plan(x, y, mat.NewDense(2, 2, []float64{1, 0, 0, -0.5}), 0.5)
	lm, _ := (&inverse.Estimator{Epsilon: 0.5}).LambdaMax(context.Background(), inverse.Coupled(x, y, p))
	fmt.Printf("%.4f\n", lm)
	// Output:
	// 0.3347
}
