package simplex

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestProjectKCheckValues(t *testing.T) {
	// cardinality.md §2 check values (z = 1).
	for _, tc := range []struct {
		v    []float64
		k    int
		want []float64
	}{
		{[]float64{0.5, 0.2, 0.1}, 2, []float64{0.65, 0.35, 0}},
		{[]float64{0.3, 0.3, 0.3}, 2, []float64{0.5, 0.5, 0}},
		{[]float64{0.1, 0.7, 0.2}, 1, []float64{0, 1, 0}},
		{[]float64{0.5, 0.2, 0.1}, 3, []float64{0.5666666666666667, 0.26666666666666666, 0.16666666666666666}},
		{[]float64{0.5, 0.2, 0.1}, 7, []float64{0.5666666666666667, 0.26666666666666666, 0.16666666666666666}},
	} {
		dst := make([]float64, len(tc.v))
		must(ProjectK(dst, tc.v, 1, tc.k, nil))
		assert.InDeltaSlice(t, tc.want, dst, 1e-12, "P_k(%v), k=%d", tc.v, tc.k)
	}
}

func TestTopKTies(t *testing.T) {
	v := []float64{1, 3, 3, 2, 3, 1}
	assert.Equal(t, []int{1, 2}, TopK(v, 2, nil))
	assert.Equal(t, []int{1, 2, 4}, TopK(v, 3, nil))
	assert.Equal(t, []int{1, 2, 3, 4}, TopK(v, 4, nil))
	assert.Equal(t, []int{0, 1, 2, 3, 4}, TopK(v, 5, nil))
	assert.Empty(t, TopK(v, 0, nil))
	assert.Equal(t, []int{0, 1, 2, 3, 4, 5}, TopK(v, 9, nil))
}

func TestTopKMatchesSort(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	w := new(Workspace)
	for trial := 0; trial < 3000; trial++ {
		n := 1 + r.IntN(80)
		v := randVec(r, n)
		k := 1 + r.IntN(n)
		got := append([]int(nil), TopK(v, k, w)...)
		require.Equal(t, sortedTopK(v, k), got, "v=%v k=%d", v, k)
	}
}

// TestTopKManyTies checks the selection on long vectors with few distinct
// values (the quickselect's fallback to three-way partitions) against the
// sort-based reference.
func TestTopKManyTies(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	w := new(Workspace)
	for trial := 0; trial < 300; trial++ {
		n := 1 + r.IntN(2000)
		distinct := 1 + r.IntN(4)
		v := make([]float64, n)
		for i := range v {
			v[i] = float64(r.IntN(distinct))
		}
		k := 1 + r.IntN(n)
		got := append([]int(nil), TopK(v, k, w)...)
		require.Equal(t, sortedTopK(v, k), got, "n=%d distinct=%d k=%d", n, distinct, k)
	}
}

func TestProjectKMatchesReference(t *testing.T) {
	// Reference: sort-select the k entries, project them with the
	// sort-based threshold.
	r := rand.New(rand.NewPCG(13, 14))
	w := new(Workspace)
	for trial := 0; trial < 2000; trial++ {
		n := 1 + r.IntN(50)
		v := randVec(r, n)
		k := 1 + r.IntN(n+2)
		z := 0.01 + 3*r.Float64()
		sel := sortedTopK(v, k)
		vals := make([]float64, len(sel))
		for q, i := range sel {
			vals[q] = v[i]
		}
		thRef := must(ThresholdSort(vals, z, nil))
		want := make([]float64, n)
		for _, i := range sel {
			want[i] = max(v[i]-thRef, 0)
		}
		dst := make([]float64, n)
		th := must(ProjectK(dst, v, z, k, w))
		require.InDelta(t, thRef, th, 1e-12*(1+z+abs(thRef)))
		require.InDeltaSlice(t, want, dst, 1e-12*(1+z+abs(thRef)))
		nz := 0
		for _, x := range dst {
			if x > 0 {
				nz++
			}
		}
		require.LessOrEqual(t, nz, k)
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

func BenchmarkThreshold1000(b *testing.B) {
	v := randVec(rand.New(rand.NewPCG(1, 1)), 1000)
	w := NewWorkspace(1000)
	for b.Loop() {
		must(Threshold(v, 1, w))
	}
}

func BenchmarkThresholdSort1000(b *testing.B) {
	v := randVec(rand.New(rand.NewPCG(1, 1)), 1000)
	w := NewWorkspace(1000)
	for b.Loop() {
		must(ThresholdSort(v, 1, w))
	}
}

func BenchmarkProjectK1000k10(b *testing.B) {
	v := randVec(rand.New(rand.NewPCG(1, 1)), 1000)
	dst := make([]float64, 1000)
	w := NewWorkspace(1000)
	for b.Loop() {
		must(ProjectK(dst, v, 1, 10, w))
	}
}

// TestKthLargest compares with sorting, ties and infinities included.
func TestKthLargest(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 32))
	for trial := 0; trial < 2000; trial++ {
		n := 1 + r.IntN(100)
		v := make([]float64, n)
		for i := range v {
			switch r.IntN(8) {
			case 0:
				v[i] = math.Inf(-1)
			case 1:
				v[i] = float64(r.IntN(3))
			default:
				v[i] = r.NormFloat64()
			}
		}
		k := 1 + r.IntN(n)
		s := slices.Clone(v)
		slices.Sort(s)
		require.Equal(t, s[n-k], KthLargest(v, k), "v=%v k=%d", v, k)
	}
}
