package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/otkit/otkit/cardinality"
	"github.com/otkit/otkit/ot"
)

func init() {
	registerCommand(command{Name: "route", Summary: "route tokens to experts with at most --k tokens per expert (sparsity-constrained OT)", Run: runRoute})
}

// routeSummary is the JSON object `otkit route` prints.
type routeSummary struct {
	Tokens        int       `json:"tokens"`
	Experts       int       `json:"experts"`
	K             int       `json:"k"`
	Status        string    `json:"status"`
	Iterations    int       `json:"iterations"`
	Load          []int     `json:"load"`
	MaxLoad       int       `json:"max_load"`
	Dropped       int       `json:"dropped"`
	TotalScore    jsonFloat `json:"total_score"`
	MarginalError jsonFloat `json:"marginal_error"`
	Seconds       float64   `json:"seconds"`
}

func runRoute(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("route", stderr)
	var (
		scoresPath = fs.String("scores", "", "router scores (tokens × experts logits; higher is better) as .npy or .csv")
		k          = fs.Int("k", 0, "capacity: the most tokens an expert takes (experts per token with --row-sparse); required")
		gamma      = fs.Float64("gamma", 0, "regularization γ on unnormalised masses (0: 1)")
		maxIter    = fs.Int("max-iter", 0, "optimizer steps (0: 20 Adam steps, or 1000 L-BFGS iterations)")
		lbfgs      = fs.Bool("lbfgs", false, "use L-BFGS instead of the reference router's fixed-step Adam")
		rowSparse  = fs.Bool("row-sparse", false, "tokens choose experts: at most --k experts per token")
		workers    = fs.Int("workers", 0, "parallel workers (0: one)")
	)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if *scoresPath == "" {
		return fmt.Errorf("--scores is required")
	}
	if *k < 1 {
		return fmt.Errorf("--k %d: %w: want an integer ≥ 1", *k, ot.ErrParameter)
	}
	if *maxIter < 0 {
		return fmt.Errorf("--max-iter %d: %w: want ≥ 0", *maxIter, ot.ErrParameter)
	}
	n, m, data, err := readMatrix(*scoresPath)
	if err != nil {
		return err
	}
	r := cardinality.Router{Capacity: *k, Gamma: *gamma, MaxIter: *maxIter, RowSparse: *rowSparse, Workers: *workers}
	if *lbfgs {
		r.Optimizer = cardinality.LBFGS
	}
	start := time.Now()
	out, err := r.Route(ctx, cardinality.Scores{Tokens: n, Experts: m, Data: data})
	secs := time.Since(start).Seconds()
	if err != nil {
		return fmt.Errorf("%s: %w", *scoresPath, err)
	}
	s := routeSummary{Tokens: n, Experts: m, K: out.Capacity, Status: out.Status.String(), Iterations: out.Iterations,
		Load: make([]int, m), Dropped: out.Dropped, TotalScore: jsonFloat(out.Score),
		MarginalError: jsonFloat(out.MarginalError), Seconds: secs}
	for j := range s.Load {
		s.Load[j] = out.Load(j)
		s.MaxLoad = max(s.MaxLoad, s.Load[j])
	}
	return json.NewEncoder(stdout).Encode(s)
}
