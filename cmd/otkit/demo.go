package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"text/tabwriter"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/otkit/otkit/cardinality"
	"github.com/otkit/otkit/ot"
)

const demoSummary = "solve the embedded default problems with every method and draw them into --out (also: otkit with no arguments)"

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
	// x, y are the points of a point-cloud problem (nil otherwise).
	x, y *mat.Dense
	// scores are the router logits of the routing problem (nil otherwise).
	scores *cardinality.Scores
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
	logits := make([]float64, tokens*experts)
	route := make([]float64, tokens*experts)
	for i := 0; i < tokens; i++ {
		row := route[i*experts : (i+1)*experts]
		var z float64
		for j := range row {
			logits[i*experts+j] = rng.NormFloat64()
			row[j] = math.Exp(logits[i*experts+j])
			z += row[j]
		}
		for j := range row {
			row[j] = -row[j] / z // cost = −softmax(logits)
		}
	}
	routing := ot.NewProblem(&ot.DenseCost{N: tokens, M: experts, Data: route})

	return []demoProblem{
		{title: "2-D point clouds, 60 × 40, squared Euclidean cost / max", prob: clouds,
			prm: params{Eps: 0.01, Gamma: 0.1, K: 3}, x: pc.X, y: pc.Y},
		{title: "token routing, 32 tokens × 4 experts, cost −softmax(logits)", prob: routing,
			prm:    params{Eps: 0.05, Gamma: 0.1, K: 10},
			scores: &cardinality.Scores{Tokens: tokens, Experts: experts, Data: logits}},
	}
}

// demoRun is one method's solve of one demo problem.
type demoRun struct {
	method string
	res    *ot.Result // nil when the solver rejected the problem
	err    error
	secs   float64
}

const demoHelp = `--out DIR: the pictures and their captions go to DIR (created if missing; default ./otkit-demo):
plans.png, matching.png, convergence.png, routing.png and captions.txt (one line per picture); an
existing file of the same name is replaced, nothing else is written. --out '' draws no pictures.
`

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c common
	fs := newFlagSet("demo", &c)
	out := fs.String("out", "otkit-demo", "directory for the pictures (created if missing; '' for none)")
	if err := parse(fs, &c, args, stdout, demoSummary, demoHelp); err != nil {
		return err
	}
	var created bool
	if *out != "" {
		var err error
		if created, err = prepareOutDir(*out); err != nil {
			return err
		}
	}
	problems := demoProblems()
	runs := make([][]demoRun, len(problems))
	for k, d := range problems {
		d.prm.Workers = c.Workers
		for _, name := range methodNames() {
			solver, err := methods[name].New(d.prm)
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			start := time.Now()
			res, err := solver.Solve(ctx, d.prob)
			runs[k] = append(runs[k], demoRun{method: name, res: res, err: err, secs: time.Since(start).Seconds()})
		}
	}
	if c.JSON {
		enc := json.NewEncoder(stdout)
		for k, d := range problems {
			for _, r := range runs[k] {
				row := demoRow{Problem: d.title, Method: r.method, Seconds: r.secs}
				if r.err != nil {
					row.Error = r.err.Error()
				} else {
					row.Status, row.Iterations, row.NNZ = r.res.Status.String(), r.res.Iterations, r.res.Plan.NNZ()
					row.Value, row.LinearCost, row.MarginalError = jsonFloat(r.res.Value), jsonFloat(r.res.LinearCost), jsonFloat(r.res.MarginalError)
				}
				if err := enc.Encode(row); err != nil {
					return err
				}
			}
		}
	} else {
		for k, d := range problems {
			fmt.Fprintf(stdout, "%s   (ε = %g, γ = %g, k = %d)\n\n", d.title, d.prm.Eps, d.prm.Gamma, d.prm.K)
			tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
			fmt.Fprintln(tw, "method\tstatus\titerations\tvalue\tlinear cost\tmarginal error\tnnz\tms\t")
			for _, r := range runs[k] {
				if r.err != nil {
					fmt.Fprintf(tw, "%s\terror: %v\t\t\t\t\t\t\t\n", r.method, r.err)
					continue
				}
				res := r.res
				fmt.Fprintf(tw, "%s\t%s\t%d\t%.6f\t%.6f\t%.1e\t%d\t%.1f\t\n", r.method, res.Status, res.Iterations,
					res.Value, res.LinearCost, res.MarginalError, res.Plan.NNZ(), r.secs*1000)
			}
			tw.Flush()
			fmt.Fprintln(stdout)
		}
		fmt.Fprintln(stdout, "value: each method's regularized objective (see its package doc); linear cost: <P, C>.")
	}
	if *out == "" {
		return nil
	}
	pics, err := demoPictures(ctx, problems, runs, c.Workers)
	if err == nil {
		err = writeDemoPictures(*out, pics, c.JSON, stdout)
	}
	if err != nil && created {
		os.Remove(*out) // only if still empty
	}
	return err
}
