package inverse

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/otkit/otkit/ot"
)

// Defaults of the zero-valued settings.
const (
	DefaultEpsilon      = 1.0
	DefaultTol          = 1e-7
	DefaultInnerTol     = 1e-10
	DefaultMaxIter      = 5000
	DefaultInnerMaxIter = 100000
)

// Estimator is ℓ1-regularized inverse entropic optimal transport: it
// minimizes
//
//	L(θ) + λ Σ_k ω_k |θ_k|,   L(θ) = <C_θ, P̂> − W_ε(θ),
//
// with W_ε(θ) the entropic transport value of the cost C_θ between the
// marginals of the observed coupling P̂ (docs/inverse.md §3). The zero value
// is ready to use; every zero field takes the default documented on it. An
// Estimator may be used by many goroutines at once.
type Estimator struct {
	// Epsilon is the entropic regularization ε of the model, in cost units;
	// zero means 1. Negative, NaN or infinite values are errors.
	Epsilon float64
	// Lambda is the ℓ1 weight λ ≥ 0 (cost units); zero means no penalty.
	Lambda float64
	// Weights are the penalty weights ω_k ≥ 0, one per parameter (row-major
	// over A for the bilinear model); nil means all 1. ω_k = 0 leaves θ_k
	// unpenalized.
	Weights []float64
	// Tol is the tolerance on the KKT residual, relative to
	// λ_max = max_k |∂_k L(0)|: the fit is Converged when the residual is at
	// most Tol·λ_max and the last Sinkhorn solve met InnerTol. Zero means
	// 1e-7.
	Tol float64
	// InnerTol is the Sinkhorn tolerance (MarginalError, unit mass) of the
	// final solves; intermediate solves are looser (docs/inverse.md §5.1).
	// Zero means 1e-10.
	InnerTol float64
	// MaxIter bounds the outer (proximal gradient) steps; zero means 5000.
	MaxIter int
	// InnerMaxIter bounds the sweeps of each Sinkhorn solve; zero means 1e5.
	InnerMaxIter int
	// NoRefine turns off the Newton refinement on the support.
	NoRefine bool
	// Workers is the number of goroutines of the exp passes and of the
	// Sinkhorn solves; zero means one. Results are bitwise identical for any
	// value.
	Workers int
	// Progress, when non-nil, is called after every outer step with the step
	// count and the relative gradient-mapping residual.
	Progress ot.Progress
}

// Estimate is the result of a fit.
type Estimate struct {
	// Params holds the estimate: A (dx×dy) for the bilinear model, θ as an
	// s×1 column for the linear one. Theta is its row-major data.
	Params *mat.Dense
	Theta  []float64
	// Support lists the k with θ_k ≠ 0 (exact zeros of the soft-threshold;
	// never re-thresholded), Signs holds sign(θ_k) ∈ {−1, 0, 1} for every k.
	Support []int
	Signs   []int8
	// Lambda is the λ of the fit.
	Lambda float64
	// Loss is L(θ), evaluated as J(θ, f, g) at the final potentials (an
	// upper bound within the Sinkhorn gap); Objective adds λ Σ ω_k|θ_k|.
	Loss, Objective float64
	// Grad is ∇L(θ) at the final potentials.
	Grad []float64
	// KKT is the optimality residual max_k of |∂_k L + λω_k sign θ_k| on the
	// support and max(0, |∂_k L| − λω_k) off it.
	KKT    float64
	Status ot.Status
	// Iterations counts outer steps, NewtonSteps the refinement trials,
	// InnerSweeps the Sinkhorn sweeps of all solves.
	Iterations, NewtonSteps, InnerSweeps int
	// History holds the relative gradient-mapping residual of every outer
	// step.
	History []float64
	// Inner is the last Sinkhorn solve, at θ, over the rows and columns of
	// positive observed weight (nil for the Gaussian estimator).
	Inner *ot.Result

	lbar float64
}

type settings struct {
	eps, lam, tol, innerTol float64
	maxIter, innerMax       int
	workers                 int
}

func (e *Estimator) settings() (settings, error) {
	s := settings{eps: e.Epsilon, lam: e.Lambda, tol: e.Tol, innerTol: e.InnerTol,
		maxIter: e.MaxIter, innerMax: e.InnerMaxIter, workers: e.Workers}
	bad := func(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) || v < 0 }
	switch {
	case bad(s.eps):
		return s, fmt.Errorf("%w: Epsilon = %v (want ε > 0)", ot.ErrParameter, s.eps)
	case bad(s.lam):
		return s, fmt.Errorf("%w: Lambda = %v (want λ ≥ 0)", ot.ErrParameter, s.lam)
	case bad(s.tol):
		return s, fmt.Errorf("%w: Tol = %v", ot.ErrParameter, s.tol)
	case bad(s.innerTol):
		return s, fmt.Errorf("%w: InnerTol = %v", ot.ErrParameter, s.innerTol)
	case s.maxIter < 0 || s.innerMax < 0 || s.workers < 0:
		return s, fmt.Errorf("%w: MaxIter = %d, InnerMaxIter = %d, Workers = %d (want ≥ 0)", ot.ErrParameter, s.maxIter, s.innerMax, s.workers)
	}
	if s.eps == 0 {
		s.eps = DefaultEpsilon
	}
	if s.tol == 0 {
		s.tol = DefaultTol
	}
	if s.innerTol == 0 {
		s.innerTol = DefaultInnerTol
	}
	if s.maxIter == 0 {
		s.maxIter = DefaultMaxIter
	}
	if s.innerMax == 0 {
		s.innerMax = DefaultInnerMaxIter
	}
	if s.workers == 0 {
		s.workers = 1
	}
	return s, nil
}

func (e *Estimator) weights(s int) ([]float64, error) {
	if e.Weights == nil {
		w := make([]float64, s)
		for i := range w {
			w[i] = 1
		}
		return w, nil
	}
	if len(e.Weights) != s {
		return nil, fmt.Errorf("%w: %d penalty weights for %d parameters", ot.ErrShape, len(e.Weights), s)
	}
	for k, v := range e.Weights {
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			return nil, fmt.Errorf("%w: Weights[%d] = %v (want finite ≥ 0)", ot.ErrParameter, k, v)
		}
	}
	return e.Weights, nil
}

// fitter holds a prepared problem and its resolved settings.
type fitter struct {
	e   *Estimator
	set settings
	pr  *problem
	w   []float64
	o   *discrete
}

func (e *Estimator) newFitter(d *Data) (*fitter, error) {
	set, err := e.settings()
	if err != nil {
		return nil, err
	}
	pr, err := d.prepare(set.eps, set.workers)
	if err != nil {
		return nil, err
	}
	w, err := e.weights(pr.s)
	if err != nil {
		return nil, err
	}
	return &fitter{e: e, set: set, pr: pr, w: w, o: newDiscrete(pr, set.innerMax)}, nil
}

// gscale is the scale of the gradient: max_k |∂_k L(0)|.
func (ft *fitter) gscale() float64 {
	g := floats.Norm(ft.pr.g0, math.Inf(1))
	if !(g > 0) {
		g = 1
	}
	return g
}

func (ft *fitter) lbar0() float64 {
	return math.Max(ft.pr.feat.scale2(ft.pr.a, ft.pr.b)/(16*ft.pr.eps), 1e-300)
}

func (ft *fitter) driver(lam float64, active []bool) *driver {
	gs := ft.gscale()
	return &driver{o: ft.o, s: ft.pr.s, lam: lam, w: ft.w, active: active, tolAbs: ft.set.tol * gs, gscale: gs,
		innerTol: ft.set.innerTol, maxIter: ft.set.maxIter, refine: !ft.e.NoRefine, progress: ft.e.Progress}
}

func (ft *fitter) estimate(out *outcome, lam float64) *Estimate {
	pr := ft.pr
	est := &Estimate{Theta: out.theta, Lambda: lam, Loss: out.loss, Grad: out.grad, KKT: out.kkt, Status: out.status,
		Iterations: out.iters, NewtonSteps: out.newton, History: out.history, lbar: out.lbar}
	if pr.dx > 0 {
		est.Params = mat.NewDense(pr.dx, pr.dy, est.Theta)
	} else {
		est.Params = mat.NewDense(pr.s, 1, est.Theta)
	}
	est.Signs = make([]int8, pr.s)
	pen := 0.0
	for k, v := range est.Theta {
		est.Signs[k] = sign(v)
		if v != 0 {
			est.Support = append(est.Support, k)
			pen += ft.w[k] * math.Abs(v)
		}
	}
	est.Objective = est.Loss + lam*pen
	est.InnerSweeps = ft.o.sweeps
	est.Inner = ft.o.result(out.theta)
	if est.Status == ot.Canceled && (math.IsNaN(est.Loss) || est.Grad == nil) {
		est.Loss, est.Objective = 0, 0
	}
	return est
}

// Fit estimates the cost parameters from d. Bad input (see Data, and
// settings out of range) returns an error wrapping an ot sentinel and no
// Estimate; otherwise the Estimate's Status says how the fit ended: Converged
// (KKT residual ≤ Tol·λ_max with a Sinkhorn solve to InnerTol), IterationLimit
// (for instance at λ = 0 when no minimizer exists, docs/inverse.md §3),
// Stalled, Canceled (the last iterate; within 100 ms of cancellation) or
// NumericalError. A nil ctx means context.Background().
func (e *Estimator) Fit(ctx context.Context, d *Data) (*Estimate, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	ft, err := e.newFitter(d)
	if err != nil {
		return nil, err
	}
	dr := ft.driver(ft.set.lam, nil)
	out := dr.run(ctx, make([]float64, ft.pr.s), ft.lbar0())
	return ft.estimate(out, ft.set.lam), nil
}
