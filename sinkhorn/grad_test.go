package sinkhorn

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"github.com/otkit/otkit/ot"
)

const fdStep = 1e-6

var tight = Solver{Tol: 1e-13, MaxIter: 100000}

func valueOf(t *testing.T, eps float64, p *ot.Problem) float64 {
	s := tight
	s.Eps = eps
	res := solve(t, &s, p)
	require.Equal(t, ot.Converged, res.Status)
	return res.Value
}

// relClose asserts |got − want| ≤ tol·max(|want|, 1e-3).
func relClose(t *testing.T, want, got, tol float64, msg ...any) {
	t.Helper()
	assert.InDelta(t, want, got, tol*math.Max(math.Abs(want), 1e-3), msg...)
}

func TestGradCost(t *testing.T) {
	// ∂Value_K/∂C_01 = P_01 (docs/sinkhorn.md §9.1); LinearCost's derivative differs.
	p := problem3(t)
	const eps = 0.5
	s := tight
	s.Eps = eps
	res := solve(t, &s, p)
	assert.InDelta(t, 0.0050339815094, res.Plan.At(0, 1), 1e-12)
	bump := func(h float64) (float64, float64) {
		data := append([]float64(nil), p.C.(*ot.DenseCost).Data...)
		data[1] += h
		r := solve(t, &s, &ot.Problem{A: p.A, B: p.B, C: dense(t, 3, 3, data)})
		return r.Value, r.LinearCost
	}
	vp, lp := bump(fdStep)
	vm, lm := bump(-fdStep)
	relClose(t, res.Plan.At(0, 1), (vp-vm)/(2*fdStep), 1e-6)
	assert.InDelta(t, -0.0135386515, (lp-lm)/(2*fdStep), 1e-8)
}

func TestGradWeights(t *testing.T) {
	p := problem3(t)
	const eps = 0.5
	s := tight
	s.Eps = eps
	res := solve(t, &s, p)
	gr, err := Grad(p, res)
	require.NoError(t, err)
	assert.Less(t, maxAbsDiff(gr.A, []float64{-0.631117859985, -0.067503200173, 0.698621060158}), 1e-9)
	assert.Less(t, maxAbsDiff(gr.B, []float64{0.67508061556, -0.153218757552, -0.521861858008}), 1e-9)
	assert.Nil(t, gr.X)
	for _, dir := range []struct {
		da, db []float64
		want   float64
	}{
		{[]float64{1, -1, 0}, []float64{0, 0, 0}, -0.56361465981},
		{[]float64{0, 0, 0}, []float64{0, 1, -1}, 0.3686431004},
	} {
		at := func(h float64) float64 {
			a, b := append([]float64(nil), p.A...), append([]float64(nil), p.B...)
			for i := range a {
				a[i] += h * dir.da[i]
				b[i] += h * dir.db[i]
			}
			return valueOf(t, eps, &ot.Problem{A: a, B: b, C: p.C})
		}
		fd := (at(fdStep) - at(-fdStep)) / (2 * fdStep)
		var an float64
		for i := range dir.da {
			an += gr.A[i]*dir.da[i] + gr.B[i]*dir.db[i]
		}
		relClose(t, dir.want, fd, 1e-6)
		relClose(t, fd, an, 1e-6)
	}
}

func TestGradZeroWeight(t *testing.T) {
	// A zero weight gets the finite c-transform derivative; check it by a
	// one-sided finite difference moving mass onto it.
	c := dense(t, 3, 2, []float64{0, 1, 1, 0, 0.5, 0.5})
	p := &ot.Problem{A: []float64{0.5, 0.5, 0}, B: []float64{0.5, 0.5}, C: c}
	const eps = 0.3
	s := tight
	s.Eps = eps
	res := solve(t, &s, p)
	gr, err := Grad(p, res)
	require.NoError(t, err)
	for _, v := range gr.A {
		require.False(t, math.IsInf(v, 0) || math.IsNaN(v))
	}
	// Direction (−1/2, −1/2, 1): from the zero weight's side only.
	h := 1e-7
	q := &ot.Problem{A: []float64{0.5 - h/2, 0.5 - h/2, h}, B: p.B, C: c}
	fd := (valueOf(t, eps, q) - res.Value) / h
	an := gr.A[2] - 0.5*(gr.A[0]+gr.A[1])
	// The one-sided difference has an O(h log h) entropy term: loose check.
	assert.InDelta(t, an, fd, 1e-4)
}

func TestGradPoints1D(t *testing.T) {
	x := mat.NewDense(2, 1, []float64{0, 1})
	y := mat.NewDense(2, 1, []float64{0.5, 2})
	u := []float64{0.5, 0.5}
	const eps = 0.5
	p := &ot.Problem{A: u, B: u, C: &ot.PointCloud{X: x, Y: y}}
	s := tight
	s.Eps = eps
	res := solve(t, &s, p)
	assert.InDelta(t, 0.9472799144931, res.Value, 1e-11)
	assert.InDelta(t, 0.6961388097663, res.LinearCost, 1e-11)
	assert.InDelta(t, 0.476287063411, res.Plan.At(0, 0), 1e-11)
	gr, err := Grad(p, res)
	require.NoError(t, err)
	assert.Less(t, maxAbsDiff(gr.X.RawMatrix().Data, []float64{-0.571138809766, -0.928861190234}), 1e-10)
	assert.Less(t, maxAbsDiff(gr.Y.RawMatrix().Data, []float64{0.452574126822, 1.047425873178}), 1e-10)
	// Finite differences on every coordinate.
	for _, pts := range []*mat.Dense{x, y} {
		for i := 0; i < 2; i++ {
			orig := pts.At(i, 0)
			pts.Set(i, 0, orig+fdStep)
			vp := valueOf(t, eps, p)
			pts.Set(i, 0, orig-fdStep)
			vm := valueOf(t, eps, p)
			pts.Set(i, 0, orig)
			an := gr.X.At(i, 0)
			if pts == y {
				an = gr.Y.At(i, 0)
			}
			relClose(t, an, (vp-vm)/(2*fdStep), 1e-6)
		}
	}
}

func TestDivergence1D(t *testing.T) {
	x := mat.NewDense(2, 1, []float64{0, 1})
	y := mat.NewDense(2, 1, []float64{0.5, 2})
	u := []float64{0.5, 0.5}
	p := &ot.Problem{A: u, B: u, C: &ot.PointCloud{X: x, Y: y}}
	s := tight
	s.Eps = 0.5
	d, err := s.Divergence(context.Background(), p)
	require.NoError(t, err)
	assert.InDelta(t, 0.6352002631860, d.Value, 1e-11)
	assert.InDelta(t, 0.2831095847585, d.XX.Value, 1e-11)
	assert.InDelta(t, 0.3410497178557, d.YY.Value, 1e-11)
	assert.Less(t, maxAbsDiff(d.GradX.RawMatrix().Data, []float64{-0.451935887744, -1.048064112256}), 1e-10)
	assert.Less(t, maxAbsDiff(d.GradY.RawMatrix().Data, []float64{0.469054540768, 1.030945459232}), 1e-10)
	// Translation invariance: Σ ∂S/∂x + Σ ∂S/∂y = 0.
	assert.InDelta(t, 0, mat.Sum(d.GradX)+mat.Sum(d.GradY), 1e-10)
}

func TestDivergence2D(t *testing.T) {
	x := mat.NewDense(3, 2, []float64{0, 0, 1, 0, 0, 1})
	y := mat.NewDense(2, 2, []float64{1, 1, 2, 1})
	p := &ot.Problem{A: ot.Uniform(3), B: ot.Uniform(2), C: &ot.PointCloud{X: x, Y: y}}
	for _, tc := range []struct{ eps, lin, valK, s float64 }{
		{1, 2.3004212952052, 2.3947147184462, 1.8826528458139},
		{0.1, 2.1666666707890, 2.1984923748753, 2.1089096979865},
	} {
		s := tight
		s.Eps = tc.eps
		d, err := s.Divergence(context.Background(), p)
		require.NoError(t, err)
		assert.InDelta(t, tc.s, d.Value, 1e-10, "eps %v", tc.eps)
		assert.InDelta(t, tc.valK, d.XY.Value, 1e-10)
		assert.InDelta(t, tc.lin, d.XY.LinearCost, 1e-10)
		// Finite differences of S in every coordinate and weight direction.
		sval := func() float64 {
			dd, err := s.Divergence(context.Background(), p)
			require.NoError(t, err)
			return dd.Value
		}
		for _, pts := range []*mat.Dense{x, y} {
			r, c := pts.Dims()
			for i := 0; i < r; i++ {
				for k := 0; k < c; k++ {
					orig := pts.At(i, k)
					pts.Set(i, k, orig+fdStep)
					sp := sval()
					pts.Set(i, k, orig-fdStep)
					sm := sval()
					pts.Set(i, k, orig)
					an := d.GradX.At(i, k)
					if pts == y {
						an = d.GradY.At(i, k)
					}
					relClose(t, an, (sp-sm)/(2*fdStep), 1e-6, "eps %v point %d,%d", tc.eps, i, k)
				}
			}
		}
		a0 := append([]float64(nil), p.A...)
		at := func(h float64) float64 {
			p.A = []float64{a0[0] + h, a0[1] - h, a0[2]}
			defer func() { p.A = a0 }()
			return sval()
		}
		fd := (at(fdStep) - at(-fdStep)) / (2 * fdStep)
		relClose(t, d.GradA[0]-d.GradA[1], fd, 1e-6, "eps %v dS/da", tc.eps)
	}
}

func TestDivergenceProperties(t *testing.T) {
	for seed := uint64(1); seed <= 4; seed++ {
		p := randomCloud(t, 12, 9, 2, seed)
		d, err := (&Solver{Eps: 0.5}).Divergence(context.Background(), p)
		require.NoError(t, err)
		assert.GreaterOrEqual(t, d.Value, 0.0)
		// Identical clouds: exactly zero.
		pc := p.C.(*ot.PointCloud)
		same := &ot.Problem{A: p.A, B: p.A, C: &ot.PointCloud{X: pc.X, Y: pc.X}}
		d, err = (&Solver{Eps: 0.5}).Divergence(context.Background(), same)
		require.NoError(t, err)
		assert.Equal(t, 0.0, d.Value)
	}
	_, err := (&Solver{}).Divergence(context.Background(), problem3(t))
	assert.ErrorIs(t, err, ot.ErrParameter)
	_, err = Grad(problem3(t), &ot.Result{Plan: &ot.DensePlan{}})
	assert.ErrorIs(t, err, ot.ErrParameter)
}
