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
	Eps      float64     // --eps (entropic regularization)
	Gamma    float64     // --gamma (quadratic regularization)
	K        int         // --k (cardinality)
	Tol      float64     // --tol
	MaxIter  int         // --max-iter
	Workers  int         // --workers
	Progress ot.Progress // progress callback (nil when --quiet or stderr is not a terminal)
}

// method is one entry of the `otkit solve --method` table. Each solver
// package registers itself from its own method_<name>.go file.
type method struct {
	Name    string
	Summary string // one line for --help
	New     func(p params) (ot.Solver, error)
}

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
		return method{}, fmt.Errorf("unknown method %q (available: %s)", name, strings.Join(methodNames(), ", "))
	}
	return m, nil
}
