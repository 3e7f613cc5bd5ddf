package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/otkit/otkit/ot"
)

// params are the solver settings the CLI reads from its flags. A zero field
// means "not given on the command line": the solver's own default applies.
type params struct {
	Eps       float64     // --eps (entropic regularization)
	Gamma     float64     // --gamma (quadratic regularization)
	K         int         // --k (cardinality)
	Tol       float64     // --tol
	MaxIter   int         // --max-iter
	Lambda    float64     // --lambda (sumofnorms)
	Labels    string      // --labels: path of the source class labels (sumofnorms)
	RhoA      float64     // --rho-a (KL relaxation of the row marginal; problem data, ot.Problem.RhoA)
	RhoB      float64     // --rho-b (KL relaxation of the column marginal; ot.Problem.RhoB)
	Mass      float64     // --mass (partial transport; ot.Problem.PartialMass)
	Precision string      // --precision: auto, float64 or float32 (sinkhorn's stored kernel)
	Workers   int         // --workers
	Progress  ot.Progress // progress callback (nil when --quiet or stderr is not a terminal)
}

// solverFlags are the solve flags that belong to a method; a method lists
// the ones it uses in method.Flags, and giving another is a usage error.
// The problem flags --rho-a, --rho-b and --mass are listed here too, so that
// a method that cannot solve relaxed or partial problems refuses them.
var solverFlags = []string{"eps", "gamma", "k", "tol", "max-iter", "lambda", "labels", "rho-a", "rho-b", "mass", "precision"}

// method is one entry of the `otkit solve --method` table. Each solver
// package registers itself from its own method_<name>.go file.
type method struct {
	Name    string
	Summary string // one line for --help
	// Flags are the solverFlags the method uses; Required those it needs.
	Flags, Required []string
	// DualBound reports whether res.DualValue is a certified lower bound
	// on the method's optimal value (nil: never); `solve --json` prints
	// dual_value only then.
	DualBound func(res *ot.Result) bool
	DualNote  string // when DualBound is not always true, e.g. "when Converged"
	New       func(p params) (ot.Solver, error)
}

// always is a DualBound for methods whose dual value bounds the optimum at
// any potentials (weak duality of an unconstrained concave dual).
func always(*ot.Result) bool { return true }

var methods = map[string]method{}

func register(m method) {
	if _, dup := methods[m.Name]; dup {
		panic("otkit: method registered twice: " + m.Name)
	}
	methods[m.Name] = m
}

func methodNames() []string {
	names := make([]string, 0, len(methods))
	for name := range methods {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

func lookupMethod(name string) (method, error) {
	m, ok := methods[name]
	if !ok {
		return method{}, usagef("unknown method %q (available: %s)", name, strings.Join(methodNames(), ", "))
	}
	return m, nil
}

// uses reports whether m takes the solver flag name.
func (m method) uses(name string) bool {
	for _, f := range m.Flags {
		if f == name {
			return true
		}
	}
	return false
}

// checkFlags rejects a solver flag the method does not use and a missing
// required one.
func (m method) checkFlags(set map[string]bool) error {
	for _, f := range solverFlags {
		if set[f] && !m.uses(f) {
			switch f {
			case "rho-a", "rho-b":
				return usagef("--%s: method %s does not solve unbalanced (relaxed-marginal) problems yet (its flags: %s)", f, m.Name, m.flagList())
			case "mass":
				return usagef("--mass: method %s does not solve partial transport (its flags: %s)", m.Name, m.flagList())
			}
			return usagef("--%s is not used by method %s (its flags: %s)", f, m.Name, m.flagList())
		}
	}
	for _, f := range m.Required {
		if !set[f] {
			return usagef("method %s needs --%s", m.Name, f)
		}
	}
	return nil
}

func (m method) flagList() string {
	if len(m.Flags) == 0 {
		return "none"
	}
	s := make([]string, len(m.Flags))
	for k, f := range m.Flags {
		s[k] = "--" + f
		for _, r := range m.Required {
			if r == f {
				s[k] += " (required)"
			}
		}
	}
	return strings.Join(s, ", ")
}

// methodTable is the per-method part of `otkit help solve`.
func methodTable() string {
	var b strings.Builder
	all := make([]string, len(solverFlags))
	for k, f := range solverFlags {
		all[k] = "--" + f
	}
	fmt.Fprintf(&b, "methods and the flags each uses (any other of %s is an error):\n", strings.Join(all, ", "))
	for _, n := range methodNames() {
		m := methods[n]
		bound := "no dual_value"
		if m.DualBound != nil {
			bound = strings.TrimSpace("dual_value " + m.DualNote)
		}
		fmt.Fprintf(&b, "  %-12s %s; %s\n", n, m.flagList(), bound)
	}
	return b.String()
}
