package semidual

import (
	"context"
	"math"

	"github.com/otkit/otkit/internal/lbfgs"
	"github.com/otkit/otkit/ot"
)

// Settings configure a Driver run.
type Settings struct {
	// Tol is the target ℓ1 norm of the gradient (the marginal error of
	// the current plan); the run stops with Converged when it is met.
	Tol float64
	// MaxIter bounds the iterations of this run (Adam steps included); it
	// must be positive.
	MaxIter int
	// Memory is the number of L-BFGS correction pairs; 0 means 10.
	Memory int
	// Escape, for nonsmooth objectives (k < n), enables the stall rule and
	// the kink escape, whose first step it is, in the units of x; 0 (smooth
	// objectives) disables both: L-BFGS runs until Tol, MaxIter or a failed
	// line search.
	Escape float64
	// LearningRate is the step of the fixed-step Adam run.
	LearningRate float64
	// Stall, if not nil, is called with the point and its value each time
	// an L-BFGS phase ends Stalled on a nonsmooth objective (set.Escape >
	// 0), before the kink escape moves the point. The slice must not be
	// retained.
	Stall func(x []float64, value float64)
	// Progress, if not nil, is called after every iteration with the
	// iteration number (counted from the start of the record) and the ℓ1
	// norm of the gradient.
	Progress ot.Progress
}

// Record is the iteration record of a run, which a later run continues.
type Record struct {
	Iterations int
	History    []float64 // the gradient's ℓ1 norm after every iteration
	// Status says how the last run ended: Converged (Tol met),
	// IterationLimit, Stalled, Canceled or NumericalError.
	Status ot.Status
	// Value is the objective at the returned point. Current reports that
	// the last evaluation was at that point, so the evaluator's state
	// belongs to it; otherwise the caller evaluates once more.
	Value   float64
	Current bool
}

// Stall rule (docs/cardinality.md §6): stop when, over stallIters
// consecutive iterations, neither the objective has risen above its best so
// far by more than stallRel·max(1, |f|) nor the gradient's norm fallen below
// (1 − stallErrRel) times its best so far. Both references move only on such
// progress, so a run of negligible gains (a value creeping up by 1e-14, a
// norm dipping by one part in 1e6 on a kink) cannot postpone the stop,
// while their sum still counts once it passes the threshold. (Near the
// optimum of a smooth problem the value changes by less than its rounding
// while the gradient still shrinks steadily, by far more than stallErrRel
// per stallIters iterations, so the norm is watched too.)
const (
	stallIters  = 20
	stallRel    = 1e-12
	stallErrRel = 1e-3
)

// Kink escape: when L-BFGS stalls on a kink of a nonsmooth objective (small
// k), up to escapeRounds rounds of escapeSteps Adam steps, with a step of
// Settings.Escape decaying by escapeDecay per step, move across the kinks
// (the best point seen is kept) before L-BFGS resumes. On the example of
// docs/cardinality.md §8.1 (k = 1, γ = 10) L-BFGS alone stops at 2.0 after
// one iteration, at a point where three entries tie; with the escape it
// reaches 2.09999… (the relaxed optimum is 2.1).
const (
	escapeRounds = 3
	escapeSteps  = 300
	escapeDecay  = 0.99
)

// EscapeStep is the first kink-escape step for a cost of range r: 1e-2·r.
func EscapeStep(r float64) float64 { return 1e-2 * r }

// Driver maximizes concave objectives whose gradient's ℓ1 norm is the
// marginal error of the current plan. Its workspace is reused across runs;
// the zero value is ready to use. A Driver must not be used by several
// goroutines at once.
type Driver struct {
	opt  lbfgs.Optimizer
	adam adamState
}

// LBFGS maximizes f from x in place with L-BFGS, stopping when the
// gradient's ℓ1 norm is at most set.Tol, on a stall (that the kink escape
// cannot resolve, with set.Escape), or after set.MaxIter iterations. The
// iterations are appended to rec.
func (d *Driver) LBFGS(ctx context.Context, f lbfgs.Func, x []float64, set Settings, rec *Record) {
	rec.Current = false
	maxIter := rec.Iterations + set.MaxIter
	for round := 0; ; round++ {
		v, status := d.phase(ctx, f, x, set, maxIter, rec)
		rec.Status, rec.Value = status, v
		if status != ot.Stalled || set.Escape <= 0 {
			return
		}
		if set.Stall != nil {
			set.Stall(x, v)
		}
		if round == escapeRounds || rec.Iterations >= maxIter {
			return
		}
		steps := min(escapeSteps, maxIter-rec.Iterations)
		best, met := d.adam.escape(ctx, f, x, steps, set, v, rec)
		switch {
		case ctx.Err() != nil:
			rec.Status = ot.Canceled
			return
		case met:
			rec.Status, rec.Value = ot.Converged, best
			return
		case !(best > v+stallRel*math.Max(1, math.Abs(v))):
			return // no progress across the kink either: Stalled
		case rec.Iterations >= maxIter:
			rec.Status, rec.Value = ot.IterationLimit, best
			return
		}
	}
}

// phase runs L-BFGS from x up to iteration maxIter of the record and
// returns the value at the returned x and how it ended.
func (d *Driver) phase(ctx context.Context, f lbfgs.Func, x []float64, set Settings, maxIter int, rec *Record) (float64, ot.Status) {
	best, bestErr := math.Inf(-1), math.Inf(1)
	since := 0
	stalled := false
	offset := rec.Iterations
	r := d.opt.Maximize(ctx, f, x, lbfgs.Settings{
		Memory:  set.Memory,
		MaxIter: maxIter - offset,
		Callback: func(it int, _, grad []float64, v float64) bool {
			e := l1(grad)
			if it > 0 {
				rec.History = append(rec.History, e)
				rec.Iterations = offset + it
				if set.Progress != nil {
					set.Progress(offset+it, e)
				}
			}
			if e <= set.Tol {
				return true
			}
			if set.Escape <= 0 {
				return false
			}
			progress := false
			if it == 0 || v > best+stallRel*math.Max(1, math.Abs(best)) {
				best, progress = v, true
			}
			if it == 0 || e < (1-stallErrRel)*bestErr {
				bestErr, progress = e, true
			}
			if progress {
				since = 0
			} else if since++; since >= stallIters {
				stalled = true
				return true
			}
			return false
		},
	})
	switch {
	case stalled || r.Status == lbfgs.Stalled:
		return r.F, ot.Stalled
	case r.Status == lbfgs.Stopped:
		return r.F, ot.Converged
	case r.Status == lbfgs.Canceled:
		return r.F, ot.Canceled
	case r.Status == lbfgs.NumericalError:
		return r.F, ot.NumericalError
	}
	return r.F, ot.IterationLimit
}

func l1(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += math.Abs(v)
	}
	return s
}
