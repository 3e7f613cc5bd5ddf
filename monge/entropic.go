package monge

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/otkit/otkit/internal/lse"
	"github.com/otkit/otkit/internal/parallel"
	"github.com/otkit/otkit/ot"
	"github.com/otkit/otkit/sinkhorn"
)

// MapSettings configure the entropic map estimators. The zero value is
// ready to use.
type MapSettings struct {
	// Eps is ε in units of the cost (‖x − y‖² for EntropicMap, the elastic
	// h(x − y), which carries a ½, for ElasticMap); zero means sinkhorn's
	// default, 0.05 times the standard deviation of the cost entries.
	// Negative or non-finite values are errors.
	Eps float64
	// Solver solves the entropic problem between the samples; its Eps and
	// Init are ignored. The zero value is sinkhorn's default solver.
	Solver sinkhorn.Solver
	// Workers is the number of goroutines of the solve (when Solver.Workers
	// is zero) and of Apply; zero means one. Results are bitwise identical
	// for any value.
	Workers int
}

// entropic is what both estimators keep: the targets and their potential.
type entropic struct {
	y       *mat.Dense
	yt      []float64 // y by coordinate: yt[k·m + j] = y_j[k]
	g       []float64 // G_j of the plan exp((F_i + G_j − C_ij)/ε), log b_j included
	eps     float64
	workers int
	res     *ot.Result
}

// EntropicMap is the entropic map estimator of Pooladian & Niles-Weed for
// the cost ‖x − y‖² (docs/monge.md §7):
//
//	T_ε(x) = Σ_j p_j(x) y_j,  p_j(x) = softmax_j((G_j − ‖x − y_j‖²)/ε),
//
// with G the target potential of the entropic problem between the samples.
// It is the barycentric projection of the entropic plan extended out of
// sample, biased toward the target mean at finite ε.
type EntropicMap struct {
	entropic
}

// ElasticMap is the entropic map estimator for the elastic cost
// h(z) = ½‖z‖² + γτ(z) (Cuturi, Klein & Ablin 2023; docs/monge.md §7):
//
//	T(x) = x − prox_{γτ}(Σ_j p_j(x) [(x − y_j) + γ∇τ(x − y_j)]),
//	p_j(x) = softmax_j((G_j − h(x − y_j))/ε).
//
// (for STVS, h(z) = ½‖z‖² + τ_γ(z) and the prox is that of τ_γ). For ℓ1 and
// STVS the displacement T(x) − x has exact zeros where the average has
// magnitude ≤ γ, so its support is read without a threshold; for the
// smoothed ℓ0 coordinates are shrunk, never exactly zero (its prox does not
// threshold, docs/monge.md §5), so sparse displacements call for ℓ1 or STVS.
type ElasticMap struct {
	entropic
	cost ot.ElasticCost
}

// Result returns the Sinkhorn solve between the samples.
func (e *entropic) Result() *ot.Result { return e.res }

// Eps returns the ε of the fit.
func (e *entropic) Eps() float64 { return e.eps }

// Dim returns the dimension of the points.
func (e *entropic) Dim() int { _, d := e.y.Dims(); return d }

// NewEntropicMap fits the Pooladian–Niles-Weed map from the samples x (n×d)
// to y (m×d) with uniform weights. Bad input (empty or mismatched sets,
// non-finite coordinates, ε < 0) returns an error wrapping an ot sentinel;
// an unconverged or canceled solve is reported by Result().Status and still
// gives a map. A nil ctx means context.Background().
func NewEntropicMap(ctx context.Context, x, y *mat.Dense, s *MapSettings) (*EntropicMap, error) {
	e, err := fitEntropic(ctx, x, y, &ot.PointCloud{X: x, Y: y}, s)
	if err != nil {
		return nil, err
	}
	return &EntropicMap{*e}, nil
}

// NewElasticMap fits the elastic-cost entropic map from x to y for the cost
// c; see NewEntropicMap for errors. For the smoothed ℓ0 penalty γ must be at
// most e^{3/2}s²/2 (h convex); ℓ1 and STVS accept every γ ≥ 0.
func NewElasticMap(ctx context.Context, x, y *mat.Dense, c ot.ElasticCost, s *MapSettings) (*ElasticMap, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	e, err := fitEntropic(ctx, x, y, &ot.PointCloud{X: x, Y: y, Metric: ot.Elastic, Elastic: &c}, s)
	if err != nil {
		return nil, err
	}
	return &ElasticMap{*e, c}, nil
}

func fitEntropic(ctx context.Context, x, y *mat.Dense, pc *ot.PointCloud, s *MapSettings) (*entropic, error) {
	if s == nil {
		s = &MapSettings{}
	}
	if err := checkPair("x", x, "y", y, false); err != nil {
		return nil, err
	}
	if !(s.Eps >= 0) || math.IsInf(s.Eps, 0) {
		return nil, fmt.Errorf("%w: monge: ε = %v (want a finite number > 0, or 0 for the default)", ot.ErrParameter, s.Eps)
	}
	if s.Workers < 0 {
		return nil, fmt.Errorf("%w: monge: Workers = %d (want ≥ 0)", ot.ErrParameter, s.Workers)
	}
	if ctx == nil {
		ctx = context.Background()
	}
	n, _ := x.Dims()
	m, _ := y.Dims()
	sv := s.Solver
	sv.Eps, sv.Init = s.Eps, nil
	if sv.Eps == 0 {
		sv.Eps = sinkhorn.DefaultEps(pc)
	}
	if sv.Workers == 0 {
		sv.Workers = s.Workers
	}
	res, err := sv.Solve(ctx, &ot.Problem{A: ot.Uniform(n), B: ot.Uniform(m), C: pc})
	if err != nil {
		return nil, err
	}
	_, d := y.Dims()
	yt := make([]float64, d*m)
	for j := 0; j < m; j++ {
		for k, v := range y.RawRowView(j) {
			yt[k*m+j] = v
		}
	}
	return &entropic{y: mat.DenseCopyOf(y), yt: yt, g: res.G, eps: sv.Eps, workers: max(s.Workers, 1), res: res}, nil
}

// weights stores the softmax weights p_j(x) ∝ exp((G_j − c_j)/ε) in p,
// given the costs c_j in p.
func (e *entropic) weights(p []float64) {
	big := math.Inf(-1)
	for j, c := range p {
		p[j] = (e.g[j] - c) / e.eps
		big = math.Max(big, p[j])
	}
	var sum float64
	for j, v := range p {
		p[j] = math.Exp(v - big)
		sum += p[j]
	}
	for j := range p {
		p[j] /= sum
	}
}

// work is the scratch space of one query.
type work struct{ p, c, z, acc []float64 }

func (e *entropic) newWork() *work {
	m, d := e.y.Dims()
	return &work{p: make([]float64, m), c: make([]float64, m), z: make([]float64, d), acc: make([]float64, d)}
}

// Map returns T_ε(x). It panics if len(x) is not the dimension of the
// samples.
func (t *EntropicMap) Map(x []float64) []float64 {
	return t.mapTo(make([]float64, len(x)), x, t.newWork())
}

func (t *EntropicMap) mapTo(dst, x []float64, w *work) []float64 {
	m, d := t.y.Dims()
	if len(x) != d {
		panic(fmt.Sprintf("monge: query of dimension %d, map of dimension %d", len(x), d))
	}
	// The costs by the vectorized kernels of internal/lse, then the
	// softmax p_j ∝ exp((G_j − c_j)/ε) shifted by its largest exponent.
	lse.SqDistRow(w.c, x, t.yt)
	big := math.Inf(-1)
	for j, c := range w.c {
		big = math.Max(big, t.g[j]-c)
	}
	lse.AffineExpTo(w.p, -big, t.g, w.c, 1/t.eps)
	inv := 1 / floats.Sum(w.p)
	for k := range dst {
		dst[k] = inv * floats.Dot(w.p, t.yt[k*m:(k+1)*m])
	}
	return dst
}

// Map returns T(x). It panics if len(x) is not the dimension of the samples.
func (t *ElasticMap) Map(x []float64) []float64 {
	return t.mapTo(make([]float64, len(x)), x, t.newWork())
}

func (t *ElasticMap) mapTo(dst, x []float64, w *work) []float64 {
	m, d := t.y.Dims()
	if len(x) != d {
		panic(fmt.Sprintf("monge: query of dimension %d, map of dimension %d", len(x), d))
	}
	yr := t.y.RawMatrix()
	for j := 0; j < m; j++ {
		subTo(w.z, x, yr.Data[j*yr.Stride:j*yr.Stride+d])
		w.p[j] = t.cost.H(w.z)
	}
	t.weights(w.p)
	clear(w.acc)
	for j, pj := range w.p {
		subTo(w.z, x, yr.Data[j*yr.Stride:j*yr.Stride+d])
		t.cost.GradH(w.z, w.z)
		for k := range w.acc {
			w.acc[k] += pj * w.z[k]
		}
	}
	t.cost.Prox(w.acc, w.acc)
	for k := range dst {
		dst[k] = x[k] - w.acc[k]
	}
	return dst
}

// Apply maps every row of q (in parallel over rows; each row is computed on
// one goroutine, so the result does not depend on Workers). Errors: q empty,
// of another dimension or with non-finite entries (wrapping ot sentinels),
// or ctx's error when ctx ends before every row is mapped.
func (t *EntropicMap) Apply(ctx context.Context, q *mat.Dense) (*mat.Dense, error) {
	return t.apply(ctx, q, t.mapTo)
}

// Apply maps every row of q; see EntropicMap.Apply.
func (t *ElasticMap) Apply(ctx context.Context, q *mat.Dense) (*mat.Dense, error) {
	return t.apply(ctx, q, t.mapTo)
}

// applyChunk is the number of query rows per parallel chunk.
const applyChunk = 64

func (e *entropic) apply(ctx context.Context, q *mat.Dense, f func(dst, x []float64, w *work) []float64) (*mat.Dense, error) {
	if err := checkPoints("query", q); err != nil {
		return nil, err
	}
	if ctx == nil {
		ctx = context.Background()
	}
	n, d := q.Dims()
	if d != e.Dim() {
		return nil, fmt.Errorf("%w: monge: query points have dimension %d, the map %d", ot.ErrShape, d, e.Dim())
	}
	out := mat.NewDense(n, d, nil)
	ws := make([]*work, e.workers)
	for k := range ws {
		ws[k] = e.newWork()
	}
	parallel.For(e.workers, parallel.Chunks(n, applyChunk), func(w, k int) {
		if ctx.Err() != nil {
			return
		}
		lo, hi := parallel.Bounds(k, applyChunk, n)
		for i := lo; i < hi; i++ {
			f(out.RawRowView(i), q.RawRowView(i), ws[w])
		}
	})
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("monge: Apply: %w", err)
	}
	return out, nil
}
