package ot

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

// ErrUnsupported: the problem asks for something the solver does not do,
// such as a relaxed marginal (Problem.RhoA, Problem.RhoB) or partial
// transport (Problem.PartialMass) given to a solver of balanced problems.
var ErrUnsupported = errors.New("ot: not supported by this solver")

// Support lists the generalizations of the balanced problem that a solver
// handles, for Problem.Require.
type Support struct {
	Partial bool // PartialMass > 0
	RelaxA  bool // RhoA finite and positive
	RelaxB  bool // RhoB finite and positive
}

// hard reports whether a penalty strength ρ means the hard constraint.
func hard(rho float64) bool { return rho == 0 || math.IsInf(rho, 1) }

// HardA reports whether the row marginal is the equality P1 = a: RhoA is 0
// or +Inf and the problem is not partial.
func (p *Problem) HardA() bool { return hard(p.RhoA) && p.PartialMass == 0 }

// HardB reports whether the column marginal is the equality Pᵀ1 = b: RhoB
// is 0 or +Inf and the problem is not partial.
func (p *Problem) HardB() bool { return hard(p.RhoB) && p.PartialMass == 0 }

// Balanced reports whether p is the balanced problem: both marginals hard
// (RhoA, RhoB zero or +Inf) and PartialMass zero.
func (p *Problem) Balanced() bool {
	return hard(p.RhoA) && hard(p.RhoB) && p.PartialMass == 0
}

// RequireBalanced returns nil for a balanced problem (or a nil one, which
// Validate reports) and otherwise an error naming the solver and what it
// does not support, wrapping ErrUnsupported (or ErrParameter when RhoA,
// RhoB or PartialMass is itself invalid). Solvers of balanced problems call
// it first in Solve.
func (p *Problem) RequireBalanced(solver string) error {
	return p.Require(solver, Support{})
}

// Require returns nil when the problem's relaxations are all in s (or p is
// nil), and otherwise an error naming the solver and what it does not
// support, wrapping ErrUnsupported (or ErrParameter when RhoA, RhoB or
// PartialMass is itself invalid).
func (p *Problem) Require(solver string, s Support) error {
	if p == nil || p.Balanced() {
		return nil
	}
	if err := p.checkRelaxation(); err != nil {
		return err
	}
	var not []string
	if p.PartialMass > 0 && !s.Partial {
		not = append(not, fmt.Sprintf("partial transport (PartialMass = %g)", p.PartialMass))
	}
	if !hard(p.RhoA) && !s.RelaxA {
		not = append(not, fmt.Sprintf("a relaxed row marginal (RhoA = %g)", p.RhoA))
	}
	if !hard(p.RhoB) && !s.RelaxB {
		not = append(not, fmt.Sprintf("a relaxed column marginal (RhoB = %g)", p.RhoB))
	}
	if len(not) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %s solves %s but not %s", ErrUnsupported, solver, s, strings.Join(not, " or "))
}

// String describes the problems a solver with this support handles.
func (s Support) String() string {
	var k []string
	if s.Partial {
		k = append(k, "partial")
	}
	switch {
	case s.RelaxA && s.RelaxB:
		k = append(k, "unbalanced")
	case s.RelaxA:
		k = append(k, "row-relaxed")
	case s.RelaxB:
		k = append(k, "column-relaxed")
	}
	if len(k) == 0 {
		return "balanced problems"
	}
	return "balanced and " + strings.Join(k, " and ") + " problems"
}

// checkRelaxation checks RhoA, RhoB and PartialMass on their own.
func (p *Problem) checkRelaxation() error {
	for _, r := range []struct {
		name string
		v    float64
	}{{"RhoA", p.RhoA}, {"RhoB", p.RhoB}} {
		if !(r.v >= 0) {
			return fmt.Errorf("%w: %s = %v (want ρ > 0, or 0 or +Inf for a hard marginal)", ErrParameter, r.name, r.v)
		}
	}
	if !(p.PartialMass >= 0) || math.IsInf(p.PartialMass, 1) {
		return fmt.Errorf("%w: PartialMass = %v (want a finite mass > 0, or 0 for balanced transport)", ErrParameter, p.PartialMass)
	}
	if p.PartialMass > 0 && !(hard(p.RhoA) && hard(p.RhoB)) {
		return fmt.Errorf("%w: PartialMass = %g cannot be combined with relaxed marginals (RhoA = %g, RhoB = %g)",
			ErrParameter, p.PartialMass, p.RhoA, p.RhoB)
	}
	return nil
}

// checkMasses is the mass part of Validate, given the totals sa = ΣA and
// sb = ΣB: relaxation parameters in range, equal totals (relative MassTol)
// for a balanced problem, and PartialMass at most min(sa, sb) (relative
// MassTol).
func (p *Problem) checkMasses(sa, sb float64) error {
	if err := p.checkRelaxation(); err != nil {
		return err
	}
	if s := p.PartialMass; s > 0 {
		if lo := math.Min(sa, sb); s > lo*(1+MassTol) {
			return fmt.Errorf("%w: PartialMass = %.17g exceeds the mass available, min(sum(a), sum(b)) = %.17g",
				ErrInfeasible, s, lo)
		}
		return nil
	}
	if !p.Balanced() {
		return nil
	}
	if d := math.Abs(sa - sb); d > MassTol*math.Max(sa, sb) {
		return fmt.Errorf("%w: sum(a) = %.17g, sum(b) = %.17g (relative difference %.3g > %g; set RhoA, RhoB or PartialMass for unbalanced or partial transport)",
			ErrMassMismatch, sa, sb, d/math.Max(sa, sb), MassTol)
	}
	return nil
}

// flowMass is the mass that the finite entries of the cost must be able to
// carry: min(ΣA, ΣB) for a balanced problem, PartialMass for a partial one,
// and 0 when a side is relaxed (each positive-weight row or column of a hard
// side then needs only one finite entry, which Validate checks separately).
func (p *Problem) flowMass() float64 {
	switch {
	case p.PartialMass > 0:
		return p.PartialMass
	case p.Balanced():
		return math.Min(sum(p.A), sum(p.B))
	}
	return 0
}

// MarginalError returns the violation by plan of the marginal constraints
// of p that are hard:
//
//   - balanced: ‖P1 − a‖₁ + ‖Pᵀ1 − b‖₁ (the package function MarginalError);
//   - partial: ‖(P1 − a)₊‖₁ + ‖(Pᵀ1 − b)₊‖₁ + |1ᵀP1 − PartialMass|;
//   - relaxed: the hard side's ‖P1 − a‖₁ or ‖Pᵀ1 − b‖₁, and 0 when both sides
//     are relaxed (the penalties are part of the objective).
func (p *Problem) MarginalError(plan Plan) float64 {
	r, c := Marginals(plan)
	if p.PartialMass > 0 {
		var e, tot float64
		for i, v := range r {
			e += math.Max(v-p.A[i], 0)
			tot += v
		}
		for j, v := range c {
			e += math.Max(v-p.B[j], 0)
		}
		return e + math.Abs(tot-p.PartialMass)
	}
	var e float64
	if hard(p.RhoA) {
		e += L1Dist(r, p.A)
	}
	if hard(p.RhoB) {
		e += L1Dist(c, p.B)
	}
	return e
}
