package simplex

import (
	"math"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestProjectCheckValues(t *testing.T) {
	// quadratic.md §4 check values (z = 1).
	for _, tc := range []struct {
		v, want []float64
		theta   float64
	}{
		{[]float64{0.5, 0.2, 0.1}, []float64{0.5666666666666667, 0.26666666666666666, 0.16666666666666666}, -0.0666666666666667},
		{[]float64{1.0, 0.2, -0.5}, []float64{0.9, 0.1, 0}, 0.1},
		{[]float64{0.3, 0.3, 0.3}, []float64{1.0 / 3, 1.0 / 3, 1.0 / 3}, 0.3 - 1.0/3},
		{[]float64{2, 1, 0.5, -1}, []float64{1, 0, 0, 0}, 1},
		{[]float64{-1, -2, -3}, []float64{1, 0, 0}, -2},
		{[]float64{0, 0, 0, 0}, []float64{0.25, 0.25, 0.25, 0.25}, -0.25},
	} {
		dst := make([]float64, len(tc.v))
		theta := must(Project(dst, tc.v, 1, nil))
		assert.InDelta(t, tc.theta, theta, 1e-12, "θ for %v", tc.v)
		assert.InDeltaSlice(t, tc.want, dst, 1e-12, "projection of %v", tc.v)
		assert.InDelta(t, tc.theta, must(ThresholdSort(tc.v, 1, nil)), 1e-12, "sort θ for %v", tc.v)
	}
}

func TestProjectZeroMass(t *testing.T) {
	v := []float64{0.3, -1, 2}
	dst := []float64{9, 9, 9}
	theta := must(Project(dst, v, 0, nil))
	assert.Equal(t, 2.0, theta)
	assert.Equal(t, []float64{0, 0, 0}, dst)
	assert.Zero(t, Value(v, theta))
}

// bruteTheta solves Σ[v−θ]₊ = z by bisection, an independent reference.
func bruteTheta(v []float64, z float64) float64 {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, x := range v {
		lo, hi = math.Min(lo, x), math.Max(hi, x)
	}
	lo -= z
	for it := 0; it < 200; it++ {
		mid := (lo + hi) / 2
		var s float64
		for _, x := range v {
			s += math.Max(x-mid, 0)
		}
		if s > z {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}

func randVec(r *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		switch r.IntN(4) {
		case 0:
			v[i] = float64(r.IntN(3)) // many ties
		default:
			v[i] = r.NormFloat64() * math.Pow(10, float64(r.IntN(5)-2))
		}
	}
	return v
}

func TestThresholdMatchesReferences(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	w := new(Workspace)
	for trial := 0; trial < 2000; trial++ {
		n := 1 + r.IntN(60)
		v := randVec(r, n)
		z := math.Pow(10, r.Float64()*6-3)
		th := must(Threshold(v, z, w))
		ts := must(ThresholdSort(v, z, w))
		require.Equal(t, th, must(ThresholdMax(v, z, maxOf(v), w)))
		tb := bruteTheta(v, z)
		scale := math.Max(1, math.Abs(th)) + z
		require.InDelta(t, ts, th, 1e-13*scale, "n=%d z=%v v=%v", n, z, v)
		require.InDelta(t, tb, th, 1e-11*scale, "n=%d z=%v", n, z)
		// The projection sums to z and is non-negative.
		dst := make([]float64, n)
		Apply(dst, v, th)
		var s float64
		for _, x := range dst {
			require.GreaterOrEqual(t, x, 0.0)
			s += x
		}
		require.InDelta(t, z, s, 1e-12*scale*float64(n))
	}
}

func TestProjectIsNearest(t *testing.T) {
	// The projection is no farther from v than any other point of zΔ.
	r := rand.New(rand.NewPCG(3, 4))
	for trial := 0; trial < 200; trial++ {
		n := 1 + r.IntN(8)
		v := randVec(r, n)
		z := 0.5 + r.Float64()
		p := make([]float64, n)
		must(Project(p, v, z, nil))
		d0 := dist2(p, v)
		for s := 0; s < 50; s++ {
			q := make([]float64, n)
			var sum float64
			for i := range q {
				q[i] = r.ExpFloat64()
				sum += q[i]
			}
			for i := range q {
				q[i] *= z / sum
			}
			require.LessOrEqual(t, d0, dist2(q, v)+1e-12)
		}
	}
}

func dist2(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += (a[i] - b[i]) * (a[i] - b[i])
	}
	return s
}

func TestValue(t *testing.T) {
	// Value = max_{t∈zΔ} <v,t> − ½‖t‖² at the projection; compare with the
	// formula θz + ½‖t‖² and with random feasible points.
	r := rand.New(rand.NewPCG(5, 6))
	for trial := 0; trial < 200; trial++ {
		n := 1 + r.IntN(10)
		v := randVec(r, n)
		z := 0.1 + r.Float64()
		p := make([]float64, n)
		th := must(Project(p, v, z, nil))
		val := Value(v, th)
		var dot, sq float64
		for i := range p {
			dot += p[i] * v[i]
			sq += p[i] * p[i]
		}
		require.InDelta(t, dot-sq/2, val, 1e-12*(1+math.Abs(val)))
		require.InDelta(t, th*z+sq/2, val, 1e-10*(1+math.Abs(val)))
	}
	assert.InDelta(t, (4+0)/(2*2.0), Conjugate([]float64{2, -1, 0}, 2), 1e-15)
}

func TestNoAllocs(t *testing.T) {
	v := randVec(rand.New(rand.NewPCG(7, 8)), 100)
	dst := make([]float64, 100)
	w := NewWorkspace(100)
	allocs := testing.AllocsPerRun(20, func() {
		must(Project(dst, v, 1, w))
		must(ProjectK(dst, v, 1, 7, w))
	})
	assert.Zero(t, allocs)
}

func TestDoesNotModifyInput(t *testing.T) {
	v := []float64{0.3, 0.1, 0.9, 0.5, 0.9}
	keep := append([]float64(nil), v...)
	dst := make([]float64, len(v))
	must(Project(dst, v, 1, nil))
	must(ProjectK(dst, v, 1, 2, nil))
	must(ThresholdSort(v, 1, nil))
	TopK(v, 3, nil)
	assert.Equal(t, keep, v)
}

func FuzzThreshold(f *testing.F) {
	f.Add(0.5, 0.2, 0.1, -3.0, 1.0, 2)
	f.Add(0.0, 0.0, 0.0, 0.0, 0.0, 1)
	f.Fuzz(func(t *testing.T, a, b, c, d, z float64, k int) {
		v := []float64{a, b, c, d}
		for _, x := range append(v, z) {
			if math.IsNaN(x) || math.IsInf(x, 0) || math.Abs(x) > 1e100 {
				return
			}
		}
		z = math.Abs(z)
		th, ts := must(Threshold(v, z, nil)), must(ThresholdSort(v, z, nil))
		scale := 1 + z
		for _, x := range v {
			scale += math.Abs(x)
		}
		if math.Abs(th-ts) > 1e-12*scale {
			t.Fatalf("Threshold %v, ThresholdSort %v", th, ts)
		}
		k = 1 + (k%4+4)%4
		dst := make([]float64, 4)
		must(ProjectK(dst, v, z, k, nil))
		nz := 0
		var s float64
		for _, x := range dst {
			if x < 0 || math.IsNaN(x) {
				t.Fatalf("bad entry %v", x)
			}
			if x > 0 {
				nz++
			}
			s += x
		}
		if nz > k || math.Abs(s-z) > 1e-12*scale {
			t.Fatalf("k=%d nnz=%d sum=%v z=%v", k, nz, s, z)
		}
	})
}

// sortedTopK is the sort-based reference for TopK.
func sortedTopK(v []float64, k int) []int {
	idx := make([]int, len(v))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return v[idx[a]] > v[idx[b]] })
	out := append([]int(nil), idx[:min(k, len(v))]...)
	sort.Ints(out)
	return out
}

func TestTinyMass(t *testing.T) {
	// z below the rounding of max(v): the maximum takes all the mass.
	v := []float64{1e17, 1e17 - 64, 3}
	th := must(Threshold(v, 1e-3, nil))
	assert.Equal(t, th, must(ThresholdSort(v, 1e-3, nil)))
	dst := make([]float64, 3)
	must(ProjectK(dst, v, 1e-3, 2, nil))
	assert.GreaterOrEqual(t, dst[0], 0.0)
}

func TestMassBelowRounding(t *testing.T) {
	// z = 1e-18 is below the rounding of the largest entry (ulp ~6e-17):
	// the support must not come out empty (θ was −Inf).
	for _, v := range [][]float64{{0.3, -0.2, -0.5}, {0.3, -0.2, 0.3}} {
		for _, th := range []float64{must(Threshold(v, 1e-18, nil)), must(ThresholdSort(v, 1e-18, nil))} {
			assert.InDelta(t, 0.3, th, 1e-16)
		}
		th, _, _ := ThresholdK(v, 1e-18, 2, nil)
		assert.InDelta(t, 0.3, th, 1e-16)
	}
}

// must returns θ and fails the test run on an error.
func must(theta float64, err error) float64 {
	if err != nil {
		panic(err)
	}
	return theta
}

// TestEmpty: an empty vector or k < 1 is ErrEmpty, not a panic.
func TestEmpty(t *testing.T) {
	_, err := Threshold(nil, 1, nil)
	assert.ErrorIs(t, err, ErrEmpty)
	_, err = ThresholdMax(nil, 1, 0, nil)
	assert.ErrorIs(t, err, ErrEmpty)
	_, err = ThresholdSort(nil, 1, nil)
	assert.ErrorIs(t, err, ErrEmpty)
	_, err = Project(nil, nil, 1, nil)
	assert.ErrorIs(t, err, ErrEmpty)
	_, _, err = ThresholdK(nil, 1, 1, nil)
	assert.ErrorIs(t, err, ErrEmpty)
	_, _, err = ThresholdK([]float64{1}, 1, 0, nil)
	assert.ErrorIs(t, err, ErrEmpty)
	_, err = ProjectK(nil, nil, 1, 1, nil)
	assert.ErrorIs(t, err, ErrEmpty)
}

// TestThresholdNaN: NaN entries or a NaN mass give a NaN threshold, not a
// panic.
func TestThresholdNaN(t *testing.T) {
	nan := math.NaN()
	for _, c := range []struct {
		v []float64
		z float64
	}{{[]float64{nan, nan}, 1}, {[]float64{1, 2}, nan}} {
		th, err := Threshold(c.v, c.z, nil)
		if err != nil || !math.IsNaN(th) {
			t.Errorf("Threshold(%v, %v) = %v, %v; want NaN, nil", c.v, c.z, th, err)
		}
	}
}
