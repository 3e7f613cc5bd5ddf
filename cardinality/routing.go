package cardinality

import (
	"cmp"
	"math"
	"slices"

	"github.com/otkit/otkit/internal/semidual"
	"github.com/otkit/otkit/ot"
)

// Routing is the result of routing one group. Reuse it with RouteInto or
// RouteBatch: once its buffers have grown, routing with Workers ≤ 1
// allocates nothing (several workers allocate only for starting their
// goroutines, once per call).
type Routing struct {
	// Capacity is the router's Capacity clamped to the group: tokens per
	// expert, or experts per token with RowSparse.
	Tokens, Experts, Capacity int
	// Expert j takes tokens ExpertTokens[ExpertStart[j]:ExpertStart[j+1]]
	// (ascending) with combine weights ExpertWeights and plan entries
	// ExpertPlan at the same positions.
	ExpertStart   []int
	ExpertTokens  []int
	ExpertWeights []float64
	ExpertPlan    []float64
	// Token i goes to experts TokenExperts[TokenStart[i]:TokenStart[i+1]]
	// (ascending) with combine weights TokenWeights.
	TokenStart   []int
	TokenExperts []int
	TokenWeights []float64
	// Slots is the fixed-size dispatch buffer, filled only by a Router with
	// FixedSlots: expert j's SlotCapacity slots are
	// Slots[j·SlotCapacity:(j+1)·SlotCapacity], its tokens (ascending)
	// first, then padding. SlotWeights are the combine weights of the
	// slots; Padding counts the padding slots (see Router.FixedSlots).
	Slots        []int
	SlotWeights  []float64
	SlotCapacity int
	Padding      int
	// Dropped is the number of tokens routed to no expert (padding slots
	// aside).
	Dropped int
	// ExpertsPerToken[c] is the number of tokens that go to exactly c
	// experts, for c = 0 … the largest such count (ExpertsPerToken[0] =
	// Dropped).
	ExpertsPerToken []int
	// Score is the sum of the softmax gates over all (token, expert) pairs
	// dispatched.
	Score float64
	// TokenError is ‖T1 − 1‖₁ / Tokens, the mean distance of a token's
	// plan mass from 1 (a dropped token counts 1), and ExpertError is
	// ‖Tᵀ1 − n/m‖₁ / Tokens, the expert side in the same unit: both are
	// fractions of the group's tokens. MarginalError is their sum times
	// Tokens (in token units).
	TokenError, ExpertError float64
	MarginalError           float64
	// DualValue is the semi-dual objective at F; F holds the potentials of
	// the solved orientation (tokens, or experts with RowSparse).
	DualValue float64
	F         []float64
	// Steps is the number of optimizer steps taken (Adam steps or L-BFGS
	// iterations; Sinkhorn iterations for SinkhornRouter).
	Steps int
	// Status says whether the router did what was asked (see
	// Router for its meaning per optimizer).
	Status ot.Status

	ws routeWorkspace
}

// Load returns the number of tokens expert j takes.
func (r *Routing) Load(j int) int { return r.ExpertStart[j+1] - r.ExpertStart[j] }

// TokenLoad returns the number of experts token i goes to.
func (r *Routing) TokenLoad(i int) int { return r.TokenStart[i+1] - r.TokenStart[i] }

// Plan returns the routing plan as a tokens × experts CSR plan.
func (r *Routing) Plan() *ot.SparsePlan {
	p := &ot.SparsePlan{N: r.Tokens, M: r.Experts, RowPtr: append([]int(nil), r.TokenStart...),
		ColIdx: append([]int(nil), r.TokenExperts...), Val: make([]float64, len(r.TokenExperts))}
	next := append([]int(nil), r.TokenStart[:r.Tokens]...)
	for j := 0; j < r.Experts; j++ {
		for q := r.ExpertStart[j]; q < r.ExpertStart[j+1]; q++ {
			i := r.ExpertTokens[q]
			p.Val[next[i]] = r.ExpertPlan[q]
			next[i]++
		}
	}
	return p
}

// cost returns the cost of (token i, expert j), −gate, from the solved
// orientation.
func (r *Router) cost(c *semidual.Columns, i, j int) float64 {
	if r.RowSparse {
		return c.Cost(j, i)
	}
	return c.Cost(i, j)
}

// collect turns the last evaluation's columns into the per-expert and
// per-token lists, weights and statistics.
func (r *Router) collect(out *Routing) {

	ws := &out.ws
	c := &ws.cols
	ws.eTok, ws.eExp, ws.eVal = ws.eTok[:0], ws.eExp[:0], ws.eVal[:0]
	// Entries in column order of the solved orientation, rows ascending
	// within a column (the kernels keep them so): expert-major
	// (column-sparse) or token-major.
	_, cols, _ := c.Dims()
	for j := 0; j < cols; j++ {
		sel, val := c.Column(j)
		for q, i32 := range sel {
			if val[q] <= 0 {
				continue
			}
			tok, exp := int(i32), j
			if r.RowSparse {
				tok, exp = j, int(i32)
			}
			ws.eTok = append(ws.eTok, tok)
			ws.eExp = append(ws.eExp, exp)
			ws.eVal = append(ws.eVal, val[q])
		}
	}
	if r.Refill && !r.RowSparse {
		r.refill(out)
	}
	if r.RowSparse && r.ExpertCapacity > 0 {
		r.expertDrop(out)
	}
	out.layout(func(i, j int) float64 { return -r.cost(c, i, j) }, r.PlanWeights)
	if r.FixedSlots {
		w := func(i, j int) float64 { return -r.cost(c, i, j) }
		if r.PlanWeights {
			w = func(int, int) float64 { return 0 }
		}
		if r.RowSparse {
			out.fillSlots(min(r.ExpertCapacity, out.Tokens), false, w)
		} else {
			out.fillSlots(out.Capacity, true, w)
		}
	}
}

// expertDrop keeps, in tokens-choose-experts mode, at most ExpertCapacity
// tokens per expert as vmoe's top-experts-per-item dispatcher does: every
// token's entries ranked by plan value (descending, ties by expert), all
// first choices before second choices, and within a rank the tokens in
// index order or, with BatchPriority, by descending largest plan entry
// (ties by index); an entry that finds its expert full is dropped. The
// entries are token-major with ascending experts and stay so.
func (r *Router) expertDrop(out *Routing) {
	ws := &out.ws
	n, m := out.Tokens, out.Experts
	ws.tcount = growInt(ws.tcount, n+1) // first entry of each token
	clear(ws.tcount)
	for _, i := range ws.eTok {
		ws.tcount[i+1]++
	}
	for i := 0; i < n; i++ {
		ws.tcount[i+1] += ws.tcount[i]
	}
	start := ws.tcount
	// Rank the entries of every token in place in ws.addTok (a
	// permutation of the entry indices, by descending value within each
	// token; tokens hold at most Capacity entries).
	ws.addTok = growInt(ws.addTok, len(ws.eTok))
	rank := ws.addTok
	for i := 0; i < n; i++ {
		lo, hi := start[i], start[i+1]
		for q := lo; q < hi; q++ {
			rank[q] = q
			for p := q; p > lo && ws.eVal[rank[p]] > ws.eVal[rank[p-1]]; p-- {
				rank[p], rank[p-1] = rank[p-1], rank[p]
			}
		}
	}
	// Token order: index order, or by descending top plan entry.
	ws.addExp = growInt(ws.addExp, n)
	order := ws.addExp
	for i := range order {
		order[i] = i
	}
	if r.BatchPriority {
		top := func(i int) float64 {
			if start[i] == start[i+1] {
				return math.Inf(-1)
			}
			return ws.eVal[rank[start[i]]]
		}
		slices.SortStableFunc(order, func(x, y int) int { return cmp.Compare(top(y), top(x)) })
	}
	ws.load = growInt(ws.load, m)
	clear(ws.load)
	capacity := r.ExpertCapacity
	dropped := false
	for c := 0; c < out.Capacity; c++ {
		for _, i := range order {
			if start[i]+c >= start[i+1] {
				continue
			}
			q := rank[start[i]+c]
			j := ws.eExp[q]
			if ws.load[j] >= capacity {
				ws.eVal[q] = -1
				dropped = true
				continue
			}
			ws.load[j]++
		}
	}
	if !dropped {
		return
	}
	live := 0
	for q, v := range ws.eVal {
		if v >= 0 {
			ws.eTok[live], ws.eExp[live], ws.eVal[live] = ws.eTok[q], ws.eExp[q], v
			live++
		}
	}
	ws.eTok, ws.eExp, ws.eVal = ws.eTok[:live], ws.eExp[:live], ws.eVal[:live]
}

// refill gives every token without an expert the expert of largest gate
// with room, or, when every expert is full, the expert of largest gate that
// holds a token also sent elsewhere (that token gives up its entry of
// least plan mass there); the entries stay sorted by (expert, token).
func (r *Router) refill(out *Routing) {
	ws := &out.ws
	c := &ws.cols
	n, m, k := c.Dims() // tokens, experts, capacity
	ws.tcount = growInt(ws.tcount, n)
	clear(ws.tcount)
	ws.load = growInt(ws.load, m)
	clear(ws.load)
	ws.estart = growInt(ws.estart, m+1)
	clear(ws.estart)
	for q, i := range ws.eTok {
		ws.tcount[i]++
		ws.load[ws.eExp[q]]++
		ws.estart[ws.eExp[q]+1]++
	}
	for j := 0; j < m; j++ {
		ws.estart[j+1] += ws.estart[j]
	}
	if cap(ws.tried) < m {
		ws.tried = make([]bool, m)
	}
	tried := ws.tried[:m]
	ws.addTok, ws.addExp = ws.addTok[:0], ws.addExp[:0]
	evicted := false
	for i := 0; i < n; i++ {
		if ws.tcount[i] > 0 {
			continue
		}
		clear(tried)
		for range m {
			best, bc := -1, math.Inf(1)
			for j := 0; j < m; j++ {
				if v := c.Cost(i, j); !tried[j] && v < bc {
					best, bc = j, v
				}
			}
			tried[best] = true
			if ws.load[best] >= k {
				out, ov := -1, math.Inf(1)
				for q := ws.estart[best]; q < ws.estart[best+1]; q++ {
					if v := ws.eVal[q]; v >= 0 && ws.tcount[ws.eTok[q]] >= 2 && v < ov {
						out, ov = q, v
					}
				}
				if out < 0 {
					continue
				}
				ws.tcount[ws.eTok[out]]--
				ws.eVal[out] = -1
				ws.load[best]--
				evicted = true
			}
			ws.load[best]++
			ws.tcount[i]++
			ws.addTok = append(ws.addTok, i)
			ws.addExp = append(ws.addExp, best)
			break
		}
	}
	if evicted {
		live := 0
		for q, v := range ws.eVal {
			if v >= 0 {
				ws.eTok[live], ws.eExp[live], ws.eVal[live] = ws.eTok[q], ws.eExp[q], v
				live++
			}
		}
		ws.eTok, ws.eExp, ws.eVal = ws.eTok[:live], ws.eExp[:live], ws.eVal[:live]
	}
	added := len(ws.addTok)
	if added == 0 {
		return
	}
	// Merge: the old entries are expert-major with ascending tokens; the
	// additions have ascending tokens. Walk the experts, merging.
	old := len(ws.eTok)
	ws.eTok = append(ws.eTok, ws.addTok...)
	ws.eExp = append(ws.eExp, ws.addExp...)
	ws.eVal = append(ws.eVal, make([]float64, added)...)
	// Move the old entries to the back, then merge into the front.
	copy(ws.eTok[added:], ws.eTok[:old])
	copy(ws.eExp[added:], ws.eExp[:old])
	copy(ws.eVal[added:], ws.eVal[:old])
	// The additions, stably sorted by expert, go to count-based slots.
	order := ws.count[:0]
	for j := 0; j < m; j++ {
		for q := 0; q < added; q++ {
			if ws.addExp[q] == j {
				order = append(order, q)
			}
		}
	}
	dst, src, a := 0, added, 0
	for dst < old+added {
		takeAdd := a < added && (src == old+added ||
			ws.addExp[order[a]] < ws.eExp[src] ||
			(ws.addExp[order[a]] == ws.eExp[src] && ws.addTok[order[a]] < ws.eTok[src]))
		if takeAdd {
			q := order[a]
			ws.eTok[dst], ws.eExp[dst], ws.eVal[dst] = ws.addTok[q], ws.addExp[q], 1
			a++
		} else {
			ws.eTok[dst], ws.eExp[dst], ws.eVal[dst] = ws.eTok[src], ws.eExp[src], ws.eVal[src]
			src++
		}
		dst++
	}
}

// layout builds the per-expert and per-token lists, weights and statistics
// from the entries ws.eTok, ws.eExp, ws.eVal (sorted by (expert, token) or
// by (token, expert)); gate(i, j) is the softmax gate of the pair.
func (out *Routing) layout(gate func(i, j int) float64, planWeights bool) {
	n, m := out.Tokens, out.Experts
	ws := &out.ws
	nnz := len(ws.eVal)
	out.ExpertStart = growInt(out.ExpertStart, m+1)
	out.TokenStart = growInt(out.TokenStart, n+1)
	out.ExpertTokens = growInt(out.ExpertTokens, nnz)
	out.TokenExperts = growInt(out.TokenExperts, nnz)
	out.ExpertWeights = grow(out.ExpertWeights, nnz)
	out.ExpertPlan = grow(out.ExpertPlan, nnz)
	out.TokenWeights = grow(out.TokenWeights, nnz)
	clear(out.ExpertStart)
	clear(out.TokenStart)
	for q := 0; q < nnz; q++ {
		out.ExpertStart[ws.eExp[q]+1]++
		out.TokenStart[ws.eTok[q]+1]++
	}
	for j := 0; j < m; j++ {
		out.ExpertStart[j+1] += out.ExpertStart[j]
	}
	for i := 0; i < n; i++ {
		out.TokenStart[i+1] += out.TokenStart[i]
	}
	// A stable counting sort into each layout keeps the secondary index
	// ascending, because the entries are sorted by (primary, secondary) in
	// one of the two layouts already.
	ws.count = growInt(ws.count, max(n, m))
	copy(ws.count, out.ExpertStart[:m])
	ws.mass = grow(ws.mass, n)
	tokenMass := ws.mass
	clear(tokenMass)
	var score float64
	for q := 0; q < nnz; q++ {
		i, j, t := ws.eTok[q], ws.eExp[q], ws.eVal[q]
		gate := gate(i, j)
		w := gate
		if planWeights {
			w = t
		}
		score += gate
		tokenMass[i] += t
		p := ws.count[j]
		ws.count[j]++
		out.ExpertTokens[p], out.ExpertWeights[p], out.ExpertPlan[p] = i, w, t
	}
	copy(ws.count, out.TokenStart[:n])
	for j := 0; j < m; j++ {
		for p := out.ExpertStart[j]; p < out.ExpertStart[j+1]; p++ {
			i := out.ExpertTokens[p]
			q := ws.count[i]
			ws.count[i]++
			out.TokenExperts[q], out.TokenWeights[q] = j, out.ExpertWeights[p]
		}
	}
	var terr, eerr float64
	out.Dropped = 0
	most := 0
	for i := 0; i < n; i++ {
		terr += math.Abs(tokenMass[i] - 1)
		most = max(most, out.TokenStart[i+1]-out.TokenStart[i])
	}
	out.ExpertsPerToken = growInt(out.ExpertsPerToken, most+1)
	clear(out.ExpertsPerToken)
	for i := 0; i < n; i++ {
		out.ExpertsPerToken[out.TokenStart[i+1]-out.TokenStart[i]]++
	}
	out.Dropped = out.ExpertsPerToken[0]
	load := float64(n) / float64(m)
	for j := 0; j < m; j++ {
		var sum float64
		for p := out.ExpertStart[j]; p < out.ExpertStart[j+1]; p++ {
			sum += out.ExpertPlan[p]
		}
		eerr += math.Abs(sum - load)
	}
	out.Score, out.MarginalError = score, terr+eerr
	out.TokenError, out.ExpertError = terr/float64(n), eerr/float64(n)
	out.Slots, out.SlotWeights = out.Slots[:0], out.SlotWeights[:0]
	out.SlotCapacity, out.Padding = 0, 0
}

// fillSlots lays the routing out in slots fixed-size buffers per expert:
// each expert's tokens (ascending), then, with padTokens, the tokens of
// lowest index it does not take (plan entry 0, combine weight w(i, j)),
// else −1 (weight 0). An expert holding more than slots tokens keeps its
// first slots.
func (out *Routing) fillSlots(slots int, padTokens bool, w func(i, j int) float64) {
	n, m := out.Tokens, out.Experts
	out.SlotCapacity = slots
	out.Slots = growInt(out.Slots, m*slots)
	out.SlotWeights = grow(out.SlotWeights, m*slots)
	out.Padding = 0
	for j := 0; j < m; j++ {
		dst := out.Slots[j*slots : (j+1)*slots]
		dw := out.SlotWeights[j*slots : (j+1)*slots]
		toks := out.ExpertTokens[out.ExpertStart[j]:out.ExpertStart[j+1]]
		q := copy(dst, toks)
		copy(dw, out.ExpertWeights[out.ExpertStart[j]:out.ExpertStart[j]+q])
		out.Padding += slots - q
		// Padding: walk the tokens in order, skipping the expert's own
		// (toks is ascending).
		next, t := 0, 0
		for ; q < slots; q++ {
			if !padTokens || next >= n {
				dst[q], dw[q] = -1, 0
				continue
			}
			for t < len(toks) && toks[t] < next {
				t++
			}
			for t < len(toks) && toks[t] == next {
				next++
				t++
			}
			if next >= n {
				dst[q], dw[q] = -1, 0
				continue
			}
			dst[q], dw[q] = next, w(next, j)
			next++
		}
	}
}

// ExpertWeights32 returns the combine weights ExpertWeights rounded to
// float32, in dst if it has the capacity.
func (r *Routing) ExpertWeights32(dst []float32) []float32 { return to32(dst, r.ExpertWeights) }

// TokenWeights32 returns the combine weights TokenWeights rounded to
// float32, in dst if it has the capacity.
func (r *Routing) TokenWeights32(dst []float32) []float32 { return to32(dst, r.TokenWeights) }

// SlotWeights32 returns the combine weights SlotWeights rounded to
// float32, in dst if it has the capacity.
func (r *Routing) SlotWeights32(dst []float32) []float32 { return to32(dst, r.SlotWeights) }

func to32(dst []float32, src []float64) []float32 {
	if cap(dst) < len(src) {
		dst = make([]float32, len(src))
	}
	dst = dst[:len(src)]
	for q, v := range src {
		dst[q] = float32(v)
	}
	return dst
}
