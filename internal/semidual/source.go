package semidual

import (
	"context"
	"math"

	"gonum.org/v1/gonum/mat"

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

// Cloud is the Source of a squared-Euclidean or Euclidean point cloud,
// optionally transposed, with its entries divided by 2^Exp (exact): C_ij
// is the cost between row point i and column point j, computed with the
// arithmetic of ot.PointCloud.Row (squares summed over the coordinates in
// order, then rooted for Euclidean), so that its entries are those of the
// dense matrix built from the cloud's rows. Its memory is that of the
// points, O((n + m)·d).
type Cloud struct {
	// Exp is the power of two the entries are divided by.
	Exp int

	n, m, d int
	x, y    []float64 // row-major n×d (rows of C) and m×d (columns)
	root    bool
}

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
	return &Cloud{n: n, m: m, d: d, x: pack(X), y: pack(Y), root: pc.Metric == ot.Euclidean}
}

// Dims returns the shape of the cost.
func (s *Cloud) Dims() (n, m int) { return s.n, s.m }

// Column writes C_ij, i = 0…n−1, into dst.
func (s *Cloud) Column(j int, dst []float64) {
	dst = dst[:s.n]
	d, e := s.d, s.Exp
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
	if e != 0 {
		for i, c := range dst {
			dst[i] = math.Ldexp(c, -e)
		}
	}
}

// Entry returns C_ij.
func (s *Cloud) Entry(i, j int) float64 {
	d := s.d
	x, y := s.x[i*d:(i+1)*d], s.y[j*d:(j+1)*d]
	var c float64
	for k, xk := range x {
		t := xk - y[k]
		c += t * t
	}
	if s.root {
		c = math.Sqrt(c)
	}
	return math.Ldexp(c, -s.Exp)
}

// Range returns the smallest entry and the largest finite entry (a +Inf
// entry is an overflow of far-apart points) of the cost, columns computed
// in parallel on workers goroutines; ok is false when ctx ended the pass,
// which it checks every few tens of thousands of entries.
func (s *Cloud) Range(ctx context.Context, workers int) (lo, hi float64, ok bool) {
	chunk := max(1, checkEntries/max(s.n, 1))
	chunks := parallel.Chunks(s.m, chunk)
	workers = max(1, min(workers, chunks))
	los, his := make([]float64, chunks), make([]float64, chunks)
	bufs := make([][]float64, workers)
	var cut bool
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
			for _, x := range col {
				if x < l {
					l = x
				}
				if x > h && !math.IsInf(x, 1) {
					h = x
				}
			}
		}
		los[k], his[k], done[k] = l, h, true
	})
	lo, hi = math.Inf(1), math.Inf(-1)
	for k := range los {
		if !done[k] {
			cut = true
			break
		}
		lo, hi = math.Min(lo, los[k]), math.Max(hi, his[k])
	}
	return lo, hi, !cut
}
