package inverse

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/otkit/otkit/ot"
)

// DefaultPathN is the number of λ values of a path when PathSettings.N is
// zero; DefaultMinRatio the default λ_min/λ_max.
const (
	DefaultPathN    = 50
	DefaultMinRatio = 1e-3
)

// PathSettings configures a regularization path. The zero value is a
// 50-point log grid from λ_max down to 1e-3·λ_max with warm starts and no
// screening.
type PathSettings struct {
	// N is the number of λ values; zero means 50.
	N int
	// MinRatio is λ_min/λ_max, in (0, 1); zero means 1e-3.
	MinRatio float64
	// Lambdas, when non-nil, is the grid itself (any order is sorted
	// descending); it overrides N and MinRatio.
	Lambdas []float64
	// Cold starts every λ from θ = 0 and cold potentials (for comparison;
	// warm starts carry θ, the potentials and the step size).
	Cold bool
	// Screen discards coordinates by the sequential strong rule before each
	// solve and re-admits every violator of the full KKT check
	// (docs/inverse.md §6). The estimates are the same up to Tol.
	Screen bool
}

// Path is a regularization path.
type Path struct {
	// LambdaMax is the smallest λ whose estimate is 0.
	LambdaMax float64
	// Lambdas is the grid, descending; Estimates[i] is the fit at
	// Lambdas[i]. A canceled path is cut after the canceled fit.
	Lambdas   []float64
	Estimates []*Estimate
	// Screened counts the coordinates the strong rule discarded, summed over
	// the grid; Readmitted those the KKT check put back.
	Screened, Readmitted int
}

// LambdaMax returns the smallest λ with a zero estimate:
// max_k |<C_k, P̂ − a⊗b>| / ω_k over the penalized coordinates, in closed
// form when there is no Offset and every weight is positive; otherwise the
// unpenalized coordinates are fitted first (docs/inverse.md §6).
func (e *Estimator) LambdaMax(ctx context.Context, d *Data) (float64, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	ft, err := e.newFitter(d)
	if err != nil {
		return 0, err
	}
	lm, _ := ft.lambdaMax(ctx)
	return lm, nil
}

func (ft *fitter) lambdaMax(ctx context.Context) (float64, ot.Status) {
	free := make([]bool, ft.pr.s)
	anyFree := false
	for k, w := range ft.w {
		free[k] = w == 0
		anyFree = anyFree || free[k]
	}
	g := ft.pr.g0
	st := ot.Converged
	if anyFree || ft.pr.hasOff {
		dr := ft.driver(0, free)
		out := dr.run(ctx, make([]float64, ft.pr.s), ft.lbar0())
		g, st = out.grad, out.status
	}
	var lm float64
	for k, w := range ft.w {
		if w > 0 {
			lm = math.Max(lm, math.Abs(g[k])/w)
		}
	}
	return lm, st
}

// Path fits the estimator along a descending λ grid (the Estimator's Lambda
// is ignored), warm-starting each fit from the previous one. Errors are for
// bad input only, as Fit's.
func (e *Estimator) Path(ctx context.Context, d *Data, ps PathSettings) (*Path, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	ft, err := e.newFitter(d)
	if err != nil {
		return nil, err
	}
	lm, st := ft.lambdaMax(ctx)
	path := &Path{LambdaMax: lm}
	if ps.Lambdas != nil {
		for _, l := range ps.Lambdas {
			if math.IsNaN(l) || math.IsInf(l, 0) || l < 0 {
				return nil, fmt.Errorf("%w: path λ = %v", ot.ErrParameter, l)
			}
		}
		path.Lambdas = slices.Clone(ps.Lambdas)
		slices.Sort(path.Lambdas)
		slices.Reverse(path.Lambdas)
	} else {
		n, ratio := ps.N, ps.MinRatio
		if n == 0 {
			n = DefaultPathN
		}
		if ratio == 0 {
			ratio = DefaultMinRatio
		}
		if n < 1 || !(ratio > 0 && ratio < 1) {
			return nil, fmt.Errorf("%w: path N = %d, MinRatio = %v (want N ≥ 1, 0 < MinRatio < 1)", ot.ErrParameter, n, ratio)
		}
		path.Lambdas = make([]float64, n)
		for i := range path.Lambdas {
			if n == 1 {
				path.Lambdas[i] = lm
			} else {
				path.Lambdas[i] = lm * math.Pow(ratio, float64(i)/float64(n-1))
			}
		}
	}
	if st == ot.Canceled {
		return path, nil
	}
	s := ft.pr.s
	theta := make([]float64, s)
	lbar := ft.lbar0()
	var prev *Estimate
	prevLam := lm
	for _, lam := range path.Lambdas {
		if ps.Cold {
			theta = make([]float64, s)
			lbar = ft.lbar0()
			ft.o = newDiscrete(ft.pr, ft.set.innerMax)
		}
		sweeps0 := ft.o.sweeps
		var active []bool
		if ps.Screen && prev != nil && prev.Grad != nil {
			active = make([]bool, s)
			for k := range active {
				active[k] = ft.w[k] == 0 || theta[k] != 0 || math.Abs(prev.Grad[k]) >= ft.w[k]*(2*lam-prevLam)
				if !active[k] {
					path.Screened++
				}
			}
		}
		var out *outcome
		iters, newton := 0, 0
		var hist []float64
		for {
			dr := ft.driver(lam, active)
			out = dr.run(ctx, theta, lbar)
			iters += out.iters
			newton += out.newton
			hist = append(hist, out.history...)
			theta, lbar = out.theta, out.lbar
			if active == nil || out.status == ot.Canceled || out.status == ot.NumericalError {
				break
			}
			viol := 0
			for k := range active {
				if !active[k] && math.Abs(out.grad[k])-lam*ft.w[k] > dr.tolAbs {
					active[k] = true
					viol++
				}
			}
			path.Readmitted += viol
			if viol == 0 {
				break
			}
		}
		out.iters, out.newton, out.history = iters, newton, hist
		out.kkt = ft.driver(lam, nil).kkt(out.theta, out.grad)
		est := ft.estimate(out, lam)
		est.InnerSweeps = ft.o.sweeps - sweeps0
		theta = slices.Clone(out.theta)
		lbar = math.Max(lbar/4, 1e-300)
		path.Estimates = append(path.Estimates, est)
		if est.Status == ot.Canceled {
			break
		}
		prev, prevLam = est, lam
	}
	return path, nil
}
