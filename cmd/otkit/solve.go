package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gonum.org/v1/gonum/mat"
	gplot "gonum.org/v1/plot"

	"github.com/otkit/otkit/arrayio"
	"github.com/otkit/otkit/ot"
	"github.com/otkit/otkit/plot"
)

const solveSummary = "solve one transport problem read from .npy or CSV files"

func init() {
	registerCommand(command{Name: "solve", Summary: solveSummary, Run: runSolve})
}

// summary is the JSON object `otkit solve --json` prints.
type summary struct {
	Method     string    `json:"method"`
	Status     string    `json:"status"`
	Iterations int       `json:"iterations"`
	Value      jsonFloat `json:"value"`
	// DualValue is the Result's DualValue where it is a certified lower
	// bound on the method's optimal value (method.DualBound), else omitted.
	DualValue     *float64  `json:"dual_value,omitempty"`
	LinearCost    jsonFloat `json:"linear_cost"`
	MarginalError jsonFloat `json:"marginal_error"`
	NNZ           int       `json:"nnz"`
	Seconds       float64   `json:"seconds"`
	N             int       `json:"n"`
	M             int       `json:"m"`
}

// jsonFloat encodes NaN and ±Inf as null (JSON has no such numbers).
type jsonFloat float64

func (f jsonFloat) MarshalJSON() ([]byte, error) {
	v := float64(f)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return []byte("null"), nil
	}
	return json.Marshal(v)
}

// solveFlags are the flags of `otkit solve`.
type solveFlags struct {
	common
	method, cost, x, y, metric, a, b, plan, plot string
	p                                            float64
	strict, rebalance                            bool
	prm                                          params
}

func newSolveFlags() (*flag.FlagSet, *solveFlags) {
	f := &solveFlags{}
	fs := newFlagSet("solve", &f.common)
	fs.StringVar(&f.method, "method", "sinkhorn", "solver: "+strings.Join(methodNames(), ", "))
	fs.StringVar(&f.cost, "cost", "", "cost matrix C (n×m) as .npy or .csv")
	fs.StringVar(&f.x, "x", "", "source points X (n×d), with --y instead of --cost")
	fs.StringVar(&f.y, "y", "", "target points Y (m×d)")
	fs.StringVar(&f.metric, "metric", "sqeuclidean", "point-cloud metric: sqeuclidean, euclidean, lp (needs --p), cosine")
	fs.Float64Var(&f.p, "p", 0, "exponent p ≥ 1 of the lp metric (required with --metric lp, an error otherwise)")
	fs.StringVar(&f.a, "a", "", "source weights (default uniform)")
	fs.StringVar(&f.b, "b", "", "target weights (default uniform)")
	fs.StringVar(&f.plan, "plan", "", "write the plan: .npz (sparse COO, SciPy layout), .npy or .csv (dense n×m float64)")
	fs.StringVar(&f.plot, "plot", "", "draw the plan (and, for --x --y, the matching beside it) as .png or .svg")
	fs.BoolVar(&f.strict, "strict", false, "exit with status 3 when the solve does not end Converged")
	fs.BoolVar(&f.rebalance, "rebalance", false, "scale b so that Σb = Σa when they differ by at most 1e-6 relative (rounding); automatic for float32 .npy weights")
	fs.Float64Var(&f.prm.Eps, "eps", 0, "entropic regularization ε in cost units (sinkhorn; default 0.05·std(C))")
	fs.Float64Var(&f.prm.Gamma, "gamma", 0, "quadratic regularization γ in cost units (quadratic, cardinality; default: the package's)")
	fs.IntVar(&f.prm.K, "k", 0, "maximum nonzeros per column (cardinality; required; k ≥ n means no constraint)")
	fs.Float64Var(&f.prm.Tol, "tol", 0, "tolerance on the marginal error relative to the mass (default: the solver's)")
	fs.IntVar(&f.prm.MaxIter, "max-iter", 0, "iteration limit (default: the solver's; pivots for exact)")
	fs.Float64Var(&f.prm.Lambda, "lambda", 0, "sum-of-norms weight λ ≥ 0 in cost units (sumofnorms; required)")
	fs.StringVar(&f.prm.Labels, "labels", "", "source class labels, integers ≥ 0, one per row of the cost (sumofnorms; default: a kNN graph)")
	fs.Float64Var(&f.prm.Mass, "mass", 0, "partial transport: move exactly this mass, at most min(Σa, Σb), in the units of the weights (exact); Σa and Σb may then differ")
	fs.Float64Var(&f.prm.RhoA, "rho-a", 0, "relax the source marginal to the penalty ρ_a·KL(P1‖a), ρ_a > 0 in cost units (inf: hard; POT reg_m; OTT τ_a = ρ_a/(ρ_a+ε)); sinkhorn and quadratic")
	fs.StringVar(&f.prm.Precision, "precision", "auto", "floating-point type of the stored kernel: auto, float64 or float32 (sinkhorn; auto: float32 for large problems where its error bound allows)")
	fs.Float64Var(&f.prm.RhoB, "rho-b", 0, "relax the target marginal to ρ_b·KL(Pᵀ1‖b), as --rho-a")
	return fs, f
}

func runSolve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, f := newSolveFlags()
	if err := parse(fs, &f.common, args, stdout, solveSummary, methodTable()+pointCloudHelp); err != nil {
		return err
	}
	set := given(fs)
	m, err := lookupMethod(f.method)
	if err != nil {
		return err
	}
	if err := m.checkFlags(set); err != nil {
		return err
	}
	if err := checkParams(set, f.prm); err != nil {
		return err
	}
	if err := checkInputFlags(set, f); err != nil {
		return err
	}
	if f.plan != "" {
		if err := checkOutPath("plan", f.plan, arrayio.PlanExt, ".npz, .npy or .csv"); err != nil {
			return err
		}
	}
	if f.plot != "" {
		if err := checkPlotPath(f.plot); err != nil {
			return err
		}
	}
	prob, err := loadProblem(f)
	if err != nil {
		return err
	}
	n, mm := prob.Dims()
	var prog *progressLine
	if !f.Quiet && isTerminal(os.Stderr) {
		prog = newProgressLine(stderr)
		f.prm.Progress = prog.update
	}
	f.prm.Workers = f.Workers
	solver, err := m.New(f.prm)
	if err != nil {
		return err
	}
	start := time.Now()
	res, err := solver.Solve(ctx, prob)
	secs := time.Since(start).Seconds()
	prog.finish()
	if err != nil {
		return err
	}
	if f.plan != "" {
		if err := arrayio.WritePlan(f.plan, res.Plan); err != nil {
			return err
		}
	}
	if f.plot != "" {
		if err := plotSolve(f.plot, m.Name, prob, res); err != nil {
			return err
		}
	}
	s := summary{Method: m.Name, Status: res.Status.String(), Iterations: res.Iterations,
		Value: jsonFloat(res.Value), LinearCost: jsonFloat(res.LinearCost), MarginalError: jsonFloat(res.MarginalError),
		NNZ: res.Plan.NNZ(), Seconds: secs, N: n, M: mm}
	if m.DualBound != nil && m.DualBound(res) && !math.IsNaN(res.DualValue) && !math.IsInf(res.DualValue, 0) {
		s.DualValue = &res.DualValue
	}
	if f.JSON {
		if err := json.NewEncoder(stdout).Encode(s); err != nil {
			return err
		}
		return strict(f.strict, res.Status)
	}
	fmt.Fprintf(stdout, "method          %s\nproblem         %d × %d\nstatus          %s\niterations      %d\n",
		s.Method, n, mm, s.Status, s.Iterations)
	fmt.Fprintf(stdout, "value           %.12g\n", res.Value)
	if s.DualValue != nil {
		fmt.Fprintf(stdout, "dual value      %.12g\n", *s.DualValue)
	}
	fmt.Fprintf(stdout, "linear cost     %.12g\nmarginal error  %.3g\nnnz             %d\nseconds         %.4f\n",
		res.LinearCost, res.MarginalError, s.NNZ, secs)
	return strict(f.strict, res.Status)
}

const pointCloudHelp = `
inputs: --cost C, or --x X --y Y (point clouds, rows are points) with --metric; --p only with --metric lp.
--plan: .npz holds the plan's stored entries as SciPy COO (scipy.sparse.load_npz; numpy.load keys row, col,
data, shape); .npy and .csv hold the dense n×m float64 plan. The path is checked before solving.
--plot: a .png or .svg picture, checked before solving: the plan as a heat map (row i from top to bottom,
column j from left to right; large plans summed into blocks); with --x --y the matching (segments x_i → y_j
for the plan's entries, 2-D points as they are, others projected on their first two principal components)
beside it in the same file.
`

// plotSolve draws the plan of res, and for a point-cloud problem the
// matching beside it, into the picture file path.
func plotSolve(path, method string, prob *ot.Problem, res *ot.Result) error {
	n, m := prob.Dims()
	p, err := plot.Plan(res.Plan, &plot.Options{Title: fmt.Sprintf("%s plan, %d × %d", method, n, m)})
	if err != nil {
		return fmt.Errorf("--plot %s: %w", path, err)
	}
	plots := []*gplot.Plot{p}
	if pc, ok := prob.C.(*ot.PointCloud); ok {
		q, err := plot.Matching(pc.X, pc.Y, res.Plan, &plot.Options{Title: method + " matching"})
		if err != nil {
			return fmt.Errorf("--plot %s: %w", path, err)
		}
		plots = append(plots, q)
	}
	return writePicture(path, 0, 0, 0, plots...)
}

// checkParams rejects given settings that are out of range for every
// method: a zero on the command line is not "use the default".
func checkParams(set map[string]bool, p params) error {
	for _, c := range []struct {
		name string
		v    float64
	}{{"eps", p.Eps}, {"gamma", p.Gamma}, {"tol", p.Tol}, {"mass", p.Mass}} {
		if set[c.name] && (!(c.v > 0) || math.IsInf(c.v, 0)) {
			return usagef("--%s %v: %w: want a finite number > 0", c.name, c.v, ot.ErrParameter)
		}
	}
	for _, c := range []struct {
		name string
		v    float64
	}{{"rho-a", p.RhoA}, {"rho-b", p.RhoB}} {
		if set[c.name] && !(c.v > 0) {
			return usagef("--%s %v: %w: want ρ > 0 (inf for a hard marginal)", c.name, c.v, ot.ErrParameter)
		}
	}
	if set["mass"] && (set["rho-a"] || set["rho-b"]) {
		return usagef("--mass cannot be combined with --rho-a or --rho-b: %w", ot.ErrParameter)
	}
	for _, c := range []struct {
		name string
		v    int
	}{{"k", p.K}, {"max-iter", p.MaxIter}} {
		if set[c.name] && c.v < 1 {
			return usagef("--%s %d: %w: want an integer ≥ 1", c.name, c.v, ot.ErrParameter)
		}
	}
	return nil
}

// checkInputFlags checks the combination of input flags.
func checkInputFlags(set map[string]bool, f *solveFlags) error {
	switch {
	case f.cost != "" && (f.x != "" || f.y != ""):
		return usagef("give either --cost or --x and --y, not both")
	case f.cost == "" && (f.x == "") != (f.y == ""):
		return usagef("--x and --y go together")
	case f.cost == "" && f.x == "":
		return usagef("no problem given: use --cost C.npy, or --x X.npy --y Y.npy")
	case f.cost != "" && (set["metric"] || set["p"]):
		return usagef("--metric and --p apply to --x and --y, not --cost")
	}
	if f.x == "" {
		return nil
	}
	metric, err := ot.ParseMetric(f.metric)
	if err != nil {
		return &usageError{err}
	}
	switch {
	case metric == ot.Lp && !set["p"]:
		return usagef("--metric lp needs --p")
	case metric == ot.Lp && (!(f.p >= 1) || math.IsInf(f.p, 0)):
		return usagef("--p %v: %w: want a finite p ≥ 1", f.p, ot.ErrParameter)
	case metric != ot.Lp && set["p"]:
		return usagef("--p is used only by --metric lp")
	}
	return nil
}

// checkOutPath checks, before any work, that an output file can be
// created: a known extension (a usage error otherwise), an existing
// directory where a file can be written (bad input otherwise).
func checkOutPath(flagName, path string, known func(string) bool, exts string) error {
	if !known(path) {
		return usagef("--%s %s: unknown extension %q (want %s)", flagName, path, filepath.Ext(path), exts)
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return fmt.Errorf("--%s %s: is a directory", flagName, path)
	}
	dir := filepath.Dir(path)
	st, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("--%s %s: directory %s does not exist", flagName, path, dir)
	}
	if !st.IsDir() {
		return fmt.Errorf("--%s %s: %s is not a directory", flagName, path, dir)
	}
	tmp, err := os.CreateTemp(dir, ".otkit-write-test-*")
	if err != nil {
		return fmt.Errorf("--%s %s: directory %s is not writable", flagName, path, dir)
	}
	tmp.Close()
	os.Remove(tmp.Name())
	return nil
}

// loadProblem reads the cost (or the two point clouds) and the weights.
func loadProblem(f *solveFlags) (*ot.Problem, error) {
	var c ot.Cost
	var names []string
	if f.cost != "" {
		rows, cols, data, err := readMatrix(f.cost)
		if err != nil {
			return nil, err
		}
		if c, err = ot.NewDenseCost(rows, cols, data); err != nil {
			return nil, fmt.Errorf("%s: %w", f.cost, err)
		}
		names = append(names, f.cost)
	} else {
		metric, err := ot.ParseMetric(f.metric)
		if err != nil {
			return nil, err
		}
		pts := make([]*mat.Dense, 2)
		for k, path := range []string{f.x, f.y} {
			rows, cols, data, err := readMatrix(path)
			if err != nil {
				return nil, err
			}
			if rows == 0 || cols == 0 {
				return nil, fmt.Errorf("%s: %w: no points", path, ot.ErrEmpty)
			}
			pts[k] = mat.NewDense(rows, cols, data)
		}
		c = &ot.PointCloud{X: pts[0], Y: pts[1], Metric: metric, P: f.p}
		names = append(names, f.x, f.y)
	}
	prob := ot.NewProblem(c)
	prob.RhoA, prob.RhoB, prob.PartialMass = f.prm.RhoA, f.prm.RhoB, f.prm.Mass
	rebalance := f.rebalance
	for _, w := range []struct {
		path string
		dst  *[]float64
	}{{f.a, &prob.A}, {f.b, &prob.B}} {
		if w.path == "" {
			continue
		}
		a, err := arrayio.ReadFile(w.path)
		if err != nil {
			return nil, err
		}
		if *w.dst, err = a.Vector(); err != nil {
			return nil, fmt.Errorf("%s: %w", w.path, err)
		}
		// float32 weights cannot sum exactly to the other side's total.
		rebalance = rebalance || a.DType == "float32"
		names = append(names, w.path)
	}
	if rebalance && prob.Balanced() {
		if err := prob.Rebalance(); err != nil {
			if verr := prob.Validate(); verr != nil && !errors.Is(verr, ot.ErrMassMismatch) {
				err = verr // the precise complaint (negative weight, NaN, …)
			}
			return nil, fmt.Errorf("%s: %w", strings.Join(names, ", "), err)
		}
	}
	if err := prob.Validate(); err != nil {
		hint := ""
		if errors.Is(err, ot.ErrMassMismatch) {
			hint = fmt.Sprintf(" (--rebalance repairs differences up to %g relative; --mass moves only part of the mass)", ot.RebalanceTol)
		}
		return nil, fmt.Errorf("%s: %w%s", strings.Join(names, ", "), err, hint)
	}
	return prob, nil
}
