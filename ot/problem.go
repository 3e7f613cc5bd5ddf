package ot

import (
	"fmt"
	"math"
)

// MassTol is the relative tolerance on |ΣA − ΣB| / max(ΣA, ΣB) accepted by
// Validate.
const MassTol = 1e-9

// Problem is a transport problem: move the row weights A onto the column
// weights B at ground cost C.
//
// It is balanced by default: the plan P must satisfy P1 = a and Pᵀ1 = b, so
// ΣA = ΣB. Two generalizations are part of the problem's data (not of a
// solver's settings), so that every solver reads them the same way and
// refuses them the same way (Require, RequireBalanced) when it cannot solve
// them:
//
// Unbalanced (relaxed) marginals. RhoA > 0 replaces the hard constraint
// P1 = a by the penalty RhoA·KL(P1 ‖ a) added to the objective, and RhoB > 0
// replaces Pᵀ1 = b by RhoB·KL(Pᵀ1 ‖ b), where KL(x ‖ y) = Σ x log(x/y) − x + y
// is the generalized Kullback–Leibler divergence (+Inf when x_k > 0 = y_k).
// RhoA and RhoB are in cost units (scaling the cost by s scales them by s).
// Zero, the zero value, and +Inf mean the hard constraint (ρ → ∞ is the
// balanced limit); negative or NaN values are an error. One side may be
// relaxed and the other kept hard; the masses ΣA and ΣB may then differ.
// Conversions: POT's ot.unbalanced.sinkhorn_unbalanced(a, b, M, reg, reg_m)
// and ot.solve(..., unbalanced=reg_m, unbalanced_type="KL") use the same
// penalty with RhoA = RhoB = reg_m (reg_m = (ρ_a, ρ_b) where POT accepts a
// pair; reg_m = inf is the hard constraint). OTT-JAX's LinearProblem(tau_a,
// tau_b) with entropic regularization ε uses τ = ρ/(ρ + ε), so
// ρ = ε·τ/(1 − τ), and τ = 1 is the hard constraint.
//
// Partial transport. PartialMass = s > 0 asks for a plan that moves exactly
// s, at least cost: 1ᵀP1 = s, P1 ≤ a, Pᵀ1 ≤ b, P ≥ 0, for
// 0 < s ≤ min(ΣA, ΣB) (a larger s is infeasible); the masses may differ.
// This is POT's ot.partial.partial_wasserstein(a, b, M, m=s). Zero means the
// balanced problem (everything moves). Partial transport cannot be combined
// with relaxed marginals.
//
// For a relaxed or partial problem the solvers report as
// Result.MarginalError the violation of the constraints that remain hard,
// Problem.MarginalError, and Mass stays ΣA.
type Problem struct {
	A, B []float64 // row (source) and column (target) weights, ≥ 0, equal sums unless relaxed or partial
	C    Cost      // n×m ground cost

	// RhoA, RhoB are the strengths of the KL penalties that relax the row
	// and column marginals, in cost units; 0 (or +Inf) keeps a marginal hard.
	RhoA, RhoB float64
	// PartialMass, when positive, is the mass a partial plan moves; 0 means
	// balanced transport.
	PartialMass float64
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
// that are finite and non-negative with positive totals, equal (relative
// MassTol) unless a marginal is relaxed or the problem is partial, RhoA and
// RhoB ≥ 0 (ErrParameter), PartialMass ≥ 0, not combined with a relaxed
// marginal (ErrParameter) and at most min(ΣA, ΣB) (relative MassTol;
// ErrInfeasible), no NaN or −Inf cost (for a PointCloud: finite points
// whose costs do not overflow), and a +Inf (forbidden) pattern that admits
// a plan (ErrInfeasible otherwise): for a balanced or partial problem, a
// maximum flow over the finite entries (when any positive-weight pair is
// forbidden) must carry the mass to move; each positive-weight row of a
// hard row marginal, and column of a hard column marginal, needs a finite
// cost to (from) a positive-weight column (row). Errors wrap the package's
// sentinel errors.
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
	if err := p.checkMasses(sa, sb); err != nil {
		return err
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
		if p.A[i] > 0 && !rowOpen && p.HardA() {
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
		if p.B[j] > 0 && !ok && p.HardB() {
			return fmt.Errorf("%w: column %d has weight %v but every cost from a positive-weight row is +Inf", ErrInfeasible, j, p.B[j])
		}
	}
	if mass := p.flowMass(); forbidden && mass > 0 {
		return p.checkFeasible(mass)
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

// ValidateWith is the check a solver of the balanced problem makes first:
// it refuses relaxed and partial problems (RhoA, RhoB, PartialMass) with
// ErrUnsupported, then runs Validate and checks warm-start potentials (nil
// is allowed): F and G, where given, must have lengths n and m and no NaN
// or +Inf (−Inf marks a zero-weight row or column). Solvers that handle
// some relaxations call ValidateFor instead.
func (p *Problem) ValidateWith(init *Potentials) error {
	return p.ValidateFor("this solver", Support{}, init)
}

// ValidateFor is ValidateWith for a solver (named in errors) that handles
// the relaxations in s.
func (p *Problem) ValidateFor(solver string, s Support, init *Potentials) error {
	if err := p.Require(solver, s); err != nil {
		return err
	}
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
