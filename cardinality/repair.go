package cardinality

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/otkit/otkit/ot"
	"github.com/otkit/otkit/quadratic"
)

// feasTol is the shortfall of a flow, relative to the mass, below which a
// support is taken to carry the marginals; it is tighter than the 1e-8 of
// ot.Problem.Validate, which the restricted problem passes through next.
const feasTol = 1e-10

// infeasible proves, when it can, that no plan with at most k nonzeros per
// column meets the marginals a (rows) and b (columns), all positive, and
// returns an error wrapping ot.ErrInfeasible; nil means no proof was found
// (deciding is NP-hard, docs/cardinality.md §5). The conditions, all
// necessary (what says whether the columns are columns or rows):
//
//  1. Hall: the s heaviest columns are served by at most min(n, k·s) rows,
//     so their mass is at most that of the min(n, k·s) heaviest rows, for
//     every s (s = m gives n ≤ k·m).
//  2. Counting: the support of a plan has at least n + m − c entries, c
//     being the number of its connected components, each of which is
//     balanced (its rows and its columns carry equal mass); at most k·m
//     entries fit. With equal row weights and equal column weights a
//     balanced block has r rows and s columns with r·m = s·n, so
//     c ≤ gcd(n, m), and n + m − gcd(n, m) ≤ k·m is necessary.
//  3. k = 1: every column goes whole to one row, so with n = m each row
//     takes exactly one column and the sorted weights must agree.
func infeasible(a, b []float64, k int, what string) error {
	n, m := len(a), len(b)
	if k >= n {
		return nil
	}
	mass := 0.0
	for _, v := range a {
		mass += v
	}
	tol := feasTol * mass
	sa, sb := slices.Clone(a), slices.Clone(b)
	slices.Sort(sa)
	slices.Reverse(sa)
	slices.Sort(sb)
	slices.Reverse(sb)
	prefA := make([]float64, n+1)
	for i, v := range sa {
		prefA[i+1] = prefA[i] + v
	}
	var top float64
	for s := 1; s <= m; s++ {
		top += sb[s-1]
		r := min(n, k*s)
		if top > prefA[r]+tol {
			if s == 1 {
				return fmt.Errorf("%w: a %s of weight %.6g needs more than k = %d of the other side's weights (the %d largest sum to %.6g)",
					ot.ErrInfeasible, what, sb[0], k, r, prefA[r])
			}
			return fmt.Errorf("%w: the %d heaviest %ss (weight %.6g) can use at most %d of the other side's entries, whose weights sum to at most %.6g (k = %d)",
				ot.ErrInfeasible, s, what, top, r, prefA[r], k)
		}
	}
	if equal(sa) && equal(sb) {
		if g := gcd(n, m); n+m-g > k*m {
			return fmt.Errorf("%w: with equal weights a plan needs at least n + m − gcd(n, m) = %d nonzeros, but %d %ss of at most k = %d hold %d",
				ot.ErrInfeasible, n+m-g, m, what, k, k*m)
		}
	}
	if k == 1 && n == m {
		for i := range sa {
			if math.Abs(sa[i]-sb[i]) > tol {
				return fmt.Errorf("%w: with k = 1 and as many rows as columns every %s goes whole to its own row, but the sorted weights differ (%.6g vs %.6g)",
					ot.ErrInfeasible, what, sb[i], sa[i])
			}
		}
	}
	return nil
}

// equal reports whether the sorted x has all entries equal to a relative
// 1e-12.
func equal(x []float64) bool {
	return len(x) == 0 || x[0]-x[len(x)-1] <= 1e-12*x[0]
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// slots is a set of (row, column) entries with at most k per column, in
// the solved orientation.
type slots struct {
	n, m, k int
	cols    [][]int32 // rows of column j, in insertion order
	in      map[int]bool
	covered []bool
}

func newSlots(n, m, k int) *slots {
	return &slots{n: n, m: m, k: k, cols: make([][]int32, m), in: make(map[int]bool), covered: make([]bool, n)}
}

func (s *slots) add(i, j int) {
	if s.in[j*s.n+i] {
		return
	}
	s.in[j*s.n+i] = true
	s.cols[j] = append(s.cols[j], int32(i))
	s.covered[i] = true
}

func (s *slots) remove(i, j int) {
	delete(s.in, j*s.n+i)
	s.cols[j] = slices.DeleteFunc(s.cols[j], func(x int32) bool { return int(x) == i })
}

func (s *slots) free(j int) bool { return len(s.cols[j]) < s.k }

// repairer completes a support into one that carries the marginals: it
// gives every uncovered row its cheapest free slot, then, while a maximum
// flow on the support falls short, gives the rows on the source side of
// the minimum cut their cheapest free slots towards columns beyond it.
// "Cheapest" is by reduced cost C_ij − F_i − G_j at the relaxation's
// potentials.
type repairer struct {
	n, m  int
	a, b  []float64
	cost  func(i, j int) float64
	F, G  []float64
	sup   *slots
	mass  float64
	graph flowNet
}

func (r *repairer) reduced(i, j int) float64 { return r.cost(i, j) - r.F[i] - r.G[j] }

// cheapest returns the free column of least reduced cost for row i, among
// the columns allowed (nil: all), or −1.
func (r *repairer) cheapest(i int, allowed func(j int) bool) int {
	best, bj := math.Inf(1), -1
	for j := 0; j < r.m; j++ {
		if !r.sup.free(j) || r.sup.in[j*r.n+i] || (allowed != nil && !allowed(j)) {
			continue
		}
		c := r.cost(i, j)
		if math.IsInf(c, 1) {
			continue
		}
		if v := c - r.F[i] - r.G[j]; v < best {
			best, bj = v, j
		}
	}
	return bj
}

// run completes the support; it reports false when no free slot is left
// that could raise the flow (the support is then not feasible) or when ctx
// is done.
func (r *repairer) run(ctx context.Context) bool {
	for i := 0; i < r.n; i++ {
		if !r.sup.covered[i] {
			if j := r.cheapest(i, nil); j >= 0 {
				r.sup.add(i, j)
			}
		}
	}
	for round := 0; ; round++ {
		if ctx.Err() != nil {
			return false
		}
		r.graph.build(r.sup, r.a, r.b)
		if r.mass-r.graph.maxFlow() <= feasTol*r.mass {
			return true
		}
		rows, cols := r.graph.sourceSide()
		beyond := func(j int) bool { return !cols[j] }
		added := false
		for i := 0; i < r.n; i++ {
			// Rows whose own weight is not all sent first, then any row
			// of the source side.
			if !rows[i] || r.graph.srcResidual(i) <= feasTol*r.mass {
				continue
			}
			if j := r.cheapest(i, beyond); j >= 0 {
				r.sup.add(i, j)
				added = true
			}
		}
		if !added && !r.grow(rows, cols) && (round >= r.maxRounds() || !r.swap(rows, cols)) {
			return false
		}
	}
}

// maxRounds bounds the rounds of run (swaps may cycle).
func (r *repairer) maxRounds() int { return 4 * (r.n + r.m) }

// grow adds the cheapest free slot from a row of the source side to a
// column beyond it; it reports false when there is none.
func (r *repairer) grow(rows, cols []bool) bool {
	bi, bj, best := -1, -1, math.Inf(1)
	for i := 0; i < r.n; i++ {
		if !rows[i] {
			continue
		}
		if j := r.cheapest(i, func(j int) bool { return !cols[j] }); j >= 0 {
			if v := r.reduced(i, j); v < best {
				bi, bj, best = i, j, v
			}
		}
	}
	if bi < 0 {
		return false
	}
	r.sup.add(bi, bj)
	return true
}

// swap frees a slot in a full column beyond the cut by removing its entry
// of least flow (of largest reduced cost among equal flows) and gives it
// to the source-side row of least reduced cost; it reports false when no
// such exchange exists.
func (r *repairer) swap(rows, cols []bool) bool {
	bi, bj, bo := -1, -1, -1
	bestFlow, bestCost := math.Inf(1), math.Inf(1)
	for j := 0; j < r.m; j++ {
		if cols[j] || r.sup.free(j) {
			continue
		}
		// The entry of column j to give up.
		out, of, oc := -1, math.Inf(1), math.Inf(-1)
		for _, i32 := range r.sup.cols[j] {
			i := int(i32)
			f := r.graph.flowOn(i, j)
			if c := r.reduced(i, j); f < of || (f == of && c > oc) {
				out, of, oc = i, f, c
			}
		}
		for i := 0; i < r.n; i++ {
			if !rows[i] || r.sup.in[j*r.n+i] || math.IsInf(r.cost(i, j), 1) {
				continue
			}
			if c := r.reduced(i, j); of < bestFlow || (of == bestFlow && c < bestCost) {
				bi, bj, bo, bestFlow, bestCost = i, j, out, of, c
			}
		}
	}
	if bi < 0 {
		return false
	}
	r.sup.remove(bo, bj)
	r.sup.add(bi, bj)
	return true
}

// restricted solves quadratically regularised OT on the support: the cost
// is +Inf outside it. The problem is in the solved orientation and
// normalization; the returned plan too.
func restricted(ctx context.Context, sup *slots, a, b []float64, cost func(i, j int) float64, gamma, tol float64,
	workers int, F, G []float64) (*ot.Result, error) {
	n, m := sup.n, sup.m
	c := make([]float64, n*m)
	for q := range c {
		c[q] = math.Inf(1)
	}
	for j, rows := range sup.cols {
		for _, i := range rows {
			c[int(i)*m+j] = cost(int(i), j)
		}
	}
	dc, err := ot.NewDenseCost(n, m, c)
	if err != nil {
		return nil, err
	}
	q := quadratic.Solver{Gamma: gamma, Tol: tol, Workers: workers,
		Init: &ot.Potentials{F: slices.Clone(F), G: slices.Clone(G)}}
	return q.Solve(ctx, &ot.Problem{A: a, B: b, C: dc})
}

// flowNet is a maximum-flow network on a support: source → row i
// (capacity a_i), row → column (uncapacitated) on the support, column j →
// sink (capacity b_j); Dinic's algorithm.
type flowNet struct {
	nodes      int
	head       []int32
	to, next   []int32
	cap        []float64
	level, itr []int32
	n, m       int
	srcEdge    []int32       // edge source → row i
	pair       map[int]int32 // edge row i → column j, by j·n + i
}

// flowOn returns the flow on the support entry (i, j).
func (g *flowNet) flowOn(i, j int) float64 { return g.cap[g.pair[j*g.n+i]^1] }

func (g *flowNet) edge(u, v int, c float64) int32 {
	e := int32(len(g.to))
	g.to = append(g.to, int32(v), int32(u))
	g.cap = append(g.cap, c, 0)
	g.next = append(g.next, g.head[u], g.head[v])
	g.head[u], g.head[v] = e, e+1
	return e
}

func (g *flowNet) build(s *slots, a, b []float64) {
	g.n, g.m = s.n, s.m
	g.nodes = s.n + s.m + 2
	g.head = make([]int32, g.nodes)
	for k := range g.head {
		g.head[k] = -1
	}
	g.to, g.next, g.cap = g.to[:0], g.next[:0], g.cap[:0]
	src, snk := s.n+s.m, s.n+s.m+1
	g.srcEdge = make([]int32, s.n)
	g.pair = make(map[int]int32, len(s.in))
	var big float64
	for i, v := range a {
		g.srcEdge[i] = g.edge(src, i, v)
		big += v
	}
	for j, rows := range s.cols {
		for _, i := range rows {
			g.pair[j*s.n+int(i)] = g.edge(int(i), s.n+j, 2*big)
		}
		g.edge(s.n+j, snk, b[j])
	}
}

func (g *flowNet) srcResidual(i int) float64 { return g.cap[g.srcEdge[i]] }

func (g *flowNet) bfs(src int) bool {
	g.level = make([]int32, g.nodes)
	for k := range g.level {
		g.level[k] = -1
	}
	g.level[src] = 0
	queue := []int{src}
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		for e := g.head[u]; e >= 0; e = g.next[e] {
			if v := int(g.to[e]); g.cap[e] > 0 && g.level[v] < 0 {
				g.level[v] = g.level[u] + 1
				queue = append(queue, v)
			}
		}
	}
	return g.level[g.nodes-1] >= 0
}

func (g *flowNet) dfs(u int, limit float64) float64 {
	if u == g.nodes-1 {
		return limit
	}
	for ; g.itr[u] >= 0; g.itr[u] = g.next[g.itr[u]] {
		e := g.itr[u]
		v := int(g.to[e])
		if g.cap[e] <= 0 || g.level[v] != g.level[u]+1 {
			continue
		}
		if d := g.dfs(v, math.Min(limit, g.cap[e])); d > 0 {
			g.cap[e] -= d
			g.cap[e^1] += d
			return d
		}
	}
	return 0
}

func (g *flowNet) maxFlow() float64 {
	src := g.nodes - 2
	var flow float64
	for g.bfs(src) {
		g.itr = slices.Clone(g.head)
		for {
			d := g.dfs(src, math.Inf(1))
			if !(d > 0) {
				break
			}
			flow += d
		}
	}
	return flow
}

// sourceSide returns the rows and columns reachable from the source in the
// residual network of a maximum flow.
func (g *flowNet) sourceSide() (rows, cols []bool) {
	g.bfs(g.nodes - 2)
	rows, cols = make([]bool, g.n), make([]bool, g.m)
	for i := range rows {
		rows[i] = g.level[i] >= 0
	}
	for j := range cols {
		cols[j] = g.level[g.n+j] >= 0
	}
	return rows, cols
}
