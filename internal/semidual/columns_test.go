package semidual

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/otkit/otkit/internal/parallel"
	"github.com/otkit/otkit/internal/simplex"
)

// problem returns an n×m transposed cost (squared distances of random
// points on a line) with uniform weights.
func problem(seed uint64, n, m int) (ct, a, b []float64) {
	r := rand.New(rand.NewPCG(seed, 3))
	x, y := make([]float64, n), make([]float64, m)
	for i := range x {
		x[i] = r.NormFloat64()
	}
	for j := range y {
		y[j] = r.NormFloat64() + 0.5
	}
	ct = make([]float64, n*m)
	for j := range y {
		for i := range x {
			ct[j*n+i] = (x[i] - y[j]) * (x[i] - y[j])
		}
	}
	a, b = make([]float64, n), make([]float64, m)
	for i := range a {
		a[i] = 1 / float64(n)
	}
	for j := range b {
		b[j] = 1 / float64(m)
	}
	return ct, a, b
}

// reference evaluates S_k(F) column by column with the k-sparse projection
// of internal/simplex on the whole column, without screening.
func reference(ct, a, b []float64, n, k int, gamma float64, F []float64) (val float64, grad []float64) {
	m := len(b)
	grad = append([]float64(nil), a...)
	for i := range F {
		val += a[i] * F[i]
	}
	v, t := make([]float64, n), make([]float64, n)
	for j := 0; j < m; j++ {
		for i := range v {
			v[i] = (F[i] - ct[j*n+i]) / gamma
		}
		theta, err := simplex.ProjectK(t, v, b[j], k, nil)
		if err != nil {
			panic(err)
		}
		_ = theta
		var obj float64
		for i, ti := range t {
			if ti > 0 {
				obj += ti * (v[i] - ti/2)
				grad[i] -= ti
			}
		}
		val -= gamma * obj
	}
	return val, grad
}

// TestSemiDualMatchesReference: evaluations along a path of nearby points
// (the screening of later evaluations uses the earlier ones) equal the
// unscreened reference, for several k and worker counts, and the results
// are bitwise identical for any worker count.
func TestSemiDualMatchesReference(t *testing.T) {
	const n, m, gamma = 70, 50, 0.05
	ct, a, b := problem(1, n, m)
	for _, k := range []int{1, 3, 10, n} {
		var first [][]float64
		for _, workers := range []int{1, 3} {
			t.Run(fmt.Sprintf("k=%d/workers=%d", k, workers), func(t *testing.T) {
				var c Columns
				c.Reset(n, m, k)
				copy(c.CT(), ct)
				c.A, c.B, c.Gamma = a, b, gamma
				pool := parallel.NewPool(workers)
				defer pool.Close()
				c.Pool = pool
				r := rand.New(rand.NewPCG(2, 2))
				F := make([]float64, n)
				grad := make([]float64, n)
				var got [][]float64
				for step := 0; step < 40; step++ {
					size := 0.1 * math.Pow(0.8, float64(step))
					for i := range F {
						F[i] += size * r.NormFloat64()
					}
					val := c.SemiDual(F, grad)
					wantVal, wantGrad := reference(ct, a, b, n, k, gamma, F)
					require.InDelta(t, wantVal, val, 1e-12*(1+math.Abs(wantVal)), "step %d", step)
					var mean float64
					for _, g := range wantGrad {
						mean += g / n
					}
					if k < n {
						mean = 0 // the gauge residue is removed for k = n only
					}
					for i := range grad {
						require.InDelta(t, wantGrad[i]-mean, grad[i], 1e-12, "step %d row %d", step, i)
					}
					got = append(got, append([]float64{val}, grad...))
				}
				if first == nil {
					first = got
				} else {
					require.Equal(t, first, got, "worker count changed a result")
				}
			})
		}
	}
}

// TestFillCT: both layouts give the transposed cost and its largest finite
// |entry|, ScaleCT divides by a power of two, a canceled context stops the
// fill, and Release frees the buffer.
func TestFillCT(t *testing.T) {
	const n, m = 300, 700
	c0 := make([]float64, n*m)
	r := rand.New(rand.NewPCG(5, 5))
	for k := range c0 {
		c0[k] = r.NormFloat64()
	}
	c0[17] = math.Inf(1)
	want := 0.0
	for _, v := range c0 {
		if !math.IsInf(v, 1) {
			want = math.Max(want, math.Abs(v))
		}
	}
	rows := func(i int, dst []float64) []float64 { return c0[i*m : (i+1)*m] }
	cols := func(j int, dst []float64) []float64 {
		for i := range dst {
			dst[i] = c0[i*m+j]
		}
		return dst
	}
	for _, direct := range []bool{false, true} {
		t.Run(fmt.Sprintf("direct=%v", direct), func(t *testing.T) {
			var c Columns
			c.Reset(n, m, n)
			defer c.Release()
			src := rows
			if direct {
				src = cols
			}
			mx, ok := c.FillCT(context.Background(), src, direct)
			require.True(t, ok)
			require.Equal(t, want, mx)
			require.True(t, c.ScaleCT(context.Background(), 2))
			for i := 0; i < n; i++ {
				for j := 0; j < m; j++ {
					require.Equal(t, c0[i*m+j]/4, c.Cost(i, j))
				}
			}
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			c.Reset(n, m, n)
			_, ok = c.FillCT(ctx, src, direct)
			require.False(t, ok)
		})
	}
}

// TestAlloc: large and small buffers are zeroed and writable; Free accepts
// both.
func TestAlloc(t *testing.T) {
	for _, n := range []int{10, minMapped/8 + 3} {
		x := Alloc(n)
		require.Len(t, x, n)
		for k := range x {
			require.Zero(t, x[k])
			x[k] = float64(k)
		}
		Free(x)
	}
}

func TestExponent(t *testing.T) {
	for _, c := range []struct {
		x    float64
		want int
	}{{0, 0}, {-1, 0}, {math.Inf(1), 0}, {math.NaN(), 0}, {1, 0},
		{0.9999999999999998, 0}, {1.0000000000000002, 0}, {1.4, 0}, {1.5, 1}, {2, 1}, {0.7, -1}, {0.75, 0},
		{1e300, 997}, {math.SmallestNonzeroFloat64, -1074}} {
		require.Equal(t, c.want, Exponent(c.x), "x = %g", c.x)
	}
}

// TestColdStartMatchesReference: first evaluations (the candidate bound
// from the blocks' lower bounds when k is at most the number of blocks, the
// maxima of k runs of rows otherwise) equal the unscreened reference, at
// zero potentials and at random ones.
func TestColdStartMatchesReference(t *testing.T) {
	const n, m, gamma = 203, 30, 0.05
	ct, a, b := problem(3, n, m)
	r := rand.New(rand.NewPCG(4, 4))
	for _, k := range []int{1, 2, 7, 25, 26, 40, n} {
		for _, spread := range []float64{0, 0.01, 1} {
			t.Run(fmt.Sprintf("k=%d/spread=%g", k, spread), func(t *testing.T) {
				F := make([]float64, n)
				for i := range F {
					F[i] = spread * r.NormFloat64()
				}
				var c Columns
				c.Reset(n, m, k)
				copy(c.CT(), ct)
				c.A, c.B, c.Gamma = a, b, gamma
				grad := make([]float64, n)
				val := c.SemiDual(F, grad)
				wantVal, wantGrad := reference(ct, a, b, n, k, gamma, F)
				require.InDelta(t, wantVal, val, 1e-12*(1+math.Abs(wantVal)))
				if k < n {
					for i := range grad {
						require.InDelta(t, wantGrad[i], grad[i], 1e-12, "row %d", i)
					}
				}
			})
		}
	}
}
