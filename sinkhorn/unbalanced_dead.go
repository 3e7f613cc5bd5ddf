package sinkhorn

import (
	"context"
	"math"

	"gonum.org/v1/gonum/floats"

	"github.com/otkit/otkit/ot"
)

// Dead lines of a relaxed side: a row of a relaxed row marginal (or a
// column of a relaxed column marginal) whose costs are all +Inf sends
// nothing, and pays ρ_a KL(0 ‖ a_i) = ρ_a a_i plus its share ε a_i Σb of
// the entropic term ε KL(P ‖ a⊗b). The solve treats it like a zero-weight
// row (excluded from the sweeps, plan row 0) and adds these terms to Value
// and DualValue. Its dual term −ρ_a a_i (e^{−f̃_i/ρ_a} − 1) increases to
// its supremum ρ_a a_i as f̃_i → +∞; the reported potential is
// F_i = ε log a_i + deadShift·ρ_a (capped at MaxFloat64/4), at which the term
// equals ρ_a a_i to the last bit.

// deadShift·ρ is the shifted potential f̃ reported for a dead line:
// e^{−deadShift} < 2^−53.
const deadShift = 37

// deadLines are the dead rows and columns of a relaxed problem.
type deadLines struct {
	rows, cols []int
}

func (d *deadLines) empty() bool { return len(d.rows) == 0 && len(d.cols) == 0 }

// findDead returns the dead lines of p (none for a point cloud, whose
// costs are finite) and false when ctx was canceled during the pass.
func findDead(ctx context.Context, p *ot.Problem) (deadLines, bool) {
	var d deadLines
	relA, relB := !p.HardA(), !p.HardB()
	if !relA && !relB {
		return d, true
	}
	if _, ok := p.C.(*ot.PointCloud); ok {
		return d, true
	}
	n, m := p.Dims()
	colAlive := make([]bool, m)
	buf := make([]float64, m)
	poll := max(1, pollEntries/m)
	for i := 0; i < n; i++ {
		if i%poll == 0 && ctx.Err() != nil {
			return deadLines{}, false
		}
		alive := false
		for j, v := range rowOf(p.C, i, buf) {
			if !math.IsInf(v, 1) {
				alive = true
				colAlive[j] = true
			}
		}
		if relA && !alive && p.A[i] > 0 {
			d.rows = append(d.rows, i)
		}
	}
	if relB {
		for j, ok := range colAlive {
			if !ok && p.B[j] > 0 {
				d.cols = append(d.cols, j)
			}
		}
	}
	return d, true
}

// withoutDead returns p with the weights of the dead lines set to 0 (p
// itself when there are none).
func withoutDead(p *ot.Problem, d deadLines) *ot.Problem {
	if d.empty() {
		return p
	}
	q := *p
	q.A = append([]float64(nil), p.A...)
	q.B = append([]float64(nil), p.B...)
	for _, i := range d.rows {
		q.A[i] = 0
	}
	for _, j := range d.cols {
		q.B[j] = 0
	}
	return &q
}

// addDead adds the dead lines' terms to the figures of res (in the
// caller's units) and sets their potentials (see Dead lines above).
func addDead(res *ot.Result, p, q *ot.Problem, d deadLines, eps float64) {
	if d.empty() {
		return
	}
	var extra float64
	for _, i := range d.rows {
		extra += p.RhoA * p.A[i]
		res.F[i] = deadPotential(p.A[i], eps, p.RhoA)
	}
	for _, j := range d.cols {
		extra += p.RhoB * p.B[j]
		res.G[j] = deadPotential(p.B[j], eps, p.RhoB)
	}
	ma, mb := floats.Sum(p.A), floats.Sum(p.B)
	qa, qb := floats.Sum(q.A), floats.Sum(q.B)
	extra += eps * (ma*mb - qa*qb)
	res.Value += extra
	res.DualValue += extra
	if res.Status != ot.NumericalError && !(finite(res.Value) && finite(res.DualValue)) {
		res.Status = ot.NumericalError
	}
}

// deadPotential is the reported potential of a dead line of weight w:
// ε log w + deadShift·ρ, capped at ±MaxFloat64/4.
func deadPotential(w, eps, rho float64) float64 {
	x := eps*math.Log(w) + math.Min(deadShift*rho, math.MaxFloat64/4)
	return math.Max(math.Min(x, math.MaxFloat64/4), -math.MaxFloat64/4)
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// deadResult is the Result of a relaxed problem with no plan entry left
// (every positive-weight line of a side dead, so the plan is 0): Value =
// DualValue = ρ_a Σa + ρ_b Σb + ε Σa Σb (a hard side with positive mass
// cannot occur: Validate finds such a problem infeasible).
func deadResult(p *ot.Problem, eps float64) *ot.Result {
	n, m := p.Dims()
	res := &ot.Result{Status: ot.Converged, F: make([]float64, n), G: make([]float64, m)}
	ma, mb := floats.Sum(p.A), floats.Sum(p.B)
	v := eps * ma * mb
	side := func(x, w []float64, rho float64, hard bool) {
		for k, wk := range w {
			x[k] = math.Inf(-1)
			if wk > 0 && !hard {
				x[k] = deadPotential(wk, eps, rho)
				v += rho * wk
			}
		}
	}
	side(res.F, p.A, p.RhoA, p.HardA())
	side(res.G, p.B, p.RhoB, p.HardB())
	res.Plan = &ot.EntropicPlan{F: res.F, G: res.G, Eps: eps, C: p.C}
	res.MarginalError = p.MarginalError(res.Plan)
	res.Value, res.DualValue = v, v
	if !finite(v) {
		res.Status = ot.NumericalError
	}
	return res
}
