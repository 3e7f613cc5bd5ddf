package sumofnorms

import (
	"context"
	"fmt"
	"math"

	"github.com/otkit/otkit/internal/parallel"
	"github.com/otkit/otkit/internal/support"
	"github.com/otkit/otkit/ot"
)

// rowChunk is the number of rows of one chunk of a parallel pass (fixed,
// so that reductions in chunk order do not depend on the worker count);
// the context is polled once per chunk.
const rowChunk = 8

// instance is the reduced problem (positive weights only), normalized:
// the cost divided by 2^costExp (its largest finite |entry| in [1, 2)),
// the weights by 2^massExp (their total in [1, 2)); λ' = λ/2^costExp and
// Value = 2^(costExp+massExp)·Value' (docs/sumofnorms.md §2.2).
type instance struct {
	n, m      int
	c         []float64 // n×m, +Inf for forbidden pairs
	forbidden bool
	a, b      []float64
	mass      float64
	lam       float64
	cspan     float64 // max − min finite cost
	g         *graph

	costExp, massExp int
	tol, gapTol      float64 // marginal tolerance (absolute), relative gap
	maxIter          int
	progress         ot.Progress

	workers int
	pool    *parallel.Pool
	chunks  int
	ctx     context.Context
}

func (in *instance) canceled() bool { return in.ctx.Err() != nil }

func (in *instance) close() {
	in.pool.Close()
}

// forRows runs f over the row chunks on the pool; f returns early when
// canceled.
func (in *instance) forRows(f func(w, k, lo, hi int)) {
	in.pool.For(in.chunks, func(w, k int) {
		if in.canceled() {
			return
		}
		lo, hi := parallel.Bounds(k, rowChunk, in.n)
		f(w, k, lo, hi)
	})
}

// setup builds the normalized instance and its edge graph. It returns a
// nil instance and no error when ctx is canceled during the setup.
func (s *Solver) setup(ctx context.Context, red *support.Reduced) (*instance, error) {
	n, m := red.Dims()
	in := &instance{n: n, m: m, ctx: ctx, workers: s.Workers, maxIter: s.MaxIter, gapTol: s.GapTol}
	abort := func() (*instance, error) { return nil, nil }
	fail := func(err error) (*instance, error) { return nil, err }
	limit := s.MaxDenseBytes
	if need := 8 * 3 * float64(n) * float64(m); need > float64(limit) {
		return fail(fmt.Errorf("%w: sumofnorms: the %d×%d problem needs %.4g bytes of dense arrays, above MaxDenseBytes = %d",
			ot.ErrParameter, n, m, need, limit))
	}
	var c []float64
	owned := false
	if d, ok := red.C.(*ot.DenseCost); ok {
		c = d.Data
	} else {
		c = make([]float64, n*m)
		for i := 0; i < n; i++ {
			if i%64 == 0 && in.canceled() {
				return abort()
			}
			red.C.Row(i, c[i*m:(i+1)*m])
		}
		owned = true
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for k, v := range c {
		if k%(64*m+1) == 0 && in.canceled() {
			return abort()
		}
		if !math.IsInf(v, 1) {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		} else {
			in.forbidden = true
		}
	}
	if mx := math.Max(math.Abs(lo), math.Abs(hi)); mx > 0 {
		_, e := math.Frexp(mx)
		in.costExp = e - 1
	}
	if in.costExp != 0 {
		inv := math.Ldexp(1, -in.costExp)
		src := c
		if !owned {
			c = make([]float64, n*m)
		}
		if !owned {
			src = red.C.(*ot.DenseCost).Data
		}
		for k := range c {
			if k%(64*m+1) == 0 && in.canceled() {
				return abort()
			}
			c[k] = src[k] * inv
		}
		lo, hi = lo*inv, hi*inv
	}
	in.c = c
	in.cspan = hi - lo
	mass := red.Mass()
	_, e := math.Frexp(mass)
	in.massExp = e - 1
	in.a, in.b = scaled(red.A, -in.massExp), scaled(red.B, -in.massExp)
	var sa, sb float64
	for _, v := range in.a {
		sa += v
	}
	for _, v := range in.b {
		sb += v
	}
	for j := range in.b { // b to the mass of a (they agree within ot.MassTol)
		in.b[j] *= sa / sb
	}
	in.mass = sa
	in.tol = s.Tol * sa
	in.lam = math.Ldexp(s.Lambda, -in.costExp)
	if s.Progress != nil {
		in.progress = s.Progress
	}

	// The edge graph.
	labels := s.Labels
	if labels != nil && red.Rows != nil {
		l := make([]int, len(red.Rows))
		for k, i := range red.Rows {
			l[k] = labels[i]
		}
		labels = l
	}
	edges := chooseEdges(s.Edges, labels, m)
	gaussian := s.Weights == Gaussian || (s.Weights == WeightsAuto && edges != SameClass)
	var pairs [][2]int32
	var x []float64
	var d int
	sigma := s.Sigma
	if gaussian || edges != SameClass {
		x, d = features(red.C, c, n, m, math.Max(math.Abs(lo), math.Abs(hi)))
		if d == m && len(x) == n*m { // cost rows: σ in cost units
			sigma = math.Ldexp(sigma, -in.costExp)
		}
	}
	switch {
	case s.Lambda == 0: // the edges play no part
	case edges == SameClass:
		if need := 8 * float64(pairCount(labels)) * float64(m); need > float64(limit) {
			return fail(fmt.Errorf("%w: sumofnorms: %d same-class pairs × %d columns need %.4g bytes, above MaxDenseBytes = %d (use SameClassKNN)",
				ot.ErrParameter, pairCount(labels), m, need, limit))
		}
		pairs = pairEdges(labels)
	case edges == SameClassKNN:
		pairs = knnEdges(classes(labels), x, d, s.K, in.canceled)
	case edges == KNN:
		all := make([]int, n)
		for i := range all {
			all[i] = i
		}
		pairs = knnEdges([][]int{all}, x, d, s.K, in.canceled)
	}
	if in.canceled() {
		return abort()
	}
	if need := 8 * (3*float64(n)*float64(m) + 3*float64(len(pairs))*float64(m)); need > float64(limit) {
		return fail(fmt.Errorf("%w: sumofnorms: %d edges × %d columns need %.4g bytes, above MaxDenseBytes = %d",
			ot.ErrParameter, len(pairs), m, need, limit))
	}
	in.g = newGraph(pairs, gaussian, sigma, x, d, in.a, in.mass)
	in.pool = parallel.NewPool(in.workers)
	in.chunks = parallel.Chunks(n, rowChunk)
	return in, nil
}

// scaled returns x·2^e in a new slice.
func scaled(x []float64, e int) []float64 {
	out := make([]float64, len(x))
	for k, v := range x {
		out[k] = math.Ldexp(v, e)
	}
	return out
}

// chooseEdges resolves Auto: SameClass when the edge duals of all
// same-class pairs take at most MaxPairBytes, SameClassKNN above, KNN
// without labels.
func chooseEdges(e EdgeSet, labels []int, m int) EdgeSet {
	if e != Auto {
		return e
	}
	switch {
	case labels == nil:
		return KNN
	case 8*float64(pairCount(labels))*float64(m) <= MaxPairBytes:
		return SameClass
	}
	return SameClassKNN
}
