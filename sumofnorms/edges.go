package sumofnorms

import (
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/otkit/otkit/ot"
)

// EdgeSet selects the pairs of rows whose conditional distributions are
// fused (docs/sumofnorms.md §2).
type EdgeSet int

const (
	// Auto is SameClass when Labels are given and its edge duals take at
	// most MaxPairBytes, SameClassKNN when they would take more, and KNN
	// without Labels.
	Auto EdgeSet = iota
	// SameClass joins every pair of rows of the same class:
	// Σ_c n_c(n_c−1)/2 edges.
	SameClass
	// SameClassKNN joins each row to its K nearest rows of the same class
	// (symmetrized: an edge when either end is among the other's K
	// nearest).
	SameClassKNN
	// KNN joins each row to its K nearest rows, labels ignored.
	KNN
)

// MaxPairBytes is the memory of the SameClass edge duals (|E|·m float64)
// above which Auto uses SameClassKNN: 64 MiB.
const MaxPairBytes = 64 << 20

var edgeNames = [...]string{Auto: "auto", SameClass: "sameclass", SameClassKNN: "sameclass-knn", KNN: "knn"}

// String returns the edge set's name as ParseEdgeSet reads it.
func (e EdgeSet) String() string {
	if e >= 0 && int(e) < len(edgeNames) {
		return edgeNames[e]
	}
	return fmt.Sprintf("EdgeSet(%d)", int(e))
}

// ParseEdgeSet reads an edge set name as String writes it.
func ParseEdgeSet(s string) (EdgeSet, error) {
	for k, name := range edgeNames {
		if s == name {
			return EdgeSet(k), nil
		}
	}
	return 0, fmt.Errorf("%w: sumofnorms: unknown edge set %q", ot.ErrParameter, s)
}

// Weighting selects the edge weights w_e.
type Weighting int

const (
	// WeightsAuto is Uniform for SameClass and Gaussian for the kNN edge
	// sets.
	WeightsAuto Weighting = iota
	// Uniform is w_e = 1.
	Uniform
	// Gaussian is w_e = exp(−d_e²/σ²) with d_e the distance between the
	// two rows' features (docs/sumofnorms.md §2.1) and σ = Solver.Sigma,
	// or the median edge length.
	Gaussian
)

// graph is an edge set over the rows of the reduced, normalized instance,
// with the adjacency of every row. w includes the mass factor M of R.
type graph struct {
	tail, head []int32
	w          []float64
	// Row i's incident edges are adj[ptr[i]:ptr[i+1]], with coef the
	// coefficient of Z_e in (D*Z)_i: +w_e/a_i at the tail, −w_e/a_i at
	// the head.
	ptr  []int
	adj  []int32
	coef []float64
}

func (g *graph) edges() int { return len(g.tail) }

// features returns the points that define distances between rows: the
// source points of a point cloud, else the rows of the cost (+Inf entries
// replaced by twice the largest finite |C|).
func features(c ot.Cost, dense []float64, n, m int, cmax float64) (x []float64, d int) {
	if pc, ok := c.(*ot.PointCloud); ok && pc.X != nil {
		r, cols := pc.X.Dims()
		if r == n {
			x = make([]float64, n*cols)
			for i := 0; i < n; i++ {
				for k := 0; k < cols; k++ {
					x[i*cols+k] = pc.X.At(i, k)
				}
			}
			return x, cols
		}
	}
	x = make([]float64, n*m)
	for k, v := range dense {
		if math.IsInf(v, 1) {
			v = 2 * cmax
		}
		x[k] = v
	}
	return x, m
}

func sqDist(x []float64, d, i, j int) float64 {
	var s float64
	for k := 0; k < d; k++ {
		t := x[i*d+k] - x[j*d+k]
		s += t * t
	}
	return s
}

// pairEdges returns every same-class pair (i < i').
func pairEdges(labels []int) [][2]int32 {
	byClass := classes(labels)
	var e [][2]int32
	for _, rows := range byClass {
		for x := 0; x < len(rows); x++ {
			for y := x + 1; y < len(rows); y++ {
				e = append(e, [2]int32{int32(rows[x]), int32(rows[y])})
			}
		}
	}
	slices.SortFunc(e, cmpEdge)
	return e
}

// pairCount returns Σ_c n_c(n_c−1)/2.
func pairCount(labels []int) int {
	cnt := map[int]int{}
	for _, l := range labels {
		cnt[l]++
	}
	var s int
	for _, k := range cnt {
		s += k * (k - 1) / 2
	}
	return s
}

// classes returns the rows of each class, classes in increasing label
// order, rows ascending.
func classes(labels []int) [][]int {
	idx := map[int]int{}
	var keys []int
	for _, l := range labels {
		if _, ok := idx[l]; !ok {
			idx[l] = 0
			keys = append(keys, l)
		}
	}
	sort.Ints(keys)
	for k, l := range keys {
		idx[l] = k
	}
	out := make([][]int, len(keys))
	for i, l := range labels {
		out[idx[l]] = append(out[idx[l]], i)
	}
	return out
}

func cmpEdge(p, q [2]int32) int {
	if p[0] != q[0] {
		return int(p[0] - q[0])
	}
	return int(p[1] - q[1])
}

// knnEdges returns the symmetrized k-nearest-neighbour edges within each
// group of rows (ties broken by the lower index). stop is polled every
// few rows; it returns nil when it reports true.
func knnEdges(groups [][]int, x []float64, d, k int, stop func() bool) [][2]int32 {
	var e [][2]int32
	type nb struct {
		d float64
		j int
	}
	for _, rows := range groups {
		kk := min(k, len(rows)-1)
		if kk <= 0 {
			continue
		}
		cand := make([]nb, 0, len(rows))
		for t, i := range rows {
			if t%64 == 0 && stop() {
				return nil
			}
			cand = cand[:0]
			for _, j := range rows {
				if j != i {
					cand = append(cand, nb{sqDist(x, d, i, j), j})
				}
			}
			slices.SortFunc(cand, func(p, q nb) int {
				switch {
				case p.d < q.d:
					return -1
				case p.d > q.d:
					return 1
				}
				return p.j - q.j
			})
			for _, c := range cand[:kk] {
				lo, hi := min(i, c.j), max(i, c.j)
				e = append(e, [2]int32{int32(lo), int32(hi)})
			}
		}
	}
	slices.SortFunc(e, cmpEdge)
	return slices.Compact(e)
}

// newGraph builds the graph of the edges with weights and adjacency; a
// holds the row weights, mass their total (the factor M of R).
func newGraph(e [][2]int32, gaussian bool, sigma float64, x []float64, d int, a []float64, mass float64) *graph {
	n := len(a)
	g := &graph{tail: make([]int32, len(e)), head: make([]int32, len(e)), w: make([]float64, len(e))}
	var dist []float64
	if gaussian {
		dist = make([]float64, len(e))
		for k, p := range e {
			dist[k] = sqDist(x, d, int(p[0]), int(p[1]))
		}
		if sigma == 0 {
			s := slices.Clone(dist)
			slices.Sort(s)
			if len(s) > 0 {
				sigma = math.Sqrt(s[len(s)/2])
			}
		}
	}
	for k, p := range e {
		g.tail[k], g.head[k] = p[0], p[1]
		w := 1.0
		if gaussian && sigma > 0 {
			w = math.Exp(-dist[k] / (sigma * sigma))
		}
		g.w[k] = w * mass
	}
	g.ptr = make([]int, n+1)
	for k := range e {
		g.ptr[g.tail[k]+1]++
		g.ptr[g.head[k]+1]++
	}
	for i := 0; i < n; i++ {
		g.ptr[i+1] += g.ptr[i]
	}
	g.adj = make([]int32, 2*len(e))
	g.coef = make([]float64, 2*len(e))
	next := slices.Clone(g.ptr[:n])
	for k := range e {
		i, h := g.tail[k], g.head[k]
		g.adj[next[i]], g.coef[next[i]] = int32(k), g.w[k]/a[i]
		next[i]++
		g.adj[next[h]], g.coef[next[h]] = int32(k), -g.w[k]/a[h]
		next[h]++
	}
	return g
}

var weightNames = [...]string{WeightsAuto: "auto", Uniform: "uniform", Gaussian: "gaussian"}

// String returns the weighting's name as ParseWeighting reads it.
func (w Weighting) String() string {
	if w >= 0 && int(w) < len(weightNames) {
		return weightNames[w]
	}
	return fmt.Sprintf("Weighting(%d)", int(w))
}

// ParseWeighting reads "auto", "uniform" or "gaussian".
func ParseWeighting(s string) (Weighting, error) {
	for k, name := range weightNames {
		if s == name {
			return Weighting(k), nil
		}
	}
	return 0, fmt.Errorf("%w: sumofnorms: unknown weighting %q", ot.ErrParameter, s)
}
