package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/otkit/otkit/inverse"
	"github.com/otkit/otkit/ot"
	"github.com/otkit/otkit/plot"
)

const inverseSummaryText = "recover a sparse bilinear cost −xᵀAy from observed pairs or a coupling (ℓ1 inverse OT)"

func init() {
	registerCommand(command{Name: "inverse", Summary: inverseSummaryText, Run: runInverse})
}

// inverseFit is the JSON object of one fit: `otkit inverse --json` prints one
// per λ (one line each).
type inverseFit struct {
	Lambda     jsonFloat     `json:"lambda"`
	LambdaMax  jsonFloat     `json:"lambda_max"`
	Estimate   [][]jsonFloat `json:"estimate"` // A, dx × dy
	Support    [][2]int      `json:"support"`  // (row, column) of the nonzero entries of A
	Loss       jsonFloat     `json:"loss"`
	KKT        jsonFloat     `json:"kkt"`
	Status     string        `json:"status"`
	Iterations int           `json:"iterations"`
	Seconds    float64       `json:"seconds"`
}

const inverseHelp = `rows of --x and --y are observed pairs (same number of rows), or with --coupling P (n × m) the
observed coupling between the points --x (n rows) and --y (m rows). The cost is c_A(x, y) = −xᵀAy
(A_kl > 0 rewards pairing large x_k with large y_l). Give --lambda for one fit or --path N for N values
of λ from λ_max down to --min-ratio · λ_max; --json prints one object per fit: {"lambda", "lambda_max",
"estimate": A as nested arrays, "support": [[k, l], …], "loss", "kkt", "status", "iterations", "seconds"}.
--plot (with --path): a .png or .svg picture of every entry A_kl against λ (log axis), checked before fitting.
`

func runInverse(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c common
	fs := newFlagSet("inverse", &c)
	var (
		xPath    = fs.String("x", "", "points x (rows) as .npy or .csv; required")
		yPath    = fs.String("y", "", "points y (rows) as .npy or .csv; required")
		pPath    = fs.String("coupling", "", "observed coupling P (n × m) as .npy or .csv; default: the rows are pairs")
		eps      = fs.Float64("eps", 0, "entropic regularization ε of the model; required")
		lambda   = fs.Float64("lambda", 0, "ℓ1 weight λ ≥ 0 (exclusive with --path)")
		pathN    = fs.Int("path", 0, "number of λ values of a regularization path (exclusive with --lambda)")
		minRatio = fs.Float64("min-ratio", 0, "λ_min/λ_max of --path (default 1e-3)")
		tol      = fs.Float64("tol", 0, "KKT tolerance relative to λ_max (default 1e-7)")
		maxIter  = fs.Int("max-iter", 0, "outer steps per fit (default 5000)")
		strictOn = fs.Bool("strict", false, "exit with status 3 when a fit does not end Converged")
		plotPath = fs.String("plot", "", "with --path: draw the entries of A against λ as a .png or .svg picture")
	)
	if err := parse(fs, &c, args, stdout, inverseSummaryText, inverseHelp); err != nil {
		return err
	}
	set := given(fs)
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	switch {
	case *xPath == "" || *yPath == "":
		return usagef("--x and --y are required")
	case !set["eps"]:
		return usagef("--eps is required")
	case !(*eps > 0 && finite(*eps)):
		return usagef("--eps %v: %w: want a finite number > 0", *eps, ot.ErrParameter)
	case set["lambda"] == set["path"]:
		return usagef("give exactly one of --lambda and --path")
	case set["lambda"] && !(*lambda >= 0 && finite(*lambda)):
		return usagef("--lambda %v: %w: want a finite number ≥ 0", *lambda, ot.ErrParameter)
	case set["path"] && *pathN < 1:
		return usagef("--path %d: %w: want an integer ≥ 1", *pathN, ot.ErrParameter)
	case set["min-ratio"] && !set["path"]:
		return usagef("--min-ratio is used with --path only")
	case set["min-ratio"] && !(*minRatio > 0 && *minRatio < 1):
		return usagef("--min-ratio %v: %w: want a number in (0, 1)", *minRatio, ot.ErrParameter)
	case set["tol"] && !(*tol > 0 && finite(*tol)):
		return usagef("--tol %v: %w: want a finite number > 0", *tol, ot.ErrParameter)
	case set["max-iter"] && *maxIter < 1:
		return usagef("--max-iter %d: %w: want an integer ≥ 1", *maxIter, ot.ErrParameter)
	case *plotPath != "" && !set["path"]:
		return usagef("--plot is used with --path only")
	}
	if *plotPath != "" {
		if err := checkPlotPath(*plotPath); err != nil {
			return err
		}
	}
	load := func(path string) (*mat.Dense, error) {
		r, cc, data, err := readMatrix(path)
		if err != nil {
			return nil, err
		}
		return mat.NewDense(r, cc, data), nil
	}
	x, err := load(*xPath)
	if err != nil {
		return err
	}
	y, err := load(*yPath)
	if err != nil {
		return err
	}
	d := inverse.Pairs(x, y)
	if *pPath != "" {
		if d.Coupling, err = load(*pPath); err != nil {
			return err
		}
	}
	e := inverse.Estimator{Epsilon: *eps, Lambda: *lambda, Tol: *tol, MaxIter: *maxIter, Workers: c.Workers}
	var prog *progressLine
	if !c.Quiet && isTerminal(os.Stderr) {
		prog = newProgressLine(stderr)
		e.Progress = prog.update
	}
	start := time.Now()
	var fits []*inverse.Estimate
	var lmax float64
	if set["path"] {
		p, err := e.Path(ctx, d, inverse.PathSettings{N: *pathN, MinRatio: *minRatio})
		prog.finish()
		if err != nil {
			return err
		}
		fits, lmax = p.Estimates, p.LambdaMax
	} else {
		lm, err := e.LambdaMax(ctx, d)
		if err != nil {
			prog.finish()
			return err
		}
		est, err := e.Fit(ctx, d)
		prog.finish()
		if err != nil {
			return err
		}
		fits, lmax = []*inverse.Estimate{est}, lm
	}
	secs := time.Since(start).Seconds()
	if *plotPath != "" {
		if err := plotInversePath(*plotPath, fits, *eps); err != nil {
			return err
		}
	}
	worst := ot.Converged
	enc := json.NewEncoder(stdout)
	for _, est := range fits {
		if est.Status != ot.Converged {
			worst = est.Status
		}
		r, cc := est.Params.Dims()
		f := inverseFit{Lambda: jsonFloat(est.Lambda), LambdaMax: jsonFloat(lmax), Estimate: make([][]jsonFloat, r),
			Support: [][2]int{}, Loss: jsonFloat(est.Loss), KKT: jsonFloat(est.KKT), Status: est.Status.String(),
			Iterations: est.Iterations, Seconds: secs}
		for i := 0; i < r; i++ {
			f.Estimate[i] = make([]jsonFloat, cc)
			for j := 0; j < cc; j++ {
				f.Estimate[i][j] = jsonFloat(est.Params.At(i, j))
			}
		}
		for _, k := range est.Support {
			f.Support = append(f.Support, [2]int{k / cc, k % cc})
		}
		if c.JSON {
			if err := enc.Encode(f); err != nil {
				return err
			}
			continue
		}
		fmt.Fprintf(stdout, "λ %.6g (λ_max %.6g)   status %s   iterations %d   loss %.10g   kkt %.3g   support %d\n",
			est.Lambda, lmax, f.Status, est.Iterations, est.Loss, est.KKT, len(est.Support))
		if !set["path"] {
			fmt.Fprintf(stdout, "A = %.6g\n", mat.Formatted(est.Params, mat.Prefix("    ")))
		}
	}
	return strict(*strictOn, worst)
}

// plotInversePath draws the entries of A along a path into the picture file
// path. A canceled path may hold no fit, which plot.Path reports as empty.
func plotInversePath(path string, fits []*inverse.Estimate, eps float64) error {
	lambdas := make([]float64, len(fits))
	coefs := make([][]float64, len(fits))
	for i, est := range fits {
		lambdas[i], coefs[i] = est.Lambda, est.Theta
	}
	var names []string
	if len(fits) > 0 {
		r, c := fits[0].Params.Dims()
		for k := 0; k < r*c && r*c <= 10; k++ {
			names = append(names, fmt.Sprintf("A[%d,%d]", k/c, k%c))
		}
	}
	p, err := plot.Path(lambdas, coefs, &plot.Options{
		Title: fmt.Sprintf("inverse OT regularization path, ε = %.4g", eps), Names: names})
	if err != nil {
		return fmt.Errorf("--plot %s: %w", path, err)
	}
	return writePicture(path, 0, 0, 0, p)
}
