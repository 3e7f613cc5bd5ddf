package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/otkit/otkit/cardinality"
	"github.com/otkit/otkit/exact"
	"github.com/otkit/otkit/ot"
	"github.com/otkit/otkit/quadratic"
)

const experimentSummary = "reproduce the sparsity-constrained OT paper's claims on synthetic data (markdown table)"

func init() {
	registerCommand(command{Name: "experiment-cardinality", Summary: experimentSummary, Run: runExperimentCardinality})
}

// experimentRow is one line of `otkit experiment-cardinality --json`.
type experimentRow struct {
	K             int       `json:"k"`
	MaxColumnNNZ  int       `json:"max_column_nnz"`
	NNZ           int       `json:"nnz"`
	DualValue     jsonFloat `json:"dual_value"`
	Value         jsonFloat `json:"value"`
	Gap           jsonFloat `json:"gap"` // (Value − DualValue)/Value: certified relative suboptimality
	MarginalError jsonFloat `json:"marginal_error"`
	Status        string    `json:"status"` // "Infeasible" where no k-sparse plan exists (ot.ErrInfeasible)
	Iterations    int       `json:"iterations"`
	Seconds       float64   `json:"seconds"`
}

// runExperimentCardinality solves the 1-D Gaussian example of the paper's
// visualisation notebook (n = m = 32, C = (i−j)²/31², docs/cardinality.md
// §8.4) for k = 1…32 and prints (a markdown table, or with --json one
// object per k for every k), per k, the sparsity of the returned (feasible,
// repaired) plan, its value, the relaxed value that certifies it from below
// (between its two closed-form ends: k = 1: OT + (γ/2)Σb² from package
// exact; k ≥ n: package quadratic), the relative gap, the marginal error,
// the iterations and the time.
func runExperimentCardinality(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cf common
	fs := newFlagSet("experiment-cardinality", &cf)
	gamma := fs.Float64("gamma", 1, "regularization γ")
	formulation := fs.String("formulation", "semidual", "semidual or dual")
	if err := parse(fs, &cf, args, stdout, experimentSummary, ""); err != nil {
		return err
	}
	if !(*gamma > 0) || math.IsInf(*gamma, 0) {
		return usagef("--gamma %v: %w: want a finite number > 0", *gamma, ot.ErrParameter)
	}
	form := cardinality.SemiDual
	switch *formulation {
	case "semidual":
	case "dual":
		form = cardinality.Dual
	default:
		return usagef("--formulation %q: %w: want semidual or dual", *formulation, ot.ErrParameter)
	}
	const n = 32
	gauss := func(mu, s float64) []float64 {
		w := make([]float64, n)
		var sum float64
		for i := range w {
			w[i] = math.Exp(-(float64(i) - mu) * (float64(i) - mu) / (2 * s * s))
			sum += w[i]
		}
		for i := range w {
			w[i] /= sum
		}
		return w
	}
	c := make([]float64, n*n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			c[i*n+j] = float64((i-j)*(i-j)) / (31 * 31)
		}
	}
	cost, err := ot.NewDenseCost(n, n, c)
	if err != nil {
		return err
	}
	p := &ot.Problem{A: gauss(10, 4), B: gauss(16, 5), C: cost}
	lp, err := (&exact.Solver{}).Solve(ctx, p)
	if err == nil {
		err = lp.Status.Err()
	}
	if err != nil {
		return err
	}
	q, err := (&quadratic.Solver{Gamma: *gamma, Workers: cf.Workers}).Solve(ctx, p)
	if err != nil {
		return err
	}
	var sb2 float64
	for _, v := range p.B {
		sb2 += v * v
	}
	sStar1 := lp.LinearCost + *gamma/2*sb2
	out := stdout
	if cf.JSON {
		out = io.Discard // the prose; the rows go to stdout as JSON
	}
	fmt.Fprintf(out, "1-D Gaussians, n = m = %d, γ = %g, %v relaxation, L-BFGS, Tol 1e-9, MaxIter 1000; plans repaired to feasibility.\n", n, *gamma, form)
	fmt.Fprintf(out, "k = 1 end: OT + (γ/2)Σb² = %.9f (OT = %.9f, package exact); k ≥ n end: quadratic OT = %.9f (package quadratic).\n\n",
		sStar1, lp.LinearCost, q.Value)
	fmt.Fprintln(out, "| k | max nnz/column | nnz | certified lower bound (DualValue) | Value(T) | gap | MarginalError | status | iterations | ms |")
	fmt.Fprintln(out, "|---|---|---|---|---|---|---|---|---|---|")
	allSparse := true
	for k := 1; k <= n; k++ {
		start := time.Now()
		res, err := (&cardinality.Solver{K: k, Gamma: *gamma, Formulation: form, Workers: cf.Workers}).Solve(ctx, p)
		if errors.Is(err, ot.ErrInfeasible) {
			if cf.JSON {
				if err := json.NewEncoder(stdout).Encode(experimentRow{K: k, Status: "Infeasible"}); err != nil {
					return err
				}
			} else {
				fmt.Fprintf(stdout, "| %d | – | – | %.9f (closed form) | no %d-sparse plan | – | – | Infeasible | 0 | %.1f |\n",
					k, sStar1, k, time.Since(start).Seconds()*1e3)
			}
			continue
		}
		if err != nil {
			return err
		}
		ms := time.Since(start).Seconds() * 1e3
		gap := (res.Value - res.DualValue) / math.Abs(res.Value)
		plan := res.Plan.(*ot.SparsePlan)
		perCol := make([]int, n)
		for _, j := range plan.ColIdx {
			perCol[j]++
		}
		maxCol := 0
		for _, v := range perCol {
			maxCol = max(maxCol, v)
		}
		if maxCol > k {
			allSparse = false
		}
		if cf.JSON {
			row := experimentRow{K: k, MaxColumnNNZ: maxCol, NNZ: plan.NNZ(), DualValue: jsonFloat(res.DualValue),
				Value: jsonFloat(res.Value), Gap: jsonFloat(gap), MarginalError: jsonFloat(res.MarginalError), Status: res.Status.String(),
				Iterations: res.Iterations, Seconds: ms / 1e3}
			if err := json.NewEncoder(stdout).Encode(row); err != nil {
				return err
			}
		} else if k <= 8 || k%4 == 0 {
			fmt.Fprintf(stdout, "| %d | %d | %d | %.9f | %.9f | %.1e | %.1e | %v | %d | %.1f |\n", k, maxCol, plan.NNZ(),
				res.DualValue, res.Value, gap, res.MarginalError, res.Status, res.Iterations, ms)
		}
	}
	fmt.Fprintf(out, "\nEvery k = 1…%d: at most k nonzeros in every column: %v. gap = (Value − DualValue)/Value bounds the plan's suboptimality.\n", n, allSparse)
	return nil
}
