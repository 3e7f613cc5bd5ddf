package lbfgs

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func norm1(g []float64) float64 {
	var s float64
	for _, v := range g {
		s += math.Abs(v)
	}
	return s
}

// stopAt returns a callback stopping when ‖∇f‖₁ ≤ tol.
func stopAt(tol float64) func(int, []float64, []float64, float64) bool {
	return func(_ int, _, g []float64, _ float64) bool { return norm1(g) <= tol }
}

// quadratic returns f(x) = −½ (x−c)ᵀ A (x−c) with A = diag(d) + u uᵀ.
func quadratic(d, u, c []float64) Func {
	return func(x, g []float64) float64 {
		var uz float64
		for i := range x {
			uz += u[i] * (x[i] - c[i])
		}
		var f float64
		for i := range x {
			z := x[i] - c[i]
			g[i] = -(d[i]*z + u[i]*uz)
			f += d[i] * z * z
		}
		return -0.5 * (f + uz*uz)
	}
}

func TestQuadratic(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1, 2, 10, 200} {
		d, u, c := make([]float64, n), make([]float64, n), make([]float64, n)
		for i := range d {
			d[i] = math.Pow(10, 3*r.Float64()) // condition number ~1e3
			u[i] = r.NormFloat64()
			c[i] = r.NormFloat64()
		}
		x := make([]float64, n)
		var o Optimizer
		res := o.Maximize(context.Background(), quadratic(d, u, c), x, Settings{Callback: stopAt(1e-10)})
		require.Equal(t, Stopped, res.Status, "n=%d", n)
		assert.InDeltaSlice(t, c, x, 1e-9, "n=%d", n)
		assert.LessOrEqual(t, norm1(o.Grad()), 1e-10)
		assert.InDelta(t, 0, res.F, 1e-15)
		assert.Less(t, res.Iterations, 1000, "n=%d", n)
		assert.Less(t, res.Evaluations, 2*res.Iterations+10, "n=%d", n)
		t.Logf("n=%d: %d iterations, %d evaluations", n, res.Iterations, res.Evaluations)
	}
}

func TestLogSumExp(t *testing.T) {
	// f(x) = <a,x> − log Σ exp(x_i) with a on the simplex: the maximizers
	// are x = log a + const.
	a := []float64{0.1, 0.2, 0.3, 0.4}
	fn := func(x, g []float64) float64 {
		mx := math.Inf(-1)
		for _, v := range x {
			mx = math.Max(mx, v)
		}
		var s, ax float64
		for i, v := range x {
			s += math.Exp(v - mx)
			ax += a[i] * v
		}
		for i, v := range x {
			g[i] = a[i] - math.Exp(v-mx)/s
		}
		return ax - mx - math.Log(s)
	}
	x := make([]float64, 4)
	var o Optimizer
	res := o.Maximize(context.Background(), fn, x, Settings{Callback: stopAt(1e-12)})
	require.Equal(t, Stopped, res.Status)
	for i := 1; i < 4; i++ {
		assert.InDelta(t, math.Log(a[i]/a[0]), x[i]-x[0], 1e-10)
	}
}

func TestNonsmooth(t *testing.T) {
	// f(x) = −Σ|x_i − c_i| − 0.01‖x‖²/2 (concave, kinked at c): the line
	// search must either stop near the maximizer or stall there, never
	// return a worse point.
	c := []float64{1, -2, 0.5, 3}
	fn := func(x, g []float64) float64 {
		var f float64
		for i, v := range x {
			f -= math.Abs(v-c[i]) + 0.005*v*v
			g[i] = -0.01 * v
			if v > c[i] {
				g[i]--
			} else if v < c[i] {
				g[i]++
			}
		}
		return f
	}
	x := make([]float64, 4)
	g0 := make([]float64, 4)
	f0 := fn(x, g0)
	var o Optimizer
	prev := f0
	res := o.Maximize(context.Background(), fn, x, Settings{MaxIter: 500, Callback: func(_ int, _, _ []float64, f float64) bool {
		require.GreaterOrEqual(t, f, prev-1e-12)
		prev = f
		return false
	}})
	assert.Contains(t, []Status{Stalled, IterationLimit}, res.Status)
	assert.InDeltaSlice(t, c, x, 1e-3)
	g := make([]float64, 4)
	assert.Equal(t, res.F, fn(x, g))
	assert.Equal(t, g, o.Grad())
}

func TestIterationLimitAndCancel(t *testing.T) {
	n := 50
	d, u, c := make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range d {
		d[i], c[i] = float64(i+1), 1
	}
	var o Optimizer
	x := make([]float64, n)
	res := o.Maximize(context.Background(), quadratic(d, u, c), x, Settings{MaxIter: 3})
	assert.Equal(t, IterationLimit, res.Status)
	assert.Equal(t, 3, res.Iterations)

	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	res = o.Maximize(ctx, quadratic(d, u, c), make([]float64, n), Settings{Callback: func(int, []float64, []float64, float64) bool {
		calls++
		if calls == 2 {
			cancel()
		}
		return false
	}})
	assert.Equal(t, Canceled, res.Status)
	assert.Equal(t, 1, res.Iterations)
}

func TestStartChecks(t *testing.T) {
	var o Optimizer
	res := o.Maximize(context.Background(), func(x, g []float64) float64 { return math.NaN() }, []float64{1}, Settings{})
	assert.Equal(t, NumericalError, res.Status)
	res = o.Maximize(context.Background(), quadratic([]float64{1}, []float64{0}, []float64{0}), []float64{0}, Settings{Callback: stopAt(0)})
	assert.Equal(t, Stopped, res.Status)
	assert.Equal(t, 0, res.Iterations)
	assert.Equal(t, "Stalled", Stalled.String())
}

func TestStallsOnNonConcave(t *testing.T) {
	// An unbounded linear function has no acceptable step: the search
	// keeps expanding and must give up with Stalled, not loop.
	fn := func(x, g []float64) float64 {
		g[0] = 1
		return x[0]
	}
	var o Optimizer
	res := o.Maximize(context.Background(), fn, []float64{0}, Settings{})
	assert.Equal(t, Stalled, res.Status)
}

func TestNoAllocs(t *testing.T) {
	n := 20
	d, u, c := make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range d {
		d[i], c[i] = float64(i+1), float64(i)
	}
	fn := quadratic(d, u, c)
	var o Optimizer
	x := make([]float64, n)
	cb := stopAt(1e-9)
	o.Maximize(context.Background(), fn, x, Settings{Callback: cb})
	ctx := context.Background()
	allocs := testing.AllocsPerRun(5, func() {
		clear(x)
		o.Maximize(ctx, fn, x, Settings{Callback: cb})
	})
	assert.Zero(t, allocs)
}

func TestNonsmoothAcceptance(t *testing.T) {
	// φ'(t) jumps from +1 to −1 at t = 0.7, across the whole acceptance
	// interval: the search must bracket the kink to 1e-12 and take the
	// largest ascent step tried (cardinality.md §6).
	fn := func(x, g []float64) float64 {
		switch {
		case x[0] < 0.7:
			g[0] = 1
		case x[0] > 0.7:
			g[0] = -1
		default:
			g[0] = 0
		}
		return -math.Abs(x[0] - 0.7)
	}
	x := []float64{0}
	var o Optimizer
	var first []float64
	res := o.Maximize(context.Background(), fn, x, Settings{MaxIter: 1, Callback: func(it int, x, _ []float64, _ float64) bool {
		if it == 1 {
			first = append(first, x[0])
		}
		return false
	}})
	require.Len(t, first, 1)
	assert.Less(t, first[0], 0.7)
	assert.InDelta(t, 0.7, first[0], 1e-9)
	assert.Equal(t, IterationLimit, res.Status)
}
