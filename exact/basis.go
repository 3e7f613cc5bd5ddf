package exact

import (
	"cmp"
	"math"
	"slices"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/otkit/otkit/ot"
)

// costRows reads the cost for the simplex. The simplex works in units of
// unit, a power of two chosen so that the largest finite |C_ij|/unit lies in
// [1, 2) when the costs are very large or very small (and unit = 1 otherwise):
// dividing by a power of two is exact, so the pivots are those of the
// unscaled costs, and neither the potentials nor the big-M cost overflow.
// row returns costs in those units; raw entries (for the figures) come from
// rawAt or rawRow.
type costRows struct {
	c     ot.Cost
	dense []float64 // row-major data of a *ot.DenseCost, else nil
	n, m  int
	buf   []float64
	// sq holds the points of a (squared) Euclidean *ot.PointCloud, packed
	// for the fused pricing kernel and for single entries.
	sq *sqCloud
	// at returns the raw entry (i, j) without computing a whole row; nil
	// when the cost offers only rows.
	at func(i, j int) float64

	unit, inv float64 // costs are used as C_ij·inv, inv = 1/unit
	maxAbs    float64 // largest finite |C_ij|·inv
	hasInf    bool    // some cost is +Inf
	// bigM stands for a forbidden (+Inf) arc in the starting basis; it is
	// large enough that an optimal basis carries flow on such an arc only if
	// the problem is infeasible.
	bigM float64
}

func newCostRows(c ot.Cost) *costRows {
	n, m := c.Dims()
	r := &costRows{c: c, n: n, m: m, unit: 1, inv: 1}
	r.buf = make([]float64, m)
	switch c := c.(type) {
	case *ot.DenseCost:
		r.dense = c.Data
		r.at = func(i, j int) float64 { return r.dense[i*m+j] }
	case *ot.PointCloud:
		if c.Metric == ot.SqEuclidean || c.Metric == ot.Euclidean {
			r.sq = newSqCloud(c)
			r.at = r.sq.entry
		} else {
			r.at = cloudEntry(c)
		}
	case interface{ At(i, j int) float64 }:
		r.at = c.At
	}
	return r
}

// cloudEntry evaluates single entries of a point cloud as the 1×1 cloud of
// the two points, so that they are bitwise those of Row for every metric.
func cloudEntry(pc *ot.PointCloud) func(i, j int) float64 {
	_, d := pc.X.Dims()
	var dst [1]float64
	return func(i, j int) float64 {
		one := &ot.PointCloud{
			X:      pc.X.Slice(i, i+1, 0, d).(*mat.Dense),
			Y:      pc.Y.Slice(j, j+1, 0, d).(*mat.Dense),
			Metric: pc.Metric, P: pc.P,
		}
		return one.Row(0, dst[:])[0]
	}
}

// row returns row i in working units; it is valid until the next call.
func (r *costRows) row(i int) []float64 {
	if r.dense != nil {
		row := r.dense[i*r.m : (i+1)*r.m : (i+1)*r.m]
		if r.inv == 1 {
			return row
		}
		floats.ScaleTo(r.buf, r.inv, row)
		return r.buf
	}
	row := r.c.Row(i, r.buf)
	if r.inv != 1 {
		floats.Scale(r.inv, row)
	}
	return row
}

// rawRow returns row i of the cost itself; it is valid until the next call.
func (r *costRows) rawRow(i int) []float64 {
	if r.dense != nil {
		return r.dense[i*r.m : (i+1)*r.m : (i+1)*r.m]
	}
	return r.c.Row(i, r.buf)
}

// unitExp bounds the binary exponent of the largest cost within which the
// simplex works on the costs as they are.
const unitExp = 512

// prepare scans the cost once: it chooses the working unit, sets maxAbs,
// hasInf and bigM, and returns the column minima G_j = min_i C_ij in working
// units (0 for a column of +Inf) when colMin is set. It returns ok = false
// if poll stopped it.
func (r *costRows) prepare(poll *poller, colMin bool) (g []float64, ok bool) {
	var maxAbs float64
	if colMin {
		g = make([]float64, r.m)
		for j := range g {
			g[j] = inf
		}
	}
	for i := 0; i < r.n; i++ {
		if poll.add(r.m) {
			return nil, false
		}
		row := r.rawRow(i)
		for _, v := range row {
			switch {
			case v == inf:
				r.hasInf = true
			case v > maxAbs:
				maxAbs = v
			case -v > maxAbs:
				maxAbs = -v
			}
		}
		for j, v := range g {
			g[j] = min(v, row[j])
		}
	}
	if _, e := math.Frexp(maxAbs); maxAbs > 0 && (e > unitExp || e < -unitExp) {
		k := min(max(e-1, -1021), 1023)
		r.unit, r.inv = math.Ldexp(1, k), math.Ldexp(1, -k)
	}
	r.maxAbs = maxAbs * r.inv
	r.bigM = float64(2*(r.n+r.m)+1) * 2 * r.maxAbs
	if r.maxAbs == 0 {
		r.bigM = float64(2*(r.n+r.m) + 1)
	}
	for j, v := range g {
		if v == inf {
			g[j] = 0
		} else {
			g[j] = v * r.inv
		}
	}
	return g, true
}

// clamp replaces a forbidden cost by bigM.
func (r *costRows) clamp(c float64) float64 {
	if c > r.bigM {
		return r.bigM
	}
	return c
}

// costsOf sets the c of each arc with i ≥ 0 to its raw cost C_ij, entry by
// entry when the cost allows it, else row by row so that a computed row is
// evaluated once. It returns false if poll (which may be nil) stopped it.
func (r *costRows) costsOf(arcs []basisArc, poll *poller) bool {
	if r.at != nil {
		for k := range arcs {
			if e := &arcs[k]; e.i >= 0 {
				e.c = r.at(e.i, e.j)
			}
		}
		return true
	}
	byRow := make([][]int32, r.n)
	for k, e := range arcs {
		if e.i >= 0 {
			byRow[e.i] = append(byRow[e.i], int32(k))
		}
	}
	for i, ks := range byRow {
		if len(ks) == 0 {
			continue
		}
		if poll != nil && poll.add(r.m) {
			return false
		}
		row := r.rawRow(i)
		for _, k := range ks {
			arcs[k].c = row[arcs[k].j]
		}
	}
	return true
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
// only when a row has no other open column. It returns nil if poll stopped
// it.
func greedyBasis(rows *costRows, a, b, g []float64, poll *poller) []basisArc {
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
	take := func(i, j int, row []float64) {
		x := math.Min(ra[i], rb[j])
		arcs = append(arcs, basisArc{i: i, j: j, x: x, c: rows.clamp(row[j])})
		ra[i] -= x
		rb[j] -= x
		if rb[j] == 0 {
			k := where[j]
			last := open[len(open)-1]
			open[k], where[last] = last, k
			open = open[:len(open)-1]
		}
	}
	type keyed struct {
		r float64
		j int
	}
	var order []keyed
	for i := 0; i < n && len(open) > 0; i++ {
		if poll.add(m) {
			return nil
		}
		row := rows.row(i)
		// The cheapest open column; most rows are exhausted by it.
		best, bj := inf, open[0]
		for _, j := range open {
			if r := row[j] - g[j]; r < best {
				best, bj = r, j
			}
		}
		take(i, bj, row)
		if ra[i] <= 0 || len(open) == 0 {
			continue
		}
		// A heavy row: sort the open columns once and fill them in order.
		// Only columns taken here leave the open list meanwhile.
		poll.add(4 * len(open))
		order = order[:0]
		for _, j := range open {
			order = append(order, keyed{row[j] - g[j], j})
		}
		slices.SortFunc(order, func(x, y keyed) int { return cmp.Compare(x.r, y.r) })
		for _, e := range order {
			if ra[i] <= 0 {
				break
			}
			take(i, e.j, row)
		}
	}
	return arcs
}

// build makes t a strongly feasible basis containing the forest of positive-flow
// arcs. The forest's components are joined by zero-flow arcs: each
// component after the first that has a source s hangs, by the arc from s, below
// the sink J of an earlier component of least reduced cost C_sJ − g_J; the
// remaining components (the first, and single sinks left without flow by
// round-off) hang from the root by artificial arcs. All zero-flow arcs thus
// point towards the root. Potentials follow the tree arcs from those of the
// root's children, −f_i for a source and g_j for a sink. It returns false if
// poll stopped it.
func (t *tree) build(rows *costRows, arcs []basisArc, f, g []float64, poll *poller) bool {
	n, N := t.n, t.n+t.m

	// Components of the forest, each with a start node (a source if any).
	comp := make([]int32, N)
	for u := range comp {
		comp[u] = -1
	}
	adj := forestAdjacency(arcs, n, N)
	var starts []int32
	var stack []int32
	for s := 0; s < N; s++ {
		if comp[s] >= 0 {
			continue
		}
		c := int32(len(starts))
		start := int32(s)
		comp[s] = c
		stack = append(stack[:0], int32(s))
		for len(stack) > 0 {
			u := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if int(start) >= n && int(u) < n {
				start = u
			}
			for _, e := range adj.of(u) {
				v := arcs[e].other(u, n)
				if comp[v] < 0 {
					comp[v] = c
					stack = append(stack, v)
				}
			}
		}
		starts = append(starts, start)
	}

	// Joining arcs: component c ≥ 1 with a source start s hangs below the
	// best sink seen so far.
	joined := arcs
	var sinks []int32 // sinks of the components attached so far
	compSinks := make([][]int32, len(starts))
	for u := n; u < N; u++ {
		compSinks[comp[u]] = append(compSinks[comp[u]], int32(u))
	}
	hangs := make([]bool, len(starts)) // hangs from the root
	for c, s := range starts {
		if c == 0 || int(s) >= n || len(sinks) == 0 {
			hangs[c] = true
		} else {
			if poll.add(len(sinks) + rows.m) {
				return false
			}
			row := rows.row(int(s))
			best, bj := inf, int32(-1)
			for _, J := range sinks {
				j := int(J) - n
				if r := rows.clamp(row[j]) - g[j]; r < best {
					best, bj = r, J
				}
			}
			joined = append(joined, basisArc{i: int(s), j: int(bj) - n, c: rows.clamp(row[int(bj)-n])})
		}
		sinks = append(sinks, compSinks[c]...)
	}

	// One traversal from the root: parents, flows, potentials, preorder.
	adj = forestAdjacency(joined, n, N)
	seen := make([]bool, N)
	order := make([]int32, 0, N+1)
	order = append(order, t.root)
	t.parent[t.root] = -1
	t.pi[t.root] = 0
	for c, s := range starts {
		if !hangs[c] {
			continue
		}
		seen[s] = true
		t.parent[s] = t.root
		t.flow[s] = 0
		if int(s) < n {
			t.pi[s] = -f[s]
		} else {
			t.pi[s] = g[int(s)-n]
		}
		stack = append(stack[:0], s)
		for len(stack) > 0 {
			u := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			order = append(order, u)
			for _, k := range adj.of(u) {
				e := joined[k]
				v := e.other(u, n)
				if seen[v] {
					continue
				}
				seen[v] = true
				t.parent[v] = u
				t.flow[v] = e.x
				if int(v) < n {
					t.pi[v] = t.pi[u] - e.c
				} else {
					t.pi[v] = t.pi[u] + e.c
				}
				stack = append(stack, v)
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
	return true
}

// other returns the endpoint of e that is not node u.
func (e basisArc) other(u int32, n int) int32 {
	if int(u) == e.i {
		return int32(n + e.j)
	}
	return int32(e.i)
}

// adjacency lists the arcs at each node, in CSR form.
type adjacency struct {
	start []int
	arcs  []int32
}

func (a *adjacency) of(u int32) []int32 { return a.arcs[a.start[u]:a.start[u+1]] }

func forestAdjacency(arcs []basisArc, n, N int) *adjacency {
	start := make([]int, N+1)
	for _, e := range arcs {
		start[e.i+1]++
		start[n+e.j+1]++
	}
	for u := 0; u < N; u++ {
		start[u+1] += start[u]
	}
	list := make([]int32, 2*len(arcs))
	fill := append([]int(nil), start[:N]...)
	for k, e := range arcs {
		list[fill[e.i]] = int32(k)
		fill[e.i]++
		list[fill[n+e.j]] = int32(k)
		fill[n+e.j]++
	}
	return &adjacency{start: start, arcs: list}
}

// arcs returns the real tree arcs with their flows and raw (unclamped, not
// rescaled) costs. The arc of node u is at index u of the result (i < 0 when
// u hangs from the root). It returns nil if poll (which may be nil) stopped
// it.
func (t *tree) arcs(rows *costRows, poll *poller) []basisArc {
	n := t.n
	out := make([]basisArc, n+t.m)
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
	}
	if !rows.costsOf(out, poll) {
		return nil
	}
	return out
}

// refresh recomputes the potentials from the tree arcs in preorder, which
// removes the round-off accumulated by the pivots' incremental updates. The
// potentials of the root's children are kept. It returns false, leaving the
// potentials as they were, if poll stopped it.
func (t *tree) refresh(rows *costRows, poll *poller) bool {
	arcs := t.arcs(rows, poll)
	if arcs == nil {
		return false
	}
	for u := t.thread[t.root]; u != t.root; u = t.thread[u] {
		p := t.parent[u]
		if p == t.root {
			continue
		}
		c := rows.clamp(arcs[u].c * rows.inv)
		if int(u) < t.n {
			t.pi[u] = t.pi[p] - c
		} else {
			t.pi[u] = t.pi[p] + c
		}
	}
	return true
}
