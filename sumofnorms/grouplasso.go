package sumofnorms

import (
	"context"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/floats"

	"github.com/otkit/otkit/ot"
	"github.com/otkit/otkit/sinkhorn"
)

// GroupLasso is the baseline of Courty, Flamary, Tuia and Rakotomamonjy
// ("Optimal Transport for Domain Adaptation", TPAMI 2017), solved as POT's
// ot.da.sinkhorn_l1l2_gl does (docs/sumofnorms.md §7):
//
//	min_{G ∈ U(a,b)} <C,G> + ε Σ_ij G_ij log G_ij + η Σ_j Σ_c ‖G_{I_c,j}‖₂,
//
// the groups being the rows of class c within column j, by generalized
// conditional gradient: start from a⊗b/mass, linearize the group term at G,
// solve the entropic problem with cost C + η∇Ω(G) by Sinkhorn, and step
// towards its plan by an Armijo line search on the full objective.
//
// Value is the objective above at the returned plan; DualValue is Value
// minus the conditional-gradient gap
// <C + η∇Ω(G), G − G_c> + ε(Σ G log G − Σ G_c log G_c), a lower bound on
// the optimum up to the accuracy of the Sinkhorn solves. The zero value
// uses POT's defaults where they are scale-free (10 outer iterations, the
// stopping threshold 1e-9) and relative ones where POT's are absolute:
// η = 0.1·max|C| (POT's η = 0.1 on a cost normalized to max 1, as in its
// domain-adaptation examples) and Sinkhorn solves run to their tolerance
// (POT stops them after 200 sweeps); it stops when the
// conditional-gradient gap is at most GapTol (docs/sumofnorms.md §7).
type GroupLasso struct {
	// Eps is the entropic weight ε (POT's reg) in cost units; 0 means
	// the sinkhorn package's default, 0.05·std(C).
	Eps float64
	// Eta is the group-lasso weight η in cost units; 0 means 0.1 times
	// the largest finite |C|.
	Eta float64
	// Labels are the row classes; nil means one class.
	Labels []int
	// MaxIter bounds the conditional-gradient iterations; 0 means 2000
	// (POT's numItermax is 10).
	MaxIter int
	// InnerMaxIter bounds the Sinkhorn sweeps of each linearized problem;
	// 0 means the sinkhorn package's default (POT's numInnerItermax is
	// 200).
	InnerMaxIter int
	// Tol is the marginal tolerance of the Sinkhorn solves, relative to
	// the mass; Converged promises MarginalError ≤ Tol·ΣA. 0 means 1e-9.
	Tol float64
	// StopThr stops when the objective changes by less than StopThr
	// relative (POT's stopInnerThr); 0 means 1e-9.
	StopThr float64
	// GapTol stops (Converged) when the conditional-gradient gap is at
	// most GapTol·|Value|; 0 means 1e-6.
	GapTol float64
	// Workers is passed to the Sinkhorn solves.
	Workers int
	// Progress, if not nil, is called after each outer iteration with the
	// relative conditional-gradient gap.
	Progress ot.Progress
}

// Solve runs the conditional-gradient iteration on p.
func (s *GroupLasso) Solve(ctx context.Context, p *ot.Problem) (*ot.Result, error) {
	eta, maxIter, inner, tol, stop := s.Eta, s.MaxIter, s.InnerMaxIter, s.Tol, s.StopThr
	for _, v := range []float64{s.Eps, s.Eta, s.Tol, s.StopThr, s.GapTol} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("%w: sumofnorms: group lasso setting %v", ot.ErrNonFinite, v)
		}
		if v < 0 {
			return nil, fmt.Errorf("%w: sumofnorms: group lasso setting %v < 0", ot.ErrParameter, v)
		}
	}
	if s.MaxIter < 0 || s.InnerMaxIter < 0 || s.Workers < 0 {
		return nil, fmt.Errorf("%w: sumofnorms: negative iteration count or workers", ot.ErrParameter)
	}
	gapTol := s.GapTol
	if gapTol == 0 {
		gapTol = 1e-6
	}
	if maxIter == 0 {
		maxIter = 2000
	}
	if tol == 0 {
		tol = 1e-9
	}
	if stop == 0 {
		stop = 1e-9
	}
	if p == nil {
		return nil, fmt.Errorf("%w: sumofnorms: nil problem", ot.ErrEmpty)
	}
	if err := p.ValidateFor("sumofnorms.GroupLasso", ot.Support{}, nil); err != nil {
		return nil, err
	}
	if err := checkLabels(p, s.Labels); err != nil {
		return nil, err
	}
	if ctx == nil {
		ctx = context.Background()
	}
	n, m := p.Dims()
	labels := s.Labels
	if labels == nil {
		labels = make([]int, n)
	}
	groups := classes(labels)
	canceled := func() (*ot.Result, error) {
		plan := &ot.SparsePlan{N: n, M: m, RowPtr: make([]int, n+1)}
		return &ot.Result{Status: ot.Canceled, Plan: plan, MarginalError: ot.MarginalError(plan, p.A, p.B)}, nil
	}
	cost := make([]float64, n*m)
	for i := 0; i < n; i++ {
		if i%64 == 0 && ctx.Err() != nil {
			return canceled()
		}
		p.C.Row(i, cost[i*m:(i+1)*m])
	}
	// Normalize the cost (and ε, η) by the power of two that brings its
	// largest finite |entry| into [1, 2): exact, so that cost scales from
	// 1e-300 to 1e300 give the same plan.
	var cmax float64
	for _, v := range cost {
		if !math.IsInf(v, 1) {
			cmax = math.Max(cmax, math.Abs(v))
		}
	}
	ke := 0
	if cmax > 0 {
		_, e := math.Frexp(cmax)
		ke = e - 1
	}
	forbidden := false
	for k := range cost {
		cost[k] = math.Ldexp(cost[k], -ke)
		forbidden = forbidden || math.IsInf(cost[k], 1)
	}
	if eta == 0 {
		eta = 0.1 * cmax
	}
	eta = math.Ldexp(eta, -ke)
	mass := p.Mass()
	sk := &sinkhorn.Solver{Eps: math.Ldexp(s.Eps, -ke), MaxIter: inner, Tol: tol * mass, Workers: s.Workers}
	if sk.Eps == 0 {
		// The default ε of the original cost, for every linearized problem.
		sk.Eps = defaultEps(cost)
	}
	eps := sk.Eps

	K := len(groups)
	class := make([]int, n)
	for c, rows := range groups {
		for _, i := range rows {
			class[i] = c
		}
	}
	sq := make([]float64, K*m)
	// sumSq fills sq with Σ_{i∈I_c} G_ij², row by row.
	sumSq := func(G []float64) {
		clear(sq)
		for i := 0; i < n; i++ {
			q := sq[class[i]*m : (class[i]+1)*m]
			for j, v := range G[i*m : (i+1)*m] {
				q[j] += v * v
			}
		}
	}
	groupNorm := func(G []float64) float64 {
		sumSq(G)
		var s float64
		for _, v := range sq {
			s += math.Sqrt(v)
		}
		return s
	}
	negEnt := func(G []float64) float64 {
		var s float64
		for _, v := range G {
			if v > 0 {
				s += v * math.Log(v)
			}
		}
		return s
	}
	objective := func(ctx context.Context, G []float64) float64 {
		var lin float64
		for i := 0; i < n; i++ {
			if i%64 == 0 && ctx.Err() != nil {
				return math.Inf(1)
			}
			for k := i * m; k < (i+1)*m; k++ {
				if v := G[k]; v > 0 {
					lin += v * cost[k]
				}
			}
		}
		return lin + eps*negEnt(G) + eta*groupNorm(G)
	}
	grad := func(G, W []float64) { // W = ∇Ω(G), 0 on zero groups (POT 0.8)
		sumSq(G)
		for k := range sq {
			sq[k] = math.Sqrt(sq[k])
		}
		for i := 0; i < n; i++ {
			q := sq[class[i]*m : (class[i]+1)*m]
			for j, v := range G[i*m : (i+1)*m] {
				if q[j] > 0 {
					W[i*m+j] = v / q[j]
				} else {
					W[i*m+j] = 0
				}
			}
		}
	}

	G := make([]float64, n*m)
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			if !math.IsInf(cost[i*m+j], 1) {
				G[i*m+j] = p.A[i] * p.B[j] / mass
			}
		}
	}
	W := make([]float64, n*m)
	Mi := make([]float64, n*m)
	D := make([]float64, n*m)
	trial := make([]float64, n*m)
	fval := objective(ctx, G)
	if ctx.Err() != nil {
		return canceled()
	}
	res := &ot.Result{Status: ot.IterationLimit}
	gapAbs := math.Inf(1)
	lower := math.Inf(-1)
	it := 0
	for it < maxIter {
		if ctx.Err() != nil {
			res.Status = ot.Canceled
			break
		}
		it++
		old := fval
		grad(G, W)
		for k := range Mi {
			Mi[k] = cost[k] + eta*W[k]
		}
		sr, err := sk.Solve(ctx, &ot.Problem{A: p.A, B: p.B, C: &ot.DenseCost{N: n, M: m, Data: Mi}})
		if err != nil {
			// The problem was validated: a refused linearized cost (NaN
			// from η·W overflowing at extreme η/max|C|) is a numerical
			// failure, not bad input. The last iterate G is returned.
			res.Status = ot.NumericalError
			break
		}
		if sr.Status == ot.Canceled {
			if it == 1 {
				return canceled()
			}
			res.Status = ot.Canceled
			break
		}
		Gc := ot.DenseCopy(sr.Plan).RawMatrix().Data
		if it == 1 && forbidden {
			// a⊗b/mass without the forbidden pairs is not a plan: start
			// from the first Sinkhorn plan instead (a step of 1).
			copy(G, Gc)
			fval = objective(ctx, G)
			continue
		}
		// The conditional-gradient gap at G, and the direction.
		var derphi, lin float64
		for k := range D {
			D[k] = Gc[k] - G[k]
			if !math.IsInf(cost[k], 1) {
				lin += Mi[k] * (G[k] - Gc[k])
				if G[k] > 0 {
					derphi += D[k] * (Mi[k] + eps*(1+math.Log(G[k])))
				}
			}
		}
		gapAbs = lin + eps*(negEnt(G)-negEnt(Gc))
		rel := gapAbs / math.Max(math.Abs(fval), 1e-300)
		res.History = append(res.History, rel)
		if s.Progress != nil {
			s.Progress(it, rel)
		}
		lower = math.Max(lower, fval-math.Max(0, gapAbs))
		if rel <= gapTol {
			res.Status = ot.Converged
			break
		}
		phi := func(alpha float64) float64 {
			if ctx.Err() != nil {
				return math.Inf(1)
			}
			for k := range trial {
				trial[k] = G[k] + alpha*D[k]
			}
			return objective(ctx, trial)
		}
		alpha, fnew := armijo(phi, fval, derphi)
		if ctx.Err() != nil {
			res.Status = ot.Canceled
			break
		}
		for k := range G {
			G[k] += alpha * D[k]
		}
		fval = fnew
		if alpha == 0 {
			// No descent step along the conditional-gradient direction
			// while the gap is above GapTol: stuck.
			res.Status = ot.Stalled
			fval = old
			break
		}
		abs := math.Abs(fval - old)
		if abs/math.Abs(fval) < stop || abs < stop {
			res.Status = ot.Converged
			break
		}
	}
	res.Iterations = it
	if !forbidden && res.Status != ot.Canceled {
		// The convex combination of Sinkhorn plans is within their
		// tolerance of U(a,b); round it onto U(a,b) (docs/sumofnorms.md
		// §4.2) so that the returned MarginalError is at round-off level.
		roundDense(G, p.A, p.B, n, m)
	}
	plan := &ot.DensePlan{N: n, M: m, Data: G}
	res.Plan = plan
	var lin float64
	for k, v := range G {
		if v > 0 {
			lin += v * cost[k]
		}
	}
	res.LinearCost = math.Ldexp(lin, ke)
	val := objective(context.Background(), G)
	dual := math.Min(val, lower)
	res.Value, res.DualValue = math.Ldexp(val, ke), math.Ldexp(dual, ke)
	res.MarginalError = ot.MarginalError(plan, p.A, p.B)
	if res.Status == ot.Converged && res.MarginalError > tol*mass {
		res.Status = ot.IterationLimit
	}
	if !isFinite(res.Value) || !isFinite(res.DualValue) || !isFinite(res.LinearCost) ||
		!isFinite(res.MarginalError) || !allFinite(G) {
		res.Status = ot.NumericalError
	}
	return res, nil
}

// armijo is scipy's scalar_search_armijo (c1 = 1e-4, α0 = 0.99, amin = 0)
// as POT's line_search_armijo uses it, with α clipped to [0, 1]. It
// returns α = 0 and φ(0) when no step is accepted.
func armijo(phi func(float64) float64, phi0, derphi0 float64) (float64, float64) {
	const c1 = 1e-4
	a0 := 0.99
	p0 := phi(a0)
	if p0 <= phi0+c1*a0*derphi0 {
		return a0, p0
	}
	a1 := -derphi0 * a0 * a0 / 2 / (p0 - phi0 - derphi0*a0)
	a1 = math.Min(math.Max(a1, 0), 1)
	p1 := phi(a1)
	if p1 <= phi0+c1*a1*derphi0 {
		return a1, p1
	}
	for k := 0; a1 > 0 && k < 100; k++ {
		factor := a0 * a0 * a1 * a1 * (a1 - a0)
		a := (a0*a0*(p1-phi0-derphi0*a1) - a1*a1*(p0-phi0-derphi0*a0)) / factor
		b := (-a0*a0*a0*(p1-phi0-derphi0*a1) + a1*a1*a1*(p0-phi0-derphi0*a0)) / factor
		a2 := (-b + math.Sqrt(math.Abs(b*b-3*a*derphi0))) / (3 * a)
		if math.IsNaN(a2) || a2 < 0 {
			a2 = a1 / 2
		}
		a2 = math.Min(a2, 1)
		p2 := phi(a2)
		if p2 <= phi0+c1*a2*derphi0 {
			return a2, p2
		}
		if a1-a2 > a1/2 || 1-a2/a1 < 0.96 {
			a2 = a1 / 2
		}
		a0, a1, p0, p1 = a1, a2, p1, p2
		if a1 < 1e-12 {
			break
		}
	}
	return 0, phi0
}

// defaultEps is the sinkhorn package's default ε: 0.05 times the
// population standard deviation of the finite costs, or 1 when zero.
func defaultEps(c []float64) float64 {
	var s, q float64
	k := 0
	for _, v := range c {
		if !math.IsInf(v, 1) {
			s += v
			k++
		}
	}
	mean := s / float64(k)
	for _, v := range c {
		if !math.IsInf(v, 1) {
			q += (v - mean) * (v - mean)
		}
	}
	sd := math.Sqrt(q / float64(k))
	if sd == 0 {
		return 1
	}
	return 0.05 * sd
}

func isFinite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

func allFinite(x []float64) bool {
	for _, v := range x {
		if !isFinite(v) {
			return false
		}
	}
	return true
}

// roundDense rounds the n×m plan G ≥ 0 onto U(a,b) in place: rows, then
// columns scaled down to their marginals, then the missing masses added
// as a rank-one term (Altschuler, Weed, Rigollet 2017).
func roundDense(G, a, b []float64, n, m int) {
	for i := 0; i < n; i++ {
		row := G[i*m : (i+1)*m]
		if r := floats.Sum(row); r > a[i] {
			floats.Scale(a[i]/r, row)
		}
	}
	c := make([]float64, m)
	for i := 0; i < n; i++ {
		floats.Add(c, G[i*m:(i+1)*m])
	}
	for j := range c {
		c[j] = math.Min(1, b[j]/c[j])
		if math.IsNaN(c[j]) {
			c[j] = 1
		}
	}
	er := make([]float64, n)
	for i := 0; i < n; i++ {
		row := G[i*m : (i+1)*m]
		floats.Mul(row, c)
		er[i] = math.Max(0, a[i]-floats.Sum(row))
	}
	ec := slices.Clone(b)
	for i := 0; i < n; i++ {
		floats.Sub(ec, G[i*m:(i+1)*m])
	}
	for j := range ec {
		ec[j] = math.Max(0, ec[j])
	}
	sr := floats.Sum(er)
	if sr == 0 || floats.Sum(ec) == 0 {
		return
	}
	for i, e := range er {
		if e > 0 {
			floats.AddScaled(G[i*m:(i+1)*m], e/sr, ec)
		}
	}
}
