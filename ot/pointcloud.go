package ot

import (
	"fmt"
	"math"
	"sync"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// Metric selects the ground cost between two points of a PointCloud.
type Metric int

const (
	// SqEuclidean is ‖x − y‖² (no ½), as POT's ot.dist and OTT's SqEuclidean.
	SqEuclidean Metric = iota
	// Euclidean is ‖x − y‖.
	Euclidean
	// Lp is (Σ|x_k − y_k|^p)^(1/p) with p = PointCloud.P (p ≥ 1).
	Lp
	// Cosine is 1 − <x, y>/(‖x‖‖y‖); a zero vector is at distance 1 from
	// everything.
	Cosine
	// Elastic is h(x − y) = ½‖x − y‖² + γτ(x − y) with the parameters
	// PointCloud.Elastic (see ElasticCost).
	Elastic
)

var metricNames = [...]string{SqEuclidean: "sqeuclidean", Euclidean: "euclidean", Lp: "lp", Cosine: "cosine", Elastic: "elastic"}

// String returns the metric's lower-case name, as the CLI spells it.
func (m Metric) String() string {
	if m >= 0 && int(m) < len(metricNames) {
		return metricNames[m]
	}
	return fmt.Sprintf("Metric(%d)", int(m))
}

// ParseMetric reads a metric name as String writes it.
func ParseMetric(s string) (Metric, error) {
	for k, name := range metricNames {
		if name == s {
			return Metric(k), nil
		}
	}
	return 0, fmt.Errorf("%w: unknown metric %q (want sqeuclidean, euclidean, lp or cosine)", ErrParameter, s)
}

// PointCloud is the cost between the rows of X (n×d, sources) and the rows of
// Y (m×d, targets) under Metric. Rows are computed on demand, so memory is
// O((n+m)d), never O(nm).
type PointCloud struct {
	X, Y   *mat.Dense
	Metric Metric
	P      float64 // exponent of the Lp metric; zero means 2
	// Elastic holds the parameters of the Elastic metric.
	Elastic *ElasticCost

	once   sync.Once
	xu, yu []float64 // rows scaled to unit norm (zero rows stay zero), for Cosine
}

// NewPointCloud builds a point cloud from rows of points.
func NewPointCloud(x, y [][]float64, metric Metric) (*PointCloud, error) {
	if len(x) == 0 || len(y) == 0 {
		return nil, fmt.Errorf("%w: point cloud with %d and %d points", ErrEmpty, len(x), len(y))
	}
	d := len(x[0])
	if d == 0 {
		return nil, fmt.Errorf("%w: points of dimension 0", ErrEmpty)
	}
	pack := func(name string, pts [][]float64) (*mat.Dense, error) {
		data := make([]float64, 0, len(pts)*d)
		for i, p := range pts {
			if len(p) != d {
				return nil, fmt.Errorf("%w: %s[%d] has dimension %d, want %d", ErrShape, name, i, len(p), d)
			}
			data = append(data, p...)
		}
		return mat.NewDense(len(pts), d, data), nil
	}
	X, err := pack("x", x)
	if err != nil {
		return nil, err
	}
	Y, err := pack("y", y)
	if err != nil {
		return nil, err
	}
	return &PointCloud{X: X, Y: Y, Metric: metric}, nil
}

// Dims returns the number of source and target points.
// A missing X or Y counts as no points.
func (pc *PointCloud) Dims() (n, m int) {
	if pc.X != nil {
		n, _ = pc.X.Dims()
	}
	if pc.Y != nil {
		m, _ = pc.Y.Dims()
	}
	return n, m
}

func (pc *PointCloud) p() float64 {
	if pc.P == 0 {
		return 2
	}
	return pc.P
}

// unitRows returns the rows of a scaled to unit Euclidean norm, row-major;
// zero rows stay zero. The norm is computed without overflow.
func unitRows(a *mat.Dense) []float64 {
	r, d := a.Dims()
	out := make([]float64, r*d)
	for i := 0; i < r; i++ {
		x := a.RawRowView(i)
		nrm := floats.Norm(x, 2)
		if nrm == 0 {
			continue
		}
		for k, v := range x {
			out[i*d+k] = v / nrm
		}
	}
	return out
}

// Row computes the costs from source point i to every target point.
func (pc *PointCloud) Row(i int, dst []float64) []float64 {
	m, d := pc.Y.Dims()
	dst = dst[:m]
	x := pc.X.RawRowView(i)
	yr := pc.Y.RawMatrix()
	switch pc.Metric {
	case SqEuclidean, Euclidean:
		for j := range dst {
			y := yr.Data[j*yr.Stride : j*yr.Stride+d]
			var s float64
			for k, xk := range x {
				t := xk - y[k]
				s += t * t
			}
			dst[j] = s
		}
		if pc.Metric == Euclidean {
			for j, v := range dst {
				dst[j] = math.Sqrt(v)
			}
		}
	case Lp:
		// (Σ|x_k − y_k|^p)^(1/p) = M·(Σ(|x_k − y_k|/M)^p)^(1/p) with M the
		// largest difference: no overflow or underflow for any p.
		p := pc.p()
		for j := range dst {
			y := yr.Data[j*yr.Stride : j*yr.Stride+d]
			var big float64
			for k, xk := range x {
				big = math.Max(big, math.Abs(xk-y[k]))
			}
			if big == 0 || math.IsInf(big, 0) {
				dst[j] = big
				continue
			}
			var s float64
			for k, xk := range x {
				s += math.Pow(math.Abs(xk-y[k])/big, p)
			}
			dst[j] = big * math.Pow(s, 1/p)
		}
	case Cosine:
		pc.once.Do(func() { pc.xu, pc.yu = unitRows(pc.X), unitRows(pc.Y) })
		xu := pc.xu[i*d : (i+1)*d]
		for j := range dst {
			yu := pc.yu[j*d : (j+1)*d]
			dst[j] = 1 - floats.Dot(xu, yu)
		}
	case Elastic:
		pc.elasticRow(x, dst)
	default:
		panic(fmt.Sprintf("ot: unknown metric %d", int(pc.Metric)))
	}
	return dst
}

// validate checks shapes, finiteness of the points and the metric settings.
func (pc *PointCloud) validate() error {
	if pc.X == nil || pc.Y == nil {
		return fmt.Errorf("%w: point cloud without points", ErrEmpty)
	}
	n, dx := pc.X.Dims()
	m, dy := pc.Y.Dims()
	if n == 0 || m == 0 || dx == 0 {
		return fmt.Errorf("%w: point cloud %d×%d, %d×%d", ErrEmpty, n, dx, m, dy)
	}
	if dx != dy {
		return fmt.Errorf("%w: x points have dimension %d, y points %d", ErrShape, dx, dy)
	}
	switch pc.Metric {
	case SqEuclidean, Euclidean, Cosine:
	case Lp:
		if p := pc.p(); !(p >= 1) || math.IsInf(p, 0) {
			return fmt.Errorf("%w: Lp exponent %v (want 1 ≤ p < ∞)", ErrParameter, pc.P)
		}
	case Elastic:
		if err := pc.Elastic.Validate(); err != nil {
			return err
		}
	default:
		return fmt.Errorf("%w: unknown metric %d", ErrParameter, int(pc.Metric))
	}
	var big float64 // largest |coordinate|
	for k, a := range []*mat.Dense{pc.X, pc.Y} {
		name := [2]string{"x", "y"}[k]
		r, c := a.Dims()
		for i := 0; i < r; i++ {
			for l, v := range a.RawRowView(i)[:c] {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					return fmt.Errorf("%w: %s[%d][%d] = %v", ErrNonFinite, name, i, l, v)
				}
				big = math.Max(big, math.Abs(v))
			}
		}
	}
	// Every cost is at most d·(2·big)² (SqEuclidean) or its square root; Lp
	// and Cosine cannot overflow. Only when that bound overflows are the
	// costs themselves computed and checked.
	if pc.Metric == SqEuclidean || pc.Metric == Euclidean {
		if b := float64(dx) * (2 * big) * (2 * big); math.IsInf(b, 0) {
			return pc.checkRows()
		}
	}
	return nil
}

// checkRows computes every cost and rejects the first one that overflows.
func (pc *PointCloud) checkRows() error {
	n, m := pc.Dims()
	row := make([]float64, m)
	for i := 0; i < n; i++ {
		for j, v := range pc.Row(i, row) {
			if math.IsInf(v, 0) || math.IsNaN(v) {
				return fmt.Errorf("%w: cost[%d,%d] = %v: the %v distance between x[%d] and y[%d] overflows (rescale the points)",
					ErrNonFinite, i, j, v, pc.Metric, i, j)
			}
		}
	}
	return nil
}
