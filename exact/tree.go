package exact

// tree is the spanning-tree basis of the network simplex on the bipartite
// transport network: nodes 0..n-1 are the sources (rows), n..n+m-1 the sinks
// (columns) and node n+m is an artificial root. Every real arc goes from a
// source i to a sink n+j, so the direction of a node's tree arc follows from
// the node's kind: a source's arc points up to its parent, a sink's arc points
// down from its parent. The root's arcs are artificial, point up (from a node
// to the root) and always carry zero flow (the root has no supply and only
// in-arcs), so they never enter the basis again once they leave.
//
// The tree is stored as parent pointers, a preorder thread (a doubly linked
// cyclic list starting at the root) and subtree sizes, in the spirit of the
// augmented threaded index of Glover, Klingman and Stutz (1974).
type tree struct {
	n, m int
	root int32

	parent []int32   // parent node; -1 for the root
	thread []int32   // next node in preorder (cyclic)
	rev    []int32   // previous node in preorder
	size   []int32   // number of nodes in the subtree, itself included
	flow   []float64 // flow on the arc between a node and its parent
	// pi are node potentials: the reduced cost of arc (i, j) is
	// C_ij + pi[i] − pi[n+j], zero on tree arcs. In OT terms F_i = −pi[i]
	// and G_j = pi[n+j].
	pi []float64

	// scratch
	stem, spos, slast []int32
	ends              []stemEnd
	segs              []run
}

// stemEnd is a stem node (by index) and the preorder index ending its range.
type stemEnd struct{ t, end int32 }

// run is a stretch of the thread, from first to last.
type run struct{ first, last int32 }

// grow returns (*buf)[:n], reallocating when too short.
func grow(buf *[]int32, n int) []int32 {
	if cap(*buf) < n {
		*buf = make([]int32, n)
	}
	return (*buf)[:n]
}

func newTree(n, m int) *tree {
	N := n + m + 1
	return &tree{
		n: n, m: m, root: int32(n + m),
		parent: make([]int32, N), thread: make([]int32, N), rev: make([]int32, N),
		size: make([]int32, N), flow: make([]float64, N), pi: make([]float64, N),
	}
}

// up reports whether the tree arc of u points from u to its parent: u is a
// source, or hangs from the root.
func (t *tree) up(u int32) bool { return int(u) < t.n || t.parent[u] == t.root }

// pivot brings the arc from source i to sink column j, of reduced cost rc < 0,
// into the basis, pushes flow around the cycle it closes and removes the
// leaving arc chosen by Cunningham's rule, which keeps the tree strongly
// feasible (every zero-flow arc points towards the root, so that any node can
// send flow to the root) and so prevents cycling. It returns the number of
// nodes it visited, a measure of its work.
func (t *tree) pivot(i, j int, rc float64) int {
	par, size, flow := t.parent, t.size, t.flow
	src, snk := int32(i), int32(t.n+j)

	// The apex of the cycle: the deepest common ancestor.
	u, v := src, snk
	work := 0
	for u != v {
		work++
		if size[u] < size[v] {
			u = par[u]
		} else {
			v = par[v]
		}
	}
	join := u

	// Flow runs join → … → src → snk → … → join. On the source path it goes
	// down, so up-arcs lose flow; on the sink path it goes up, so down-arcs
	// lose flow. The leaving arc is the last blocking arc met when walking
	// the cycle from the apex in the flow direction: the one nearest src on
	// the source path (strict <), unless one on the sink path ties or wins,
	// taking the one nearest the apex there (≤).
	delta := inf
	var uOut int32 = -1
	srcSide := false
	for u := src; u != join; u = par[u] {
		if t.up(u) && flow[u] < delta {
			delta, uOut, srcSide = flow[u], u, true
		}
	}
	for u := snk; u != join; u = par[u] {
		if !t.up(u) && flow[u] <= delta {
			delta, uOut, srcSide = flow[u], u, false
		}
	}

	if delta > 0 {
		for u := src; u != join; u = par[u] {
			if t.up(u) {
				flow[u] -= delta
			} else {
				flow[u] += delta
			}
		}
		for u := snk; u != join; u = par[u] {
			if t.up(u) {
				flow[u] += delta
			} else {
				flow[u] -= delta
			}
		}
	}
	flow[uOut] = 0

	// uIn is the endpoint of the entering arc inside the subtree cut off by
	// the leaving arc; vIn is the other endpoint, the new parent of uIn.
	uIn, vIn, sigma := src, snk, -rc
	if !srcSide {
		uIn, vIn, sigma = snk, src, rc
	}
	t.reroot(uIn, vIn, uOut, join, delta, sigma)
	return 4*work + int(size[uIn])
}

// reroot detaches the subtree S rooted at uOut, re-roots it at uIn (a node of
// S) and hangs it below vIn with flow delta on the new arc; the potentials of
// S shift by sigma.
func (t *tree) reroot(uIn, vIn, uOut, join int32, delta, sigma float64) {
	par, size, flow, thread, rev, pi := t.parent, t.size, t.flow, t.thread, t.rev, t.pi
	sOut := size[uOut]
	vOut := par[uOut]

	// The stem: uIn = p0, p1 = parent(p0), …, pk = uOut.
	stem := t.stem[:0]
	for u := uIn; ; u = par[u] {
		stem = append(stem, u)
		if u == uOut {
			break
		}
	}
	t.stem = stem

	// S is contiguous in the preorder, starting at uOut.
	before := rev[uOut]
	var last int32
	if len(stem) == 1 {
		// Same root: the internal order is kept, only S moves.
		u := uOut
		for k := int32(0); k < sOut; k++ {
			pi[u] += sigma
			last = u
			u = thread[u]
		}
		after := u
		first := uOut
		t.splice(before, after, vIn, first, last)
	} else {
		// Walk S once (shifting potentials) and note where each stem node
		// p_t starts and which node ends its old range: S's preorder meets
		// uOut = p_k first, then p_{k−1}, …, p0, and the ranges are nested,
		// so a stack holds the ends still to be reached.
		K := len(stem) - 1
		spos, slast := grow(&t.spos, len(stem)), grow(&t.slast, len(stem))
		ends := t.ends[:0] // stem indices with their end index, innermost last
		next := K
		u := uOut
		for k := int32(0); k < sOut; k++ {
			if next >= 0 && u == stem[next] {
				spos[next] = k
				ends = append(ends, stemEnd{int32(next), k + size[u] - 1})
				next--
			}
			pi[u] += sigma
			for len(ends) > 0 && ends[len(ends)-1].end == k {
				slast[ends[len(ends)-1].t] = u
				ends = ends[:len(ends)-1]
			}
			u = thread[u]
		}
		t.ends = ends
		after := u
		// New preorder: the old range of p0, then for each t ≥ 1 the old
		// range of p_t without that of p_{t−1}: the run from p_t to the node
		// before p_{t−1}, and the run after p_{t−1}'s range to p_t's end.
		// Each run keeps its old links; only the joints change.
		segs := append(t.segs[:0], run{stem[0], slast[0]})
		for q := 1; q <= K; q++ {
			p, c := stem[q], stem[q-1]
			segs = append(segs, run{p, rev[c]})
			if spos[q-1]+size[c] < spos[q]+size[p] {
				segs = append(segs, run{thread[slast[q-1]], slast[q]})
			}
		}
		t.segs = segs
		for q := 1; q < len(segs); q++ {
			thread[segs[q-1].last] = segs[q].first
			rev[segs[q].first] = segs[q-1].last
		}
		last = segs[len(segs)-1].last
		t.splice(before, after, vIn, stem[0], last)

		// Reverse the stem: parents, arc flows and subtree sizes.
		for k := len(stem) - 1; k >= 1; k-- {
			p, c := stem[k], stem[k-1]
			par[p] = c
			flow[p] = flow[c]
			size[p] = sOut - size[c]
		}
	}
	par[uIn] = vIn
	flow[uIn] = delta
	size[uIn] = sOut
	for u := vOut; u != join; u = par[u] {
		size[u] -= sOut
	}
	for u := vIn; u != join; u = par[u] {
		size[u] += sOut
	}
}

// splice removes the thread segment first..last, which sits between before
// and after, and inserts it right after node v (not in the segment).
func (t *tree) splice(before, after, v, first, last int32) {
	thread, rev := t.thread, t.rev
	thread[before] = after
	rev[after] = before
	next := thread[v]
	thread[v] = first
	rev[first] = v
	thread[last] = next
	rev[next] = last
}
