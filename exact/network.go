package exact

import (
	"math"

	"github.com/otkit/otkit/ot"
)

var inf = math.Inf(1)

// network is the state of one network-simplex run on a problem whose
// weights are all positive.
type network struct {
	rows  *costRows
	a, b  []float64
	start []basisArc // the greedy start; nil if canceled before it was built
	t     *tree      // the basis; nil if canceled before it was built
	// status is Canceled until the run ends otherwise.
	status ot.Status
	iters  int
}

// solveNetwork runs the primal network simplex from the greedy start. f0, g0
// are warm-start potentials in cost units (nil for a cold start); they are
// overwritten.
func solveNetwork(poll *poller, rows *costRows, a, b, f0, g0 []float64, maxIter, block int, progress ot.Progress) *network {
	n, m := rows.n, rows.m
	net := &network{rows: rows, a: a, b: b, status: ot.Canceled}
	if poll.now() {
		return net
	}
	g, ok := rows.prepare(poll, g0 == nil)
	if !ok {
		return net
	}
	if g0 == nil {
		f0, g0 = make([]float64, n), g
	} else {
		for i := range f0 {
			f0[i] *= rows.inv
		}
		for j := range g0 {
			g0[j] *= rows.inv
		}
	}
	if net.start = greedyBasis(rows, a, b, g0, poll); net.start == nil {
		return net
	}
	t := newTree(n, m)
	if !t.build(rows, net.start, f0, g0, poll) {
		return net
	}
	net.t = t
	scale := rows.maxAbs
	if rows.hasInf {
		scale = rows.bigM
	}
	pr := &pricer{rows: rows, n: n, m: m, block: block, tol: relTol * scale, poll: poll}

	fresh := false // potentials recomputed since the last pivot
	for {
		if poll.add(pivotWork) {
			return net
		}
		i, j, rc := pr.find(t.pi)
		if poll.stopped {
			return net
		}
		if i < 0 {
			if fresh {
				net.status = ot.Converged
				return net
			}
			if !t.refresh(rows, poll) {
				return net
			}
			fresh = true
			continue
		}
		if t.parent[i] == int32(n+j) || t.parent[n+j] == int32(i) {
			// Round-off made a tree arc look profitable.
			if fresh {
				net.status = ot.NumericalError
				return net
			}
			if !t.refresh(rows, poll) {
				return net
			}
			fresh = true
			continue
		}
		if net.iters >= maxIter {
			net.status = ot.IterationLimit
			return net
		}
		poll.add(t.pivot(i, j, rc))
		fresh = false
		net.iters++
		if progress != nil && net.iters&1023 == 0 {
			progress(net.iters, -rc*rows.unit)
		}
	}
}

// northwest returns the flow of the northwest-corner rule, a feasible flow
// built from the weights alone.
func northwest(a, b []float64) []basisArc {
	ra, rb := a[0], b[0]
	arcs := make([]basisArc, 0, len(a)+len(b))
	for i, j := 0, 0; i < len(a) && j < len(b); {
		x := math.Min(ra, rb)
		arcs = append(arcs, basisArc{i: i, j: j, x: x})
		ra -= x
		rb -= x
		if ra <= 0 {
			if i++; i < len(a) {
				ra = a[i]
			}
		} else if j++; j < len(b) {
			rb = b[j]
		}
	}
	return arcs
}

// flow returns the arcs of the current flow with their raw costs: the tree's
// when it was built, else the greedy start's, else the northwest corner's.
// The potentials F = −pi (rows), G = pi (columns) are returned in cost units
// (zeros without a tree).
func (net *network) flow() (arcs []basisArc, F, G []float64) {
	rows := net.rows
	n, m := rows.n, rows.m
	F, G = make([]float64, n), make([]float64, m)
	switch {
	case net.t != nil:
		t := net.t
		arcs = t.arcs(rows, nil)
		for i := range F {
			F[i] = -t.pi[i] * rows.unit
		}
		for j := range G {
			G[j] = t.pi[n+j] * rows.unit
		}
	case net.start != nil:
		arcs = net.start
	default:
		arcs = northwest(net.a, net.b)
	}
	if net.t == nil {
		rows.costsOf(arcs, nil)
	}
	return arcs, F, G
}
