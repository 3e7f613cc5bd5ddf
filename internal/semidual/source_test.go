package semidual

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/otkit/otkit/internal/otest"
	"github.com/otkit/otkit/internal/parallel"
	"github.com/otkit/otkit/ot"
)

// TestSourceMatchesCT: a Cloud source gives the entries of the point
// cloud's rows (scaled by 2^−Exp, transposed or not), its Range their
// finite range, and Columns evaluated with it (semi-dual for several k,
// dual, the plan, CostRange) is bitwise what it is with the filled
// transposed cost, along a path of nearby points.
func TestSourceMatchesCT(t *testing.T) {
	const gamma = 0.05
	rng := rand.New(rand.NewPCG(4, 4))
	type shape struct{ n, m, d int }
	var shapes []shape
	for _, d := range []int{1, 2, 3} {
		shapes = append(shapes, shape{70, 50, d})
	}
	for _, metric := range []ot.Metric{ot.SqEuclidean, ot.Euclidean} {
		for _, sh := range shapes {
			n, m, d := sh.n, sh.m, sh.d
			x, y := otest.GaussianClouds(rng, n, m, d, nil)
			pc := &ot.PointCloud{X: x, Y: y, Metric: metric}
			for _, transpose := range []bool{false, true} {
				rows, cols := n, m
				row, src := pc.Row, NewCloud(pc, transpose)
				if transpose {
					rows, cols = m, n
					row = ot.Transpose(pc).Row
				}
				lo, hi, ok := src.Range(context.Background(), 3)
				require.True(t, ok)
				src.SetExp(3)
				// ct is C transposed: its rows are the columns of the
				// solved orientation.
				want := make([]float64, rows*cols)
				r := make([]float64, cols)
				wlo, whi := math.Inf(1), math.Inf(-1)
				for i := 0; i < rows; i++ {
					for j, v := range row(i, r) {
						want[j*rows+i] = math.Ldexp(v, -3)
						wlo, whi = math.Min(wlo, v), math.Max(whi, v)
					}
				}
				require.Equal(t, [2]float64{wlo, whi}, [2]float64{lo, hi})
				got := make([]float64, rows)
				for j := 0; j < cols; j++ {
					src.Column(j, got)
					require.Equal(t, want[j*rows:(j+1)*rows], got)
					for i := range got {
						require.Equal(t, got[i], src.Entry(i, j))
					}
				}
				for _, k := range []int{1, 3, 10, rows} {
					name := fmt.Sprintf("%v/%d×%d×%d/transpose=%v/k=%d", metric, n, m, d, transpose, k)
					t.Run(name, func(t *testing.T) {
						a, b := otest.RandomWeights(rng, rows), otest.RandomWeights(rng, cols)
						b0 := 0.0
						for _, v := range b {
							b0 += v
						}
						for j := range b {
							b[j] /= b0
						}
						evalPath(t, rows, cols, k, gamma, a, b, want, src)
					})
				}
			}
		}
	}
}

// evalPath evaluates the semi-dual and the dual with the dense transposed
// cost ct and with src along the same path and requires bitwise equal
// results, for 1 and 3 workers.
func evalPath(t *testing.T, n, m, k int, gamma float64, a, b, ct []float64, src Source) {
	type out struct {
		vals  []float64
		plans []*ot.SparsePlan
		rng   float64
	}
	run := func(lazy bool, workers int) out {
		var c Columns
		c.Reset(n, m, k)
		if lazy {
			c.SetSource(src)
		} else {
			copy(c.CT(), ct)
		}
		c.A, c.B, c.Gamma = a, b, gamma
		pool := parallel.NewPool(workers)
		defer pool.Close()
		c.Pool = pool
		r := rand.New(rand.NewPCG(2, 2))
		F := make([]float64, n)
		grad := make([]float64, n)
		var o out
		for step := 0; step < 30; step++ {
			size := 0.1 * math.Pow(0.8, float64(step))
			for i := range F {
				F[i] += size * r.NormFloat64()
			}
			o.vals = append(o.vals, c.SemiDual(F, grad))
			o.vals = append(o.vals, grad...)
			p, lin, sq := c.Plan(0)
			o.plans = append(o.plans, p)
			o.vals = append(o.vals, lin, sq)
		}
		x := make([]float64, n+m)
		copy(x, F)
		c.PotentialG(x[n:])
		g2 := make([]float64, n+m)
		o.vals = append(o.vals, c.Dual(x, g2))
		o.vals = append(o.vals, g2...)
		o.rng = c.CostRange()
		return o
	}
	want := run(false, 1)
	for _, w := range []int{1, 3} {
		got := run(true, w)
		require.Equal(t, len(want.vals), len(got.vals))
		for q := range want.vals {
			require.Equal(t, math.Float64bits(want.vals[q]), math.Float64bits(got.vals[q]), "value %d, %d workers", q, w)
		}
		require.Equal(t, want.plans, got.plans)
		require.Equal(t, want.rng, got.rng)
	}
}

// TestCloudExtremeExp: entries scaled by powers of two beyond the normal
// range are those of math.Ldexp.
func TestCloudExtremeExp(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	x, y := otest.GaussianClouds(rng, 20, 10, 2, nil)
	src := NewCloud(&ot.PointCloud{X: x, Y: y, Metric: ot.SqEuclidean}, false)
	raw := make([]float64, 20)
	src.Column(3, raw)
	for _, e := range []int{-1100, -1030, -1022, 5, 1022, 1030, 1075} {
		src.SetExp(e)
		got := make([]float64, 20)
		src.Column(3, got)
		for i, v := range raw {
			require.Equal(t, math.Float64bits(math.Ldexp(v, -e)), math.Float64bits(got[i]), "e = %d", e)
			require.Equal(t, math.Float64bits(got[i]), math.Float64bits(src.Entry(i, 3)), "e = %d", e)
		}
	}
}

// TestCloudScan: the tree scan and the row pass find exactly the entries
// u_i = (F_i − C_ij)·scale ≥ tau of a pass over the computed column, in
// ascending row order, at thresholds from none to all of them (duplicate
// points and a scaled cost included).
func TestCloudScan(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	const n, m = 600, 12
	for _, metric := range []ot.Metric{ot.SqEuclidean, ot.Euclidean} {
		for _, d := range []int{1, 2, 3} {
			x, y := otest.GaussianClouds(rng, n, m, d, nil)
			for i := 0; i < n; i += 7 {
				x.SetRow(i, x.RawRowView(0)) // duplicates
			}
			src := NewCloud(&ot.PointCloud{X: x, Y: y, Metric: metric}, false)
			src.SetExp(-2)
			F := make([]float64, n)
			for i := range F {
				F[i] = rng.NormFloat64()
			}
			src.prepare(F)
			col := make([]float64, n)
			v, ci := make([]float64, n), make([]int, n)
			var buf scanBuf
			const scale = 3.0
			for j := 0; j < m; j++ {
				src.Column(j, col)
				u := make([]float64, n)
				for i := range u {
					u[i] = (F[i] - col[i]) * scale
				}
				sorted := slices.Clone(u)
				slices.Sort(sorted)
				for _, q := range []int{0, 1, 2, 5, 30, n / 2, n - 1} {
					tau := sorted[n-1-q] // q + 1 entries (or more on ties) pass
					var wantV []float64
					var wantI []int
					for i, x := range u {
						if x >= tau {
							wantV, wantI = append(wantV, x), append(wantI, i)
						}
					}
					for _, tree := range []bool{false, true} {
						var cnt int
						if tree {
							cnt = src.scanTree(j, F, scale, tau, v, ci, &buf)
						} else {
							cnt = src.scanAll(j, F, scale, tau, v, ci)
						}
						require.Equal(t, wantI, ci[:cnt], "%v d=%d j=%d q=%d tree=%v", metric, d, j, q, tree)
						require.Equal(t, wantV, v[:cnt])
					}
				}
			}
		}
	}
}
