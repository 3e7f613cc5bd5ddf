package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/otkit/otkit/cardinality"
	"github.com/otkit/otkit/ot"
	"github.com/otkit/otkit/plot"
)

const routeSummaryText = "route tokens to experts with at most --k tokens per expert (sparsity-constrained OT)"

func init() {
	registerCommand(command{Name: "route", Summary: routeSummaryText, Run: runRoute})
}

// routeSummary is the JSON object `otkit route --json` prints.
type routeSummary struct {
	Tokens     int       `json:"tokens"`
	Experts    int       `json:"experts"`
	K          int       `json:"k"`
	Status     string    `json:"status"`
	Steps      int       `json:"steps"`
	Load       []int     `json:"load"`
	MaxLoad    int       `json:"max_load"`
	Dropped    int       `json:"dropped"`
	TotalScore jsonFloat `json:"total_score"`
	routeFigures
	Seconds float64 `json:"seconds"`
}

// routeFigures are the balance figures of a routing, in both JSON outputs.
type routeFigures struct {
	// TokenError and ExpertError are ‖T1 − 1‖₁ and ‖Tᵀ1 − n/m‖₁ divided by
	// the number of tokens.
	TokenError  jsonFloat `json:"token_error"`
	ExpertError jsonFloat `json:"expert_error"`
	// ExpertsPerToken[c] counts the tokens sent to exactly c experts.
	ExpertsPerToken []int `json:"experts_per_token"`
}

func figures(out *cardinality.Routing) routeFigures {
	return routeFigures{TokenError: jsonFloat(out.TokenError), ExpertError: jsonFloat(out.ExpertError),
		ExpertsPerToken: append([]int{}, out.ExpertsPerToken...)}
}

// routingFile is what `otkit route --out routing.json` writes.
type routingFile struct {
	Tokens   int    `json:"tokens"`
	Experts  int    `json:"experts"`
	Capacity int    `json:"capacity"`
	Status   string `json:"status"`
	Steps    int    `json:"steps"`
	routeFigures
	// Score is the sum of the softmax gates of the dispatched pairs.
	Score jsonFloat `json:"score"`
	// Dropped lists the tokens routed to no expert, ascending.
	Dropped []int `json:"dropped"`
	// Routes[j] is expert j's assignment.
	Routes []expertRoute `json:"routes"`
}

// expertRoute is one expert's tokens (ascending) and their combine weights.
type expertRoute struct {
	Expert  int         `json:"expert"`
	Tokens  []int       `json:"tokens"`
	Weights []jsonFloat `json:"weights"`
}

// routerFlags lists the flags each --router uses; the others are errors.
var routerFlags = map[string]string{
	"ot":       "--gamma --max-iter --lbfgs --row-sparse --refill --expert-capacity",
	"greedy":   "",
	"sinkhorn": "--eps --max-iter",
}

const routeHelp = `routers and the flags each uses (any other of --gamma, --max-iter, --lbfgs, --row-sparse, --refill,
--expert-capacity, --eps is an error):
  ot        --gamma, --max-iter, --lbfgs, --row-sparse, --refill, --expert-capacity (the default)
  greedy    none: every token to its best expert, each expert keeps its --k best
  sinkhorn  --eps, --max-iter: entropic OT (Tol 1e-6), each token to its plan row's largest entry

--json: {"tokens", "experts", "k", "status", "steps", "load", "max_load", "dropped", "total_score",
"token_error", "expert_error", "experts_per_token", "seconds"}: token_error = ‖T1 − 1‖₁/tokens and
expert_error = ‖Tᵀ1 − tokens/experts‖₁/tokens (T the plan; 1 per dispatched pair for greedy and sinkhorn),
experts_per_token[c] the number of tokens sent to exactly c experts. A fixed-step Adam run (the default) that
took its --max-iter steps is Converged; with --lbfgs Converged means the marginals met the tolerance.
--out: a .json file {"tokens", "experts", "capacity", "status", "steps", "token_error", "expert_error",
"experts_per_token", "score", "dropped": [token, …], "routes": [{"expert", "tokens": [token, …],
"weights": [combine weight, …]}, …]}, checked before routing.
--plot: a .png or .svg picture of the tokens each expert takes against the capacity (a dashed line; none
with --row-sparse, where --k counts experts per token), the dropped tokens in the title; checked before routing.
`

func runRoute(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c common
	fs := newFlagSet("route", &c)
	var (
		scoresPath = fs.String("scores", "", "router scores (tokens × experts logits; higher is better) as .npy or .csv; required")
		k          = fs.Int("k", 0, "capacity: the most tokens an expert takes (experts per token with --row-sparse); required")
		gamma      = fs.Float64("gamma", 0, "regularization γ on unnormalised masses (default 1)")
		maxIter    = fs.Int("max-iter", 0, "optimizer steps (default 20 Adam steps, or 1000 L-BFGS iterations)")
		lbfgs      = fs.Bool("lbfgs", false, "use L-BFGS instead of the reference router's fixed-step Adam")
		rowSparse  = fs.Bool("row-sparse", false, "tokens choose experts: at most --k experts per token")
		outPath    = fs.String("out", "", "write the routing (per expert its tokens, the dropped tokens, the score) to this .json file")
		routerName = fs.String("router", "ot", "ot (sparsity-constrained OT), greedy (top-1 baseline) or sinkhorn (balanced-assignment baseline)")
		eps        = fs.Float64("eps", 0, "entropic regularization of the sinkhorn router (default: package sinkhorn's)")
		strictOn   = fs.Bool("strict", false, "exit with status 3 when the routing does not end Converged")
		plotPath   = fs.String("plot", "", "draw the expert loads against the capacity as a .png or .svg picture")
		expertCap  = fs.Int("expert-capacity", 0, "with --row-sparse: the most tokens an expert takes; choices over it are dropped as vmoe does (first choices first, tokens in order)")
		refill     = fs.Bool("refill", false, "give every token the relaxation drops the best expert with room (or a slot held by a token also sent elsewhere)")
	)
	if err := parse(fs, &c, args, stdout, routeSummaryText, routeHelp); err != nil {
		return err
	}
	set := given(fs)
	switch {
	case *scoresPath == "":
		return usagef("--scores is required")
	case !set["k"]:
		return usagef("--k is required")
	case *k < 1:
		return usagef("--k %d: %w: want an integer ≥ 1", *k, ot.ErrParameter)
	case set["gamma"] && !(*gamma > 0 && *gamma < 1e308):
		return usagef("--gamma %v: %w: want a finite number > 0", *gamma, ot.ErrParameter)
	case set["max-iter"] && *maxIter < 1:
		return usagef("--max-iter %d: %w: want an integer ≥ 1", *maxIter, ot.ErrParameter)
	}
	uses, ok := routerFlags[*routerName]
	if !ok {
		return usagef("unknown router %q (available: greedy, ot, sinkhorn)", *routerName)
	}
	for _, name := range []string{"gamma", "max-iter", "lbfgs", "row-sparse", "refill", "expert-capacity", "eps"} {
		if set[name] && !strings.Contains(" "+uses+" ", " --"+name+" ") {
			list := "none"
			if uses != "" {
				list = strings.ReplaceAll(uses, " ", ", ")
			}
			return usagef("--%s is not used by router %s (its flags: %s)", name, *routerName, list)
		}
	}
	if set["expert-capacity"] && (*expertCap < 1 || !*rowSparse) {
		return usagef("--expert-capacity %d: %w: want an integer ≥ 1, with --row-sparse", *expertCap, ot.ErrParameter)
	}
	if set["eps"] && !(*eps > 0 && *eps < 1e308) {
		return usagef("--eps %v: %w: want a finite number > 0", *eps, ot.ErrParameter)
	}
	if *outPath != "" {
		isJSON := func(p string) bool { return strings.EqualFold(filepath.Ext(p), ".json") }
		if err := checkOutPath("out", *outPath, isJSON, ".json"); err != nil {
			return err
		}
	}
	if *plotPath != "" {
		if err := checkPlotPath(*plotPath); err != nil {
			return err
		}
	}
	n, m, data, err := readMatrix(*scoresPath)
	if err != nil {
		return err
	}
	var r interface {
		Route(context.Context, cardinality.Scores) (*cardinality.Routing, error)
	}
	switch *routerName {
	case "ot":
		rt := &cardinality.Router{Capacity: *k, Gamma: *gamma, MaxIter: *maxIter, RowSparse: *rowSparse,
			Refill: *refill, ExpertCapacity: *expertCap, Workers: c.Workers}
		if *lbfgs {
			rt.Optimizer = cardinality.LBFGS
		}
		r = rt
	case "greedy":
		r = &cardinality.GreedyRouter{Capacity: *k}
	case "sinkhorn":
		rt := &cardinality.SinkhornRouter{Capacity: *k}
		rt.Solver.Tol = 1e-6
		rt.Solver.Eps, rt.Solver.MaxIter, rt.Solver.Workers = *eps, *maxIter, c.Workers
		r = rt
	}
	start := time.Now()
	out, err := r.Route(ctx, cardinality.Scores{Tokens: n, Experts: m, Data: data})
	secs := time.Since(start).Seconds()
	if err != nil {
		return fmt.Errorf("%s: %w", *scoresPath, err)
	}
	if *outPath != "" {
		if err := writeRouting(*outPath, out); err != nil {
			return err
		}
	}
	if *plotPath != "" {
		if err := plotRouting(*plotPath, *routerName, out, *rowSparse); err != nil {
			return err
		}
	}
	s := routeSummary{Tokens: n, Experts: m, K: out.Capacity, Status: out.Status.String(), Steps: out.Steps,
		Load: make([]int, m), Dropped: out.Dropped, TotalScore: jsonFloat(out.Score),
		routeFigures: figures(out), Seconds: secs}
	for j := range s.Load {
		s.Load[j] = out.Load(j)
		s.MaxLoad = max(s.MaxLoad, s.Load[j])
	}
	if c.JSON {
		if err := json.NewEncoder(stdout).Encode(s); err != nil {
			return err
		}
		return strict(*strictOn, out.Status)
	}
	fmt.Fprintf(stdout, "problem            %d tokens × %d experts, capacity %d\nstatus             %s\nsteps              %d\n",
		n, m, out.Capacity, s.Status, s.Steps)
	fmt.Fprintf(stdout, "max load           %d\ndropped            %d\ntotal score        %.12g\n", s.MaxLoad, s.Dropped, out.Score)
	fmt.Fprintf(stdout, "token error        %.3g (‖T1 − 1‖₁ / tokens)\nexpert error       %.3g (‖Tᵀ1 − tokens/experts‖₁ / tokens)\n",
		out.TokenError, out.ExpertError)
	fmt.Fprintf(stdout, "experts per token  %s\nseconds            %.4f\n", histogram(out.ExpertsPerToken), secs)
	return strict(*strictOn, out.Status)
}

// histogram writes "c: count" pairs of the nonzero counts, e.g. "0: 3, 1: 120, 2: 5".
func histogram(h []int) string {
	var b strings.Builder
	for c, cnt := range h {
		if cnt == 0 {
			continue
		}
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%d: %d", c, cnt)
	}
	return b.String()
}

// plotRouting draws the expert loads of out against its capacity into the
// picture file path.
func plotRouting(path, router string, out *cardinality.Routing, rowSparse bool) error {
	loads := make([]int, out.Experts)
	for j := range loads {
		loads[j] = out.Load(j)
	}
	capacity := out.Capacity
	title := fmt.Sprintf("%s router: %d tokens, capacity %d, %d dropped", router, out.Tokens, capacity, out.Dropped)
	if rowSparse {
		capacity = 0 // a per-token bound: no line across the expert loads
		title = fmt.Sprintf("%s router: %d tokens, %d experts per token, %d dropped", router, out.Tokens, out.Capacity, out.Dropped)
	}
	p, err := plot.Routing(loads, capacity, out.Dropped, &plot.Options{Title: title})
	if err != nil {
		return fmt.Errorf("--plot %s: %w", path, err)
	}
	return writePicture(path, 0, 0, 0, p)
}

// writeRouting writes the routing as JSON (routingFile).
func writeRouting(path string, out *cardinality.Routing) error {
	rf := routingFile{Tokens: out.Tokens, Experts: out.Experts, Capacity: out.Capacity, Status: out.Status.String(),
		Steps: out.Steps, routeFigures: figures(out), Score: jsonFloat(out.Score), Dropped: []int{}, Routes: make([]expertRoute, out.Experts)}
	for i := 0; i < out.Tokens; i++ {
		if out.TokenLoad(i) == 0 {
			rf.Dropped = append(rf.Dropped, i)
		}
	}
	for j := range rf.Routes {
		lo, hi := out.ExpertStart[j], out.ExpertStart[j+1]
		e := expertRoute{Expert: j, Tokens: append([]int{}, out.ExpertTokens[lo:hi]...), Weights: make([]jsonFloat, hi-lo)}
		for q := lo; q < hi; q++ {
			e.Weights[q-lo] = jsonFloat(out.ExpertWeights[q])
		}
		rf.Routes[j] = e
	}
	b, err := json.Marshal(rf)
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return err
	}
	return nil
}
