package sinkhorn

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otkit/otkit/ot"
)

// relaxedCloud is a SqEuclidean point-cloud problem with non-uniform
// weights of masses ma and mb.
func relaxedCloud(t *testing.T, x, y [][]float64, ma, mb, rhoA, rhoB float64) *ot.Problem {
	pc, err := ot.NewPointCloud(x, y, ot.SqEuclidean)
	require.NoError(t, err)
	w := func(k int, mass float64) []float64 {
		out := make([]float64, k)
		var s float64
		for i := range out {
			out[i] = 1 + 0.3*math.Sin(float64(3*i+k))
			s += out[i]
		}
		for i := range out {
			out[i] *= mass / s
		}
		return out
	}
	return &ot.Problem{A: w(len(x), ma), B: w(len(y), mb), C: pc, RhoA: rhoA, RhoB: rhoB}
}

var (
	divX = [][]float64{{0, 0}, {1, 0.2}, {0.3, 1}, {-0.5, 0.4}}
	divY = [][]float64{{1, 1}, {2, 0.5}, {0.2, -0.3}}
)

// TestUnbalancedGradFiniteDifferences: ∂Value/∂a, ∂b, ∂x, ∂y of a relaxed
// solve against central differences (relative 1e-6), for both sides
// relaxed and for one side hard.
func TestUnbalancedGradFiniteDifferences(t *testing.T) {
	const eps, h = 0.2, 1e-5
	for _, tc := range []struct {
		name       string
		rhoA, rhoB float64
	}{{"both", 0.7, 0.7}, {"asym", 0.3, 2}, {"rowsHard", 0, 1}} {
		t.Run(tc.name, func(t *testing.T) {
			s := &Solver{Eps: eps, Tol: 1e-14, MaxIter: 100000}
			base := relaxedCloud(t, divX, divY, 1, 1.6, tc.rhoA, tc.rhoB)
			value := func(p *ot.Problem) float64 {
				res, err := s.Solve(context.Background(), p)
				require.NoError(t, err)
				require.Equal(t, ot.Converged, res.Status)
				return res.Value
			}
			res, err := s.Solve(context.Background(), base)
			require.NoError(t, err)
			gr, err := Grad(base, res)
			require.NoError(t, err)
			check := func(name string, got, fd float64) {
				assert.InDelta(t, fd, got, 1e-6*math.Max(math.Abs(fd), 1e-2), name)
			}
			for i := range base.A {
				p1, p2 := *base, *base
				p1.A, p2.A = append([]float64(nil), base.A...), append([]float64(nil), base.A...)
				p1.A[i] += h
				p2.A[i] -= h
				check("a", gr.A[i], (value(&p1)-value(&p2))/(2*h))
			}
			for j := range base.B {
				p1, p2 := *base, *base
				p1.B, p2.B = append([]float64(nil), base.B...), append([]float64(nil), base.B...)
				p1.B[j] += h
				p2.B[j] -= h
				check("b", gr.B[j], (value(&p1)-value(&p2))/(2*h))
			}
			for i := range divX {
				for k := range divX[i] {
					fd := func(d float64) float64 {
						x := clone(divX)
						x[i][k] += d
						q := relaxedCloud(t, x, divY, 1, 1.6, tc.rhoA, tc.rhoB)
						return value(q)
					}
					check("x", gr.X.At(i, k), (fd(h)-fd(-h))/(2*h))
				}
			}
		})
	}
}

// TestUnbalancedDivergence: S(α, α) = 0, S ≥ 0, and its gradients in a,
// b and x against central differences (relative 1e-6).
func TestUnbalancedDivergence(t *testing.T) {
	const eps, h, rho = 0.3, 1e-5, 0.8
	s := &Solver{Eps: eps, Tol: 1e-14, MaxIter: 100000}
	div := func(x, y [][]float64, a, b []float64) *Divergence {
		pc, err := ot.NewPointCloud(x, y, ot.SqEuclidean)
		require.NoError(t, err)
		d, err := s.Divergence(context.Background(), &ot.Problem{A: a, B: b, C: pc, RhoA: rho, RhoB: rho})
		require.NoError(t, err)
		require.Equal(t, ot.Converged, d.Status)
		return d
	}
	base := relaxedCloud(t, divX, divY, 1, 1.6, rho, rho)
	self := div(divX, divX, base.A, base.A)
	assert.InDelta(t, 0, self.Value, 1e-12)
	d := div(divX, divY, base.A, base.B)
	assert.Greater(t, d.Value, 0.0)
	// A different mass on the same points: S > 0 by the mass term.
	scaled := append([]float64(nil), base.A...)
	for i := range scaled {
		scaled[i] *= 1.5
	}
	assert.Greater(t, div(divX, divX, base.A, scaled).Value, 1e-3)
	check := func(name string, got, fd float64) {
		assert.InDelta(t, fd, got, 1e-6*math.Max(math.Abs(fd), 1e-2), name)
	}
	for i := range base.A {
		a1, a2 := append([]float64(nil), base.A...), append([]float64(nil), base.A...)
		a1[i] += h
		a2[i] -= h
		check("a", d.GradA[i], (div(divX, divY, a1, base.B).Value-div(divX, divY, a2, base.B).Value)/(2*h))
	}
	for j := range base.B {
		b1, b2 := append([]float64(nil), base.B...), append([]float64(nil), base.B...)
		b1[j] += h
		b2[j] -= h
		check("b", d.GradB[j], (div(divX, divY, base.A, b1).Value-div(divX, divY, base.A, b2).Value)/(2*h))
	}
	for i := range divX {
		for k := range divX[i] {
			fd := func(dx float64) float64 {
				x := clone(divX)
				x[i][k] += dx
				return div(x, divY, base.A, base.B).Value
			}
			check("x", d.GradX.At(i, k), (fd(h)-fd(-h))/(2*h))
		}
	}
	for j := range divY {
		for k := range divY[j] {
			fd := func(dy float64) float64 {
				y := clone(divY)
				y[j][k] += dy
				return div(divX, y, base.A, base.B).Value
			}
			check("y", d.GradY.At(j, k), (fd(h)-fd(-h))/(2*h))
		}
	}
	// Unequal penalties are refused.
	pc, _ := ot.NewPointCloud(divX, divY, ot.SqEuclidean)
	_, err := s.Divergence(context.Background(), &ot.Problem{A: base.A, B: base.B, C: pc, RhoA: 1, RhoB: 2})
	assert.ErrorIs(t, err, ot.ErrUnsupported)
}

func clone(x [][]float64) [][]float64 {
	out := make([][]float64, len(x))
	for i := range x {
		out[i] = append([]float64(nil), x[i]...)
	}
	return out
}
