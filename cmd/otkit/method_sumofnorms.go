package main

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/otkit/otkit/arrayio"
	"github.com/otkit/otkit/ot"
	"github.com/otkit/otkit/sumofnorms"
)

func init() {
	register(method{
		Name: "sumofnorms",
		Summary: "class-aware OT: sum-of-norms fusion of same-class rows, --lambda (required) and --labels " +
			"(source classes; default a kNN graph), --tol the relative duality gap (PDHG)",
		Flags:    []string{"lambda", "labels", "tol", "max-iter"},
		Required: []string{"lambda"},
		// DualValue is a certified lower bound at any iterate
		// (docs/sumofnorms.md §3.6).
		DualBound: always,
		New:       sonNew,
	})
}

// sonNew reads the labels of --labels and returns the solver.
func sonNew(p params) (ot.Solver, error) {
	if !(p.Lambda >= 0) || math.IsInf(p.Lambda, 0) {
		return nil, usagef("--lambda %v: %w: want a finite number ≥ 0", p.Lambda, ot.ErrParameter)
	}
	s := &sonSolver{path: p.Labels, s: sumofnorms.Solver{Lambda: p.Lambda, Tol: p.Tol, GapTol: p.Tol,
		MaxIter: p.MaxIter, Workers: p.Workers, Progress: p.Progress}}
	if p.Labels != "" {
		labels, err := sonReadLabels(p.Labels)
		if err != nil {
			return nil, err
		}
		s.s.Labels = labels
	}
	return s, nil
}

// sonReadLabels reads a vector of non-negative integer class labels.
func sonReadLabels(path string) ([]int, error) {
	a, err := arrayio.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--labels %w", err)
	}
	v, err := a.Vector()
	if err != nil {
		return nil, fmt.Errorf("--labels %s: %w", path, err)
	}
	labels := make([]int, len(v))
	for i, x := range v {
		if !(x >= 0) || x != math.Trunc(x) || x > 1<<31 {
			return nil, fmt.Errorf("--labels %s: %w: entry %d is %v, want an integer ≥ 0", path, ot.ErrParameter, i, x)
		}
		labels[i] = int(x)
	}
	return labels, nil
}

// sonSolver checks the number of labels against the problem, naming the
// labels file, before solving.
type sonSolver struct {
	path string
	s    sumofnorms.Solver
}

func (s *sonSolver) Solve(ctx context.Context, p *ot.Problem) (*ot.Result, error) {
	if s.s.Labels != nil && p != nil && len(s.s.Labels) != len(p.A) {
		return nil, fmt.Errorf("--labels %s: %w: %d labels for %d source points", s.path, ot.ErrShape, len(s.s.Labels), len(p.A))
	}
	res, err := s.s.Solve(ctx, p)
	if errors.Is(err, ot.ErrZeroMass) && s.path != "" { // a class of zero weight
		return nil, fmt.Errorf("--labels %s: %w", s.path, err)
	}
	return res, err
}
