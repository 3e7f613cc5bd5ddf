package semidual

import (
	"cmp"
	"context"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"

	"github.com/otkit/otkit/internal/lse"
	"github.com/otkit/otkit/internal/parallel"
	"github.com/otkit/otkit/ot"
)

// Source computes the cost on demand, for problems whose n×m cost would
// not fit in memory (see SetSource). Its entries must be those the dense
// path would store, bit for bit, for the results to match it.
type Source interface {
	// Column writes C_ij, i = 0…n−1, into dst (length n).
	Column(j int, dst []float64)
	// Entry returns C_ij.
	Entry(i, j int) float64
}

// scanner is a Source that finds the candidates of a column without
// computing all of it (Cloud).
type scanner interface {
	prepare(F []float64)
	scan(j int, F []float64, scale, tau float64, v []float64, ci []int, buf *scanBuf) int
}

// Cloud is the Source of a squared-Euclidean or Euclidean point cloud,
// optionally transposed, with its entries divided by 2^e (SetExp; exact):
// C_ij is the cost between row point i and column point j, computed with
// the arithmetic of ot.PointCloud.Row (squares summed over the coordinates
// in order, then rooted for Euclidean), so that its entries are those of
// the dense matrix built from the cloud's rows. Its memory is that of the
// points, O((n + m)·d), and of a tree over the row points that finds a
// column's candidates without computing the column (see scan). A Cloud
// serves one Columns at a time.
type Cloud struct {
	n, m, d int
	x, y    []float64 // row-major n×d (rows of C) and m×d (columns)
	root    bool
	exp     int
	p2      float64 // 2^−exp when that is a normal number, else 0

	// The tree over the row points: nodes in preorder (children after
	// their parent), each with the rows perm[lo:hi], its children (−1:
	// a leaf), the bounding box of its points (box[2d·q:2d·q+d] the
	// lower corner, then the upper one) and, at the current evaluation,
	// the largest F of its rows.
	perm  []int32
	nodes []cloudNode
	box   []float64
	fmax  []float64
	// wide[j]: column j had many candidates at its last scan.
	wide []bool
}

type cloudNode struct {
	lo, hi      int32
	left, right int32
}

// leafSize is the largest number of rows in a leaf of the tree.
const leafSize = 16

// NewCloud returns the Source of pc (of Cᵀ with transpose), or nil when
// its metric is neither ot.SqEuclidean nor ot.Euclidean.
func NewCloud(pc *ot.PointCloud, transpose bool) *Cloud {
	if pc.Metric != ot.SqEuclidean && pc.Metric != ot.Euclidean {
		return nil
	}
	pack := func(a *mat.Dense) []float64 {
		r, d := a.Dims()
		out := make([]float64, 0, r*d)
		for i := 0; i < r; i++ {
			out = append(out, a.RawRowView(i)...)
		}
		return out
	}
	X, Y := pc.X, pc.Y
	if transpose {
		// (y − x)² = (x − y)² exactly: the transposed entries are the
		// same numbers.
		X, Y = Y, X
	}
	n, d := X.Dims()
	m, _ := Y.Dims()
	s := &Cloud{n: n, m: m, d: d, x: pack(X), y: pack(Y), root: pc.Metric == ot.Euclidean, p2: 1}
	s.wide = make([]bool, m)
	for j := range s.wide {
		s.wide[j] = true // the first scans have loose bounds
	}
	return s
}

// Build builds the tree over the row points (Range does too; otherwise the
// first evaluation does, without checking a context), checking ctx at
// every large node; it reports false when ctx ended it.
func (s *Cloud) Build(ctx context.Context) bool {
	if s.nodes != nil {
		return true
	}
	s.perm = make([]int32, s.n)
	for i := range s.perm {
		s.perm[i] = int32(i)
	}
	s.box = s.box[:0]
	if _, ok := s.build(ctx, 0, s.n); !ok {
		s.nodes, s.box = nil, nil
		return false
	}
	s.fmax = make([]float64, len(s.nodes))
	return true
}

// build adds the node of the rows perm[lo:hi] and its subtree, splitting
// at the median of the coordinate of largest spread, and returns its
// index; ok is false when ctx ended it.
func (s *Cloud) build(ctx context.Context, lo, hi int) (q int32, ok bool) {
	if hi-lo >= 1024 && ctx != nil && ctx.Err() != nil {
		return 0, false
	}
	d := s.d
	q = int32(len(s.nodes))
	s.nodes = append(s.nodes, cloudNode{lo: int32(lo), hi: int32(hi), left: -1, right: -1})
	b := len(s.box)
	for k := 0; k < 2*d; k++ {
		s.box = append(s.box, math.Inf(1-2*(k/d)))
	}
	bx := s.box[b : b+2*d]
	for _, i := range s.perm[lo:hi] {
		for k, v := range s.x[int(i)*d : (int(i)+1)*d] {
			bx[k] = math.Min(bx[k], v)
			bx[d+k] = math.Max(bx[d+k], v)
		}
	}
	if hi-lo <= leafSize {
		return q, true
	}
	axis := 0
	for k := 1; k < d; k++ {
		if bx[d+k]-bx[k] > bx[d+axis]-bx[axis] {
			axis = k
		}
	}
	mid := (lo + hi) / 2
	s.selectMedian(s.perm[lo:hi], mid-lo, axis)
	l, ok := s.build(ctx, lo, mid)
	if !ok {
		return 0, false
	}
	r, ok := s.build(ctx, mid, hi)
	if !ok {
		return 0, false
	}
	s.nodes[q].left, s.nodes[q].right = l, r
	return q, true
}

// selectMedian reorders p so that p[k] is the row of k-th smallest
// coordinate axis, none after it smaller and none before it larger
// (quickselect with the middle entry as pivot; the tree only steers the
// scans, whose results do not depend on it).
func (s *Cloud) selectMedian(p []int32, k, axis int) {
	d := s.d
	key := func(i int32) float64 { return s.x[int(i)*d+axis] }
	lo, hi := 0, len(p)-1
	for lo < hi {
		pv := key(p[(lo+hi)/2])
		i, j := lo, hi
		for i <= j {
			for key(p[i]) < pv {
				i++
			}
			for key(p[j]) > pv {
				j--
			}
			if i <= j {
				p[i], p[j] = p[j], p[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return
		}
	}
}

// SetExp makes the entries C_ij/2^e.
func (s *Cloud) SetExp(e int) {
	s.exp, s.p2 = e, 0
	if e >= -1022 && e <= 1022 {
		s.p2 = math.Ldexp(1, -e)
	}
}

// scaled returns c/2^exp, as math.Ldexp(c, −exp) does (multiplying by a
// normal power of two rounds once, correctly, as Ldexp does).
func (s *Cloud) scaled(c float64) float64 {
	if s.p2 != 0 {
		return float64(c * s.p2) // rounded even where it is inlined
	}
	return math.Ldexp(c, -s.exp)
}

// Dims returns the shape of the cost.
func (s *Cloud) Dims() (n, m int) { return s.n, s.m }

// Column writes C_ij, i = 0…n−1, into dst.
func (s *Cloud) Column(j int, dst []float64) {
	dst = dst[:s.n]
	d := s.d
	if d == 2 {
		y0, y1 := s.y[2*j], s.y[2*j+1]
		x := s.x[:2*s.n]
		for i := range dst {
			var c float64
			t := x[2*i] - y0
			c += t * t
			t = x[2*i+1] - y1
			c += t * t
			dst[i] = c
		}
	} else {
		y := s.y[j*d : (j+1)*d]
		for i := range dst {
			xi := s.x[i*d : (i+1)*d]
			var c float64
			for k, xk := range xi {
				t := xk - y[k]
				c += t * t
			}
			dst[i] = c
		}
	}
	if s.root {
		for i, c := range dst {
			dst[i] = math.Sqrt(c)
		}
	}
	if s.exp != 0 {
		for i, c := range dst {
			dst[i] = s.scaled(c)
		}
	}
}

// Entry returns C_ij.
func (s *Cloud) Entry(i, j int) float64 {
	d := s.d
	x, y := s.x[i*d:(i+1)*d], s.y[j*d:(j+1)*d]
	c := lse.SqDist(x, y)
	if s.root {
		c = math.Sqrt(c)
	}
	if s.exp != 0 {
		c = s.scaled(c)
	}
	return c
}

// prepare records the largest F of every node of the tree for the scans
// of an evaluation at F.
func (s *Cloud) prepare(F []float64) {
	s.Build(nil)
	for q := len(s.nodes) - 1; q >= 0; q-- {
		nd := s.nodes[q]
		if nd.left < 0 {
			f := math.Inf(-1)
			for _, i := range s.perm[nd.lo:nd.hi] {
				f = max(f, F[i]) // NaN propagates
			}
			s.fmax[q] = f
			continue
		}
		s.fmax[q] = max(s.fmax[nd.left], s.fmax[nd.right])
	}
}

// scanBuf is a worker's scratch memory for scan.
type scanBuf struct {
	stack []int32
	pairs []scanPair
	mark  []bool
}

type scanPair struct {
	i int
	u float64
}

// scan writes into v, ci the entries u_i = (F_i − C_ij)·scale ≥ tau
// (finite; scale > 0) of column j in ascending row order and returns their
// number: those of a scan of every row, in the same order. Subtrees whose
// bound (max F − C_lo)·scale is below tau are skipped, C_lo being the cost
// from y_j to the node's bounding box, computed with the operations of the
// entries on coordinate gaps no larger than the points': rounding is
// monotone, so every entry of the node rounds to at least C_lo and every
// u_i to at most the bound. prepare must have been called at F.
func (s *Cloud) scan(j int, F []float64, scale, tau float64, v []float64, ci []int, buf *scanBuf) int {
	if s.wide[j] {
		// The last scan of the column found many candidates: the tree
		// would prune little, and the plain pass over the rows is faster.
		cnt := s.scanAll(j, F, scale, tau, v, ci)
		s.wide[j] = cnt > s.n/wideShare
		return cnt
	}
	cnt := s.scanTree(j, F, scale, tau, v, ci, buf)
	s.wide[j] = cnt > s.n/wideShare
	return cnt
}

// wideShare: a column with more than n/wideShare candidates at its last
// scan is scanned row by row (the tree prunes too little).
const wideShare = 32

// scanAll is scan by a pass over every row.
func (s *Cloud) scanAll(j int, F []float64, scale, tau float64, v []float64, ci []int) int {
	d := s.d
	F, v, ci = F[:s.n], v[:s.n], ci[:s.n]
	cnt := 0
	if d == 2 && !s.root && (s.exp == 0 || s.p2 != 0) {
		// c·1 = c: multiplying by p2 = 1 leaves every entry as it is.
		y0, y1, p2 := s.y[2*j], s.y[2*j+1], s.p2
		if s.exp == 0 {
			p2 = 1
		}
		x := s.x[:2*s.n]
		for i := range F {
			var c float64
			t := x[2*i] - y0
			c += t * t
			t = x[2*i+1] - y1
			c += t * t
			u := (F[i] - float64(c*p2)) * scale // rounded: no fused multiply-add
			v[cnt], ci[cnt] = u, i
			cnt += int(^math.Float64bits(u-tau) >> 63)
		}
		return cnt
	}
	for i := range F {
		u := (F[i] - s.Entry(i, j)) * scale
		v[cnt], ci[cnt] = u, i
		cnt += int(^math.Float64bits(u-tau) >> 63)
	}
	return cnt
}

// scanTree is scan by the tree.
func (s *Cloud) scanTree(j int, F []float64, scale, tau float64, v []float64, ci []int, buf *scanBuf) int {
	d := s.d
	y := s.y[j*d : (j+1)*d]
	pairs := buf.pairs[:0]
	stack := append(buf.stack[:0], 0)
	for len(stack) > 0 {
		q := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		bx := s.box[2*d*int(q) : 2*d*(int(q)+1)]
		var c float64
		for k, yk := range y {
			var t float64
			if lo := bx[k]; yk < lo {
				t = lo - yk
			} else if hi := bx[d+k]; yk > hi {
				t = yk - hi
			}
			c += t * t
		}
		if s.root {
			c = math.Sqrt(c)
		}
		if s.exp != 0 {
			c = s.scaled(c)
		}
		if (s.fmax[q]-c)*scale < tau {
			continue
		}
		nd := s.nodes[q]
		if nd.left >= 0 {
			stack = append(stack, nd.right, nd.left)
			continue
		}
		if d == 2 && !s.root {
			y0, y1 := y[0], y[1]
			for _, i := range s.perm[nd.lo:nd.hi] {
				var c float64
				t := s.x[2*i] - y0
				c += t * t
				t = s.x[2*i+1] - y1
				c += t * t
				if s.exp != 0 {
					c = s.scaled(c)
				}
				u := (F[i] - c) * scale
				if ^math.Float64bits(u-tau)>>63 != 0 {
					pairs = append(pairs, scanPair{int(i), u})
				}
			}
			continue
		}
		for _, i := range s.perm[nd.lo:nd.hi] {
			u := (F[i] - s.Entry(int(i), j)) * scale
			if ^math.Float64bits(u-tau)>>63 != 0 {
				pairs = append(pairs, scanPair{int(i), u})
			}
		}
	}
	buf.stack, buf.pairs = stack, pairs
	if len(pairs) <= s.n/sortShare {
		slices.SortFunc(pairs, func(a, b scanPair) int { return cmp.Compare(a.i, b.i) })
		for q, p := range pairs {
			v[q], ci[q] = p.u, p.i
		}
		return len(pairs)
	}
	// Many candidates: ordered by a pass over row flags instead of a sort.
	if len(buf.mark) < s.n {
		buf.mark = make([]bool, s.n)
	}
	mark := buf.mark[:s.n]
	for _, p := range pairs {
		mark[p.i] = true
		v[p.i] = p.u
	}
	cnt := 0
	for i, ok := range mark {
		if ok {
			v[cnt], ci[cnt] = v[i], i
			mark[i] = false
			cnt++
		}
	}
	return cnt
}

// sortShare: scan sorts its candidates when there are at most n/sortShare
// of them, and orders them by a pass over n row flags otherwise.
const sortShare = 64

// Range builds the tree (see Build) and returns the smallest entry and
// the largest finite entry (a +Inf entry is an overflow of far-apart
// points) of the cost, columns computed in parallel on workers goroutines;
// ok is false when ctx ended the pass, which it checks every few tens of
// thousands of entries.
func (s *Cloud) Range(ctx context.Context, workers int) (lo, hi float64, ok bool) {
	if !s.Build(ctx) {
		return 0, 0, false
	}
	chunk := max(1, checkEntries/max(s.n, 1))
	chunks := parallel.Chunks(s.m, chunk)
	workers = max(1, min(workers, chunks))
	los, his := make([]float64, chunks), make([]float64, chunks)
	bufs := make([][]float64, workers)
	done := make([]bool, chunks)
	parallel.For(workers, chunks, func(w, k int) {
		if ctx != nil && ctx.Err() != nil {
			return
		}
		if bufs[w] == nil {
			bufs[w] = make([]float64, s.n)
		}
		col := bufs[w]
		l, h := math.Inf(1), math.Inf(-1)
		a, b := parallel.Bounds(k, chunk, s.m)
		for j := a; j < b; j++ {
			s.Column(j, col)
			l, h = rangeUpdate(col, l, h)
		}
		los[k], his[k], done[k] = l, h, true
	})
	lo, hi = math.Inf(1), math.Inf(-1)
	for k := range los {
		if !done[k] {
			return lo, hi, false
		}
		lo, hi = math.Min(lo, los[k]), math.Max(hi, his[k])
	}
	return lo, hi, true
}
