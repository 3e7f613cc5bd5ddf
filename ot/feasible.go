package ot

import (
	"fmt"
	"math"
)

// feasibleTol is the relative shortfall of the maximum flow, as a fraction of
// the mass, above which a forbidden (+Inf) pattern is reported infeasible.
// It is looser than MassTol, which the two totals may already differ by.
const feasibleTol = 1e-8

// checkFeasible decides whether some plan with marginals A and B puts mass
// only on finite costs. That is a maximum-flow problem on the bipartite
// graph of finite entries (source → row i with capacity A_i, row → column
// uncapacitated, column j → sink with capacity B_j): the plan exists iff the
// flow saturates the mass. It is solved by a greedy start and Dinic's
// blocking flows, in O(nnz) memory. When the flow falls short, the rows
// reachable from the source in the residual graph form a Hall violator: they
// carry more mass than all the columns they may send to.
func (p *Problem) checkFeasible(mass float64) error {
	n, m := p.Dims()
	g := newFlowGraph(p, n, m)
	flow := g.maxFlow()
	if short := mass - flow; short <= feasibleTol*mass {
		return nil
	}
	rows, cols := g.cut()
	var ra, cb float64
	for _, i := range rows {
		ra += p.A[i]
	}
	for _, j := range cols {
		cb += p.B[j]
	}
	return fmt.Errorf("%w: no plan avoids the +Inf (forbidden) costs: rows %s (mass %.6g) may send only to columns %s (mass %.6g)",
		ErrInfeasible, list(rows), ra, list(cols), cb)
}

// list prints at most eight indices.
func list(ix []int) string {
	if len(ix) <= 8 {
		return fmt.Sprint(ix)
	}
	return fmt.Sprintf("%v… (%d in all)", ix[:8], len(ix))
}

// flowGraph is the residual graph of the feasibility flow. Row i's finite
// columns are col[rowPtr[i]:rowPtr[i+1]] with flows f; column j's entries
// are listed, as edge indices, in cEdge[colPtr[j]:colPtr[j+1]].
type flowGraph struct {
	n, m           int
	rowPtr, col    []int32
	f              []float64
	colPtr, cEdge  []int32
	edgeRow        []int32
	srcCap, snkCap []float64 // residual capacities source→row, column→sink
	tiny           float64
	level          []int32 // rows 0..n−1, columns n..n+m−1
	iter           []int32
}

func newFlowGraph(p *Problem, n, m int) *flowGraph {
	g := &flowGraph{n: n, m: m, rowPtr: make([]int32, n+1), srcCap: make([]float64, n), snkCap: make([]float64, m)}
	copy(g.srcCap, p.A)
	copy(g.snkCap, p.B)
	row := make([]float64, m)
	dense, _ := p.C.(*DenseCost)
	colCount := make([]int32, m+1)
	for i := 0; i < n; i++ {
		if p.A[i] > 0 {
			var r []float64
			if dense != nil {
				r = dense.RowView(i)
			} else {
				r = p.C.Row(i, row)
			}
			for j, v := range r {
				if p.B[j] > 0 && !math.IsInf(v, 1) {
					g.col = append(g.col, int32(j))
					colCount[j+1]++
				}
			}
		}
		g.rowPtr[i+1] = int32(len(g.col))
	}
	g.f = make([]float64, len(g.col))
	g.edgeRow = make([]int32, len(g.col))
	for j := 0; j < m; j++ {
		colCount[j+1] += colCount[j]
	}
	g.colPtr = append([]int32(nil), colCount...)
	g.cEdge = make([]int32, len(g.col))
	for i := 0; i < n; i++ {
		for e := g.rowPtr[i]; e < g.rowPtr[i+1]; e++ {
			j := g.col[e]
			g.edgeRow[e] = int32(i)
			g.cEdge[colCount[j]] = e
			colCount[j]++
		}
	}
	g.tiny = 1e-15 * math.Max(sum(p.A), sum(p.B))
	g.level = make([]int32, n+m)
	g.iter = make([]int32, n+m)
	return g
}

// maxFlow returns the value of a maximum flow.
func (g *flowGraph) maxFlow() float64 {
	var total float64
	for i := 0; i < g.n; i++ { // greedy start: fill each row's columns in order
		for e := g.rowPtr[i]; e < g.rowPtr[i+1] && g.srcCap[i] > g.tiny; e++ {
			j := g.col[e]
			if d := math.Min(g.srcCap[i], g.snkCap[j]); d > g.tiny {
				g.push(i, e, d)
				total += d
			}
		}
	}
	for g.bfs() {
		clear(g.iter)
		for i := 0; i < g.n; i++ {
			g.iter[i] = g.rowPtr[i]
		}
		for j := 0; j < g.m; j++ {
			g.iter[g.n+j] = g.colPtr[j]
		}
		for i := 0; i < g.n; i++ {
			for g.level[i] == 0 && g.srcCap[i] > g.tiny {
				d := g.dfsRow(i, g.srcCap[i])
				if d <= 0 {
					break
				}
				g.srcCap[i] -= d
				total += d
			}
		}
	}
	return total
}

func (g *flowGraph) push(i int, e int32, d float64) {
	g.f[e] += d
	g.srcCap[i] -= d
	g.snkCap[g.col[e]] -= d
}

// bfs sets levels from the source (rows with spare capacity at level 0) and
// reports whether the sink is reachable.
func (g *flowGraph) bfs() bool {
	for k := range g.level {
		g.level[k] = -1
	}
	queue := make([]int32, 0, g.n+g.m)
	for i := 0; i < g.n; i++ {
		if g.srcCap[i] > g.tiny {
			g.level[i] = 0
			queue = append(queue, int32(i))
		}
	}
	found := false
	for q := 0; q < len(queue); q++ {
		v := int(queue[q])
		if v < g.n {
			for e := g.rowPtr[v]; e < g.rowPtr[v+1]; e++ {
				if u := g.n + int(g.col[e]); g.level[u] < 0 {
					g.level[u] = g.level[v] + 1
					queue = append(queue, int32(u))
				}
			}
			continue
		}
		j := v - g.n
		if g.snkCap[j] > g.tiny {
			found = true
		}
		for k := g.colPtr[j]; k < g.colPtr[j+1]; k++ {
			e := g.cEdge[k]
			if u := int(g.edgeRow[e]); g.f[e] > g.tiny && g.level[u] < 0 {
				g.level[u] = g.level[v] + 1
				queue = append(queue, int32(u))
			}
		}
	}
	return found
}

// dfsRow sends at most limit from row i towards the sink along the level
// graph and returns the amount sent.
func (g *flowGraph) dfsRow(i int, limit float64) float64 {
	for ; g.iter[i] < g.rowPtr[i+1]; g.iter[i]++ {
		e := g.iter[i]
		j := int(g.col[e])
		if g.level[g.n+j] != g.level[i]+1 {
			continue
		}
		if d := g.dfsCol(j, limit); d > 0 {
			g.f[e] += d
			return d
		}
	}
	return 0
}

func (g *flowGraph) dfsCol(j int, limit float64) float64 {
	v := g.n + j
	if g.snkCap[j] > g.tiny {
		d := math.Min(limit, g.snkCap[j])
		g.snkCap[j] -= d
		return d
	}
	for ; g.iter[v] < g.colPtr[j+1]; g.iter[v]++ {
		e := g.cEdge[g.iter[v]]
		u := int(g.edgeRow[e])
		if g.f[e] <= g.tiny || g.level[u] != g.level[v]+1 {
			continue
		}
		if d := g.dfsRow(u, math.Min(limit, g.f[e])); d > 0 {
			g.f[e] -= d
			return d
		}
	}
	return 0
}

// cut returns the rows and columns reachable from the source in the residual
// graph of a maximum flow.
func (g *flowGraph) cut() (rows, cols []int) {
	g.bfs()
	for i := 0; i < g.n; i++ {
		if g.level[i] >= 0 {
			rows = append(rows, i)
		}
	}
	for j := 0; j < g.m; j++ {
		if g.level[g.n+j] >= 0 {
			cols = append(cols, j)
		}
	}
	return rows, cols
}
