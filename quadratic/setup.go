package quadratic

import (
	"context"
	"fmt"
	"math"

	"github.com/otkit/otkit/internal/semidual"
	"github.com/otkit/otkit/internal/support"
	"github.com/otkit/otkit/ot"
)

// DefaultMaxDenseBytes is the default of Solver.MaxDenseBytes: 1 GiB.
const DefaultMaxDenseBytes = 1 << 30

// checkEntries is about the number of cost entries the passes over the
// cost read between two checks of the context.
const checkEntries = 1 << 16

// checkRows returns the number of rows of length m between two context
// checks.
func checkRows(m int) int { return max(1, checkEntries/max(m, 1)) }

// scaling records the powers of two an instance was normalized by: the
// instance solves C' = C/cost, a' = a/mass, b' = b/mass at
// γ' = γ·mass/cost, whose plan is T' = T/mass with potentials F' = F/cost,
// G' = G/cost (docs/quadratic.md §1.2; exact, being powers of two). The
// powers are those of semidual.Exponent, shared with package cardinality.
type scaling struct {
	costExp, massExp int
}

// setup builds the normalized instance of the reduced problem: the cost
// materialized (within MaxDenseBytes; see setupCloud beyond) when it is
// not dense, and divided by the power of two that brings its largest
// finite |entry| into [1/√2, √2) (copied when the caller's dense data must
// be scaled), the
// weights divided by the power of two that brings their total into
// [1/√2, √2). gamma == 0 selects the default. It returns a nil instance and
// no error when ctx is canceled. The caller releases the instance.
func (s *Solver) setup(ctx context.Context, red *support.Reduced, gamma float64) (*instance, scaling, error) {
	var sc scaling
	n, m := red.Dims()
	in := &instance{n: n, m: m, workers: max(1, s.Workers), ctx: ctx}
	step := checkRows(m)
	var c []float64
	if d, ok := red.C.(*ot.DenseCost); ok {
		c = d.Data
	} else {
		limit := s.MaxDenseBytes
		if limit == 0 {
			limit = DefaultMaxDenseBytes
		}
		if need := 8 * float64(n) * float64(m); need > float64(limit) {
			return s.setupCloud(ctx, red, gamma, in, need, limit)
		}
		c = in.alloc(n * m)
		for i := 0; i < n; i++ {
			if i%step == 0 && ctx.Err() != nil {
				in.release()
				return nil, sc, nil
			}
			red.C.Row(i, c[i*m:(i+1)*m])
		}
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for i := 0; i < n; i += step {
		if ctx.Err() != nil {
			in.release()
			return nil, sc, nil
		}
		l, h := finiteRange(c[i*m : min(i+step, n)*m])
		lo, hi = math.Min(lo, l), math.Max(hi, h)
	}
	sc.costExp = semidual.Exponent(math.Max(math.Abs(lo), math.Abs(hi)))
	if sc.costExp != 0 {
		src := c
		if in.owned == nil {
			c = in.alloc(n * m)
		}
		for i := 0; i < n; i += step {
			if ctx.Err() != nil {
				in.release()
				return nil, sc, nil
			}
			for k := i * m; k < min(i+step, n)*m; k++ {
				c[k] = math.Ldexp(src[k], -sc.costExp)
			}
		}
		lo, hi = math.Ldexp(lo, -sc.costExp), math.Ldexp(hi, -sc.costExp)
	}
	in.c = c
	return s.finish(red, gamma, in, sc, lo, hi)
}

// setupCloud is setup for a cost whose dense matrix would take need >
// limit bytes: a squared-Euclidean or Euclidean point cloud is solved by
// SemiDualLBFGS with its columns computed on demand (semidual.Cloud, with
// the entries of the dense path); anything else is an error.
func (s *Solver) setupCloud(ctx context.Context, red *support.Reduced, gamma float64, in *instance, need float64, limit int64) (*instance, scaling, error) {
	var sc scaling
	n, m := red.Dims()
	pc, ok := red.C.(*ot.PointCloud)
	var src *semidual.Cloud
	if ok {
		src = semidual.NewCloud(pc, false)
	}
	if src == nil {
		return nil, sc, fmt.Errorf("%w: quadratic: the %d×%d cost (%T) would take %.4g bytes as a dense matrix, above MaxDenseBytes = %d (only squared-Euclidean and Euclidean point clouds are solved without it)",
			ot.ErrParameter, n, m, red.C, need, limit)
	}
	if s.Method != SemiDualLBFGS {
		return nil, sc, fmt.Errorf("%w: quadratic: Method %v needs the %d×%d cost as a dense matrix (%.4g bytes, above MaxDenseBytes = %d); Method SemiDualLBFGS solves point clouds of this size without it",
			ot.ErrParameter, s.Method, n, m, need, limit)
	}
	lo, hi, ok := src.Range(ctx, in.workers) // Exp = 0: C's own entries

	if !ok {
		return nil, sc, nil
	}
	sc.costExp = semidual.Exponent(math.Max(math.Abs(lo), math.Abs(hi)))
	if sc.costExp != 0 {
		lo, hi = math.Ldexp(lo, -sc.costExp), math.Ldexp(hi, -sc.costExp)
	}
	src.SetExp(sc.costExp)
	in.src = src
	return s.finish(red, gamma, in, sc, lo, hi)
}

// finish normalizes the weights and sets γ once the cost is in place with
// its scaled finite range [lo, hi].
func (s *Solver) finish(red *support.Reduced, gamma float64, in *instance, sc scaling, lo, hi float64) (*instance, scaling, error) {
	mass := red.Mass()
	sc.massExp = semidual.Exponent(mass)
	in.a, in.b = scaled(red.A, -sc.massExp), scaled(red.B, -sc.massExp)
	in.cmin, in.cmax = lo, hi
	in.mass = math.Ldexp(mass, -sc.massExp)
	// T = [F + G − C]₊/γ with potentials of the size of the costs: below
	// minGammaRatio·max|C| per unit of mass, float64 cannot resolve the
	// plan.
	scale := math.Max(math.Abs(lo), math.Abs(hi))
	if gamma == 0 {
		in.gamma = defaultGamma(in)
	} else {
		in.gamma = math.Ldexp(gamma, sc.massExp-sc.costExp)
		if in.gamma < minGammaRatio*scale || math.IsInf(in.gamma, 1) {
			in.release()
			return nil, sc, fmt.Errorf("%w: quadratic: Gamma = %g is outside [%g × max|C|/mass, ∞) = [%g, ∞)",
				ot.ErrParameter, gamma, minGammaRatio, math.Ldexp(minGammaRatio*scale, sc.costExp-sc.massExp))
		}
	}
	return in, sc, nil
}

// canceled reports, for every checkRows(m)-th row i, whether the
// instance's context is canceled.
func (in *instance) canceled(i int) bool {
	return i%checkRows(in.m) == 0 && in.ctx != nil && in.ctx.Err() != nil
}

// alloc returns a zeroed buffer of n float64 that the instance owns (see
// semidual.Alloc: no uninterruptible pass to obtain it).
func (in *instance) alloc(n int) []float64 {
	x := semidual.Alloc(n)
	in.owned = append(in.owned, x)
	return x
}

// release frees the buffers of the instance; none of them may be used
// afterwards. Once the context is canceled they are freed in the
// background (unmapping a large touched buffer takes tens of
// milliseconds).
func (in *instance) release() {
	owned := in.owned
	free := func() {
		for _, x := range owned {
			semidual.Free(x)
		}
	}
	in.owned = nil
	in.c, in.ct = nil, nil
	if in.ctx != nil && in.ctx.Err() != nil {
		go free()
		return
	}
	free()
}

// scaled returns x·2^e in a new slice (nil for nil).
func scaled(x []float64, e int) []float64 {
	if x == nil {
		return nil
	}
	out := make([]float64, len(x))
	for k, v := range x {
		out[k] = math.Ldexp(v, e)
	}
	return out
}

// scaleBack maps the result of the normalized instance back to the units
// of p, in place: plan entries, MarginalError and History by the mass
// factor, potentials by the cost factor, values by both. A figure that
// overflows makes the status NumericalError.
func scaleBack(res *ot.Result, sc scaling, p *ot.Problem, red *support.Reduced, st *state) {
	if sc.costExp == 0 && sc.massExp == 0 {
		return
	}
	ke, qe := sc.costExp, sc.massExp
	res.Value = math.Ldexp(res.Value, ke+qe)
	res.LinearCost = math.Ldexp(res.LinearCost, ke+qe)
	res.DualValue = math.Ldexp(res.DualValue, ke+qe)
	res.MarginalError = math.Ldexp(res.MarginalError, qe)
	for k, v := range res.History {
		res.History[k] = math.Ldexp(v, qe)
	}
	if sp, ok := res.Plan.(*ot.SparsePlan); ok {
		for k, v := range sp.Val {
			sp.Val[k] = math.Ldexp(v, qe)
		}
	}
	if ke != 0 {
		f, g := scaled(st.f, ke), scaled(st.g, ke)
		if red.Identity() {
			res.F, res.G = f, g
		} else {
			res.F, res.G = expandPotentials(p, red, f, g)
		}
	}
	if !finite(res.Value) || !finite(res.LinearCost) || !finite(res.DualValue) || !finite(res.MarginalError) {
		res.Status = ot.NumericalError
	}
}

// canceledResult is the Result of a solve canceled before its first
// iterate: zero potentials, the empty plan (exactly the plan of the zero
// potentials when the costs are nonnegative) and DualValue <a,F> + <b,G>
// = 0.
func canceledResult(p *ot.Problem) *ot.Result {
	n, m := p.Dims()
	plan := &ot.SparsePlan{N: n, M: m, RowPtr: make([]int, n+1)}
	return &ot.Result{
		Status:        ot.Canceled,
		Plan:          plan,
		MarginalError: ot.MarginalError(plan, p.A, p.B),
		F:             make([]float64, n),
		G:             make([]float64, m),
	}
}
