package ot

import (
	"fmt"
	"math"
)

// MassTol is the relative tolerance on |ΣA − ΣB| / max(ΣA, ΣB) accepted by
// Validate.
const MassTol = 1e-9

// Problem is a balanced transport problem: move the row weights A onto the
// column weights B at ground cost C.
type Problem struct {
	A, B []float64 // row (source) and column (target) weights, ≥ 0, equal sums
	C    Cost      // n×m ground cost
}

// NewProblem returns a Problem with uniform weights 1/n and 1/m.
func NewProblem(c Cost) *Problem {
	n, m := c.Dims()
	return &Problem{A: Uniform(n), B: Uniform(m), C: c}
}

// Uniform returns n weights equal to 1/n.
func Uniform(n int) []float64 {
	w := make([]float64, n)
	for i := range w {
		w[i] = 1 / float64(n)
	}
	return w
}

// Dims returns the problem's shape (that of its cost).
func (p *Problem) Dims() (n, m int) { return p.C.Dims() }

// Mass returns ΣA.
func (p *Problem) Mass() float64 { return sum(p.A) }

// Validate checks the problem: a non-empty cost, weights of matching lengths
// that are finite and non-negative with positive and equal totals (relative
// MassTol), no NaN or −Inf cost (for a PointCloud: finite points whose
// costs do not overflow), and a +Inf (forbidden) pattern that admits a
// transport plan (ErrInfeasible otherwise, decided by a maximum flow over
// the finite entries when any positive-weight pair is forbidden). Errors
// wrap the package's sentinel errors.
func (p *Problem) Validate() error {
	if p == nil || p.C == nil {
		return fmt.Errorf("%w: no cost", ErrEmpty)
	}
	n, m := p.C.Dims()
	if n <= 0 || m <= 0 {
		return fmt.Errorf("%w: cost is %d×%d", ErrEmpty, n, m)
	}
	if len(p.A) != n {
		return fmt.Errorf("%w: a has %d weights, cost has %d rows", ErrShape, len(p.A), n)
	}
	if len(p.B) != m {
		return fmt.Errorf("%w: b has %d weights, cost has %d columns", ErrShape, len(p.B), m)
	}
	sa, err := checkWeights("a", p.A)
	if err != nil {
		return err
	}
	sb, err := checkWeights("b", p.B)
	if err != nil {
		return err
	}
	if d := math.Abs(sa - sb); d > MassTol*math.Max(sa, sb) {
		return fmt.Errorf("%w: sum(a) = %.17g, sum(b) = %.17g (relative difference %.3g > %g)",
			ErrMassMismatch, sa, sb, d/math.Max(sa, sb), MassTol)
	}
	return p.validateCost()
}

func checkWeights(name string, w []float64) (float64, error) {
	var s float64
	for i, v := range w {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, fmt.Errorf("%w: %s[%d] = %v", ErrNonFinite, name, i, v)
		}
		if v < 0 {
			return 0, fmt.Errorf("%w: %s[%d] = %v", ErrNegativeWeight, name, i, v)
		}
		s += v
	}
	if !(s > 0) {
		return 0, fmt.Errorf("%w: sum(%s) = %v", ErrZeroMass, name, s)
	}
	if math.IsInf(s, 0) {
		return 0, fmt.Errorf("%w: sum(%s) overflows", ErrNonFinite, name)
	}
	return s, nil
}

// validateCost rejects NaN and −Inf costs and rows or columns of positive
// weight that are entirely forbidden (+Inf), in one pass over the cost.
func (p *Problem) validateCost() error {
	switch c := p.C.(type) {
	case *PointCloud:
		return c.validate()
	case *DenseCost:
		if c.N > math.MaxInt/c.M || len(c.Data) != c.N*c.M {
			return fmt.Errorf("%w: cost data has %d entries, want %d", ErrShape, len(c.Data), c.N*c.M)
		}
	}
	n, m := p.C.Dims()
	dense, _ := p.C.(*DenseCost)
	row := make([]float64, m)
	colOpen := make([]bool, m) // some finite cost from a positive-weight row
	colsLeft := 0              // positive-weight columns not yet open
	for _, w := range p.B {
		if w > 0 {
			colsLeft++
		}
	}
	inf := math.Inf(1)
	forbidden := false // some +Inf between positive-weight rows and columns
	for i := 0; i < n; i++ {
		var r []float64
		if dense != nil {
			r = dense.RowView(i)
		} else {
			r = p.C.Row(i, row)
		}
		rowOpen := false
		for j, v := range r {
			if v < inf && v >= -math.MaxFloat64 { // finite
				rowOpen = rowOpen || p.B[j] > 0
				continue
			}
			if v != inf {
				return fmt.Errorf("%w: cost[%d,%d] = %v", ErrNonFinite, i, j, v)
			}
			forbidden = forbidden || (p.A[i] > 0 && p.B[j] > 0)
		}
		if p.A[i] > 0 && !rowOpen {
			return fmt.Errorf("%w: row %d has weight %v but every cost to a positive-weight column is +Inf", ErrInfeasible, i, p.A[i])
		}
		if p.A[i] > 0 && colsLeft > 0 {
			for j, v := range r {
				if !colOpen[j] && v < inf && p.B[j] > 0 {
					colOpen[j] = true
					colsLeft--
				}
			}
		}
	}
	for j, ok := range colOpen {
		if p.B[j] > 0 && !ok {
			return fmt.Errorf("%w: column %d has weight %v but every cost from a positive-weight row is +Inf", ErrInfeasible, j, p.B[j])
		}
	}
	if forbidden {
		return p.checkFeasible(math.Min(sum(p.A), sum(p.B)))
	}
	return nil
}

// RebalanceTol is the largest relative difference of the totals ΣA and ΣB
// that Rebalance repairs.
const RebalanceTol = 1e-6

// Rebalance scales B so that ΣB = ΣA when the totals differ by rounding: at
// most RebalanceTol relative, as for weights stored in float32 (whose sums
// are off by about 1e-8). Larger differences are left alone and reported
// with ErrMassMismatch; so are non-finite or negative sums (Validate gives
// the precise error).
func (p *Problem) Rebalance() error {
	if p == nil {
		return fmt.Errorf("%w: no problem", ErrEmpty)
	}
	sa, sb := sum(p.A), sum(p.B)
	if !(sa > 0 && sb > 0) || math.IsInf(sa, 0) || math.IsInf(sb, 0) {
		return fmt.Errorf("%w: cannot rebalance sums %v and %v", ErrMassMismatch, sa, sb)
	}
	if d := math.Abs(sa-sb) / math.Max(sa, sb); d > RebalanceTol {
		return fmt.Errorf("%w: sum(a) = %.17g, sum(b) = %.17g differ by %.3g relative, more than rounding (%g)",
			ErrMassMismatch, sa, sb, d, RebalanceTol)
	}
	if sa == sb {
		return nil
	}
	r := sa / sb
	for j := range p.B {
		p.B[j] *= r
	}
	return nil
}

// ValidateWith is Validate followed by a check of warm-start potentials
// (nil is allowed): F and G, where given, must have lengths n and m and no
// NaN or +Inf (−Inf marks a zero-weight row or column).
func (p *Problem) ValidateWith(init *Potentials) error {
	if err := p.Validate(); err != nil {
		return err
	}
	n, m := p.Dims()
	return ValidatePotentials(init, n, m)
}

// ValidatePotentials checks warm-start potentials against an n×m problem.
func ValidatePotentials(init *Potentials, n, m int) error {
	if init == nil {
		return nil
	}
	if init.F != nil && len(init.F) != n {
		return fmt.Errorf("%w: initial F has length %d, want %d", ErrShape, len(init.F), n)
	}
	if init.G != nil && len(init.G) != m {
		return fmt.Errorf("%w: initial G has length %d, want %d", ErrShape, len(init.G), m)
	}
	for k, v := range init.F {
		if math.IsNaN(v) || math.IsInf(v, 1) {
			return fmt.Errorf("%w: initial F[%d] = %v", ErrNonFinite, k, v)
		}
	}
	for k, v := range init.G {
		if math.IsNaN(v) || math.IsInf(v, 1) {
			return fmt.Errorf("%w: initial G[%d] = %v", ErrNonFinite, k, v)
		}
	}
	return nil
}

// Potentials are dual potentials in cost units, used for warm starts.
type Potentials struct {
	F, G []float64
}

func sum(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v
	}
	return s
}
