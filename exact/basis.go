package exact

import (
	"math"

	"github.com/otkit/otkit/ot"
)

// costRows reads rows of the cost without copying dense data; other costs
// (point clouds, sub-costs) are computed one row at a time.
type costRows struct {
	c     ot.Cost
	dense []float64 // row-major data of a *ot.DenseCost, else nil
	n, m  int
	buf   []float64
	// sq holds the points of a squared-Euclidean *ot.PointCloud, packed
	// row-major (x then y, dimension d), for the fused pricing kernel.
	sq *sqCloud
	// bigM stands for a forbidden (+Inf) arc in the starting basis; it is
	// large enough that an optimal basis carries flow on such an arc only if
	// the problem is infeasible.
	bigM float64
}

func newCostRows(c ot.Cost) *costRows {
	n, m := c.Dims()
	r := &costRows{c: c, n: n, m: m}
	r.buf = make([]float64, m)
	switch c := c.(type) {
	case *ot.DenseCost:
		r.dense = c.Data
	case *ot.PointCloud:
		if c.Metric == ot.SqEuclidean {
			r.sq = newSqCloud(c)
		}
	}
	return r
}

// row returns row i; for computed costs it is valid until the next call.
func (r *costRows) row(i int) []float64 {
	if r.dense != nil {
		return r.dense[i*r.m : (i+1)*r.m : (i+1)*r.m]
	}
	return r.c.Row(i, r.buf)
}

// scale sets bigM from the largest finite |C_ij| and reports it.
func (r *costRows) scale() (maxAbs float64, hasInf bool) {
	for i := 0; i < r.n; i++ {
		for _, v := range r.row(i) {
			if math.IsInf(v, 1) {
				hasInf = true
				continue
			}
			maxAbs = math.Max(maxAbs, math.Abs(v))
		}
	}
	r.bigM = float64(2*(r.n+r.m)+1) * (maxAbs + 1)
	return maxAbs, hasInf
}

// clamp replaces a forbidden cost by bigM.
func (r *costRows) clamp(c float64) float64 {
	if c > r.bigM {
		return r.bigM
	}
	return c
}

// basisArc is an arc of the starting basis: flow x from source i to column j
// at (clamped) cost c.
type basisArc struct {
	i, j int
	x, c float64
}

// greedyBasis builds a feasible starting flow by the row-minimum rule on the
// reduced costs C_ij − G_j: each row in turn sends its mass to the open
// columns of least reduced cost. Each step exhausts a row or a column, so the
// arcs of positive flow form a forest. Forbidden arcs are used (at cost bigM)
// only when a row has no other open column.
func greedyBasis(rows *costRows, a, b, g []float64) []basisArc {
	n, m := rows.n, rows.m
	ra := append([]float64(nil), a...)
	rb := append([]float64(nil), b...)
	open := make([]int, 0, m) // columns with mass left
	where := make([]int, m)   // position of a column in open
	for j := range rb {
		if rb[j] > 0 {
			where[j] = len(open)
			open = append(open, j)
		}
	}
	arcs := make([]basisArc, 0, n+m)
	for i := 0; i < n && len(open) > 0; i++ {
		row := rows.row(i)
		for ra[i] > 0 && len(open) > 0 {
			best, bj := math.Inf(1), -1
			for _, j := range open {
				if r := row[j] - g[j]; r < best {
					best, bj = r, j
				}
			}
			if bj < 0 {
				bj = open[0]
			}
			x := math.Min(ra[i], rb[bj])
			arcs = append(arcs, basisArc{i: i, j: bj, x: x, c: rows.clamp(row[bj])})
			ra[i] -= x
			rb[bj] -= x
			if rb[bj] == 0 {
				k := where[bj]
				last := open[len(open)-1]
				open[k], where[last] = last, k
				open = open[:len(open)-1]
			}
		}
	}
	return arcs
}

// build makes t the basis whose real arcs are the given forest; every
// component hangs from the root by an artificial zero-flow arc, and the
// potential of the component's first node is taken from rootPi.
func (t *tree) build(arcs []basisArc, rootPi func(u int) float64) {
	N := t.n + t.m
	// Adjacency in CSR form.
	deg := make([]int, N+1)
	for _, e := range arcs {
		deg[e.i+1]++
		deg[t.n+e.j+1]++
	}
	for u := 0; u < N; u++ {
		deg[u+1] += deg[u]
	}
	adj := make([]int32, 2*len(arcs)) // arc indices
	fill := append([]int(nil), deg[:N]...)
	for k, e := range arcs {
		adj[fill[e.i]] = int32(k)
		fill[e.i]++
		adj[fill[t.n+e.j]] = int32(k)
		fill[t.n+e.j]++
	}

	seen := make([]bool, N)
	order := make([]int32, 0, N+1)
	order = append(order, t.root)
	t.parent[t.root] = -1
	t.pi[t.root] = 0
	var stack []int32
	for s := 0; s < N; s++ {
		if seen[s] {
			continue
		}
		seen[s] = true
		t.parent[s] = t.root
		t.flow[s] = 0
		t.pi[s] = rootPi(s)
		stack = append(stack[:0], int32(s))
		for len(stack) > 0 {
			u := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			order = append(order, u)
			for _, k := range adj[deg[u]:deg[u+1]] {
				e := arcs[k]
				src, snk := int32(e.i), int32(t.n+e.j)
				child := src
				if child == u {
					child = snk
				}
				if seen[child] {
					continue
				}
				seen[child] = true
				t.parent[child] = u
				t.flow[child] = e.x
				if child == src {
					t.pi[src] = t.pi[snk] - e.c
				} else {
					t.pi[snk] = t.pi[src] + e.c
				}
				stack = append(stack, child)
			}
		}
	}
	for k, u := range order {
		next := order[(k+1)%len(order)]
		t.thread[u] = next
		t.rev[next] = u
		t.size[u] = 1
	}
	for k := len(order) - 1; k > 0; k-- {
		u := order[k]
		t.size[t.parent[u]] += t.size[u]
	}
}

// arcs returns the real tree arcs with their flows and unclamped costs,
// gathering costs row by row so that computed costs are evaluated once per
// row. The arc of node u is at index u of the result (i < 0 when u hangs from
// the root).
func (t *tree) arcs(rows *costRows) []basisArc {
	n := t.n
	out := make([]basisArc, n+t.m)
	byRow := make([][]int32, n)
	for u := int32(0); u < t.root; u++ {
		p := t.parent[u]
		if p == t.root {
			out[u].i = -1
			continue
		}
		i, j := u, p
		if int(u) >= n {
			i, j = p, u
		}
		out[u] = basisArc{i: int(i), j: int(j) - n, x: t.flow[u]}
		byRow[i] = append(byRow[i], u)
	}
	for i, us := range byRow {
		if len(us) == 0 {
			continue
		}
		row := rows.row(i)
		for _, u := range us {
			out[u].c = row[out[u].j]
		}
	}
	return out
}

// refresh recomputes the potentials from the tree arcs in preorder, which
// removes the round-off accumulated by the pivots' incremental updates. The
// potentials of the root's children are kept.
func (t *tree) refresh(rows *costRows) {
	arcs := t.arcs(rows)
	for u := t.thread[t.root]; u != t.root; u = t.thread[u] {
		p := t.parent[u]
		if p == t.root {
			continue
		}
		c := rows.clamp(arcs[u].c)
		if int(u) < t.n {
			t.pi[u] = t.pi[p] - c
		} else {
			t.pi[u] = t.pi[p] + c
		}
	}
}
