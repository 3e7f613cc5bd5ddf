package sumofnorms

import (
	"context"
	"math"

	"github.com/otkit/otkit/exact"
	"github.com/otkit/otkit/internal/parallel"
	"github.com/otkit/otkit/internal/support"
	"github.com/otkit/otkit/ot"
)

// edgeChunk is the number of edges of one chunk of a parallel edge pass.
const edgeChunk = 32

// state is how a solve ended, in the units of the normalized instance.
type state struct {
	plan       []float64 // the rounded plan, n×m
	f, g       []float64 // certified potentials: f the c-transform of g
	value, lin float64   // <C,T> + λR(T) and <C,T> at plan
	reg        float64   // R(T) at plan
	dual       float64   // <f,a> + <g,b>, a lower bound on the optimum
	status     ot.Status
	iters      int
	history    []float64
}

// forEdges runs f over the edge chunks on the pool.
func (in *instance) forEdges(f func(w, k, lo, hi int)) {
	E := in.g.edges()
	in.pool.For(parallel.Chunks(E, edgeChunk), func(w, k int) {
		if in.canceled() {
			return
		}
		lo, hi := parallel.Bounds(k, edgeChunk, E)
		f(w, k, lo, hi)
	})
}

// addAdjoint adds (D*Z)_i to dst (length m).
func (in *instance) addAdjoint(i int, Z, dst []float64) {
	g, m := in.g, in.m
	for p := g.ptr[i]; p < g.ptr[i+1]; p++ {
		e, c := int(g.adj[p]), g.coef[p]
		z := Z[e*m : (e+1)*m]
		d := dst[:len(z)]
		for j, v := range z {
			d[j] += c * v
		}
	}
}

// edgeDiff writes (DT)_e = w_e (T_t/a_t − T_h/a_h) into dst (length m).
func (in *instance) edgeDiff(e int, T, dst []float64) {
	g, m := in.g, in.m
	t, h := int(g.tail[e]), int(g.head[e])
	ct, ch := g.w[e]/in.a[t], g.w[e]/in.a[h]
	rt, rh := T[t*m:(t+1)*m], T[h*m:(h+1)*m]
	rt, rh = rt[:len(dst)], rh[:len(dst)]
	for j := range dst {
		dst[j] = ct*rt[j] - ch*rh[j]
	}
}

func norm2(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v * v
	}
	return math.Sqrt(s)
}

// project scales z onto the ball of radius r.
func project(z []float64, r float64) {
	nz := norm2(z)
	if nz > r {
		s := r / nz
		if r == 0 {
			s = 0
		}
		for j := range z {
			z[j] *= s
		}
	}
}

// regularizer returns R(T) = Σ_e w_e‖(T_t/a_t − T_h/a_h)‖ (w includes
// the mass factor), summed in chunk order.
func (in *instance) regularizer(T []float64) float64 {
	E := in.g.edges()
	if E == 0 {
		return 0
	}
	chunks := parallel.Chunks(E, edgeChunk)
	part := make([]float64, chunks)
	bufs := make([][]float64, in.pool.Workers())
	in.pool.For(chunks, func(w, k int) {
		if bufs[w] == nil {
			bufs[w] = make([]float64, in.m)
		}
		lo, hi := parallel.Bounds(k, edgeChunk, E)
		var s float64
		for e := lo; e < hi; e++ {
			in.edgeDiff(e, T, bufs[w])
			s += norm2(bufs[w])
		}
		part[k] = s
	})
	var s float64
	for _, v := range part {
		s += v
	}
	return s
}

// linear returns <C, T> over the entries with T > 0, in chunk order.
func (in *instance) linear(T []float64) float64 {
	part := make([]float64, in.chunks)
	in.pool.For(in.chunks, func(w, k int) {
		lo, hi := parallel.Bounds(k, rowChunk, in.n)
		var s float64
		for q := lo * in.m; q < hi*in.m; q++ {
			if T[q] > 0 {
				s += T[q] * in.c[q]
			}
		}
		part[k] = s
	})
	var s float64
	for _, v := range part {
		s += v
	}
	return s
}

// sums returns the row sums and column sums of T (n×m), column sums
// reduced in chunk order.
func (in *instance) sums(T []float64) (r, c []float64) {
	n, m := in.n, in.m
	r = make([]float64, n)
	part := make([]float64, in.chunks*m)
	in.pool.For(in.chunks, func(w, k int) {
		lo, hi := parallel.Bounds(k, rowChunk, n)
		cp := part[k*m : (k+1)*m]
		for i := lo; i < hi; i++ {
			row := T[i*m : (i+1)*m]
			var s float64
			for j, v := range row {
				s += v
				cp[j] += v
			}
			r[i] = s
		}
	})
	c = make([]float64, m)
	for k := 0; k < in.chunks; k++ {
		for j, v := range part[k*m : (k+1)*m] {
			c[j] += v
		}
	}
	return r, c
}

// round writes into dst a plan of U(a,b) close to T ≥ 0: rows and
// columns scaled down to their marginals, then the missing mass added as
// a rank-one term (Altschuler, Weed, Rigollet 2017), or, when some pairs
// are forbidden, as the optimal transport of the missing masses over the
// allowed pairs (docs/sumofnorms.md §4.2).
func (in *instance) round(T, dst []float64) {
	n, m := in.n, in.m
	r, _ := in.sums(T)
	copy(dst, T)
	in.pool.For(in.chunks, func(w, k int) {
		lo, hi := parallel.Bounds(k, rowChunk, n)
		for i := lo; i < hi; i++ {
			if r[i] > in.a[i] {
				s := in.a[i] / r[i]
				row := dst[i*m : (i+1)*m]
				for j := range row {
					row[j] *= s
				}
			}
		}
	})
	_, c := in.sums(dst)
	y := make([]float64, m)
	for j := range y {
		y[j] = 1
		if c[j] > in.b[j] {
			y[j] = in.b[j] / c[j]
		}
	}
	in.pool.For(in.chunks, func(w, k int) {
		lo, hi := parallel.Bounds(k, rowChunk, n)
		for i := lo; i < hi; i++ {
			row := dst[i*m : (i+1)*m]
			for j := range row {
				row[j] *= y[j]
			}
		}
	})
	r, c = in.sums(dst)
	er, ec := make([]float64, n), make([]float64, m)
	var sr, sc float64
	for i := range er {
		er[i] = math.Max(0, in.a[i]-r[i])
		sr += er[i]
	}
	for j := range ec {
		ec[j] = math.Max(0, in.b[j]-c[j])
		sc += ec[j]
	}
	if sr == 0 || sc == 0 {
		return
	}
	if in.forbidden {
		in.complete(dst, er, ec, sr, sc)
		return
	}
	in.pool.For(in.chunks, func(w, k int) {
		lo, hi := parallel.Bounds(k, rowChunk, n)
		for i := lo; i < hi; i++ {
			if er[i] == 0 {
				continue
			}
			s := er[i] / sr
			row := dst[i*m : (i+1)*m]
			for j := range row {
				row[j] += s * ec[j]
			}
		}
	})
}

// complete adds to dst the exact transport of the missing masses er, ec
// over the allowed pairs; if that is infeasible (the allowed pairs of the
// missing masses admit no plan), dst becomes the exact transport of a, b.
func (in *instance) complete(dst, er, ec []float64, sr, sc float64) {
	for j := range ec {
		ec[j] *= sr / sc
	}
	cost := &ot.DenseCost{N: in.n, M: in.m, Data: in.c}
	add := func(a, b []float64) bool {
		res, err := (&exact.Solver{}).Solve(context.Background(), &ot.Problem{A: a, B: b, C: cost})
		if err != nil || res.Status != ot.Converged {
			return false
		}
		sp := res.Plan.(*ot.SparsePlan)
		for i := 0; i < in.n; i++ {
			for q := sp.RowPtr[i]; q < sp.RowPtr[i+1]; q++ {
				dst[i*in.m+sp.ColIdx[q]] += sp.Val[q]
			}
		}
		return true
	}
	if add(er, ec) {
		return
	}
	clear(dst)
	add(in.a, in.b)
}

// lowerBound returns the certified lower bound <f,a> + <g,b> on the
// optimum, with f_i = min_j (C + D*Z)_ij − g_j written into f, for any g
// and any Z with ‖Z_e‖ ≤ λ (docs/sumofnorms.md §3.6).
func (in *instance) lowerBound(g, Z, f []float64) float64 {
	n, m := in.n, in.m
	bufs := make([][]float64, in.pool.Workers())
	part := make([]float64, in.chunks)
	in.pool.For(in.chunks, func(w, k int) {
		if bufs[w] == nil {
			bufs[w] = make([]float64, m)
		}
		buf := bufs[w]
		lo, hi := parallel.Bounds(k, rowChunk, n)
		var s float64
		for i := lo; i < hi; i++ {
			clear(buf)
			in.addAdjoint(i, Z, buf)
			mn := math.Inf(1)
			row := in.c[i*m : (i+1)*m]
			for j, c := range row {
				mn = math.Min(mn, c+buf[j]-g[j])
			}
			f[i] = mn
			s += in.a[i] * mn
		}
		part[k] = s
	})
	var s float64
	for _, v := range part {
		s += v
	}
	for j, v := range g {
		s += in.b[j] * v
	}
	return s
}

// certify rounds T into st.plan and fills the figures of st: value,
// linear cost, regularizer, the lower bound from (g, Z) and its
// potentials. It returns the relative gap.
func (in *instance) certify(T, g, Z []float64, st *state) float64 {
	if st.plan == nil {
		st.plan = make([]float64, in.n*in.m)
		st.f = make([]float64, in.n)
		st.g = make([]float64, in.m)
	}
	in.round(T, st.plan)
	st.lin = in.linear(st.plan)
	st.reg = in.regularizer(st.plan)
	st.value = st.lin + in.lam*st.reg
	copy(st.g, g)
	st.dual = in.lowerBound(st.g, Z, st.f)
	return in.relGap(st.value, st.dual)
}

// relGap is (V − D)/max(|V|, |D|, 1e-12·max|C|·mass); max|C| is in [1,2)
// after normalization.
func (in *instance) relGap(v, d float64) float64 {
	den := math.Max(math.Max(math.Abs(v), math.Abs(d)), 1e-12*in.mass)
	gap := (v - d) / den
	if math.IsNaN(gap) {
		return math.Inf(1)
	}
	return math.Max(gap, 0)
}

// finish builds the Result in the caller's units from the state of the
// reduced, normalized instance (nil when canceled before the first
// iterate).
func finish(q *ot.Problem, red *support.Reduced, in *instance, st *state) *ot.Result {
	n, m := q.Dims()
	if in == nil || st == nil || st.plan == nil {
		plan := &ot.SparsePlan{N: n, M: m, RowPtr: make([]int, n+1)}
		return &ot.Result{Status: ot.Canceled, Plan: plan, F: make([]float64, n), G: make([]float64, m),
			MarginalError: ot.MarginalError(plan, q.A, q.B)}
	}
	data := make([]float64, n*m)
	rows, cols := red.Rows, red.Cols
	for k := 0; k < in.n; k++ {
		i := k
		if rows != nil {
			i = rows[k]
		}
		for l := 0; l < in.m; l++ {
			j := l
			if cols != nil {
				j = cols[l]
			}
			data[i*m+j] = math.Ldexp(st.plan[k*in.m+l], in.massExp)
		}
	}
	plan := &ot.DensePlan{N: n, M: m, Data: data}
	res := &ot.Result{Plan: plan, Status: st.status, Iterations: st.iters, History: st.history}
	res.F = red.ExpandRows(scaled(st.f, in.costExp), math.Inf(-1))
	res.G = red.ExpandCols(scaled(st.g, in.costExp), math.Inf(-1))
	ke, qe := in.costExp, in.massExp
	res.LinearCost = ot.LinearCost(plan, q.C)
	res.Value = res.LinearCost + math.Ldexp(in.lam*st.reg, ke+qe)
	res.DualValue = math.Ldexp(st.dual, ke+qe)
	res.MarginalError = ot.MarginalError(plan, q.A, q.B)
	for _, v := range []float64{res.Value, res.DualValue, res.LinearCost, res.MarginalError} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			res.Status = ot.NumericalError
		}
	}
	return res
}
