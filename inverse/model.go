package inverse

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync/atomic"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/otkit/otkit/internal/lse"
	"github.com/otkit/otkit/internal/parallel"
	"github.com/otkit/otkit/ot"
)

// ErrNotIdentifiable is returned (wrapped, with detail) for a cost model
// whose parameters the loss cannot determine: a constant column of X or Y
// in the bilinear model, or a basis cost of the form u_i + v_j in the linear
// model (adding u_i + v_j to a cost changes no transport plan). It matches
// ot.ErrParameter too.
var ErrNotIdentifiable = fmt.Errorf("%w: cost parameters not identifiable", ot.ErrParameter)

// Data is an observation and a cost model. Exactly one model is set:
//
//   - Bilinear, c_A(x, y) = −xᵀAy: X (n×dx) and Y (m×dy), one point per row.
//   - Linear, C_θ = Offset + Σ_k θ_k Basis[k]: the basis costs, each n×m.
//
// The observation is Coupling when it is non-nil: an n×m matrix P̂ ≥ 0 (a
// contingency table, an entropic plan between two clouds). It is scaled to
// unit mass and its marginals a = P̂1, b = P̂ᵀ1 are the marginals of the
// transport problem. When Coupling is nil the rows are observed pairs: n = m,
// row i is paired with column i, and P̂ = diag(w) with w = PairWeights
// normalized to unit mass (nil means uniform), so a = b = w.
//
// Rows and columns of zero observed weight are dropped: they change neither
// the loss nor its minimizers.
type Data struct {
	X, Y        *mat.Dense
	Basis       []*mat.Dense
	Offset      *mat.Dense
	Coupling    *mat.Dense
	PairWeights []float64
}

// Pairs returns the bilinear model observed through pairs (x_i, y_i), the
// rows of x and y, with uniform weights.
func Pairs(x, y *mat.Dense) *Data { return &Data{X: x, Y: y} }

// Coupled returns the bilinear model observed through a coupling p (n×m)
// between the points x (n rows) and y (m rows).
func Coupled(x, y, p *mat.Dense) *Data { return &Data{X: x, Y: y, Coupling: p} }

// Linear returns the linear model with the given basis costs, observed
// through p (n×m), or through pairs (row i with column i, uniform weights)
// when p is nil.
func Linear(p *mat.Dense, basis ...*mat.Dense) *Data { return &Data{Basis: basis, Coupling: p} }

// features is the linear map θ ↦ Φθ = Σ θ_k C_k and its adjoint, over the
// kept (positive-weight) rows and columns.
type features interface {
	size() int
	// costTo writes C_0 + Σ θ_k C_k, n×m row-major, into dst. It polls ctx
	// between chunks of work and returns false, dst partly written, once ctx
	// is done.
	costTo(ctx context.Context, dst, theta []float64) bool
	// adjoint writes (Φ*M)_k = <C_k, M> into dst for a dense n×m M, polling
	// ctx as costTo (false: canceled, dst partly written).
	adjoint(ctx context.Context, dst, M []float64) bool
	// row writes row i of C_θ into dst (length m).
	row(theta []float64, i int, dst []float64)
	// adjointDiag writes Φ*diag(w) (n = m).
	adjointDiag(dst, w []float64)
	// adjointOuter writes Φ*(a bᵀ).
	adjointOuter(dst, a, b []float64)
	// gram returns Σ_ij P_ij C_k,ij C_l,ij for k, l in idx (nil once ctx is
	// done).
	gram(ctx context.Context, P []float64, idx []int) *mat.Dense
	// margins writes ru_i = Σ_j P_ij C_k,ij and rv_j = Σ_i P_ij C_k,ij.
	margins(P []float64, k int, ru, rv []float64)
	// scale2 returns max_ij Σ_k C̃_k,ij², C̃_k doubly centered under a⊗b.
	scale2(a, b []float64) float64
}

// problem is the prepared, validated estimation problem.
type problem struct {
	n, m, s int
	dx, dy  int // bilinear model; 0 for the linear one
	a, b    []float64
	feat    features
	chat    []float64 // Φ*P̂
	c0hat   float64   // <C_0, P̂>
	g0      []float64 // ∇L(0) when C_0 = 0: Φ*(a⊗b) − Φ*P̂... stored as gradient at θ = 0 with plan a⊗b
	eps     float64
	ent     float64 // 1 + H(a) + H(b)
	hasOff  bool
	workers int
}

func checkMatrix(name string, m *mat.Dense) error {
	if m == nil {
		return fmt.Errorf("%w: %s is nil", ot.ErrEmpty, name)
	}
	r, c := m.Dims()
	if r == 0 || c == 0 {
		return fmt.Errorf("%w: %s is %d×%d", ot.ErrEmpty, name, r, c)
	}
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			if v := m.At(i, j); math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("%w: %s[%d,%d] = %v", ot.ErrNonFinite, name, i, j, v)
			}
		}
	}
	return nil
}

// observation returns the kept rows and columns and the dense observed
// coupling over them (nil for pairs, whose weights are a = b).
func (d *Data) observation(n, m int) (rows, cols []int, a, b, phat []float64, err error) {
	if d.Coupling == nil {
		if n != m {
			return nil, nil, nil, nil, nil, fmt.Errorf("%w: paired observations need as many rows in Y as in X (or as many columns as rows in the basis costs): %d and %d", ot.ErrShape, n, m)
		}
		w := d.PairWeights
		if w == nil {
			w = ot.Uniform(n)
		}
		if len(w) != n {
			return nil, nil, nil, nil, nil, fmt.Errorf("%w: %d pair weights for %d pairs", ot.ErrShape, len(w), n)
		}
		var tot float64
		for i, v := range w {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, nil, nil, nil, nil, fmt.Errorf("%w: PairWeights[%d] = %v", ot.ErrNonFinite, i, v)
			}
			if v < 0 {
				return nil, nil, nil, nil, nil, fmt.Errorf("%w: PairWeights[%d] = %v", ot.ErrNegativeWeight, i, v)
			}
			tot += v
		}
		if !(tot > 0) {
			return nil, nil, nil, nil, nil, fmt.Errorf("%w: pair weights sum to %v", ot.ErrZeroMass, tot)
		}
		for i, v := range w {
			if v > 0 {
				rows = append(rows, i)
				a = append(a, v/tot)
			}
		}
		return rows, rows, a, a, nil, nil
	}
	if err := checkMatrix("Coupling", d.Coupling); err != nil {
		return nil, nil, nil, nil, nil, err
	}
	pr, pc := d.Coupling.Dims()
	if pr != n || pc != m {
		return nil, nil, nil, nil, nil, fmt.Errorf("%w: coupling is %d×%d, the model is %d×%d", ot.ErrShape, pr, pc, n, m)
	}
	ra, cb := make([]float64, n), make([]float64, m)
	var tot float64
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			v := d.Coupling.At(i, j)
			if v < 0 {
				return nil, nil, nil, nil, nil, fmt.Errorf("%w: Coupling[%d,%d] = %v", ot.ErrNegativeWeight, i, j, v)
			}
			ra[i] += v
			cb[j] += v
			tot += v
		}
	}
	if !(tot > 0) || math.IsInf(tot, 0) {
		return nil, nil, nil, nil, nil, fmt.Errorf("%w: coupling mass %v", ot.ErrZeroMass, tot)
	}
	for i, v := range ra {
		if v > 0 {
			rows = append(rows, i)
		}
	}
	for j, v := range cb {
		if v > 0 {
			cols = append(cols, j)
		}
	}
	nk, mk := len(rows), len(cols)
	phat = make([]float64, nk*mk)
	a, b = make([]float64, nk), make([]float64, mk)
	for ii, i := range rows {
		for jj, j := range cols {
			v := d.Coupling.At(i, j) / tot
			phat[ii*mk+jj] = v
			a[ii] += v
			b[jj] += v
		}
	}
	return rows, cols, a, b, phat, nil
}

func entropy(w []float64) float64 {
	var h float64
	for _, v := range w {
		if v > 0 {
			h -= v * math.Log(v)
		}
	}
	return h
}

// prepare validates d and builds the problem at ε.
func (d *Data) prepare(eps float64, workers int) (*problem, error) {
	if d == nil {
		return nil, fmt.Errorf("%w: no data", ot.ErrEmpty)
	}
	bil := d.X != nil || d.Y != nil
	if bil && (d.Basis != nil || d.Offset != nil) {
		return nil, fmt.Errorf("%w: set either X, Y (bilinear model) or Basis (linear model), not both", ot.ErrParameter)
	}
	pr := &problem{eps: eps, workers: workers}
	if bil {
		if err := checkMatrix("X", d.X); err != nil {
			return nil, err
		}
		if err := checkMatrix("Y", d.Y); err != nil {
			return nil, err
		}
		n, dx := d.X.Dims()
		m, dy := d.Y.Dims()
		rows, cols, a, b, phat, err := d.observation(n, m)
		if err != nil {
			return nil, err
		}
		x, err := centered("X", d.X, rows, a)
		if err != nil {
			return nil, err
		}
		y, err := centered("Y", d.Y, cols, b)
		if err != nil {
			return nil, err
		}
		pr.n, pr.m, pr.dx, pr.dy, pr.s = len(rows), len(cols), dx, dy, dx*dy
		pr.a, pr.b = a, b
		pr.feat = &bilinear{n: pr.n, m: pr.m, dx: dx, dy: dy, x: x, y: y, workers: workers}
		pr.finish(phat)
		return pr, nil
	}
	if len(d.Basis) == 0 {
		return nil, fmt.Errorf("%w: no cost model (set X and Y, or Basis)", ot.ErrEmpty)
	}
	for k, c := range d.Basis {
		if err := checkMatrix(fmt.Sprintf("Basis[%d]", k), c); err != nil {
			return nil, err
		}
	}
	n, m := d.Basis[0].Dims()
	for k, c := range d.Basis {
		if r, cc := c.Dims(); r != n || cc != m {
			return nil, fmt.Errorf("%w: Basis[%d] is %d×%d, Basis[0] is %d×%d", ot.ErrShape, k, r, cc, n, m)
		}
	}
	if d.Offset != nil {
		if err := checkMatrix("Offset", d.Offset); err != nil {
			return nil, err
		}
		if r, c := d.Offset.Dims(); r != n || c != m {
			return nil, fmt.Errorf("%w: Offset is %d×%d, the basis costs are %d×%d", ot.ErrShape, r, c, n, m)
		}
	}
	rows, cols, a, b, phat, err := d.observation(n, m)
	if err != nil {
		return nil, err
	}
	lin := &linear{n: len(rows), m: len(cols), workers: workers}
	sub := func(c *mat.Dense) []float64 {
		out := make([]float64, len(rows)*len(cols))
		for ii, i := range rows {
			for jj, j := range cols {
				out[ii*len(cols)+jj] = c.At(i, j)
			}
		}
		return out
	}
	for _, c := range d.Basis {
		lin.basis = append(lin.basis, sub(c))
	}
	if d.Offset != nil {
		lin.offset = sub(d.Offset)
		pr.hasOff = true
	}
	pr.n, pr.m, pr.s = lin.n, lin.m, len(lin.basis)
	pr.a, pr.b = a, b
	pr.feat = lin
	for k, c := range lin.basis {
		cc := doublyCentered(c, a, b)
		if floats.Norm(cc, math.Inf(1)) <= 1e-12*math.Max(floats.Norm(c, math.Inf(1)), math.SmallestNonzeroFloat64) {
			return nil, fmt.Errorf("%w: Basis[%d] is of the form u_i + v_j on the observed rows and columns (it changes no transport plan)", ErrNotIdentifiable, k)
		}
	}
	pr.finish(phat)
	return pr, nil
}

// finish computes Φ*P̂, <C_0, P̂>, the entropy constant and ∇L(0) (nil
// phat: pairs, P̂ = diag(a)).
func (pr *problem) finish(phat []float64) {
	pr.chat = make([]float64, pr.s)
	lin, _ := pr.feat.(*linear)
	if phat == nil {
		pr.feat.adjointDiag(pr.chat, pr.a)
		if lin != nil && lin.offset != nil {
			for i, v := range pr.a {
				pr.c0hat += v * lin.offset[i*pr.m+i]
			}
		}
	} else {
		pr.feat.adjoint(context.Background(), pr.chat, phat)
		if lin != nil && lin.offset != nil {
			pr.c0hat = floats.Dot(lin.offset, phat)
		}
	}
	pr.ent = 1 + entropy(pr.a) + entropy(pr.b)
	// ∇L(0) = Φ*(P̂ − a⊗b) when C_0 = 0 (the plan at θ = 0 is a⊗b).
	pr.g0 = make([]float64, pr.s)
	pr.feat.adjointOuter(pr.g0, pr.a, pr.b)
	floats.SubTo(pr.g0, pr.chat, pr.g0)
}

func centered(name string, z *mat.Dense, rows []int, w []float64) (*mat.Dense, error) {
	_, d := z.Dims()
	out := mat.NewDense(len(rows), d, nil)
	for k := 0; k < d; k++ {
		var mean, big float64
		for ii, i := range rows {
			mean += w[ii] * z.At(i, k)
			big = math.Max(big, math.Abs(z.At(i, k)))
		}
		var dev float64
		for ii, i := range rows {
			v := z.At(i, k) - mean
			out.Set(ii, k, v)
			dev = math.Max(dev, math.Abs(v))
		}
		if dev <= 1e-12*big || dev == 0 {
			return nil, fmt.Errorf("%w: column %d of %s is constant on the observed points (its coefficients change no transport plan); drop it", ErrNotIdentifiable, k, name)
		}
	}
	return out, nil
}

// doublyCentered returns c − u⊕v, the projection of c orthogonal to additive
// matrices under the weights a⊗b.
func doublyCentered(c, a, b []float64) []float64 {
	n, m := len(a), len(b)
	out := make([]float64, len(c))
	rm := make([]float64, n)
	cm := make([]float64, m)
	var tot float64
	for i := 0; i < n; i++ {
		row := c[i*m : (i+1)*m]
		rm[i] = floats.Dot(row, b)
		floats.AddScaled(cm, a[i], row)
		tot += a[i] * rm[i]
	}
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			out[i*m+j] = c[i*m+j] - rm[i] - cm[j] + tot
		}
	}
	return out
}

// bilinear is C_A = −X A Yᵀ with centered X (n×dx) and Y (m×dy); θ = vec(A)
// row-major.
type bilinear struct {
	n, m, dx, dy int
	workers      int
	x, y         *mat.Dense
}

func (f *bilinear) size() int { return f.dx * f.dy }

func (f *bilinear) costTo(ctx context.Context, dst, theta []float64) bool {
	// Row i is −(x_iᵀA) Yᵀ: dy multiply-adds per entry, no packing.
	xa := make([]float64, f.n*f.dy)
	for i := 0; i < f.n; i++ {
		r := xa[i*f.dy : (i+1)*f.dy]
		for k := 0; k < f.dx; k++ {
			floats.AddScaled(r, -f.x.At(i, k), theta[k*f.dy:(k+1)*f.dy])
		}
	}
	yd := f.y.RawMatrix().Data
	dy := f.dy
	size := chunkRows(f.m)
	var stop atomic.Bool
	parallel.For(f.workers, parallel.Chunks(f.n, size), func(_, ch int) {
		if stopped(ctx, &stop) {
			return
		}
		lo, hi := parallel.Bounds(ch, size, f.n)
		for i := lo; i < hi; i++ {
			r := xa[i*dy : (i+1)*dy]
			out := dst[i*f.m : (i+1)*f.m]
			for j := range out {
				yj := yd[j*dy : (j+1)*dy]
				var s float64
				for l, v := range r {
					s += v * yj[l]
				}
				out[j] = s
			}
		}
	})
	return !stop.Load()
}

func (f *bilinear) adjoint(ctx context.Context, dst, M []float64) bool {
	// M·Y by blocks of rows (the same blocks for any worker count), then
	// −Xᵀ(MY).
	my := mat.NewDense(f.n, f.dy, nil)
	mm := mat.NewDense(f.n, f.m, M)
	size := chunkRows(f.m)
	var stop atomic.Bool
	parallel.For(f.workers, parallel.Chunks(f.n, size), func(_, ch int) {
		if stopped(ctx, &stop) {
			return
		}
		lo, hi := parallel.Bounds(ch, size, f.n)
		my.Slice(lo, hi, 0, f.dy).(*mat.Dense).Mul(mm.Slice(lo, hi, 0, f.m), f.y)
	})
	if stop.Load() {
		return false
	}
	r := mat.NewDense(f.dx, f.dy, dst)
	r.Mul(f.x.T(), my)
	r.Scale(-1, r)
	return true
}

func (f *bilinear) row(theta []float64, i int, dst []float64) {
	xa := make([]float64, f.dy)
	for k := 0; k < f.dx; k++ {
		floats.AddScaled(xa, -f.x.At(i, k), theta[k*f.dy:(k+1)*f.dy])
	}
	for j := range dst {
		dst[j] = floats.Dot(xa, f.y.RawRowView(j))
	}
}

func (f *bilinear) adjointDiag(dst, w []float64) {
	clear(dst)
	for i, v := range w {
		for k := 0; k < f.dx; k++ {
			floats.AddScaled(dst[k*f.dy:(k+1)*f.dy], -v*f.x.At(i, k), f.y.RawRowView(i))
		}
	}
}

func (f *bilinear) adjointOuter(dst, a, b []float64) {
	xa := make([]float64, f.dx)
	yb := make([]float64, f.dy)
	for i, v := range a {
		floats.AddScaled(xa, v, f.x.RawRowView(i))
	}
	for j, v := range b {
		floats.AddScaled(yb, v, f.y.RawRowView(j))
	}
	for k := 0; k < f.dx; k++ {
		for l := 0; l < f.dy; l++ {
			dst[k*f.dy+l] = -xa[k] * yb[l]
		}
	}
}

func (f *bilinear) gram(ctx context.Context, P []float64, idx []int) *mat.Dense {
	// Σ_ij P_ij x_ik x_ik' y_jl y_jl' = Σ_i x_ik x_ik' T_i,ll', T = P·(y_l y_l').
	dx, dy := f.dx, f.dy
	yy := mat.NewDense(f.m, dy*dy, nil)
	for j := 0; j < f.m; j++ {
		for l := 0; l < dy; l++ {
			for l2 := 0; l2 < dy; l2++ {
				yy.Set(j, l*dy+l2, f.y.At(j, l)*f.y.At(j, l2))
			}
		}
	}
	if ctx.Err() != nil {
		return nil
	}
	t := mat.NewDense(f.n, dy*dy, nil)
	t.Mul(mat.NewDense(f.n, f.m, P), yy)
	if ctx.Err() != nil {
		return nil
	}
	xx := mat.NewDense(f.n, dx*dx, nil)
	for i := 0; i < f.n; i++ {
		for k := 0; k < dx; k++ {
			for k2 := 0; k2 < dx; k2++ {
				xx.Set(i, k*dx+k2, f.x.At(i, k)*f.x.At(i, k2))
			}
		}
	}
	full := mat.NewDense(dx*dx, dy*dy, nil)
	full.Mul(xx.T(), t)
	g := mat.NewDense(len(idx), len(idx), nil)
	for a, p := range idx {
		k, l := p/dy, p%dy
		for b, q := range idx {
			k2, l2 := q/dy, q%dy
			g.Set(a, b, full.At(k*dx+k2, l*dy+l2))
		}
	}
	return g
}

func (f *bilinear) margins(P []float64, p int, ru, rv []float64) {
	k, l := p/f.dy, p%f.dy
	for i := 0; i < f.n; i++ {
		var s float64
		row := P[i*f.m : (i+1)*f.m]
		for j, v := range row {
			s += v * f.y.At(j, l)
		}
		ru[i] = -f.x.At(i, k) * s
	}
	for j := 0; j < f.m; j++ {
		rv[j] = 0
	}
	for i := 0; i < f.n; i++ {
		xi := f.x.At(i, k)
		row := P[i*f.m : (i+1)*f.m]
		for j, v := range row {
			rv[j] += v * xi
		}
	}
	for j := 0; j < f.m; j++ {
		rv[j] *= -f.y.At(j, l)
	}
}

func (f *bilinear) scale2(a, b []float64) float64 {
	var mx, my float64
	for i := 0; i < f.n; i++ {
		r := f.x.RawRowView(i)
		mx = math.Max(mx, floats.Dot(r, r))
	}
	for j := 0; j < f.m; j++ {
		r := f.y.RawRowView(j)
		my = math.Max(my, floats.Dot(r, r))
	}
	return mx * my
}

// linear is C_θ = C_0 + Σ θ_k C_k with dense basis costs.
type linear struct {
	n, m    int
	basis   [][]float64
	offset  []float64
	workers int
}

func (f *linear) size() int { return len(f.basis) }

func (f *linear) costTo(ctx context.Context, dst, theta []float64) bool {
	if f.offset != nil {
		copy(dst, f.offset)
	} else {
		clear(dst)
	}
	for k, t := range theta {
		if t != 0 {
			if ctx.Err() != nil {
				return false
			}
			floats.AddScaled(dst, t, f.basis[k])
		}
	}
	return true
}

func (f *linear) adjoint(ctx context.Context, dst, M []float64) bool {
	var stop atomic.Bool
	parallel.For(f.workers, len(f.basis), func(_, k int) {
		if !stopped(ctx, &stop) {
			dst[k] = floats.Dot(f.basis[k], M)
		}
	})
	return !stop.Load()
}

func (f *linear) row(theta []float64, i int, dst []float64) {
	if f.offset != nil {
		copy(dst, f.offset[i*f.m:(i+1)*f.m])
	} else {
		clear(dst)
	}
	for k, t := range theta {
		if t != 0 {
			floats.AddScaled(dst, t, f.basis[k][i*f.m:(i+1)*f.m])
		}
	}
}

func (f *linear) adjointDiag(dst, w []float64) {
	for k, c := range f.basis {
		var s float64
		for i, v := range w {
			s += v * c[i*f.m+i]
		}
		dst[k] = s
	}
}

func (f *linear) adjointOuter(dst, a, b []float64) {
	cb := make([]float64, f.n)
	for k, c := range f.basis {
		for i := range cb {
			cb[i] = floats.Dot(c[i*f.m:(i+1)*f.m], b)
		}
		dst[k] = floats.Dot(a, cb)
	}
}

func (f *linear) gram(ctx context.Context, P []float64, idx []int) *mat.Dense {
	g := mat.NewDense(len(idx), len(idx), nil)
	pc := make([]float64, len(P))
	for a, k := range idx {
		if ctx.Err() != nil {
			return nil
		}
		floats.MulTo(pc, P, f.basis[k])
		for b := a; b < len(idx); b++ {
			v := floats.Dot(pc, f.basis[idx[b]])
			g.Set(a, b, v)
			g.Set(b, a, v)
		}
	}
	return g
}

func (f *linear) margins(P []float64, k int, ru, rv []float64) {
	clear(rv)
	c := f.basis[k]
	for i := 0; i < f.n; i++ {
		var s float64
		for j := 0; j < f.m; j++ {
			v := P[i*f.m+j] * c[i*f.m+j]
			s += v
			rv[j] += v
		}
		ru[i] = s
	}
}

func (f *linear) scale2(a, b []float64) float64 {
	acc := make([]float64, f.n*f.m)
	for _, c := range f.basis {
		cc := doublyCentered(c, a, b)
		for i, v := range cc {
			acc[i] += v * v
		}
	}
	return floats.Max(acc)
}

// modelCost is C_θ as an ot.Cost, computed a row at a time (O(1) memory).
type modelCost struct {
	pr    *problem
	theta []float64
}

func (c *modelCost) Dims() (n, m int) { return c.pr.n, c.pr.m }

func (c *modelCost) Row(i int, dst []float64) []float64 {
	c.pr.feat.row(c.theta, i, dst)
	return dst
}

// rowChunk is the most rows per parallel chunk of the dense passes.
const rowChunk = 64

// chunkEntries bounds the entries of a chunk of rows: every chunk polls the
// context once, so a pass stops within one chunk's work (~1 ms) of a
// cancellation.
const chunkEntries = 1 << 16

// chunkRows returns the rows per chunk of a pass over rows of m entries. It
// depends on m only, so that sums by chunks have the same bits for any
// worker count.
func chunkRows(m int) int { return max(1, min(rowChunk, chunkEntries/max(m, 1))) }

// stopped reports whether a parallel pass is to stop: an earlier chunk saw
// ctx done, or ctx is done now.
func stopped(ctx context.Context, stop *atomic.Bool) bool {
	if stop.Load() {
		return true
	}
	if ctx.Err() != nil {
		stop.Store(true)
		return true
	}
	return false
}

// sumExp returns Σ_ij exp((f_i + g_j − C_ij)/ε), summed by chunks of rows in
// order (the same bits for any worker count), or NaN once ctx is done.
func (pr *problem) sumExp(ctx context.Context, f, g, c []float64) float64 {
	n, m := pr.n, pr.m
	size := chunkRows(m)
	chunks := parallel.Chunks(n, size)
	part := make([]float64, chunks)
	k := 1 / pr.eps
	var stop atomic.Bool
	parallel.For(pr.workers, chunks, func(_, ch int) {
		if stopped(ctx, &stop) {
			return
		}
		lo, hi := parallel.Bounds(ch, size, n)
		var s float64
		for i := lo; i < hi; i++ {
			s += lse.AffineSumExp(f[i], g, c[i*m:(i+1)*m], k)
		}
		part[ch] = s
	})
	if stop.Load() {
		return math.NaN()
	}
	var s float64
	for _, v := range part {
		s += v
	}
	return s
}

// planTo writes P_ij = exp((f_i + g_j − C_ij)/ε) into dst; false (dst
// partly written) once ctx is done.
func (pr *problem) planTo(ctx context.Context, dst, f, g, c []float64) bool {
	n, m := pr.n, pr.m
	k := 1 / pr.eps
	size := chunkRows(m)
	var stop atomic.Bool
	parallel.For(pr.workers, parallel.Chunks(n, size), func(_, ch int) {
		if stopped(ctx, &stop) {
			return
		}
		lo, hi := parallel.Bounds(ch, size, n)
		for i := lo; i < hi; i++ {
			lse.AffineExpTo(dst[i*m:(i+1)*m], f[i], g, c[i*m:(i+1)*m], k)
		}
	})
	return !stop.Load()
}

// joint returns J(θ, f, g) for the cost c = C_θ:
// <C_θ, P̂> − <a, f> − <b, g> + ε Σ exp((f⊕g − C_θ)/ε) − ε(1 + H(a) + H(b)),
// or NaN once ctx is done.
func (pr *problem) joint(ctx context.Context, theta, f, g, c []float64) float64 {
	lin := pr.c0hat + floats.Dot(theta, pr.chat)
	return lin - floats.Dot(pr.a, f) - floats.Dot(pr.b, g) + pr.eps*(pr.sumExp(ctx, f, g, c)-pr.ent)
}

// hessian returns ∇²L restricted to idx at the plan P (n×m), by the
// P-weighted projection of the features on additive matrices.
func (pr *problem) hessian(ctx context.Context, P []float64, idx []int) (*mat.SymDense, error) {
	n, m := pr.n, pr.m
	r, c := make([]float64, n), make([]float64, m)
	for i := 0; i < n; i++ {
		row := P[i*m : (i+1)*m]
		r[i] = floats.Sum(row)
		floats.Add(c, row)
	}
	for i, v := range r {
		if !(v > 0) {
			return nil, fmt.Errorf("%w: plan row %d has mass %v", ot.ErrNumerical, i, v)
		}
	}
	// S = diag(c) − Pᵀ diag(1/r) P + e_m e_mᵀ.
	q := mat.NewDense(n, m, nil)
	for i := 0; i < n; i++ {
		floats.ScaleTo(q.RawRowView(i), 1/math.Sqrt(r[i]), P[i*m:(i+1)*m])
	}
	S := mat.NewSymDense(m, nil)
	const block = 16 // rows per rank-k update, with a cancellation check
	for lo := 0; lo < n; lo += block {
		if ctx.Err() != nil {
			return nil, errCanceled
		}
		hi := min(lo+block, n)
		S.SymRankK(S, -1, q.Slice(lo, hi, 0, m).T())
	}
	for j := 0; j < m; j++ {
		S.SetSym(j, j, S.At(j, j)+c[j])
	}
	S.SetSym(m-1, m-1, S.At(m-1, m-1)+1)
	var ch mat.Cholesky
	if !ch.Factorize(S) {
		return nil, fmt.Errorf("%w: the projection system is singular", ot.ErrNumerical)
	}
	Pm := mat.NewDense(n, m, P)
	k := len(idx)
	ru := make([][]float64, k)
	rv := make([][]float64, k)
	us := make([][]float64, k)
	vs := make([][]float64, k)
	tmp := make([]float64, n)
	rhs := mat.NewVecDense(m, nil)
	for a, p := range idx {
		if ctx.Err() != nil {
			return nil, errCanceled
		}
		ru[a], rv[a] = make([]float64, n), make([]float64, m)
		pr.feat.margins(P, p, ru[a], rv[a])
		floats.DivTo(tmp, ru[a], r)
		rhs.MulVec(Pm.T(), mat.NewVecDense(n, tmp))
		rhs.SubVec(mat.NewVecDense(m, rv[a]), rhs)
		v := mat.NewVecDense(m, nil)
		if err := ch.SolveVecTo(v, rhs); err != nil {
			return nil, fmt.Errorf("%w: %v", ot.ErrNumerical, err)
		}
		pv := mat.NewVecDense(n, nil)
		pv.MulVec(Pm, v)
		u := make([]float64, n)
		for i := range u {
			u[i] = (ru[a][i] - pv.AtVec(i)) / r[i]
		}
		us[a], vs[a] = u, v.RawVector().Data
	}
	g := pr.feat.gram(ctx, P, idx)
	if g == nil {
		return nil, errCanceled
	}
	H := mat.NewSymDense(k, nil)
	for a := 0; a < k; a++ {
		for b := a; b < k; b++ {
			hab := g.At(a, b) - floats.Dot(us[b], ru[a]) - floats.Dot(vs[b], rv[a])
			hba := g.At(b, a) - floats.Dot(us[a], ru[b]) - floats.Dot(vs[a], rv[b])
			H.SetSym(a, b, (hab+hba)/(2*pr.eps))
		}
	}
	return H, nil
}

var errCanceled = errors.New("inverse: canceled")

// refineWork bounds n·m² + m³/3, the flops of one Hessian of the discrete
// loss, for the Newton refinement to run (larger problems use FISTA only).
const refineWork = 4e8
