// Command monge benchmarks package monge: the entropic map's throughput
// (10 000 queries against 5 000 targets in d = 10) and the Monge-gap map
// fits of the Gaussian tasks in d = 2 and d = 5 (2 000 samples per side),
// with their wall time, the share of Sinkhorn solves that converged and the
// relative L2 error to the closed-form map on 2 000 fresh samples. The
// seeds are held out: the tests of package monge use others.
//
// The fits print, with -every, the error every few epochs and, at the end,
// the least-squares affine part of the fitted map and its non-affine
// remainder. The recommended settings for these near-affine tasks are
// -linear -wd 2 (bench/results/monge.md).
//
//	go run ./bench/monge [-task all|map|fit2|fit5] [-workers N] [-epochs N] [-batch B] [-lr R] [-seed S]
//	    [-lambda L] [-epsgap E] [-epsfit E] [-hidden 64,64] [-linear] [-linrate R] [-wd W] [-cross]
//	    [-epsfitfinal F] [-epsgapfinal F] [-lambdafinal F] [-avg F] [-finalrate F] [-every N] [-cpuprofile FILE]
package main

import (
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/otkit/otkit/internal/otest"
	"github.com/otkit/otkit/monge"
)

func main() {
	task := flag.String("task", "all", "all, map, fit2 or fit5")
	workers := flag.Int("workers", 1, "goroutines")
	epochs := flag.Int("epochs", 150, "epochs of the fits (2 000 samples: ⌈2000/batch⌉ steps each)")
	batch := flag.Int("batch", 256, "batch size of the fits")
	lr := flag.Float64("lr", 3e-3, "initial Adam step of the fits (cosine decay to 1%)")
	lambda := flag.Float64("lambda", 1, "Monge-gap weight λ")
	seed := flag.Uint64("seed", 101, "seed of the samples and of the fit")
	epsGap := flag.Float64("epsgap", 0, "ε of the Monge gap (0: the default, 0.05·std of the first batches' cost)")
	epsFit := flag.Float64("epsfit", 0, "ε of the fitting loss (0: the default, 0.1·mean ‖y−y'‖² of the first batch)")
	every := flag.Int("every", 0, "print the error every this many epochs (0: never)")
	hidden := flag.String("hidden", "64,64", "hidden widths of the fitted MLP (empty: an affine map)")
	linRate := flag.Float64("linrate", 0, "learning rate of the linear term as a multiple of -lr (0: the default 10)")
	wd := flag.Float64("wd", 0, "decoupled weight decay of the MLP weights (0: none)")
	finalRate := flag.Float64("finalrate", 0, "final learning rate as a fraction of -lr (0: the default 1%)")
	avgTail := flag.Float64("avg", 0, "fraction of the final steps averaged into the map (0: none)")
	cross := flag.Bool("cross", false, "cross-batch self terms of the fitting loss")
	linear := flag.Bool("linear", false, "learned linear term Ax in the map")
	epsFitFinal := flag.Float64("epsfitfinal", 0, "ε_fit at the last step as a fraction of the first (0: constant)")
	epsGapFinal := flag.Float64("epsgapfinal", 0, "ε_gap at the last step as a fraction of the first (0: constant)")
	lambdaFinal := flag.Float64("lambdafinal", 0, "λ at the last step as a fraction of the first (0: constant)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile to this file")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			panic(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			panic(err)
		}
		defer pprof.StopCPUProfile()
	}
	if *task == "all" || *task == "map" {
		entropicMap(*workers)
	}
	hid := []int{} // empty: an affine map (nil would mean the default widths)
	for _, w := range strings.Split(*hidden, ",") {
		if w = strings.TrimSpace(w); w != "" {
			v, err := strconv.Atoi(w)
			if err != nil {
				panic(err)
			}
			hid = append(hid, v)
		}
	}
	for _, d := range []int{2, 5} {
		if *task == "all" || *task == fmt.Sprintf("fit%d", d) {
			fitGaussian(d, *workers, *every, *seed, monge.FitSettings{Hidden: hid, Lambda: *lambda, Epochs: *epochs, BatchSize: *batch,
				LearningRate: *lr, EpsGap: *epsGap, EpsFit: *epsFit, Linear: *linear, CrossBatch: *cross, AverageTail: *avgTail, WeightDecay: *wd, LinearRate: *linRate, FinalRate: *finalRate,
				EpsFitFinal: *epsFitFinal, EpsGapFinal: *epsGapFinal, LambdaFinal: *lambdaFinal})
		}
	}
}

// entropicMap: 5 000 × 5 000 samples, 10 000 queries, d = 10.
func entropicMap(workers int) {
	rng := rand.New(rand.NewPCG(1, 2))
	shift := make([]float64, 10)
	shift[0] = 2
	x, y := otest.GaussianClouds(rng, 5000, 5000, 10, shift)
	q, _ := otest.GaussianClouds(rng, 10000, 1, 10, nil)
	start := time.Now()
	tm, err := monge.NewEntropicMap(nil, x, y, &monge.MapSettings{Workers: workers})
	if err != nil {
		panic(err)
	}
	fit := time.Since(start)
	start = time.Now()
	if _, err := tm.Apply(nil, q); err != nil {
		panic(err)
	}
	app := time.Since(start)
	fmt.Printf("entropic map d=10, 5000 targets: solve %.2fs (%v, %d iterations, ε %.3g); 10000 queries %.2fs = %.0f points/s (workers %d)\n",
		fit.Seconds(), tm.Result().Status, tm.Result().Iterations, tm.Eps(), app.Seconds(), 10000/app.Seconds(), workers)
}

// fitGaussian: μ = N(0, I_d), ν = N(1, diag(σ²)) (d = 5) or the rotated
// pair of d = 2 (μ = N(0, [[2,1],[1,2]]), ν = N((1,2), diag(1,4))); the
// Brenier map is affine, T(x) = m + M x.
func fitGaussian(d, workers, every int, seed uint64, set monge.FitSettings) {
	rng := rand.New(rand.NewPCG(seed, uint64(d)))
	var L, M *mat.Dense // source factor (x = L u) and Brenier slope
	m := make([]float64, d)
	if d == 2 {
		a, b := (math.Sqrt(3)+1)/2, (math.Sqrt(3)-1)/2
		L = mat.NewDense(2, 2, []float64{a, b, b, a})
		M = mat.NewDense(2, 2, []float64{0.8043479730, -0.2806492824, -0.2806492824, 1.5334961975})
		m = []float64{1, 2}
	} else {
		sig := []float64{0.5, 1, 1.5, 2, 0.8}
		L, M = mat.NewDense(d, d, nil), mat.NewDense(d, d, nil)
		for k := 0; k < d; k++ {
			L.Set(k, k, 1)
			M.Set(k, k, sig[k])
			m[k] = 1
		}
	}
	draw := func(n int, target bool) *mat.Dense {
		u := mat.NewDense(n, d, nil)
		for i := range u.RawMatrix().Data {
			u.RawMatrix().Data[i] = rng.NormFloat64()
		}
		var x mat.Dense
		x.Mul(u, L.T())
		if target {
			x.Mul(&x, M.T())
			for i := 0; i < n; i++ {
				floats.Add(x.RawRowView(i), m)
			}
		}
		return &x
	}
	xs, ys, qs := draw(2000, false), draw(2000, true), draw(2000, false)
	start := time.Now()
	set.Workers, set.Seed = workers, seed
	if every > 0 {
		set.Progress = func(r monge.Record) {
			if r.Epoch%every == 0 {
				fmt.Printf("  epoch %d: error %.4f, fit %.4g, gap excess %.4g (ε_fit %.3g, ε_gap %.3g, λ %.3g)\n",
					r.Epoch, relErr(r.Map, qs, M, m), r.Fit, r.GapExcess, r.EpsFit, r.EpsGap, r.Lambda)
			}
		}
	}
	f, err := monge.Fit(nil, xs, ys, &set)
	if err != nil {
		panic(err)
	}
	wall := time.Since(start)
	last := f.History[len(f.History)-1]
	affineReport(f.Map, qs, M, m)
	fmt.Printf("fit Gaussian d=%d, 2000 samples, batch %d, λ %g→%.3g, lr %g, hidden %v, linear %v, cross %v, averaged tail %g, weight decay %g, linear rate %g, final rate %g: %d steps in %.1fs (workers %d), relative L2 error %.4f, solves converged %d/%d (ε_fit %.3g→%.3g, ε_gap %.3g→%.3g, seed %d)\n",
		d, set.BatchSize, set.Lambda, last.Lambda, set.LearningRate, set.Hidden, set.Linear, set.CrossBatch, set.AverageTail, set.WeightDecay, set.LinearRate, set.FinalRate, f.Steps, wall.Seconds(), workers, relErr(f.Map, qs, M, m),
		f.Solves-f.Unconverged, f.Solves, f.EpsFit, last.EpsFit, f.EpsGap, last.EpsGap, seed)
}

// affineReport prints the least-squares affine part c + Jq of the fitted
// map on the queries: diag(J) against diag(M), ‖J − M‖_F/‖M‖_F, and the
// relative L2 size of the non-affine remainder.
func affineReport(f *monge.MLP, qs, M *mat.Dense, m []float64) {
	n, d := qs.Dims()
	tq, err := f.Apply(qs)
	if err != nil {
		panic(err)
	}
	X := mat.NewDense(n, d+1, nil)
	for i := 0; i < n; i++ {
		X.Set(i, 0, 1)
		for k := 0; k < d; k++ {
			X.Set(i, k+1, qs.At(i, k))
		}
	}
	var B mat.Dense // (d+1)×d: row 0 = c, rows 1.. = Jᵀ
	if err := B.Solve(X, tq); err != nil {
		panic(err)
	}
	J := mat.DenseCopyOf(B.Slice(1, d+1, 0, d).T())
	var res, diff mat.Dense
	res.Mul(X, &B)
	res.Sub(tq, &res)
	diff.Sub(J, M)
	diag := make([]float64, d)
	want := make([]float64, d)
	for k := range diag {
		diag[k], want[k] = J.At(k, k), M.At(k, k)
	}
	fmt.Printf("  affine part: diag J %.4f (true %.4f), ‖J−M‖_F/‖M‖_F %.4f, intercept error %.4f, non-affine remainder %.4f (relative L2)\n",
		diag, want, mat.Norm(&diff, 2)/mat.Norm(M, 2), floats.Distance(B.RawRowView(0), m, 2), mat.Norm(&res, 2)/math.Sqrt(float64(n)*sumVar(qs, M)))
}

// sumVar returns tr(M Cov(q) Mᵀ) estimated on the queries.
func sumVar(qs, M *mat.Dense) float64 {
	n, d := qs.Dims()
	var t mat.Dense
	t.Mul(qs, M.T())
	var v float64
	for k := 0; k < d; k++ {
		col := mat.Col(nil, k, &t)
		mean := floats.Sum(col) / float64(n)
		for _, x := range col {
			v += (x - mean) * (x - mean) / float64(n)
		}
	}
	return v
}

// relErr is the relative L2 error of the map on the queries qs against the
// closed form T(x) = m + Mx: sqrt(Σ‖T̂ − T‖² / Σ‖T − mean T‖²).
func relErr(f *monge.MLP, qs, M *mat.Dense, m []float64) float64 {
	n, d := qs.Dims()
	tq, err := f.Apply(qs)
	if err != nil {
		panic(err)
	}
	var want mat.Dense
	want.Mul(qs, M.T())
	var num, den float64
	mean := make([]float64, d)
	for i := 0; i < n; i++ {
		floats.Add(want.RawRowView(i), m)
		for k := 0; k < d; k++ {
			mean[k] += want.At(i, k) / float64(n)
		}
	}
	for i := 0; i < n; i++ {
		for k := 0; k < d; k++ {
			e, c := tq.At(i, k)-want.At(i, k), want.At(i, k)-mean[k]
			num += e * e
			den += c * c
		}
	}
	return math.Sqrt(num / den)
}
