package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distmat"
	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"

	"github.com/otkit/otkit/internal/parallel"
	"github.com/otkit/otkit/inverse"
	"github.com/otkit/otkit/ot"
)

const experimentInverseSummary = "support recovery of ℓ1 inverse OT vs samples and ε on the ring-graph Gaussian setting (markdown table)"

func init() {
	registerCommand(command{Name: "experiment-inverse", Summary: experimentInverseSummary, Run: runExperimentInverse})
}

const experimentInverseHelp = `The truth is A0 = L_ring + δI on d nodes (2 + δ on the diagonal, −1 between ring neighbours), the cost
c(x, y) = −xᵀA0y between N(0, I) and N(0, I) (docs/inverse.md §9). For every trial, n pairs are drawn from the
entropic coupling at ε (its cross-covariance in closed form), and the Gaussian-parametric estimator (FitGaussian)
is fitted to their cross moment at λ = c·sqrt(2 log(d²))·n^(−alpha): with alpha < 1/2, λ → 0 and λ·sqrt(n) → ∞,
the regime where the certificate decides recovery (alpha = 1/2 is the classical rule c·sqrt(2 log(d²)/n), under
which the chance of a false entry tends to a constant). A trial recovers the support when sign(Â) = sign(A0) for
all d² entries. The certificate max off-support |z| of A0 at ε (Nondegenerate when < 1) is printed alongside.
Trials share their draws across ε and n (the first n pairs of one stream), so cells differ by the model only;
the cross moments are drawn exactly (Wishart increments), so a trial's cost does not depend on n.
--json prints one object per (ε, n): {"eps", "certificate", "nondegenerate", "n", "lambda", "trials",
"recovered", "rate", "median_rel_error" (‖Â − A0‖_F/‖A0‖_F), "converged"}.
--plot: a .png or .svg picture of the recovery rate vs n (one line per ε) and vs ε (one line per n).
`

// experimentInverseCell is one (ε, n) cell of `otkit experiment-inverse --json`.
type experimentInverseCell struct {
	Eps           float64   `json:"eps"`
	Certificate   jsonFloat `json:"certificate"`
	Nondegenerate bool      `json:"nondegenerate"`
	N             int       `json:"n"`
	Lambda        jsonFloat `json:"lambda"`
	Trials        int       `json:"trials"`
	Recovered     int       `json:"recovered"`
	Rate          float64   `json:"rate"`
	RelError      jsonFloat `json:"median_rel_error"`
	Converged     int       `json:"converged"`
}

// parseList parses a comma-separated list of numbers for flag name.
func parseList(name, s string, ok func(float64) bool, want string) ([]float64, error) {
	var out []float64
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || !ok(v) {
			return nil, usagef("--%s %q: %w: want a comma-separated list of %s", name, s, ot.ErrParameter, want)
		}
		out = append(out, v)
	}
	return out, nil
}

// ringGraph returns A0 = L_ring + δI on d nodes.
func ringGraph(d int, delta float64) *mat.Dense {
	a := mat.NewDense(d, d, nil)
	for i := 0; i < d; i++ {
		a.Set(i, i, 2+delta)
		a.Set(i, (i+1)%d, a.At(i, (i+1)%d)-1)
		a.Set(i, (i+d-1)%d, a.At(i, (i+d-1)%d)-1)
	}
	return a
}

// crossMoments returns, for every n of ns (increasing), Sxx = (1/n) Σ x xᵀ
// and Sxz = (1/n) Σ x zᵀ over the first n of a stream of pairs of
// independent standard normal vectors x, z ∈ R^d. With y = Σᵀx + Lz
// (LLᵀ = I − ΣᵀΣ) the pairs (x, y) follow the coupling of cross-covariance Σ
// and their cross moment is Sxx Σ + Sxz Lᵀ: one draw serves every ε.
//
// The sums are drawn exactly in distribution without the samples: the
// increment between two n of the grid, over k more pairs, is
// Σ x xᵀ = W ~ Wishart(I, k) and Σ x zᵀ = R G with RRᵀ = W and G a d×d
// standard normal matrix independent of W (for k < 2d the pairs themselves
// are drawn). A trial's cost does not depend on n.
func crossMoments(rng *rand.Rand, d int, ns []int) (sxx, sxz []*mat.Dense) {
	accXX, accXZ := mat.NewDense(d, d, nil), mat.NewDense(d, d, nil)
	eye := mat.NewDiagDense(d, nil)
	for k := 0; k < d; k++ {
		eye.SetDiag(k, 1)
	}
	g := mat.NewDense(d, d, nil)
	done := 0
	for _, n := range ns {
		if k := n - done; k < 2*d {
			xx, zz := mat.NewVecDense(d, nil), mat.NewVecDense(d, nil)
			for ; done < n; done++ {
				for i := 0; i < d; i++ {
					xx.SetVec(i, rng.NormFloat64())
					zz.SetVec(i, rng.NormFloat64())
				}
				accXX.RankOne(accXX, 1, xx, xx)
				accXZ.RankOne(accXZ, 1, xx, zz)
			}
		} else {
			w, ok := distmat.NewWishart(eye, float64(k), rng)
			if !ok {
				panic("experiment-inverse: identity shape matrix rejected")
			}
			var ch mat.Cholesky
			w.RandCholTo(&ch)
			var r mat.TriDense
			ch.LTo(&r)
			var inc mat.Dense
			inc.Mul(&r, r.T())
			accXX.Add(accXX, &inc)
			for i := 0; i < d; i++ {
				for j := 0; j < d; j++ {
					g.Set(i, j, rng.NormFloat64())
				}
			}
			inc.Mul(&r, g)
			accXZ.Add(accXZ, &inc)
			done = n
		}
		a, b := mat.NewDense(d, d, nil), mat.NewDense(d, d, nil)
		a.Scale(1/float64(n), accXX)
		b.Scale(1/float64(n), accXZ)
		sxx, sxz = append(sxx, a), append(sxz, b)
	}
	return sxx, sxz
}

func runExperimentInverse(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cf common
	fs := newFlagSet("experiment-inverse", &cf)
	var (
		d        = fs.Int("d", 10, "nodes of the ring graph (A0 is d × d)")
		delta    = fs.Float64("delta", 0.1, "shift δ of the Laplacian, A0 = L_ring + δI")
		epsList  = fs.String("eps", "0.1,1,2,5,10", "comma-separated values of ε")
		nList    = fs.String("n", "100,1000,10000,100000,1000000,10000000,100000000", "comma-separated increasing numbers of samples")
		trials   = fs.Int("trials", 20, "Monte-Carlo trials per cell")
		cLambda  = fs.Float64("c", 0.5, "λ = c·sqrt(2 log(d²))·n^(−alpha)")
		alpha    = fs.Float64("alpha", 1.0/3, "λ = c·sqrt(2 log(d²))·n^(−alpha), alpha in (0, 1/2]")
		seed     = fs.Int64("seed", 1, "seed of the trials (trial t draws from PCG(seed, t))")
		plotPath = fs.String("plot", "", "draw the recovery rate vs n and vs ε as a .png or .svg picture")
	)
	if err := parse(fs, &cf, args, stdout, experimentInverseSummary, experimentInverseHelp); err != nil {
		return err
	}
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	switch {
	case *d < 3 || *d > 40:
		return usagef("--d %d: %w: want an integer in [3, 40]", *d, ot.ErrParameter)
	case !(*delta > 0 && finite(*delta)):
		return usagef("--delta %v: %w: want a finite number > 0", *delta, ot.ErrParameter)
	case *trials < 1:
		return usagef("--trials %d: %w: want an integer ≥ 1", *trials, ot.ErrParameter)
	case !(*cLambda > 0 && finite(*cLambda)):
		return usagef("--c %v: %w: want a finite number > 0", *cLambda, ot.ErrParameter)
	case !(*alpha > 0 && *alpha <= 0.5):
		return usagef("--alpha %v: %w: want a number in (0, 1/2]", *alpha, ot.ErrParameter)
	}
	epss, err := parseList("eps", *epsList, func(v float64) bool { return v > 0 && finite(v) }, "finite numbers > 0")
	if err != nil {
		return err
	}
	nsF, err := parseList("n", *nList, func(v float64) bool { return v >= 1 && v <= 1e12 && v == math.Trunc(v) }, "integers in [1, 1e12]")
	if err != nil {
		return err
	}
	ns := make([]int, len(nsF))
	for i, v := range nsF {
		ns[i] = int(v)
		if i > 0 && ns[i] <= ns[i-1] {
			return usagef("--n %q: %w: want increasing numbers", *nList, ot.ErrParameter)
		}
	}
	if *plotPath != "" {
		if err := checkPlotPath(*plotPath); err != nil {
			return err
		}
	}
	start := time.Now()
	a0 := ringGraph(*d, *delta)
	a0n := mat.Norm(a0, 2)
	dd := *d
	type model struct{ sigma, l *mat.Dense }
	models := make([]model, len(epss))
	certs := make([]*inverse.Certificate, len(epss))
	for i, eps := range epss {
		sig, err := inverse.GaussianCrossCov(a0, nil, nil, eps)
		if err != nil {
			return err
		}
		// L = chol(I − ΣᵀΣ), the conditional covariance of y given x.
		cond := mat.NewSymDense(dd, nil)
		cond.SymOuterK(-1, sig.T())
		for k := 0; k < dd; k++ {
			cond.SetSym(k, k, 1+cond.At(k, k))
		}
		var ch mat.Cholesky
		if !ch.Factorize(cond) {
			return fmt.Errorf("ε = %g: the coupling is degenerate (I − ΣᵀΣ not positive definite)", eps)
		}
		var l mat.TriDense
		ch.LTo(&l)
		models[i] = model{sig, mat.DenseCopyOf(&l)}
		if certs[i], err = inverse.GaussianCertificate(a0, nil, nil, eps, nil); err != nil {
			return err
		}
	}
	lambdas := make([]float64, len(ns))
	for j, n := range ns {
		lambdas[j] = *cLambda * math.Sqrt(2*math.Log(float64(dd*dd))) * math.Pow(float64(n), -*alpha)
	}
	// Per trial t, cell (i, j): recovered, converged, relative error.
	type cellOut struct {
		ok, conv bool
		rel      float64
	}
	outs := make([][]cellOut, *trials)
	errs := make([]error, *trials)
	workers := max(1, cf.Workers)
	parallel.For(workers, *trials, func(_, t int) {
		rng := rand.New(rand.NewPCG(uint64(*seed), uint64(t)))
		sxx, sxz := crossMoments(rng, dd, ns)
		res := make([]cellOut, len(epss)*len(ns))
		for i, eps := range epss {
			for j := range ns {
				if err := ctx.Err(); err != nil {
					errs[t] = err
					return
				}
				var sh, tmp mat.Dense
				sh.Mul(sxx[j], models[i].sigma)
				tmp.Mul(sxz[j], models[i].l.T())
				sh.Add(&sh, &tmp)
				e := inverse.Estimator{Epsilon: eps, Lambda: lambdas[j]}
				est, err := e.FitGaussian(ctx, &sh, nil, nil)
				if err != nil {
					errs[t] = err
					return
				}
				ok := true
				for k, v := range a0.RawMatrix().Data {
					if est.Signs[k] != int8(sgn(v)) {
						ok = false
						break
					}
				}
				var diff mat.Dense
				diff.Sub(est.Params, a0)
				res[i*len(ns)+j] = cellOut{ok: ok, conv: est.Status == ot.Converged, rel: mat.Norm(&diff, 2) / a0n}
			}
		}
		outs[t] = res
	})
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	cells := make([]experimentInverseCell, 0, len(epss)*len(ns))
	for i, eps := range epss {
		for j, n := range ns {
			c := experimentInverseCell{Eps: eps, Certificate: jsonFloat(certs[i].MaxOff), Nondegenerate: certs[i].Nondegenerate,
				N: n, Lambda: jsonFloat(lambdas[j]), Trials: *trials}
			rel := make([]float64, len(outs))
			for t := range outs {
				o := outs[t][i*len(ns)+j]
				if o.ok {
					c.Recovered++
				}
				if o.conv {
					c.Converged++
				}
				rel[t] = o.rel
			}
			c.Rate = float64(c.Recovered) / float64(*trials)
			sort.Float64s(rel)
			c.RelError = jsonFloat((rel[(len(rel)-1)/2] + rel[len(rel)/2]) / 2)
			cells = append(cells, c)
		}
	}
	secs := time.Since(start).Seconds()
	if cf.JSON {
		enc := json.NewEncoder(stdout)
		for _, c := range cells {
			if err := enc.Encode(c); err != nil {
				return err
			}
		}
	} else {
		printInverseTable(stdout, cells, epss, ns, dd, *delta, *trials, *cLambda, *alpha, secs)
	}
	if *plotPath != "" {
		return plotInverseRecovery(*plotPath, cells, epss, ns, dd, *delta, *trials)
	}
	return nil
}

func sgn(v float64) int {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

// printInverseTable prints the cells as a markdown table, one row per ε.
func printInverseTable(w io.Writer, cells []experimentInverseCell, epss []float64, ns []int, d int, delta float64, trials int, c, alpha, secs float64) {
	fmt.Fprintf(w, "Ring graph d = %d, A0 = L + %gI, Gaussian estimator, λ = %g·sqrt(2 log(d²))·n^(−%.4g), %d trials per cell: exact sign recoveries of all %d entries (median ‖Â − A0‖_F/‖A0‖_F).\n\n",
		d, delta, c, alpha, trials, d*d)
	fmt.Fprint(w, "| ε | certificate (max off-support abs z) |")
	for _, n := range ns {
		fmt.Fprintf(w, " n = %d |", n)
	}
	fmt.Fprint(w, "\n|---|---|")
	for range ns {
		fmt.Fprint(w, "---|")
	}
	fmt.Fprintln(w)
	for i, eps := range epss {
		row := cells[i*len(ns) : (i+1)*len(ns)]
		kind := "degenerate"
		if row[0].Nondegenerate {
			kind = "nondegenerate"
		}
		fmt.Fprintf(w, "| %g | %.4f (%s) |", eps, float64(row[0].Certificate), kind)
		for _, c := range row {
			fmt.Fprintf(w, " %d/%d (%.3f) |", c.Recovered, c.Trials, float64(c.RelError))
		}
		fmt.Fprintln(w)
	}
	unconv := 0
	for _, c := range cells {
		unconv += c.Trials - c.Converged
	}
	fmt.Fprintf(w, "\n%d of %d fits not Converged; %.1f s.\n", unconv, len(cells)*trials, secs)
}

// plotInverseRecovery draws the recovery rate vs n (one line per ε) and vs ε
// (one line per n) side by side into the picture file path.
func plotInverseRecovery(path string, cells []experimentInverseCell, epss []float64, ns []int, d int, delta float64, trials int) error {
	style := func(p *gplot.Plot, title, x string, xs []float64) {
		p.Title.Text = title
		p.X.Label.Text = x
		p.Y.Label.Text = "sign recovery rate"
		p.X.Scale = gplot.LogScale{}
		p.X.Tick.Marker = gplot.LogTicks{Prec: -1}
		p.X.Min, p.X.Max = slices.Min(xs)/1.25, slices.Max(xs)*1.25
		p.Y.Min, p.Y.Max = -0.02, 1.02
		// Between the rates 0 and 1, where the lines cross least.
		p.Legend.YOffs = vg.Points(45)
		p.Add(plotter.NewGrid())
	}
	addLine := func(p *gplot.Plot, k int, name string, xs, ys []float64) error {
		pts := make(plotter.XYs, len(xs))
		for i := range xs {
			pts[i].X, pts[i].Y = xs[i], ys[i]
		}
		l, s, err := plotter.NewLinePoints(pts)
		if err != nil {
			return err
		}
		c := plotutil.Color(k)
		l.Color, s.Color = c, c
		l.Width = vg.Points(1.5)
		s.Shape = plotutil.Shape(k)
		p.Add(l, s)
		p.Legend.Add(name, l, s)
		return nil
	}
	vsN := gplot.New()
	nsF := make([]float64, len(ns))
	for j, n := range ns {
		nsF[j] = float64(n)
	}
	style(vsN, fmt.Sprintf("ring d = %d, δ = %g: recovery vs n (%d trials)", d, delta, trials), "samples n", nsF)
	for i, eps := range epss {
		xs, ys := make([]float64, len(ns)), make([]float64, len(ns))
		for j, n := range ns {
			xs[j], ys[j] = float64(n), cells[i*len(ns)+j].Rate
		}
		name := fmt.Sprintf("ε = %g (max|z| = %.2f)", eps, float64(cells[i*len(ns)].Certificate))
		if err := addLine(vsN, i, name, xs, ys); err != nil {
			return fmt.Errorf("--plot %s: %w", path, err)
		}
	}
	vsEps := gplot.New()
	style(vsEps, "recovery vs ε", "ε", epss)
	vsEps.Legend.Left = true
	for j, n := range ns {
		xs, ys := make([]float64, len(epss)), make([]float64, len(epss))
		for i, eps := range epss {
			xs[i], ys[i] = eps, cells[i*len(ns)+j].Rate
		}
		if err := addLine(vsEps, j, fmt.Sprintf("n = %d", n), xs, ys); err != nil {
			return fmt.Errorf("--plot %s: %w", path, err)
		}
	}
	return writePicture(path, 0, 0, 0, vsN, vsEps)
}
