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
	"strings"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/otkit/otkit/arrayio"
	"github.com/otkit/otkit/ot"
)

func init() {
	registerCommand(command{Name: "solve", Summary: "solve one transport problem read from .npy or CSV files", Run: runSolve})
}

// summary is the JSON object `otkit solve --json` prints.
type summary struct {
	Method        string    `json:"method"`
	Status        string    `json:"status"`
	Iterations    int       `json:"iterations"`
	Value         jsonFloat `json:"value"`
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

func runSolve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("solve", stderr)
	var (
		methodName = fs.String("method", "sinkhorn", "solver: "+strings.Join(methodNames(), ", "))
		costPath   = fs.String("cost", "", "cost matrix C (n×m) as .npy or .csv")
		xPath      = fs.String("x", "", "source points X (n×d), with --y instead of --cost")
		yPath      = fs.String("y", "", "target points Y (m×d)")
		metricName = fs.String("metric", "sqeuclidean", "point-cloud metric: sqeuclidean, euclidean, lp, cosine")
		lpP        = fs.Float64("p", 2, "exponent of the lp metric")
		aPath      = fs.String("a", "", "source weights (default uniform)")
		bPath      = fs.String("b", "", "target weights (default uniform)")
		planPath   = fs.String("plan", "", "write the plan (n×m float64) to this .npy (or .csv) file")
		asJSON     = fs.Bool("json", false, "print a one-line JSON summary")
		quiet      = fs.Bool("quiet", false, "no progress line on stderr")
		prm        params
	)
	fs.Float64Var(&prm.Eps, "eps", 0, "entropic regularization ε in cost units (0: solver default)")
	fs.Float64Var(&prm.Gamma, "gamma", 0, "quadratic regularization γ (0: solver default)")
	fs.IntVar(&prm.K, "k", 0, "maximum nonzeros per column (cardinality)")
	fs.Float64Var(&prm.Tol, "tol", 0, "tolerance on the marginal error (0: solver default)")
	fs.IntVar(&prm.MaxIter, "max-iter", 0, "iteration limit (0: solver default)")
	fs.IntVar(&prm.Workers, "workers", 0, "parallel workers (0: one)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	m, err := lookupMethod(*methodName)
	if err != nil {
		return err
	}
	if err := checkParams(fs, prm); err != nil {
		return err
	}
	prob, err := loadProblem(*costPath, *xPath, *yPath, *metricName, *lpP, *aPath, *bPath)
	if err != nil {
		return err
	}
	n, mm := prob.Dims()
	var prog *progressLine
	if !*quiet && isTerminal(os.Stderr) {
		prog = newProgressLine(stderr)
		prm.Progress = prog.update
	}
	solver, err := m.New(prm)
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
	if *planPath != "" {
		d := ot.DenseCopy(res.Plan)
		if err := arrayio.WriteFile(*planPath, d.RawMatrix().Data, n, mm); err != nil {
			return err
		}
	}
	s := summary{Method: m.Name, Status: res.Status.String(), Iterations: res.Iterations,
		Value: jsonFloat(res.Value), LinearCost: jsonFloat(res.LinearCost), MarginalError: jsonFloat(res.MarginalError),
		NNZ: res.Plan.NNZ(), Seconds: secs, N: n, M: mm}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(s)
	}
	fmt.Fprintf(stdout, "method          %s\nproblem         %d × %d\nstatus          %s\niterations      %d\n",
		s.Method, n, mm, s.Status, s.Iterations)
	fmt.Fprintf(stdout, "value           %.12g\nlinear cost     %.12g\nmarginal error  %.3g\nnnz             %d\nseconds         %.4f\n",
		res.Value, res.LinearCost, res.MarginalError, s.NNZ, secs)
	return nil
}

// checkParams rejects explicitly given settings that are out of range for
// every method: a zero on the command line is not "use the default".
func checkParams(fs *flag.FlagSet, p params) error {
	positive := map[string]float64{"eps": p.Eps, "gamma": p.Gamma, "tol": p.Tol}
	atLeastOne := map[string]int{"k": p.K, "max-iter": p.MaxIter}
	var errs []error
	fs.Visit(func(f *flag.Flag) {
		if v, ok := positive[f.Name]; ok && (!(v > 0) || math.IsInf(v, 0)) {
			errs = append(errs, fmt.Errorf("--%s %s: %w: want a finite number > 0", f.Name, f.Value, ot.ErrParameter))
		}
		if v, ok := atLeastOne[f.Name]; ok && v < 1 {
			errs = append(errs, fmt.Errorf("--%s %s: %w: want an integer ≥ 1", f.Name, f.Value, ot.ErrParameter))
		}
		if f.Name == "workers" && p.Workers < 0 {
			errs = append(errs, fmt.Errorf("--workers %s: %w: want ≥ 0", f.Value, ot.ErrParameter))
		}
	})
	if len(errs) > 0 {
		return errs[0] // one line: the first bad flag
	}
	return nil
}

// loadProblem reads the cost (or the two point clouds) and the weights.
func loadProblem(costPath, xPath, yPath, metricName string, p float64, aPath, bPath string) (*ot.Problem, error) {
	var c ot.Cost
	var names []string
	switch {
	case costPath != "" && (xPath != "" || yPath != ""):
		return nil, errors.New("give either --cost or --x and --y, not both")
	case costPath != "":
		rows, cols, data, err := readMatrix(costPath)
		if err != nil {
			return nil, err
		}
		if c, err = ot.NewDenseCost(rows, cols, data); err != nil {
			return nil, fmt.Errorf("%s: %w", costPath, err)
		}
		names = append(names, costPath)
	case xPath != "" && yPath != "":
		metric, err := ot.ParseMetric(metricName)
		if err != nil {
			return nil, err
		}
		pts := make([]*mat.Dense, 2)
		for k, path := range []string{xPath, yPath} {
			rows, cols, data, err := readMatrix(path)
			if err != nil {
				return nil, err
			}
			if rows == 0 || cols == 0 {
				return nil, fmt.Errorf("%s: %w: no points", path, ot.ErrEmpty)
			}
			pts[k] = mat.NewDense(rows, cols, data)
		}
		c = &ot.PointCloud{X: pts[0], Y: pts[1], Metric: metric, P: p}
		names = append(names, xPath, yPath)
	default:
		return nil, errors.New("no problem given: use --cost C.npy, or --x X.npy --y Y.npy")
	}
	prob := ot.NewProblem(c)
	for _, w := range []struct {
		path string
		dst  *[]float64
	}{{aPath, &prob.A}, {bPath, &prob.B}} {
		if w.path == "" {
			continue
		}
		v, err := readVector(w.path)
		if err != nil {
			return nil, err
		}
		*w.dst = v
		names = append(names, w.path)
	}
	if err := prob.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", strings.Join(names, ", "), err)
	}
	return prob, nil
}
