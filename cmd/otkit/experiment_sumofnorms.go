package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/gonum/mat"
	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"

	"github.com/otkit/otkit/exact"
	"github.com/otkit/otkit/ot"
	"github.com/otkit/otkit/plot"
	"github.com/otkit/otkit/sinkhorn"
	"github.com/otkit/otkit/sumofnorms"
)

const sonExperimentSummary = "class-aware OT: class purity and label transfer vs λ for sum-of-norms, group lasso, entropic and exact OT on adversarial geometry"

func init() {
	registerCommand(command{Name: "experiment-sumofnorms", Summary: sonExperimentSummary, Run: runExperimentSumOfNorms})
}

// sonRow is one line of `otkit experiment-sumofnorms --json`: one method
// at one λ on one data set.
type sonRow struct {
	Data       string    `json:"data"`
	Method     string    `json:"method"`
	Lambda     jsonFloat `json:"lambda"`
	Purity     jsonFloat `json:"purity"`
	Accuracy   jsonFloat `json:"accuracy"`
	Status     string    `json:"status"`
	Iterations int       `json:"iterations"`
	Seconds    float64   `json:"seconds"`
}

const sonExperimentHelp = `Data (--data; sources labelled by class, targets by component; 2-D, squared Euclidean cost, uniform weights):
  segments  source class c along a horizontal segment, target component c along a short vertical one
            (sumofnorms.Segments: anisotropy, the classes far apart along the direction the targets ignore)
  rotated   Gaussian classes with unequal spreads (spread of class c grows with c in the sources, shrinks in the
            targets), centred along a line; the targets rotated by 60° and sheared (x += 0.6 y)
Translations alone never change a squared-Euclidean plan; the geometry acts through rotation, shear and spread.

At each λ of --lambdas, λ is every method's regularization weight in cost units: sum-of-norms λ (same-class
edges, PDHG to a relative duality gap of 1e-6), group lasso η (ε = 0.05·std(C), POT's sinkhorn_l1l2_gl as
package sumofnorms solves it), entropic OT ε (package sinkhorn); exact OT (package exact) has no λ.
purity: the plan's mass between a class and its own component; accuracy: target labels transferred by the
plan's class mass (argmax over classes), weighted by b.
--json prints one object per (data, method, λ): {"data", "method", "lambda", "purity", "accuracy", "status",
"iterations", "seconds"}. --plot draws purity and accuracy against λ (log axis), one panel pair per data set.
`

// sonMethods are the experiment's methods in table order.
var sonMethods = []string{"sumofnorms", "grouplasso", "entropic", "exact"}

func runExperimentSumOfNorms(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cf common
	fs := newFlagSet("experiment-sumofnorms", &cf)
	data := fs.String("data", "segments,rotated", "comma-separated data sets: segments, rotated")
	lambdaList := fs.String("lambdas", "0.01,0.03,0.1,0.3,1,3", "comma-separated λ > 0")
	perClass := fs.Int("per-class", 20, "points per class and domain")
	classes := fs.Int("classes", 3, "number of classes (≥ 2)")
	seed := fs.Uint64("seed", 1, "seed of the data")
	plotPath := fs.String("plot", "", "draw purity and accuracy against λ as a .png or .svg picture")
	if err := parse(fs, &cf, args, stdout, sonExperimentSummary, sonExperimentHelp); err != nil {
		return err
	}
	var lambdas []float64
	for _, f := range strings.Split(*lambdaList, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || !(v > 0) || math.IsInf(v, 0) {
			return usagef("--lambdas: %q: %w: want finite numbers > 0", f, ot.ErrParameter)
		}
		lambdas = append(lambdas, v)
	}
	sets := strings.Split(*data, ",")
	for _, d := range sets {
		if d != "segments" && d != "rotated" {
			return usagef("--data: unknown data set %q (want segments, rotated)", d)
		}
	}
	switch {
	case *perClass < 2:
		return usagef("--per-class %d: %w: want ≥ 2", *perClass, ot.ErrParameter)
	case *classes < 2:
		return usagef("--classes %d: %w: want ≥ 2", *classes, ot.ErrParameter)
	}
	if *plotPath != "" {
		if err := checkPlotPath(*plotPath); err != nil {
			return err
		}
	}
	out := stdout
	if cf.JSON {
		out = io.Discard
	}
	fmt.Fprintf(out, "%d classes × %d points per domain, seed %d; purity / label-transfer accuracy (1 = classes kept).\n",
		*classes, *perClass, *seed)
	var plots []*gplot.Plot
	for _, d := range sets {
		xs, xt, ys, yt := sonData(d, *seed, *perClass, *classes)
		rows, err := sonSweep(ctx, d, xs, xt, ys, yt, lambdas, cf.Workers)
		if err != nil {
			return err
		}
		if cf.JSON {
			enc := json.NewEncoder(stdout)
			for _, r := range rows {
				if err := enc.Encode(r); err != nil {
					return err
				}
			}
		} else {
			sonTable(out, d, lambdas, rows)
		}
		if *plotPath != "" {
			p, err := sonPlots(d, lambdas, rows)
			if err != nil {
				return err
			}
			plots = append(plots, p...)
		}
	}
	if *plotPath != "" {
		return writePicture(*plotPath, 2, 4.5*vg.Inch, 3.2*vg.Inch, plots...)
	}
	return nil
}

// sonData draws the data set name.
func sonData(name string, seed uint64, perClass, classes int) (xs, xt *mat.Dense, ys, yt []int) {
	if name == "segments" {
		return sumofnorms.Segments(seed, perClass, classes)
	}
	rng := rand.New(rand.NewPCG(seed, 0x707a7ed))
	n := perClass * classes
	xs, xt = mat.NewDense(n, 2, nil), mat.NewDense(n, 2, nil)
	ys, yt = make([]int, n), make([]int, n)
	th := 60 * math.Pi / 180
	cos, sin := math.Cos(th), math.Sin(th)
	for c := range classes {
		grow := 0.4 + 0.8*float64(c)/float64(classes-1) // source spread grows with c,
		shrink := 1.6 - grow                            // target spread shrinks
		for k := range perClass {
			i := c*perClass + k
			xs.Set(i, 0, 2.5*float64(c)+grow*rng.NormFloat64())
			xs.Set(i, 1, 0.5*grow*rng.NormFloat64())
			ys[i] = c
			u := 2.5*float64(c) + shrink*rng.NormFloat64()
			v := 0.5 * shrink * rng.NormFloat64()
			u += 0.6 * v // shear
			xt.Set(i, 0, cos*u-sin*v)
			xt.Set(i, 1, sin*u+cos*v)
			yt[i] = c
		}
	}
	return xs, xt, ys, yt
}

// sonSweep solves the problem of one data set with every method at every
// λ (exact OT once).
func sonSweep(ctx context.Context, name string, xs, xt *mat.Dense, ys, yt []int, lambdas []float64, workers int) ([]sonRow, error) {
	p := ot.NewProblem(&ot.PointCloud{X: xs, Y: xt})
	var rows []sonRow
	add := func(method string, lambda float64, s ot.Solver) error {
		start := time.Now()
		res, err := s.Solve(ctx, p)
		if err != nil {
			return fmt.Errorf("%s, %s, λ = %g: %w", name, method, lambda, err)
		}
		if res.Status == ot.Canceled {
			return ctx.Err()
		}
		rows = append(rows, sonRow{Data: name, Method: method, Lambda: jsonFloat(lambda),
			Purity: jsonFloat(sumofnorms.Purity(res.Plan, ys, yt)), Accuracy: jsonFloat(sumofnorms.TransferAccuracy(res.Plan, ys, yt)),
			Status: res.Status.String(), Iterations: res.Iterations, Seconds: time.Since(start).Seconds()})
		return nil
	}
	if err := add("exact", math.NaN(), &exact.Solver{}); err != nil {
		return nil, err
	}
	for _, l := range lambdas {
		for _, m := range []struct {
			name string
			s    ot.Solver
		}{
			{"sumofnorms", &sumofnorms.Solver{Lambda: l, Labels: ys, GapTol: 1e-6, MaxIter: 20000, Workers: workers}},
			{"grouplasso", &sumofnorms.GroupLasso{Eta: l, Labels: ys, Workers: workers}},
			{"entropic", &sinkhorn.Solver{Eps: l, Workers: workers}},
		} {
			if err := add(m.name, l, m.s); err != nil {
				return nil, err
			}
		}
	}
	return rows, nil
}

// sonFind returns the row of method at λ (exact: any λ).
func sonFind(rows []sonRow, method string, lambda float64) sonRow {
	for _, r := range rows {
		if r.Method == method && (method == "exact" || float64(r.Lambda) == lambda) {
			return r
		}
	}
	return sonRow{Purity: jsonFloat(math.NaN()), Accuracy: jsonFloat(math.NaN())}
}

// sonTable prints the markdown table of one data set: purity and accuracy
// of each method per λ.
func sonTable(w io.Writer, name string, lambdas []float64, rows []sonRow) {
	fmt.Fprintf(w, "\n%s:\n\n| λ |", name)
	for _, m := range sonMethods {
		fmt.Fprintf(w, " %s |", m)
	}
	fmt.Fprintln(w, " sumofnorms status, s |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|")
	for _, l := range lambdas {
		fmt.Fprintf(w, "| %g |", l)
		for _, m := range sonMethods {
			r := sonFind(rows, m, l)
			fmt.Fprintf(w, " %.3f / %.3f |", r.Purity, r.Accuracy)
		}
		r := sonFind(rows, "sumofnorms", l)
		fmt.Fprintf(w, " %s, %.2f |\n", r.Status, r.Seconds)
	}
}

// sonPlots draws purity and accuracy against λ for one data set.
func sonPlots(name string, lambdas []float64, rows []sonRow) ([]*gplot.Plot, error) {
	var out []*gplot.Plot
	for _, metric := range []string{"class-mass purity", "label-transfer accuracy"} {
		coefs := make([][]float64, len(lambdas))
		for k, l := range lambdas {
			coefs[k] = make([]float64, len(sonMethods))
			for c, m := range sonMethods {
				r := sonFind(rows, m, l)
				coefs[k][c] = float64(r.Purity)
				if metric != "class-mass purity" {
					coefs[k][c] = float64(r.Accuracy)
				}
			}
		}
		p, err := plot.Path(lambdas, coefs, &plot.Options{Title: name + ": " + metric, Names: sonMethods})
		if err != nil {
			return nil, err
		}
		p.Y.Label.Text = metric
		p.X.Label.Text = "λ (sum-of-norms λ, group-lasso η, entropic ε)"
		p.Y.Min, p.Y.Max = 0, 1.05
		out = append(out, p)
	}
	return out, nil
}
