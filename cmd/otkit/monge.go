package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/otkit/otkit/arrayio"
	"github.com/otkit/otkit/monge"
	"github.com/otkit/otkit/ot"
)

const mongeSummaryText = "transport maps from samples: entropic/elastic map estimates, Monge-gap map fitting (estimate | fit | apply)"

func init() {
	registerCommand(command{Name: "monge", Summary: mongeSummaryText, Run: runMonge})
}

const mongeHelp = `usage: otkit monge estimate --x X.npy --y Y.npy --query Q.npy --out TQ.npy [--eps E] [--elastic l1|stvs|l0 --gamma G [--s S]]
       otkit monge fit --x X.npy --y Y.npy --out map.json [--lambda L --eps E --eps-fit E --epochs N --seed S ...]
       otkit monge apply --map map.json --x Q.npy --out TQ.npy
'otkit monge <subcommand> -h' lists a subcommand's flags.
`

// mongeSummary is the JSON object `otkit monge … --json` prints.
type mongeSummary struct {
	Command       string    `json:"command"`
	N             int       `json:"n,omitempty"`
	M             int       `json:"m,omitempty"`
	Dim           int       `json:"dim"`
	Queries       int       `json:"queries,omitempty"`
	Eps           jsonFloat `json:"eps,omitempty"`
	EpsFit        jsonFloat `json:"eps_fit,omitempty"`
	Status        string    `json:"status,omitempty"`
	Iterations    int       `json:"iterations,omitempty"`
	MarginalError jsonFloat `json:"marginal_error,omitempty"`
	Steps         int       `json:"steps,omitempty"`
	Loss          jsonFloat `json:"loss,omitempty"`
	FitLoss       jsonFloat `json:"fit_loss,omitempty"`
	MongeGap      jsonFloat `json:"monge_gap,omitempty"`
	GapExcess     jsonFloat `json:"monge_gap_excess,omitempty"`
	Solves        int       `json:"solves,omitempty"`
	Unconverged   int       `json:"unconverged_solves,omitempty"`
	FitSeconds    float64   `json:"fit_seconds,omitempty"`
	ApplySeconds  float64   `json:"apply_seconds"`
	Out           string    `json:"out"`
}

func runMonge(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usagef("missing subcommand: estimate, fit or apply")
	}
	switch args[0] {
	case "-h", "--help", "-help", "help":
		fmt.Fprintf(stdout, "%s\n\n%s\n%s", mongeSummaryText, mongeHelp, exitCodesHelp)
		return flag.ErrHelp
	case "estimate":
		return runMongeEstimate(ctx, args[1:], stdout, stderr)
	case "fit":
		return runMongeFit(ctx, args[1:], stdout, stderr)
	case "apply":
		return runMongeApply(ctx, args[1:], stdout)
	}
	return usagef("unknown subcommand %q (want estimate, fit or apply)", args[0])
}

// loadPoints reads a point set (rows) from .npy or CSV.
func loadPoints(flagName, path string) (*mat.Dense, error) {
	r, c, data, err := readMatrix(path)
	if err != nil {
		return nil, err
	}
	if r == 0 || c == 0 {
		return nil, fmt.Errorf("--%s %s: %w: no points", flagName, path, ot.ErrEmpty)
	}
	return mat.NewDense(r, c, data), nil
}

// checkOut rejects an output path arrayio cannot write, before any work.
func checkOut(path string) error {
	switch {
	case path == "":
		return usagef("--out is required")
	case !strings.HasSuffix(strings.ToLower(path), ".npy") && !strings.HasSuffix(strings.ToLower(path), ".csv"):
		return usagef("--out %s: %w: want a .npy or .csv file", path, ot.ErrParameter)
	}
	return nil
}

func finiteNum(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func printMonge(c *common, stdout io.Writer, s mongeSummary) error {
	if c.JSON {
		return json.NewEncoder(stdout).Encode(s)
	}
	if c.Quiet {
		return nil
	}
	switch s.Command {
	case "estimate":
		fmt.Fprintf(stdout, "entropic map %d → %d points (d = %d), ε %.6g: status %s, %d iterations, marginal error %.3g; %d queries mapped to %s (%.3fs + %.3fs)\n",
			s.N, s.M, s.Dim, float64(s.Eps), s.Status, s.Iterations, float64(s.MarginalError), s.Queries, s.Out, s.FitSeconds, s.ApplySeconds)
	case "fit":
		fmt.Fprintf(stdout, "fitted map %d → %d points (d = %d) in %d steps (%.2fs): loss %.6g, fitting loss %.6g, Monge gap %.6g (excess over ε·log n %.3g); map written to %s\n",
			s.N, s.M, s.Dim, s.Steps, s.FitSeconds, float64(s.Loss), float64(s.FitLoss), float64(s.MongeGap), float64(s.GapExcess), s.Out)
	default:
		fmt.Fprintf(stdout, "%d points mapped (d = %d) to %s (%.3fs)\n", s.Queries, s.Dim, s.Out, s.ApplySeconds)
	}
	return nil
}

func runMongeEstimate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c common
	fs := newFlagSet("monge estimate", &c)
	var (
		xPath   = fs.String("x", "", "source sample (rows) as .npy or .csv; required")
		yPath   = fs.String("y", "", "target sample (rows) as .npy or .csv; required")
		qPath   = fs.String("query", "", "points to map (rows); required")
		outPath = fs.String("out", "", "mapped query points, .npy or .csv; required")
		eps     = fs.Float64("eps", 0, "ε, absolute, in units of the cost (‖x−y‖², or the elastic ½‖z‖² + γτ(z)); default 0.05·std of the cost")
		elastic = fs.String("elastic", "", "elastic cost ½‖z‖² + γτ(z) with τ = l1, stvs (½‖z‖² + τ_γ(z): exact zeros for |·| ≤ γ, vanishing shrinkage) or l0 (smoothed ℓ0: shrinks, no exact zeros); default: the SqEuclidean (Pooladian–Niles-Weed) map")
		gamma   = fs.Float64("gamma", 0, "γ ≥ 0 of --elastic (the threshold of l1 and stvs)")
		width   = fs.Float64("s", 0, "width s of the smoothed ℓ0 (--elastic l0; default 1); γ ≤ e^{3/2}s²/2")
	)
	if err := parse(fs, &c, args, stdout, "entropic map estimated on the samples X → Y, applied to the query points", ""); err != nil {
		return err
	}
	set := given(fs)
	switch {
	case *xPath == "" || *yPath == "" || *qPath == "":
		return usagef("--x, --y and --query are required")
	case set["eps"] && !(*eps > 0 && finiteNum(*eps)):
		return usagef("--eps %v: %w: want a finite number > 0", *eps, ot.ErrParameter)
	case (set["gamma"] || set["s"]) && *elastic == "":
		return usagef("--gamma and --s are used with --elastic only")
	case set["gamma"] && !(*gamma >= 0 && finiteNum(*gamma)):
		return usagef("--gamma %v: %w: want a finite number ≥ 0", *gamma, ot.ErrParameter)
	case set["s"] && !(*width > 0 && finiteNum(*width)):
		return usagef("--s %v: %w: want a finite number > 0", *width, ot.ErrParameter)
	}
	var cost ot.ElasticCost
	if *elastic != "" {
		tau, err := ot.ParsePenalty(*elastic)
		if err != nil {
			return usagef("--elastic: %w", err)
		}
		if set["s"] && tau != ot.PenaltyL0 {
			return usagef("--s is used with --elastic l0 only")
		}
		cost = ot.ElasticCost{Tau: tau, Gamma: *gamma, S: *width}
		if err := cost.Validate(); err != nil {
			return usagef("--gamma: %w", err)
		}
	}
	if err := checkOut(*outPath); err != nil {
		return err
	}
	x, err := loadPoints("x", *xPath)
	if err != nil {
		return err
	}
	y, err := loadPoints("y", *yPath)
	if err != nil {
		return err
	}
	q, err := loadPoints("query", *qPath)
	if err != nil {
		return err
	}
	if _, dq := q.Dims(); dq != x.RawMatrix().Cols {
		return fmt.Errorf("--query %s: %w: points of dimension %d, --x has %d", *qPath, ot.ErrShape, dq, x.RawMatrix().Cols)
	}
	set2 := &monge.MapSettings{Eps: *eps, Workers: c.Workers}
	start := time.Now()
	var res *ot.Result
	var epsUsed float64
	var apply func(context.Context, *mat.Dense) (*mat.Dense, error)
	if *elastic == "" {
		tm, err := monge.NewEntropicMap(ctx, x, y, set2)
		if err != nil {
			return err
		}
		res, epsUsed, apply = tm.Result(), tm.Eps(), tm.Apply
	} else {
		tm, err := monge.NewElasticMap(ctx, x, y, cost, set2)
		if err != nil {
			return err
		}
		res, epsUsed, apply = tm.Result(), tm.Eps(), tm.Apply
	}
	fitSecs := time.Since(start).Seconds()
	start = time.Now()
	tq, err := apply(ctx, q)
	if err != nil {
		return err
	}
	applySecs := time.Since(start).Seconds()
	r, d := tq.Dims()
	if err := arrayio.WriteFile(*outPath, tq.RawMatrix().Data, r, d); err != nil {
		return err
	}
	n, _ := x.Dims()
	m, _ := y.Dims()
	return printMonge(&c, stdout, mongeSummary{Command: "estimate", N: n, M: m, Dim: d, Queries: r, Eps: jsonFloat(epsUsed),
		Status: res.Status.String(), Iterations: res.Iterations, MarginalError: jsonFloat(res.MarginalError),
		FitSeconds: fitSecs, ApplySeconds: applySecs, Out: *outPath})
}

// parseHidden reads "32,64,32".
func parseHidden(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || v < 1 {
			return nil, fmt.Errorf("%w: hidden width %q (want integers ≥ 1, comma-separated)", ot.ErrParameter, f)
		}
		out = append(out, v)
	}
	return out, nil
}

func runMongeFit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c common
	fs := newFlagSet("monge fit", &c)
	var (
		xPath    = fs.String("x", "", "source sample (rows) as .npy or .csv; required")
		yPath    = fs.String("y", "", "target sample (rows) as .npy or .csv; required")
		outPath  = fs.String("out", "", "the fitted map as JSON; required")
		lambda   = fs.Float64("lambda", 1, "weight λ ≥ 0 of the Monge gap (0: plain push-forward fit)")
		eps      = fs.Float64("eps", 0, "ε of the Monge gap (default 0.05 × std of the cost between the first batches)")
		epsFit   = fs.Float64("eps-fit", 0, "ε of the Sinkhorn-divergence fitting loss (default 0.1 × mean ‖y−y'‖² of the first batch)")
		epochs   = fs.Int("epochs", 100, "passes over the source sample")
		batch    = fs.Int("batch", 256, "batch size")
		lr       = fs.Float64("lr", 1e-3, "Adam learning rate")
		seed     = fs.Uint64("seed", 0, "seed of the initialization and the batches")
		hidden   = fs.String("hidden", "32,64,32", "hidden widths of the residual MLP")
		actName  = fs.String("activation", "gelu", "gelu, leaky_relu or tanh")
		sparsity = fs.Float64("sparsity", 0, "weight λ_sp ≥ 0 of the displacement-sparsity penalty")
		penalty  = fs.String("penalty", "l1", "τ of the sparsity penalty: l1, l0 (smoothed ℓ0, width 1) or stvs (needs --penalty-gamma)")
		penGamma = fs.Float64("penalty-gamma", 0, "γ > 0 inside the stvs penalty (its threshold); stvs only")
		linear   = fs.Bool("linear", false, "add a learned linear term, T(x) = x + Ax + f(x), starting at the identity (map format v2)")
		wd       = fs.Float64("weight-decay", 0, "decoupled weight decay of the MLP weights (not of A); pulls the map toward affine")
	)
	if err := parse(fs, &c, args, stdout, "fit a residual MLP map X → Y by Sinkhorn divergence + λ·Monge gap (Adam)", ""); err != nil {
		return err
	}
	set := given(fs)
	switch {
	case *xPath == "" || *yPath == "":
		return usagef("--x and --y are required")
	case *outPath == "":
		return usagef("--out is required")
	case !(*lambda >= 0 && finiteNum(*lambda)):
		return usagef("--lambda %v: %w: want a finite number ≥ 0", *lambda, ot.ErrParameter)
	case set["eps"] && !(*eps > 0 && finiteNum(*eps)):
		return usagef("--eps %v: %w: want a finite number > 0", *eps, ot.ErrParameter)
	case set["eps-fit"] && !(*epsFit > 0 && finiteNum(*epsFit)):
		return usagef("--eps-fit %v: %w: want a finite number > 0", *epsFit, ot.ErrParameter)
	case *epochs < 1 || *batch < 1:
		return usagef("--epochs %d, --batch %d: %w: want integers ≥ 1", *epochs, *batch, ot.ErrParameter)
	case !(*lr > 0 && finiteNum(*lr)):
		return usagef("--lr %v: %w: want a finite number > 0", *lr, ot.ErrParameter)
	case !(*sparsity >= 0 && finiteNum(*sparsity)):
		return usagef("--sparsity %v: %w: want a finite number ≥ 0", *sparsity, ot.ErrParameter)
	case !(*wd >= 0 && finiteNum(*wd)):
		return usagef("--weight-decay %v: %w: want a finite number ≥ 0", *wd, ot.ErrParameter)
	}
	hid, err := parseHidden(*hidden)
	if err != nil {
		return usagef("--hidden: %w", err)
	}
	act, err := monge.ParseActivation(*actName)
	if err != nil {
		return usagef("--activation: %w", err)
	}
	tau, err := ot.ParsePenalty(*penalty)
	if err != nil {
		return usagef("--penalty: %w", err)
	}
	switch {
	case set["penalty-gamma"] && tau != ot.PenaltySTVS:
		return usagef("--penalty-gamma is used only with --penalty stvs")
	case tau == ot.PenaltySTVS && *sparsity > 0 && !(*penGamma > 0 && finiteNum(*penGamma)):
		return usagef("--penalty stvs: --penalty-gamma %v: %w: want a finite number > 0", *penGamma, ot.ErrParameter)
	}
	x, err := loadPoints("x", *xPath)
	if err != nil {
		return err
	}
	y, err := loadPoints("y", *yPath)
	if err != nil {
		return err
	}
	s := &monge.FitSettings{Hidden: hid, Activation: act, Lambda: *lambda, EpsGap: *eps, EpsFit: *epsFit,
		Sparsity: *sparsity, Penalty: ot.ElasticCost{Tau: tau, Gamma: *penGamma}, LearningRate: *lr, Epochs: *epochs,
		BatchSize: *batch, Seed: *seed, Workers: c.Workers, Linear: *linear, WeightDecay: *wd}
	var prog *progressLine
	if !c.Quiet && isTerminal(os.Stderr) {
		prog = newProgressLine(stderr)
		s.Progress = func(r monge.Record) { prog.update(r.Epoch, r.Loss) }
	}
	start := time.Now()
	f, err := monge.Fit(ctx, x, y, s)
	prog.finish()
	if err != nil {
		return err
	}
	secs := time.Since(start).Seconds()
	b, err := json.Marshal(f.Map)
	if err != nil {
		return err
	}
	if err := os.WriteFile(*outPath, append(b, '\n'), 0o644); err != nil {
		return err
	}
	n, d := x.Dims()
	m, _ := y.Dims()
	sum := mongeSummary{Command: "fit", N: n, M: m, Dim: d, Eps: jsonFloat(f.EpsGap), EpsFit: jsonFloat(f.EpsFit),
		Status: f.Status.String(), Steps: f.Steps, Solves: f.Solves, Unconverged: f.Unconverged, FitSeconds: secs, Out: *outPath}
	if len(f.History) > 0 {
		r := f.History[len(f.History)-1]
		sum.Loss, sum.FitLoss, sum.MongeGap, sum.GapExcess = jsonFloat(r.Loss), jsonFloat(r.Fit), jsonFloat(r.Gap), jsonFloat(r.GapExcess)
	}
	return printMonge(&c, stdout, sum)
}

func runMongeApply(ctx context.Context, args []string, stdout io.Writer) error {
	var c common
	fs := newFlagSet("monge apply", &c)
	var (
		mapPath = fs.String("map", "", "a map file written by 'otkit monge fit'; required")
		xPath   = fs.String("x", "", "points to map (rows) as .npy or .csv; required")
		outPath = fs.String("out", "", "mapped points, .npy or .csv; required")
	)
	if err := parse(fs, &c, args, stdout, "apply a fitted map to points", ""); err != nil {
		return err
	}
	if *mapPath == "" || *xPath == "" {
		return usagef("--map and --x are required")
	}
	if err := checkOut(*outPath); err != nil {
		return err
	}
	b, err := os.ReadFile(*mapPath)
	if err != nil {
		return err
	}
	var net monge.MLP
	if err := json.Unmarshal(b, &net); err != nil {
		return fmt.Errorf("--map %s: not a map file: %w", *mapPath, err)
	}
	x, err := loadPoints("x", *xPath)
	if err != nil {
		return err
	}
	start := time.Now()
	tx, err := net.Apply(x)
	if err != nil {
		return fmt.Errorf("--x %s: %w", *xPath, err)
	}
	secs := time.Since(start).Seconds()
	r, d := tx.Dims()
	if err := arrayio.WriteFile(*outPath, tx.RawMatrix().Data, r, d); err != nil {
		return err
	}
	return printMonge(&c, stdout, mongeSummary{Command: "apply", Dim: d, Queries: r, ApplySeconds: secs, Out: *outPath})
}
