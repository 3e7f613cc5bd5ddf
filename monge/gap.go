package monge

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/otkit/otkit/internal/parallel"
	"github.com/otkit/otkit/ot"
	"github.com/otkit/otkit/sinkhorn"
)

// Cost is the ground cost c(x, y) of the Monge gap and of the fitting loss.
// The zero value is the SqEuclidean cost ‖x − y‖² (no ½).
type Cost struct {
	// Metric is ot.SqEuclidean (the zero value), ot.Euclidean or ot.Elastic;
	// other metrics are rejected with ot.ErrParameter.
	Metric ot.Metric
	// Elastic holds the parameters of the ot.Elastic metric
	// h(z) = ½‖z‖² + γτ(z), c(x, y) = h(x − y).
	Elastic ot.ElasticCost
}

// Settings configure Gap and Divergence. The zero value is ready to use:
// SqEuclidean cost, the sinkhorn.Solver defaults (tolerance 1e-9 on the
// marginal error), one goroutine.
type Settings struct {
	// Cost is the ground cost; the zero value is SqEuclidean.
	Cost Cost
	// Solver solves the entropic problems; its Eps is ignored (ε is an
	// argument) and its Init is ignored. The zero value is sinkhorn's
	// default solver.
	Solver sinkhorn.Solver
	// Workers is the number of goroutines for the solves (when
	// Solver.Workers is zero) and the gradients; zero means one. Results
	// are bitwise identical for any value.
	Workers int
}

// GapResult is the entropic Monge gap of a map on a sample and its gradient.
type GapResult struct {
	// Value is the estimator MG_ε = (1/n) Σ_i c(x_i, T(x_i)) − W_ε, with
	// W_ε the entropy-form regularized optimum between the uniform
	// measures on x and T(x) (docs/monge.md §2). It is ≥ Floor.
	Value float64
	// Floor is ε·log n, the value of MG_ε for a map that is c-optimal on
	// the sample as ε → 0; Value − Floor is the n-independent diagnostic.
	Floor float64
	// Grad is ∂MG_ε/∂T(x_j), one row per mapped point (the reference
	// points get no gradient).
	Grad *mat.Dense
	// Solve is the Sinkhorn solve of OT_ε(x, T(x)).
	Solve *ot.Result
	// Status is the solve's status; the gradient is exact only for a
	// converged solve (envelope theorem).
	Status ot.Status
}

// DivergenceResult is the fitting loss S_ε(T#μ, ν) between two samples and
// its gradient with respect to the first.
type DivergenceResult struct {
	// Value is the Sinkhorn divergence S_ε = OT_ε(x, y) − ½OT_ε(x, x) −
	// ½OT_ε(y, y) between the uniform measures on x and y.
	Value float64
	// Grad is ∂S_ε/∂x_i, one row per point of x.
	Grad *mat.Dense
	// Status is the worst status of the three solves.
	Status ot.Status
}

// Gap returns the entropic Monge gap of the map x_i ↦ tx_i at ε under the
// zero Settings (SqEuclidean cost). See Settings.Gap.
func Gap(ctx context.Context, x, tx *mat.Dense, eps float64) (*GapResult, error) {
	return (&Settings{}).Gap(ctx, x, tx, eps)
}

// Divergence returns the Sinkhorn divergence S_ε(x, y) and its gradient with
// respect to x under the zero Settings. See Settings.Divergence.
func Divergence(ctx context.Context, x, y *mat.Dense, eps float64) (*DivergenceResult, error) {
	return (&Settings{}).Divergence(ctx, x, y, eps)
}

// Gap returns the entropic Monge-gap estimator (Uscidda & Cuturi 2023)
// of the map x_i ↦ tx_i (rows of x and tx are the reference points and
// their images), with uniform weights:
//
//	MG_ε = (1/n) Σ_i c(x_i, tx_i) − W_ε,  W_ε = min_P <P, C> − ε H(P),
//	C_ij = c(x_i, tx_j),
//
// and its gradient ∂MG_ε/∂tx_j = (1/n)∇₂c(x_j, tx_j) − Σ_i P_ij ∇₂c(x_i, tx_j)
// (docs/monge.md §2). Bad input (empty or mismatched sets, non-finite
// coordinates, ε ≤ 0, an unsupported cost) returns an error wrapping an ot
// sentinel; an unconverged or canceled solve is reported in Status. A nil
// ctx means context.Background().
func (s *Settings) Gap(ctx context.Context, x, tx *mat.Dense, eps float64) (*GapResult, error) {
	return s.gap(ctx, x, tx, eps, nil)
}

// gap is Gap with the solve warm-started from the row potential initF
// (nil: a cold start).
func (s *Settings) gap(ctx context.Context, x, tx *mat.Dense, eps float64, initF []float64) (*GapResult, error) {
	if err := checkPair("x", x, "tx", tx, true); err != nil {
		return nil, err
	}
	if err := s.check(eps); err != nil {
		return nil, err
	}
	if ctx == nil {
		ctx = context.Background()
	}
	n, d := x.Dims()
	p := &ot.Problem{A: ot.Uniform(n), B: ot.Uniform(n), C: s.Cost.cloud(x, tx)}
	sv := s.solver(eps)
	if initF != nil {
		sv.Init = &ot.Potentials{F: initF}
	}
	res, err := sv.Solve(ctx, p)
	if err != nil {
		return nil, err
	}
	phi := s.Cost.phi()
	var diag float64
	z := make([]float64, d)
	for i := 0; i < n; i++ {
		subTo(z, x.RawRowView(i), tx.RawRowView(i))
		diag += s.Cost.value(z)
	}
	diag /= float64(n)
	// W_ε = Value_K − ε(H(a) + H(b)) for probability weights.
	h := math.Log(float64(n))
	g := &GapResult{Floor: eps * h, Solve: res, Status: res.Status,
		Value: diag - (res.Value - 2*eps*h)}
	// ∂MG/∂tx_j = −(1/n) φ(x_j − tx_j) + Σ_i P_ij φ(x_i − tx_j), with
	// ∇₁c(x, y) = φ(x − y) = −∇₂c(x, y).
	g.Grad = planGrad(s.workers(), tx, x, res.G, res.F, eps, phi, s.Cost.value)
	g.Grad.Scale(-1, g.Grad) // φ is odd: Σ_i P_ij φ(x_i − tx_j) = −R_j
	inv := 1 / float64(n)
	for j := 0; j < n; j++ {
		subTo(z, x.RawRowView(j), tx.RawRowView(j))
		phi(z, z)
		row := g.Grad.RawRowView(j)
		for k := range row {
			row[k] -= inv * z[k]
		}
	}
	return g, nil
}

// Divergence returns the debiased Sinkhorn divergence between the uniform
// measures on the rows of x and y,
//
//	S_ε = OT_ε(x, y) − ½ OT_ε(x, x) − ½ OT_ε(y, y)   (KL form),
//
// and its gradient with respect to the points x (docs/monge.md §3):
// ∂S/∂x_i = Σ_j P^xy_ij ∇₁c(x_i, y_j) − Σ_k P̄^xx_ik ∇₁c(x_i, x_k), with
// P̄^xx the symmetrized self plan. For the SqEuclidean cost it is
// sinkhorn.Solver.Divergence. Errors and statuses as for Gap.
func (s *Settings) Divergence(ctx context.Context, x, y *mat.Dense, eps float64) (*DivergenceResult, error) {
	if err := checkPair("x", x, "y", y, false); err != nil {
		return nil, err
	}
	if err := s.check(eps); err != nil {
		return nil, err
	}
	if ctx == nil {
		ctx = context.Background()
	}
	n, _ := x.Dims()
	m, _ := y.Dims()
	sv := s.solver(eps)
	p := &ot.Problem{A: ot.Uniform(n), B: ot.Uniform(m), C: s.Cost.cloud(x, y)}
	dv, err := sv.Divergence(ctx, p)
	if err != nil {
		return nil, err
	}
	if dv.GradX != nil {
		return &DivergenceResult{Value: dv.Value, Grad: dv.GradX, Status: dv.Status}, nil
	}
	// Other costs: the general gradient of docs/monge.md §3 from the
	// three plans (sinkhorn solves the self terms with symmetric updates).
	phi := s.Cost.phi()
	w := s.workers()
	gxy := planGrad(w, x, y, dv.XY.F, dv.XY.G, eps, phi, s.Cost.value)
	// x–x: the points are rows and columns; the symmetrized plan is the
	// average of the row-side and column-side gradients.
	g1 := planGrad(w, x, x, dv.XX.F, dv.XX.G, eps, phi, s.Cost.value)
	g2 := planGrad(w, x, x, dv.XX.G, dv.XX.F, eps, phi, s.Cost.value)
	g1.Add(g1, g2)
	g1.Scale(0.5, g1)
	gxy.Sub(gxy, g1)
	return &DivergenceResult{Value: dv.Value, Grad: gxy, Status: dv.Status}, nil
}

// extendF returns the row potential of the points u against the columns v
// with column potential G (log b_j included) and uniform row weights:
// F_i = −ε log n − ε LSE_j((G_j − c(u_i, v_j))/ε), the soft c-transform
// that the first Sinkhorn half-step computes. It carries the potential of
// one problem to another with new row points (a warm start, docs/monge.md
// §4), in parallel over rows (deterministic).
func extendF(workers int, u, v *mat.Dense, G []float64, eps float64, cost func(z []float64) float64) []float64 {
	n, d := u.Dims()
	m, _ := v.Dims()
	out := make([]float64, n)
	const chunk = 16
	zs := make([][]float64, max(workers, 1))
	es := make([][]float64, max(workers, 1))
	for k := range zs {
		zs[k], es[k] = make([]float64, d), make([]float64, m)
	}
	logn := math.Log(float64(n))
	parallel.For(workers, parallel.Chunks(n, chunk), func(w, k int) {
		z, e := zs[w], es[w]
		lo, hi := parallel.Bounds(k, chunk, n)
		for i := lo; i < hi; i++ {
			ui := u.RawRowView(i)
			big := math.Inf(-1)
			for j := 0; j < m; j++ {
				subTo(z, ui, v.RawRowView(j))
				e[j] = (G[j] - cost(z)) / eps
				big = math.Max(big, e[j])
			}
			var sum float64
			for _, v := range e {
				sum += math.Exp(v - big)
			}
			out[i] = -eps * (logn + big + math.Log(sum))
		}
	})
	for _, v := range out {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil // no usable warm start: a cold one
		}
	}
	return out
}

// planGrad returns R with R_i = Σ_j P_ij φ(u_i − v_j), P_ij =
// exp((F_i + G_j − c(u_i, v_j))/ε), in parallel over rows of u (each row
// on one goroutine: deterministic).
func planGrad(workers int, u, v *mat.Dense, F, G []float64, eps float64,
	phi func(dst, z []float64), cost func(z []float64) float64) *mat.Dense {
	n, d := u.Dims()
	m, _ := v.Dims()
	out := mat.NewDense(n, d, nil)
	const chunk = 16
	zs := make([][]float64, max(workers, 1))
	for k := range zs {
		zs[k] = make([]float64, d)
	}
	parallel.For(workers, parallel.Chunks(n, chunk), func(w, k int) {
		z := zs[w]
		lo, hi := parallel.Bounds(k, chunk, n)
		for i := lo; i < hi; i++ {
			ui := u.RawRowView(i)
			row := out.RawRowView(i)
			if math.IsInf(F[i], -1) {
				continue
			}
			for j := 0; j < m; j++ {
				subTo(z, ui, v.RawRowView(j))
				pij := math.Exp((F[i] + G[j] - cost(z)) / eps)
				if pij == 0 {
					continue
				}
				phi(z, z)
				for l := range row {
					row[l] += pij * z[l]
				}
			}
		}
	})
	return out
}

// subTo stores a − b in dst.
func subTo(dst, a, b []float64) {
	for k := range dst {
		dst[k] = a[k] - b[k]
	}
}

func (s *Settings) workers() int { return max(s.Workers, 1) }

// solver returns the Sinkhorn solver at ε.
func (s *Settings) solver(eps float64) *sinkhorn.Solver {
	sv := s.Solver
	sv.Eps = eps
	sv.Init = nil
	if sv.Workers == 0 {
		sv.Workers = s.Workers
	}
	return &sv
}

// check validates ε and the cost.
func (s *Settings) check(eps float64) error {
	if !(eps > 0) || math.IsInf(eps, 0) {
		return fmt.Errorf("%w: monge: ε = %v (want a finite number > 0)", ot.ErrParameter, eps)
	}
	if s.Workers < 0 {
		return fmt.Errorf("%w: monge: Workers = %d (want ≥ 0)", ot.ErrParameter, s.Workers)
	}
	return s.Cost.validate()
}

func (c *Cost) validate() error {
	switch c.Metric {
	case ot.SqEuclidean, ot.Euclidean:
		return nil
	case ot.Elastic:
		return c.Elastic.Validate()
	}
	return fmt.Errorf("%w: monge: metric %v (want sqeuclidean, euclidean or elastic)", ot.ErrParameter, c.Metric)
}

// cloud returns the point-cloud cost between the rows of u and v.
func (c *Cost) cloud(u, v *mat.Dense) *ot.PointCloud {
	pc := &ot.PointCloud{X: u, Y: v, Metric: c.Metric}
	if c.Metric == ot.Elastic {
		e := c.Elastic
		pc.Elastic = &e
	}
	return pc
}

// value returns c(x, y) for z = x − y.
func (c *Cost) value(z []float64) float64 {
	switch c.Metric {
	case ot.Euclidean:
		var s float64
		for _, v := range z {
			s += v * v
		}
		return math.Sqrt(s)
	case ot.Elastic:
		return c.Elastic.H(z)
	}
	var s float64
	for _, v := range z {
		s += v * v
	}
	return s
}

// normFloor is the norm below which the Euclidean cost's gradient is taken
// as 0 (it is undefined at 0 and ill-conditioned near it).
const normFloor = 1e-12

// phi returns the function storing ∇₁c(x, y) = φ(z), z = x − y, in dst
// (dst may alias z).
func (c *Cost) phi() func(dst, z []float64) {
	switch c.Metric {
	case ot.Euclidean:
		return func(dst, z []float64) {
			var s float64
			for _, v := range z {
				s += v * v
			}
			nrm := math.Sqrt(s)
			for k, v := range z {
				if nrm < normFloor {
					dst[k] = 0
				} else {
					dst[k] = v / nrm
				}
			}
		}
	case ot.Elastic:
		e := c.Elastic
		return func(dst, z []float64) { e.GradH(dst, z) }
	}
	return func(dst, z []float64) {
		for k, v := range z {
			dst[k] = 2 * v
		}
	}
}

// checkPair checks two point sets: non-empty, same dimension, finite
// coordinates, and with same, the same number of rows.
func checkPair(nx string, x *mat.Dense, ny string, y *mat.Dense, same bool) error {
	if err := checkPoints(nx, x); err != nil {
		return err
	}
	if err := checkPoints(ny, y); err != nil {
		return err
	}
	n, dx := x.Dims()
	m, dy := y.Dims()
	if dx != dy {
		return fmt.Errorf("%w: monge: %s points have dimension %d, %s points %d", ot.ErrShape, nx, dx, ny, dy)
	}
	if same && n != m {
		return fmt.Errorf("%w: monge: %d points %s but %d images %s", ot.ErrShape, n, nx, m, ny)
	}
	return nil
}

// checkPoints rejects nil, empty and non-finite point sets.
func checkPoints(name string, x *mat.Dense) error {
	if x == nil || x.IsEmpty() {
		return fmt.Errorf("%w: monge: no %s points", ot.ErrEmpty, name)
	}
	n, d := x.Dims()
	for i := 0; i < n; i++ {
		for k, v := range x.RawRowView(i)[:d] {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("%w: monge: %s[%d][%d] = %v", ot.ErrNonFinite, name, i, k, v)
			}
		}
	}
	return nil
}

// worst returns the least favourable status (NumericalError, Canceled,
// another unconverged status, Converged).
func worst(sts ...ot.Status) ot.Status {
	rank := func(s ot.Status) int {
		switch s {
		case ot.Converged:
			return 0
		case ot.Canceled:
			return 2
		case ot.NumericalError:
			return 3
		}
		return 1
	}
	w := ot.Converged
	for _, s := range sts {
		if rank(s) > rank(w) {
			w = s
		}
	}
	return w
}
