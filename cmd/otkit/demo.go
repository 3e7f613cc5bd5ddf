package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"text/tabwriter"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/otkit/otkit/ot"
)

const demoSummary = "solve the embedded default problems with every method (also: otkit with no arguments)"

func init() {
	registerCommand(command{Name: "demo", Summary: demoSummary, Run: runDemo})
}

// demoRow is one line of `otkit demo --json`.
type demoRow struct {
	Problem       string    `json:"problem"`
	Method        string    `json:"method"`
	Status        string    `json:"status,omitempty"`
	Error         string    `json:"error,omitempty"`
	Iterations    int       `json:"iterations"`
	Value         jsonFloat `json:"value"`
	LinearCost    jsonFloat `json:"linear_cost"`
	MarginalError jsonFloat `json:"marginal_error"`
	NNZ           int       `json:"nnz"`
	Seconds       float64   `json:"seconds"`
}

// demoProblem is one of the embedded default problems with the settings the
// demo uses for it.
type demoProblem struct {
	title string
	prob  *ot.Problem
	prm   params
}

// demoProblems builds the embedded problems from a fixed seed: two 2-D
// Gaussian point clouds with a squared-Euclidean cost scaled to max 1, and a
// token-to-expert routing problem with cost −softmax(logits).
func demoProblems() []demoProblem {
	rng := rand.New(rand.NewPCG(1, 2))
	cloud := func(n int, cx, cy, s float64) *mat.Dense {
		x := mat.NewDense(n, 2, nil)
		for i := 0; i < n; i++ {
			x.Set(i, 0, cx+s*rng.NormFloat64())
			x.Set(i, 1, cy+s*rng.NormFloat64())
		}
		return x
	}
	pc := &ot.PointCloud{X: cloud(60, 0, 0, 1), Y: cloud(40, 2, 1, 0.7), Metric: ot.SqEuclidean}
	c := ot.CostData(pc)
	_, hi := ot.MinMax(pc)
	for k := range c {
		c[k] /= hi
	}
	clouds := ot.NewProblem(&ot.DenseCost{N: 60, M: 40, Data: c})

	const tokens, experts = 32, 4
	route := make([]float64, tokens*experts)
	for i := 0; i < tokens; i++ {
		row := route[i*experts : (i+1)*experts]
		var z float64
		for j := range row {
			row[j] = math.Exp(rng.NormFloat64())
			z += row[j]
		}
		for j := range row {
			row[j] = -row[j] / z // cost = −softmax(logits)
		}
	}
	routing := ot.NewProblem(&ot.DenseCost{N: tokens, M: experts, Data: route})

	return []demoProblem{
		{"2-D point clouds, 60 × 40, squared Euclidean cost / max", clouds, params{Eps: 0.01, Gamma: 0.1, K: 3}},
		{"token routing, 32 tokens × 4 experts, cost −softmax(logits)", routing, params{Eps: 0.05, Gamma: 0.1, K: 10}},
	}
}

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c common
	fs := newFlagSet("demo", &c)
	if err := parse(fs, &c, args, stdout, demoSummary, ""); err != nil {
		return err
	}
	enc := json.NewEncoder(stdout)
	for _, d := range demoProblems() {
		d.prm.Workers = c.Workers
		if c.JSON {
			for _, name := range methodNames() {
				row := demoRow{Problem: d.title, Method: name}
				solver, err := methods[name].New(d.prm)
				if err != nil {
					return fmt.Errorf("%s: %w", name, err)
				}
				start := time.Now()
				res, err := solver.Solve(ctx, d.prob)
				row.Seconds = time.Since(start).Seconds()
				if err != nil {
					row.Error = err.Error()
				} else {
					row.Status, row.Iterations, row.NNZ = res.Status.String(), res.Iterations, res.Plan.NNZ()
					row.Value, row.LinearCost, row.MarginalError = jsonFloat(res.Value), jsonFloat(res.LinearCost), jsonFloat(res.MarginalError)
				}
				if err := enc.Encode(row); err != nil {
					return err
				}
			}
			continue
		}
		fmt.Fprintf(stdout, "%s   (ε = %g, γ = %g, k = %d)\n\n", d.title, d.prm.Eps, d.prm.Gamma, d.prm.K)
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "method\tstatus\titerations\tvalue\tlinear cost\tmarginal error\tnnz\tms\t")
		for _, name := range methodNames() {
			m := methods[name]
			solver, err := m.New(d.prm)
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			start := time.Now()
			res, err := solver.Solve(ctx, d.prob)
			ms := float64(time.Since(start).Microseconds()) / 1000
			if err != nil {
				fmt.Fprintf(tw, "%s\terror: %v\t\t\t\t\t\t\t\n", name, err)
				continue
			}
			fmt.Fprintf(tw, "%s\t%s\t%d\t%.6f\t%.6f\t%.1e\t%d\t%.1f\t\n", name, res.Status, res.Iterations,
				res.Value, res.LinearCost, res.MarginalError, res.Plan.NNZ(), ms)
		}
		tw.Flush()
		fmt.Fprintln(stdout)
	}
	if !c.JSON {
		fmt.Fprintln(stdout, "value: each method's regularized objective (see its package doc); linear cost: <P, C>.")
	}
	return nil
}
