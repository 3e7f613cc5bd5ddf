// Package stress holds the reliability checks shared by otkit's solver
// packages: a checker of the solver contract (package ot's documentation)
// that returns an error instead of failing a test, so fuzz targets, stress
// grids and determinism tests all use the same rules; a decoder of small
// problems from fuzz bytes; and the stress grid of hard problems (extreme
// regularizations, cost scales from 1e-300 to 1e300, weights spanning
// 1e-12…1, n ≠ m, duplicate points, zero weights, forbidden pairs) with its
// outcome table.
//
// The normal test run uses a slice of the grid; the environment variable
// OTKIT_STRESS=1 runs all of it (bench/results/reliability.md has the
// command and the committed outcome table).
package stress

import (
	"errors"
	"fmt"
	"math"
	"os"
	"testing"

	"github.com/otkit/otkit/ot"
)

// Enabled reports whether the full grids run: OTKIT_STRESS is set to a
// value other than "" or "0".
func Enabled() bool {
	v := os.Getenv("OTKIT_STRESS")
	return v != "" && v != "0"
}

// Sentinels are the errors of package ot that a Solve error must wrap.
var Sentinels = []error{ot.ErrEmpty, ot.ErrShape, ot.ErrNonFinite, ot.ErrNegativeWeight,
	ot.ErrZeroMass, ot.ErrMassMismatch, ot.ErrParameter, ot.ErrInfeasible, ot.ErrUnsupported}

// WrapsSentinel reports whether err wraps one of Sentinels.
func WrapsSentinel(err error) bool {
	for _, s := range Sentinels {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

// Check returns nil when (res, err), the outcome of solving p, keeps the
// solver contract, and otherwise an error naming the first breach:
//
//   - exactly one of res and err is nil, and err wraps a sentinel of ot; a
//     problem that Validate accepts is refused only for a setting
//     (ErrParameter), the solver's own constraint (ErrInfeasible) or an
//     unsupported feature (ErrUnsupported);
//   - unless Status is NumericalError: Value, DualValue, LinearCost,
//     MarginalError and History are free of NaN and ±Inf, plan entries are
//     finite and non-negative and zero on forbidden (+Inf) pairs,
//     potentials of positive-weight rows and columns are finite (−Inf is
//     allowed for zero weights), the plan has the problem's shape and
//     MarginalError is the returned plan's (to 1e-6 relative, 1e-9·mass);
//   - Converged ⇒ the plan's MarginalError ≤ tol·mass·(1 + 1e-9).
//
// A balanced problem is assumed for the marginal checks (PartialMass and
// relaxed marginals are not used by the grids).
func Check(p *ot.Problem, res *ot.Result, err error, tol float64) error {
	if err != nil {
		if res != nil {
			return fmt.Errorf("both a Result (%v) and an error: %v", res.Status, err)
		}
		if !WrapsSentinel(err) {
			return fmt.Errorf("error wraps no ot sentinel: %v", err)
		}
		if p.Validate() == nil && !errors.Is(err, ot.ErrParameter) && !errors.Is(err, ot.ErrInfeasible) &&
			!errors.Is(err, ot.ErrUnsupported) {
			return fmt.Errorf("a problem that Validate accepts is rejected: %v", err)
		}
		return nil
	}
	if res == nil {
		return errors.New("nil Result and nil error")
	}
	if res.Status == ot.NumericalError {
		return nil
	}
	if res.Status == ot.NotTerminated {
		return errors.New("Status NotTerminated returned")
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"Value", res.Value}, {"DualValue", res.DualValue}, {"LinearCost", res.LinearCost}, {"MarginalError", res.MarginalError}} {
		if !finite(f.v) {
			return fmt.Errorf("%s = %v with Status %v", f.name, f.v, res.Status)
		}
	}
	for k, v := range res.History {
		if math.IsNaN(v) {
			return fmt.Errorf("History[%d] = NaN with Status %v", k, res.Status)
		}
	}
	if err := checkPotentials("F", res.F, p.A, res.Status); err != nil {
		return err
	}
	if err := checkPotentials("G", res.G, p.B, res.Status); err != nil {
		return err
	}
	if res.Plan == nil {
		return fmt.Errorf("nil Plan with Status %v", res.Status)
	}
	n, m := p.Dims()
	if pn, pm := res.Plan.Dims(); pn != n || pm != m {
		return fmt.Errorf("plan is %d×%d, problem %d×%d", pn, pm, n, m)
	}
	row := make([]float64, m)
	crow := make([]float64, m)
	for i := 0; i < n; i++ {
		res.Plan.Row(i, row)
		p.C.Row(i, crow)
		for j, v := range row {
			if !(v >= 0) || math.IsInf(v, 0) {
				return fmt.Errorf("plan[%d,%d] = %v with Status %v", i, j, v, res.Status)
			}
			if v > 0 && math.IsInf(crow[j], 1) {
				return fmt.Errorf("plan[%d,%d] = %v on a forbidden pair", i, j, v)
			}
		}
	}
	mass := p.Mass()
	me := ot.MarginalError(res.Plan, p.A, p.B)
	if math.Abs(me-res.MarginalError) > 1e-9*mass+1e-6*me {
		return fmt.Errorf("MarginalError = %v, the plan's is %v (Status %v)", res.MarginalError, me, res.Status)
	}
	if res.Status == ot.Converged && me > tol*mass*(1+1e-9) {
		return fmt.Errorf("Converged with MarginalError %v > Tol·mass = %v", me, tol*mass)
	}
	return nil
}

func checkPotentials(name string, pot, w []float64, st ot.Status) error {
	for k, v := range pot {
		if math.IsNaN(v) || math.IsInf(v, 1) || (math.IsInf(v, -1) && k < len(w) && w[k] > 0) {
			return fmt.Errorf("%s[%d] = %v with Status %v", name, k, v, st)
		}
	}
	return nil
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// HasNaN reports whether a figure of res (Value, DualValue, LinearCost,
// MarginalError, plan entries, potentials) is NaN, whatever its Status.
func HasNaN(res *ot.Result) bool {
	if res == nil {
		return false
	}
	for _, v := range []float64{res.Value, res.DualValue, res.LinearCost, res.MarginalError} {
		if math.IsNaN(v) {
			return true
		}
	}
	for _, pot := range [][]float64{res.F, res.G} {
		for _, v := range pot {
			if math.IsNaN(v) {
				return true
			}
		}
	}
	if res.Plan != nil {
		n, m := res.Plan.Dims()
		row := make([]float64, m)
		for i := 0; i < n; i++ {
			for _, v := range res.Plan.Row(i, row) {
				if math.IsNaN(v) {
					return true
				}
			}
		}
	}
	return false
}

// ColumnNNZ returns the largest number of positive entries in a column of
// the plan (RowNNZ: in a row), for the sparsity bounds of cardinality.
func ColumnNNZ(pl ot.Plan) int {
	n, m := pl.Dims()
	count := make([]int, m)
	row := make([]float64, m)
	for i := 0; i < n; i++ {
		for j, v := range pl.Row(i, row) {
			if v != 0 {
				count[j]++
			}
		}
	}
	var mx int
	for _, c := range count {
		mx = max(mx, c)
	}
	return mx
}

// RowNNZ returns the largest number of nonzero entries in a row of the plan.
func RowNNZ(pl ot.Plan) int {
	n, m := pl.Dims()
	row := make([]float64, m)
	var mx int
	for i := 0; i < n; i++ {
		var c int
		for _, v := range pl.Row(i, row) {
			if v != 0 {
				c++
			}
		}
		mx = max(mx, c)
	}
	return mx
}

// KnownBug skips t with "bug: why" unless OTKIT_KNOWN_BUGS is set, so that
// the repro of a reported solver bug stays in the tests and can be run:
// OTKIT_KNOWN_BUGS=1 go test -run KnownBugs ./pkg.
func KnownBug(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("OTKIT_KNOWN_BUGS") == "" {
		t.Skip("bug: " + why)
	}
}
