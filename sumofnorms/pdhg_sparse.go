package sumofnorms

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/floats"

	"github.com/otkit/otkit/exact"
	"github.com/otkit/otkit/internal/parallel"
	"github.com/otkit/otkit/ot"
)

// pattern is the support of the restricted problem of the
// column-generation PDHG (docs/sumofnorms.md §5.2): the plan entries S
// row by row and, for every edge, the union of the columns of its two
// rows, where its dual Z_e lives.
type pattern struct {
	rp  []int     // row i's entries are rp[i]:rp[i+1]
	col []int32   // their columns, ascending within a row
	c   []float64 // their costs
	cnt []float64 // entries per column
	ep  []int     // edge e's entries are ep[e]:ep[e+1]
	ec  []int32   // their columns
	pt  []int32   // position of the entry in the tail's row (index into col), −1 if absent
	ph  []int32   // the same in the head's row
	// chunk rows per row chunk, chunks row chunks (fixed by n alone).
	chunk, chunks int
}

func (p *pattern) nnz() int { return len(p.col) }

// newPattern builds the pattern of the sorted column lists rows.
func newPattern(in *instance, rows [][]int32) *pattern {
	n, m := in.n, in.m
	p := &pattern{rp: make([]int, n+1), cnt: make([]float64, m)}
	for i, r := range rows {
		p.rp[i+1] = p.rp[i] + len(r)
	}
	p.col = make([]int32, 0, p.rp[n])
	p.c = make([]float64, 0, p.rp[n])
	for i, r := range rows {
		for _, j := range r {
			p.col = append(p.col, j)
			p.c = append(p.c, in.c[i*m+int(j)])
			p.cnt[j]++
		}
	}
	g := in.g
	E := g.edges()
	p.ep = make([]int, E+1)
	for e := 0; e < E; e++ {
		t, h := int(g.tail[e]), int(g.head[e])
		at, bt := p.rp[t], p.rp[t+1]
		ah, bh := p.rp[h], p.rp[h+1]
		for at < bt || ah < bh {
			switch {
			case ah == bh || (at < bt && p.col[at] < p.col[ah]):
				p.ec = append(p.ec, p.col[at])
				p.pt = append(p.pt, int32(at))
				p.ph = append(p.ph, -1)
				at++
			case at == bt || p.col[ah] < p.col[at]:
				p.ec = append(p.ec, p.col[ah])
				p.pt = append(p.pt, -1)
				p.ph = append(p.ph, int32(ah))
				ah++
			default:
				p.ec = append(p.ec, p.col[at])
				p.pt = append(p.pt, int32(at))
				p.ph = append(p.ph, int32(ah))
				at++
				ah++
			}
		}
		p.ep[e+1] = len(p.ec)
	}
	p.chunk = max(rowChunk, (n+15)/16)
	p.chunks = parallel.Chunks(n, p.chunk)
	return p
}

// rows returns the column lists of the pattern.
func (p *pattern) rows() [][]int32 {
	n := len(p.rp) - 1
	r := make([][]int32, n)
	for i := range r {
		r[i] = slices.Clone(p.col[p.rp[i]:p.rp[i+1]])
	}
	return r
}

// remapRows copies the row entries x of pattern p into the larger
// pattern q (new entries 0).
func remapRows(p, q *pattern, x []float64) []float64 {
	y := make([]float64, q.nnz())
	for i := 0; i+1 < len(p.rp); i++ {
		k := q.rp[i]
		for l := p.rp[i]; l < p.rp[i+1]; l++ {
			for q.col[k] != p.col[l] {
				k++
			}
			y[k] = x[l]
		}
	}
	return y
}

// remapEdges copies the edge entries z of p into q (new entries 0).
func remapEdges(p, q *pattern, z []float64) []float64 {
	y := make([]float64, len(q.ec))
	for e := 0; e+1 < len(p.ep); e++ {
		k := q.ep[e]
		for l := p.ep[e]; l < p.ep[e+1]; l++ {
			for q.ec[k] != p.ec[l] {
				k++
			}
			y[k] = z[l]
		}
	}
	return y
}

// forChunks runs f over the row chunks of p on the pool.
func (in *instance) forChunks(p *pattern, f func(w, k, lo, hi int)) {
	in.pool.For(p.chunks, func(w, k int) {
		if in.canceled() {
			return
		}
		lo, hi := parallel.Bounds(k, p.chunk, in.n)
		f(w, k, lo, hi)
	})
}

// spCert holds the figures of a certificate on the restricted support:
// the rounded plan is P on S plus er ecᵀ/sr (docs/sumofnorms.md §4.2).
type spCert struct {
	P                     []float64
	er, ec                []float64
	sr, ec2               float64
	value, lin, reg, dual float64
	dualS                 float64 // the bound with the c-transform over S only
	f, fS, g              []float64
}

// spCertify rounds T (on S) onto U(a,b) and computes the figures of the
// certificate at (g, Z): the relative gap over all pairs and the one of
// the restricted problem.
func (in *instance) spCertify(p *pattern, T, g, Z []float64, st *spCert) (gap, gapS float64) {
	n, m := in.n, in.m
	if st.P == nil || len(st.P) != p.nnz() {
		st.P = make([]float64, p.nnz())
	}
	if st.f == nil {
		st.f, st.fS, st.g = make([]float64, n), make([]float64, n), make([]float64, m)
		st.er, st.ec = make([]float64, n), make([]float64, m)
	}
	P := st.P
	colSums := func(x []float64) []float64 {
		part := make([]float64, p.chunks*m)
		in.pool.For(p.chunks, func(w, k int) {
			lo, hi := parallel.Bounds(k, p.chunk, n)
			cp := part[k*m : (k+1)*m]
			for q := p.rp[lo]; q < p.rp[hi]; q++ {
				cp[p.col[q]] += x[q]
			}
		})
		c := make([]float64, m)
		for k := 0; k < p.chunks; k++ {
			for j, v := range part[k*m : (k+1)*m] {
				c[j] += v
			}
		}
		return c
	}
	for i := 0; i < n; i++ {
		var r float64
		for q := p.rp[i]; q < p.rp[i+1]; q++ {
			r += T[q]
		}
		s := 1.0
		if r > in.a[i] {
			s = in.a[i] / r
		}
		for q := p.rp[i]; q < p.rp[i+1]; q++ {
			P[q] = T[q] * s
		}
	}
	c := colSums(P)
	for q, j := range p.col {
		if c[j] > in.b[j] {
			P[q] *= in.b[j] / c[j]
		}
	}
	c = colSums(P)
	st.sr, st.ec2 = 0, 0
	var sc float64
	for i := 0; i < n; i++ {
		var r float64
		for q := p.rp[i]; q < p.rp[i+1]; q++ {
			r += P[q]
		}
		st.er[i] = math.Max(0, in.a[i]-r)
		st.sr += st.er[i]
	}
	for j := range st.ec {
		st.ec[j] = math.Max(0, in.b[j]-c[j])
		sc += st.ec[j]
		st.ec2 += st.ec[j] * st.ec[j]
	}
	if st.sr == 0 || sc == 0 {
		st.sr = 0
	}
	// <C, P>: the support part and the rank-one part, by rows.
	lin := make([]float64, p.chunks)
	in.pool.For(p.chunks, func(w, k int) {
		lo, hi := parallel.Bounds(k, p.chunk, n)
		var s float64
		for i := lo; i < hi; i++ {
			for q := p.rp[i]; q < p.rp[i+1]; q++ {
				s += P[q] * p.c[q]
			}
			if st.sr > 0 && st.er[i] > 0 {
				var t float64
				row := in.c[i*m : (i+1)*m]
				for j, v := range st.ec[:len(row)] {
					t += row[j] * v
				}
				s += st.er[i] / st.sr * t
			}
		}
		lin[k] = s
	})
	st.lin = 0
	for _, v := range lin {
		st.lin += v
	}
	// R at the rounded plan: ‖d + β ec‖ with d on the edge's columns.
	E := in.g.edges()
	st.reg = 0
	if E > 0 {
		chunks := parallel.Chunks(E, edgeChunk)
		part := make([]float64, chunks)
		in.pool.For(chunks, func(w, k int) {
			lo, hi := parallel.Bounds(k, edgeChunk, E)
			var s float64
			for e := lo; e < hi; e++ {
				t, h := in.g.tail[e], in.g.head[e]
				ct, ch := in.g.w[e]/in.a[t], in.g.w[e]/in.a[h]
				beta := 0.0
				if st.sr > 0 {
					beta = (ct*st.er[t] - ch*st.er[h]) / st.sr
				}
				var s1, s2 float64
				for q := p.ep[e]; q < p.ep[e+1]; q++ {
					var d float64
					if x := p.pt[q]; x >= 0 {
						d = ct * P[x]
					}
					if x := p.ph[q]; x >= 0 {
						d -= ch * P[x]
					}
					ej := st.ec[p.ec[q]]
					d += beta * ej
					s1 += d * d
					s2 += ej * ej
				}
				s += math.Sqrt(math.Max(0, s1+beta*beta*math.Max(0, st.ec2-s2)))
			}
			part[k] = s
		})
		for _, v := range part {
			st.reg += v
		}
	}
	st.value = st.lin + in.lam*st.reg
	copy(st.g, g)
	st.dual, st.dualS = in.spLowerBound(p, g, Z, st.f, st.fS, nil)
	return in.relGap(st.value, st.dual), in.relGap(st.value, st.dualS)
}

// spLowerBound returns the certified lower bound <f,a> + <g,b> with f the
// c-transform of g over all columns for C + D*Z (Z on the edge columns of
// p, zero elsewhere), and the same with the minimum over S only (fS).
// With add not nil, add[i] receives up to priceCount columns outside S
// whose reduced cost is below fS_i, the most negative first.
func (in *instance) spLowerBound(p *pattern, g, Z, f, fS []float64, add [][]int32) (float64, float64) {
	n, m := in.n, in.m
	bufs := make([][]float64, in.pool.Workers())
	marks := make([][]int32, in.pool.Workers())
	part := make([]float64, 2*p.chunks)
	in.pool.For(p.chunks, func(w, k int) {
		if bufs[w] == nil {
			bufs[w] = make([]float64, m)
			marks[w] = make([]int32, m)
			for j := range marks[w] {
				marks[w][j] = -1
			}
		}
		buf, mark := bufs[w], marks[w]
		lo, hi := parallel.Bounds(k, p.chunk, n)
		var s, sS float64
		type cand struct {
			r float64
			j int32
		}
		var cands []cand
		for i := lo; i < hi; i++ {
			copy(buf, in.c[i*m:(i+1)*m])
			for x := in.g.ptr[i]; x < in.g.ptr[i+1]; x++ {
				e, cf := int(in.g.adj[x]), in.g.coef[x]
				for q := p.ep[e]; q < p.ep[e+1]; q++ {
					buf[p.ec[q]] += cf * Z[q]
				}
			}
			mn := math.Inf(1)
			for j, v := range buf {
				buf[j] = v - g[j]
				mn = math.Min(mn, buf[j])
			}
			mS := math.Inf(1)
			for q := p.rp[i]; q < p.rp[i+1]; q++ {
				mS = math.Min(mS, buf[p.col[q]])
				mark[p.col[q]] = int32(i)
			}
			f[i], fS[i] = mn, mS
			s += in.a[i] * mn
			sS += in.a[i] * mS
			if add != nil && mn < mS {
				cands = cands[:0]
				for j, v := range buf {
					if v < mS && mark[j] != int32(i) {
						cands = append(cands, cand{v, int32(j)})
					}
				}
				slices.SortFunc(cands, func(x, y cand) int {
					switch {
					case x.r < y.r:
						return -1
					case x.r > y.r:
						return 1
					}
					return int(x.j - y.j)
				})
				for _, c := range cands[:min(len(cands), priceCount)] {
					add[i] = append(add[i], c.j)
				}
			}
		}
		part[2*k], part[2*k+1] = s, sS
	})
	var s, sS float64
	for k := 0; k < p.chunks; k++ {
		s += part[2*k]
		sS += part[2*k+1]
	}
	for j, v := range g {
		s += in.b[j] * v
		sS += in.b[j] * v
	}
	return s, sS
}

// exactBoundMax is the size n·m up to which every check also tries the
// bound of §3.6 with g from an exact solve of OT(C + D*Z); larger
// problems try it at every tenth check once the gap is within 10·GapTol.
const exactBoundMax = 1 << 14

// spExactBound replaces the lower bound of st by <f,a> + <g,b> with g the
// optimal potential of OT(C + D*Z) (network simplex, started from st.g)
// and f its c-transform, when that is larger (docs/sumofnorms.md §3.6:
// any g gives a certified bound). It returns the relative gap.
func (in *instance) spExactBound(p *pattern, Z []float64, st *spCert) float64 {
	n, m := in.n, in.m
	cz := make([]float64, n*m)
	for i := 0; i < n; i++ {
		buf := cz[i*m : (i+1)*m]
		copy(buf, in.c[i*m:(i+1)*m])
		for x := in.g.ptr[i]; x < in.g.ptr[i+1]; x++ {
			e, cf := int(in.g.adj[x]), in.g.coef[x]
			for q := p.ep[e]; q < p.ep[e+1]; q++ {
				buf[p.ec[q]] += cf * Z[q]
			}
		}
	}
	res, err := (&exact.Solver{Init: &ot.Potentials{F: st.f, G: st.g}}).Solve(in.ctx,
		&ot.Problem{A: in.a, B: in.b, C: &ot.DenseCost{N: n, M: m, Data: cz}})
	if err == nil && res.Status == ot.Converged && allFinite(res.G) {
		f, fS := make([]float64, n), make([]float64, n)
		if d, dS := in.spLowerBound(p, res.G, Z, f, fS, nil); d > st.dual {
			st.dual, st.dualS = d, dS
			copy(st.g, res.G)
			copy(st.f, f)
			copy(st.fS, fS)
		}
	}
	return in.relGap(st.value, st.dual)
}

// priceCount is the number of columns priced into a row at a time;
// startCount the number of cheapest reduced-cost columns of the start.
const (
	priceCount = 8
	startCount = 8
)

// useSparse reports whether PDHG runs on a restricted support with
// column generation (docs/sumofnorms.md §5.2): problems without forbidden
// pairs.
func (in *instance) useSparse() bool {
	switch sparseMode {
	case 1:
		return !in.forbidden
	case -1:
		return false
	}
	return !in.forbidden
}

// sparseMode forces (1) or disables (−1) the sparse PDHG, for tests.
var sparseMode = 0

// startPattern solves λ = 0 exactly on the normalized instance and
// returns its plan and potentials with the start support: the exact
// plan's support plus the startCount columns of least reduced cost
// C_ij − G_j of every row. ok is false when the exact solve fails or
// is canceled.
func (in *instance) startPattern() (rows [][]int32, plan []float64, f, g []float64, ok bool) {
	n, m := in.n, in.m
	res, err := (&exact.Solver{}).Solve(in.ctx, &ot.Problem{A: in.a, B: in.b, C: &ot.DenseCost{N: n, M: m, Data: in.c}})
	if err != nil || res.Status != ot.Converged {
		return nil, nil, nil, nil, false
	}
	plan = make([]float64, n*m)
	sp := ot.DenseCopy(res.Plan).RawMatrix()
	for i := 0; i < n; i++ {
		copy(plan[i*m:(i+1)*m], sp.Data[i*sp.Stride:i*sp.Stride+m])
	}
	f, g = res.F, res.G
	if in.lam > 0 {
		// The fused start: the class-level optimal plan of the connected
		// components of the edge graph, lifted to the rows (R = 0; §3.4),
		// when its objective is below the λ = 0 plan's.
		v0 := in.linear(plan) + in.lam*in.regularizer(plan)
		if fp, ff, fg, ok := in.fusedStart(); ok && in.linear(fp) < v0 {
			plan, f, g = fp, ff, fg
		}
		if in.canceled() {
			return nil, nil, nil, nil, false
		}
	}
	rows = make([][]int32, n)
	idx := make([]int32, m)
	rc := make([]float64, m)
	for i := 0; i < n; i++ {
		for j := range idx {
			idx[j] = int32(j)
			rc[j] = in.c[i*m+j] - g[j]
		}
		slices.SortFunc(idx, func(x, y int32) int {
			switch {
			case rc[x] < rc[y]:
				return -1
			case rc[x] > rc[y]:
				return 1
			}
			return int(x - y)
		})
		r := slices.Clone(idx[:min(m, startCount)])
		for j := 0; j < m; j++ {
			if plan[i*m+j] > 0 && !slices.Contains(r, int32(j)) {
				r = append(r, int32(j))
			}
		}
		slices.Sort(r)
		rows[i] = r
	}
	return rows, plan, f, g, true
}

// solveSparsePDHG is PDHG (docs/sumofnorms.md §5) on a restricted support
// S with column generation (§5.2): it starts from the exact λ = 0 plan
// and potentials on S = its support plus the cheapest reduced-cost
// columns of every row, runs the restarted, preconditioned PDHG of
// solvePDHG on the restricted problem, and adds to S the columns whose
// reduced cost at the current duals is below the row's minimum over S
// whenever the gap over all pairs is mostly the restricted certificate's
// shortfall. Converged is decided on the certificate over all pairs.
func (s *Solver) solveSparsePDHG(in *instance) *state {
	n, m := in.n, in.m
	E := in.g.edges()
	rows, plan0, f0, g0, ok := in.startPattern()
	if !ok {
		if in.canceled() {
			return nil
		}
		return s.solvePDHG(in)
	}
	p := newPattern(in, rows)
	T := make([]float64, p.nnz())
	for i := 0; i < n; i++ {
		for q := p.rp[i]; q < p.rp[i+1]; q++ {
			T[q] = plan0[i*m+int(p.col[q])]
		}
	}
	u, v := make([]float64, n), make([]float64, m)
	for i := range u {
		u[i] = -f0[i]
	}
	for j := range v {
		v[j] = -g0[j]
	}
	Z := make([]float64, len(p.ec))
	dz := in.lam
	tau0 := make([]float64, n)
	sigE0 := make([]float64, E)
	var mu float64
	tau := make([]float64, n)
	sigE := make([]float64, E)
	sigU, sigV := make([]float64, n), make([]float64, m)
	omega0 := initialOmega(in)
	omega := omega0
	// Preconditioners (§5.1) with the row and column counts of S in place
	// of m and n.
	precond := func() {
		mu = in.mass / float64(p.nnz())
		for i := 0; i < n; i++ {
			d := 2.0
			for x := in.g.ptr[i]; x < in.g.ptr[i+1]; x++ {
				d += dz * math.Abs(in.g.coef[x])
			}
			tau0[i] = mu / d
		}
		for e := 0; e < E; e++ {
			t, h := in.g.tail[e], in.g.head[e]
			sigE0[e] = dz / (mu * in.g.w[e] * (1/in.a[t] + 1/in.a[h]))
		}
	}
	setSteps := func() {
		for i := range tau {
			tau[i] = tau0[i] / omega
			sigU[i] = omega / (mu * float64(max(1, p.rp[i+1]-p.rp[i])))
		}
		for j := range sigV {
			sigV[j] = omega / (mu * math.Max(1, p.cnt[j]))
		}
		for e := range sigE {
			sigE[e] = sigE0[e] * omega
		}
	}
	precond()
	setSteps()

	Tb := make([]float64, p.nnz())
	rs := make([]float64, n)
	cs := make([]float64, m)
	part := make([]float64, p.chunks*m)
	bufs := make([][]float64, in.pool.Workers())
	st, ast := &spCert{}, &spCert{}
	status := ot.IterationLimit
	var hist []float64
	g := make([]float64, m)
	ga := make([]float64, m)
	lastT, lastU, lastV, lastZ := slices.Clone(T), slices.Clone(u), slices.Clone(v), slices.Clone(Z)
	aT, aU, aV, aZ := slices.Clone(T), slices.Clone(u), slices.Clone(v), slices.Clone(Z)
	bestGap, prevCand := math.Inf(1), math.Inf(1)
	nAvg, sinceRestart := 0, 0
	var lastGap float64

	it := 0
	for it < in.maxIter {
		it++
		nAvg++
		wt := 1 / float64(nAvg)
		in.forChunks(p, func(w, k, lo, hi int) {
			cp := part[k*m : (k+1)*m]
			clear(cp)
			for i := lo; i < hi; i++ {
				a, b := p.rp[i], p.rp[i+1]
				if cap(bufs[w]) < b-a {
					bufs[w] = make([]float64, b-a)
				}
				buf := bufs[w][:b-a]
				clear(buf)
				for x := in.g.ptr[i]; x < in.g.ptr[i+1]; x++ {
					e, cf := int(in.g.adj[x]), in.g.coef[x]
					pos := p.pt
					if int(in.g.head[e]) == i {
						pos = p.ph
					}
					for q := p.ep[e]; q < p.ep[e+1]; q++ {
						if l := pos[q]; l >= 0 {
							buf[int(l)-a] += cf * Z[q]
						}
					}
				}
				row, tb, c, cols := T[a:b], Tb[a:b], p.c[a:b], p.col[a:b]
				ti, ui := tau[i], u[i]
				var sum float64
				for l := range row {
					j := cols[l]
					old := row[l]
					nw := old - ti*(c[l]+ui+v[j]+buf[l])
					if !(nw > 0) {
						nw = 0
					}
					row[l] = nw
					x := 2*nw - old
					tb[l] = x
					sum += x
					cp[j] += x
				}
				rs[i] = sum
				avgInto(aT[a:b], row, wt)
			}
		})
		if in.canceled() {
			status = ot.Canceled
			break
		}
		clear(cs)
		for k := 0; k < p.chunks; k++ {
			for j, x := range part[k*m : (k+1)*m] {
				cs[j] += x
			}
		}
		for i := range u {
			u[i] += sigU[i] * (rs[i] - in.a[i])
		}
		for j := range v {
			v[j] += sigV[j] * (cs[j] - in.b[j])
		}
		in.forEdges(func(w, k, lo, hi int) {
			for e := lo; e < hi; e++ {
				t, h := in.g.tail[e], in.g.head[e]
				ct, ch := in.g.w[e]/in.a[t], in.g.w[e]/in.a[h]
				se := sigE[e]
				z := Z[p.ep[e]:p.ep[e+1]]
				pt, ph := p.pt[p.ep[e]:p.ep[e+1]], p.ph[p.ep[e]:p.ep[e+1]]
				var s float64
				for q := range z {
					var d float64
					if x := pt[q]; x >= 0 {
						d = ct * Tb[x]
					}
					if x := ph[q]; x >= 0 {
						d -= ch * Tb[x]
					}
					x := z[q] + se*d
					z[q] = x
					s += x * x
				}
				if nz := math.Sqrt(s); nz > in.lam {
					f := 0.0
					if in.lam != 0 {
						f = in.lam / nz
					}
					for q := range z {
						z[q] *= f
					}
				}
				avgInto(aZ[p.ep[e]:p.ep[e+1]], z, wt)
			}
		})
		if in.canceled() {
			status = ot.Canceled
			break
		}
		avgInto(aU, u, wt)
		avgInto(aV, v, wt)
		if it%checkEvery != 0 && it != in.maxIter {
			continue
		}
		for j := range g {
			g[j] = -v[j]
			ga[j] = -aV[j]
		}
		gap, gapS := in.spCertify(p, T, g, Z, st)
		useAvg := false
		if agap, agapS := in.spCertify(p, aT, ga, aZ, ast); agapS < gapS {
			gap, gapS, useAvg = agap, agapS, true
			st, ast = ast, st
		}
		if gap > in.gapTol && (n*m <= exactBoundMax || (gap <= 10*in.gapTol && len(hist)%10 == 0)) {
			zc := Z
			if useAvg {
				zc = aZ
			}
			gap = in.spExactBound(p, zc, st)
		}
		hist = append(hist, gap)
		lastGap = gap
		if in.progress != nil {
			in.progress(it, gap)
		}
		if in.canceled() {
			status = ot.Canceled
			break
		}
		if gap <= in.gapTol {
			status = ot.Converged
			break
		}
		sinceRestart += checkEvery
		restart := gapS <= 0.2*bestGap || (gapS <= 0.8*bestGap && gapS > prevCand) || float64(sinceRestart) >= 0.36*float64(it)
		prevCand = gapS
		if restart && useAvg {
			copy(T, aT)
			copy(u, aU)
			copy(v, aV)
			copy(Z, aZ)
		}
		// Column generation: when the restricted certificate is far
		// better than the one over all pairs, S lacks columns.
		price := gap-gapS > 0.5*gap
		if price {
			add := make([][]int32, n)
			for j := range g {
				g[j] = -v[j]
			}
			in.spLowerBound(p, g, Z, st.f, st.fS, add)
			rows := p.rows()
			grew := false
			for i, a := range add {
				if len(a) > 0 {
					rows[i] = append(rows[i], a...)
					slices.Sort(rows[i])
					grew = true
				}
			}
			if grew {
				q := newPattern(in, rows)
				T, aT, lastT = remapRows(p, q, T), remapRows(p, q, aT), remapRows(p, q, lastT)
				Z, aZ, lastZ = remapEdges(p, q, Z), remapEdges(p, q, aZ), remapEdges(p, q, lastZ)
				p = q
				Tb = make([]float64, p.nnz())
				part = make([]float64, p.chunks*m)
				precond()
				setSteps()
				restart = true
			}
		}
		if restart {
			dx := distSq(T, lastT) / (mu * mu)
			dy := distSq(u, lastU) + distSq(v, lastV)
			if dz > 0 {
				dy += distSq(Z, lastZ) / (dz * dz)
			}
			if dx > 0 && dy > 0 {
				ratio := math.Sqrt(dy / dx)
				nw := math.Exp(0.5*math.Log(ratio) + 0.5*math.Log(omega))
				omega = math.Max(omega/10, math.Min(omega*10, nw))
				omega = math.Max(omega0/omegaRange, math.Min(omega0*omegaRange, omega))
				setSteps()
			}
			copy(lastT, T)
			copy(lastU, u)
			copy(lastV, v)
			copy(lastZ, Z)
			bestGap = gapS
			sinceRestart = 0
			copy(aT, T)
			copy(aU, u)
			copy(aV, v)
			copy(aZ, Z)
			nAvg = 0
			prevCand = math.Inf(1)
		}
	}
	if status != ot.Converged {
		for j := range g {
			g[j] = -v[j]
		}
		lastGap, _ = in.spCertify(p, T, g, Z, st)
	}
	_ = lastGap
	// The rounded plan, dense.
	out := &state{plan: make([]float64, n*m), f: st.f, g: st.g, value: st.value, lin: st.lin, reg: st.reg,
		dual: st.dual, status: status, iters: it, history: hist}
	for i := 0; i < n; i++ {
		row := out.plan[i*m : (i+1)*m]
		if st.sr > 0 && st.er[i] > 0 {
			s := st.er[i] / st.sr
			for j := range row {
				row[j] = s * st.ec[j]
			}
		}
		for q := p.rp[i]; q < p.rp[i+1]; q++ {
			row[p.col[q]] += st.P[q]
		}
	}
	if status == ot.Converged && merr(in, out.plan) > in.tol {
		out.status = ot.IterationLimit
	}
	return out
}

// fusedStart returns the plan T_ij = (a_i/m_c) G_cj with G the optimal
// plan of the class-level problem over the connected components c of the
// edge graph (masses m_c, costs Σ_{i∈c} (a_i/m_c) C_ij), its potentials
// g = G's column potentials and f the c-transform of g.
func (in *instance) fusedStart() (plan, f, g []float64, ok bool) {
	n, m := in.n, in.m
	comp := make([]int, n)
	for i := range comp {
		comp[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for comp[i] != i {
			comp[i] = comp[comp[i]]
			i = comp[i]
		}
		return i
	}
	for e := range in.g.tail {
		if in.g.w[e] > 0 {
			ra, rb := find(int(in.g.tail[e])), find(int(in.g.head[e]))
			if ra != rb {
				comp[max(ra, rb)] = min(ra, rb)
			}
		}
	}
	id := map[int]int{}
	cls := make([]int, n)
	for i := range cls {
		r := find(i)
		if _, seen := id[r]; !seen {
			id[r] = len(id)
		}
		cls[i] = id[r]
	}
	K := len(id)
	mc := make([]float64, K)
	for i, c := range cls {
		mc[c] += in.a[i]
	}
	cbar := make([]float64, K*m)
	for i, c := range cls {
		floats.AddScaled(cbar[c*m:(c+1)*m], in.a[i]/mc[c], in.c[i*m:(i+1)*m])
	}
	res, err := (&exact.Solver{}).Solve(in.ctx, &ot.Problem{A: mc, B: in.b, C: &ot.DenseCost{N: K, M: m, Data: cbar}})
	if err != nil || res.Status != ot.Converged {
		return nil, nil, nil, false
	}
	G := ot.DenseCopy(res.Plan).RawMatrix()
	plan = make([]float64, n*m)
	for i, c := range cls {
		floats.AddScaled(plan[i*m:(i+1)*m], in.a[i]/mc[c], G.Data[c*G.Stride:c*G.Stride+m])
	}
	g = slices.Clone(res.G)
	f = make([]float64, n)
	for i := range f {
		mn := math.Inf(1)
		for j, c := range in.c[i*m : (i+1)*m] {
			mn = math.Min(mn, c-g[j])
		}
		f[i] = mn
	}
	return plan, f, g, true
}
