package exact

import (
	"context"
	"math"

	"github.com/otkit/otkit/ot"
)

var inf = math.Inf(1)

// network is the state of one network-simplex run on a problem whose
// weights are all positive.
type network struct {
	t         *tree
	status    ot.Status
	iters     int
	forbidden float64 // mass on forbidden arcs in an infeasible optimum
}

// solveNetwork runs the primal network simplex from the greedy start. f0, g0
// are warm-start potentials (nil for a cold start).
func solveNetwork(ctx context.Context, rows *costRows, a, b, f0, g0 []float64, maxIter, block int, progress ot.Progress) *network {
	n, m := rows.n, rows.m
	maxAbs, hasInf := rows.scale()
	if g0 == nil {
		f0, g0 = coldPotentials(rows)
	}
	t := newTree(n, m)
	t.build(rows, greedyBasis(rows, a, b, g0), f0, g0)
	scale := maxAbs
	if hasInf {
		scale = rows.bigM
	}
	pr := &pricer{rows: rows, n: n, m: m, block: block, tol: relTol * scale}
	net := &network{t: t}

	fresh := false // potentials recomputed since the last pivot
	for {
		if net.iters&1023 == 0 {
			if ctx.Err() != nil {
				net.status = ot.Canceled
				return net
			}
		}
		i, j, rc := pr.find(t.pi)
		if i < 0 {
			if fresh {
				net.status = ot.Converged
				break
			}
			t.refresh(rows)
			fresh = true
			continue
		}
		if t.parent[i] == int32(n+j) || t.parent[n+j] == int32(i) {
			// Round-off made a tree arc look profitable.
			if fresh {
				net.status = ot.NumericalError
				return net
			}
			t.refresh(rows)
			fresh = true
			continue
		}
		if net.iters >= maxIter {
			net.status = ot.IterationLimit
			return net
		}
		t.pivot(i, j, rc)
		fresh = false
		net.iters++
		if progress != nil && net.iters&1023 == 0 {
			progress(net.iters, -rc)
		}
	}
	return net
}

// coldPotentials are the column minima G_j = min_i C_ij (and F = 0), the
// first step of the Hungarian method: each row's greedy choice then favours
// columns it is nearly the cheapest source for.
func coldPotentials(rows *costRows) (f, g []float64) {
	f, g = make([]float64, rows.n), make([]float64, rows.m)
	for j := range g {
		g[j] = inf
	}
	for i := 0; i < rows.n; i++ {
		for j, c := range rows.row(i) {
			if c < g[j] {
				g[j] = c
			}
		}
	}
	for j, v := range g {
		if math.IsInf(v, 1) {
			g[j] = 0
		}
	}
	return f, g
}

// extract returns the plan of the tree's flows and the potentials F = −pi
// (rows), G = pi (columns).
// At an optimum, positive flow on a forbidden arc beyond round-off (relative
// 1e-12 of the mass) means the problem is infeasible; smaller amounts are
// dropped.
func (net *network) extract(rows *costRows, mass float64) (*ot.SparsePlan, []float64, []float64) {
	t := net.t
	n, m := t.n, t.m
	var entries []ot.Triplet
	for _, e := range t.arcs(rows) {
		if e.i < 0 || e.x == 0 {
			continue
		}
		if math.IsInf(e.c, 1) {
			if e.x > 1e-12*mass {
				net.forbidden += e.x
			}
			continue
		}
		entries = append(entries, ot.Triplet{I: e.i, J: e.j, V: e.x})
	}
	if net.forbidden > 0 && net.status == ot.Converged {
		net.status = ot.Infeasible
	}
	F, G := make([]float64, n), make([]float64, m)
	for i := range F {
		F[i] = -t.pi[i]
	}
	copy(G, t.pi[n:n+m])
	return ot.NewSparsePlan(n, m, entries), F, G
}
