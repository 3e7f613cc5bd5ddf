package stress

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime/debug"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/otkit/otkit/ot"
)

// Case is one problem of the stress grid.
type Case struct {
	// Name identifies the case: "shape/weights/r=ratio/s=scale".
	Name string
	P    *ot.Problem
	// Ratio is the regularization relative to MaxC (ε or γ from 1e-4 to
	// 1e2 × max C); 0 asks for the solver's default.
	Ratio float64
	// Scale is the factor the costs were multiplied by (1e-300…1e300).
	Scale float64
	// MaxC is the largest finite |cost| (already scaled), Mass is ΣA.
	MaxC, Mass float64
}

// Reg returns Ratio × MaxC, the regularization in cost units (0 for the
// solver default).
func (c Case) Reg() float64 { return c.Ratio * c.MaxC }

var (
	fullRatios  = []float64{0, 1e-4, 1e-3, 1e-2, 1e-1, 1, 10, 100}
	sliceRatios = []float64{0, 1e-2}
	fullScales  = []float64{1e-300, 1e-200, 1e-100, 1, 1e100, 1e200, 1e300}
	sliceScales = []float64{1e-300, 1, 1e300}
)

// Grid returns the stress grid: every base shape (7×5 and 5×9 point
// clouds, 6×6 with duplicate points, 6×5 with forbidden pairs) × weights
// (uniform, spanning 1e-12…1, with zero entries) × ratio × scale. The full
// grid has the ratios 0 (default), 1e-4 … 1e2 and the scales 1e-300,
// 1e-200, …, 1e300 (672 cases); the slice (full false) the ratios 0 and
// 1e-2 and the scales 1e-300, 1 and 1e300 (72 cases). The costs are squared
// Euclidean distances of seeded random points in the plane, made dense.
func Grid(full bool) []Case {
	ratios, scales := sliceRatios, sliceScales
	if full {
		ratios, scales = fullRatios, fullScales
	}
	var cases []Case
	for _, sh := range shapes() {
		for _, wn := range []string{"uniform", "span", "zeros"} {
			a, b := weights(wn, sh.n, sh.m)
			for _, r := range ratios {
				for _, s := range scales {
					c := make([]float64, len(sh.c))
					var maxC float64
					for k, v := range sh.c {
						c[k] = v * s
						if !math.IsInf(c[k], 0) {
							maxC = math.Max(maxC, math.Abs(c[k]))
						}
					}
					p := &ot.Problem{A: append([]float64(nil), a...), B: append([]float64(nil), b...),
						C: &ot.DenseCost{N: sh.n, M: sh.m, Data: c}}
					cases = append(cases, Case{
						Name:  fmt.Sprintf("%s/%s/r=%g/s=%g", sh.name, wn, r, s),
						P:     p,
						Ratio: r, Scale: s, MaxC: maxC, Mass: p.Mass(),
					})
				}
			}
		}
	}
	return cases
}

type shape struct {
	name string
	n, m int
	c    []float64
}

func shapes() []shape {
	rng := rand.New(rand.NewPCG(15, 2024))
	pts := func(k int) [][2]float64 {
		x := make([][2]float64, k)
		for i := range x {
			x[i] = [2]float64{rng.NormFloat64(), rng.NormFloat64()}
		}
		return x
	}
	sq := func(x, y [][2]float64) []float64 {
		c := make([]float64, 0, len(x)*len(y))
		for _, p := range x {
			for _, q := range y {
				dx, dy := p[0]-q[0], p[1]-q[1]
				c = append(c, dx*dx+dy*dy)
			}
		}
		return c
	}
	x, y := pts(7), pts(5)
	out := []shape{{"7x5", 7, 5, sq(x, y)}}
	x, y = pts(5), pts(9)
	out = append(out, shape{"5x9", 5, 9, sq(x, y)})
	x, y = pts(6), pts(6)
	x[1], x[2], y[3], y[4] = x[0], x[0], y[5], y[5]
	y[0] = x[3] // a zero cost
	out = append(out, shape{"dup6x6", 6, 6, sq(x, y)})
	x, y = pts(6), pts(5)
	c := sq(x, y)
	for i := range 6 {
		for j := range 5 {
			if (i+2*j)%3 == 0 && i != j {
				c[i*5+j] = math.Inf(1)
			}
		}
	}
	out = append(out, shape{"forbid6x5", 6, 5, c})
	return out
}

func weights(kind string, n, m int) (a, b []float64) {
	a, b = ot.Uniform(n), ot.Uniform(m)
	switch kind {
	case "span":
		// 10^(−12·k/(len−1)) in a scrambled order, so that the tiny
		// weights are not all at one end.
		span := func(w []float64) {
			for k := range w {
				e := 0.0
				if len(w) > 1 {
					e = -12 * float64((k*5)%len(w)) / float64(len(w)-1)
				}
				w[k] = math.Pow(10, e)
			}
		}
		span(a)
		span(b)
	case "zeros":
		a[1], b[0] = 0, 0
		if m > 3 {
			b[3] = 0
		}
	}
	var sa, sb float64
	for _, v := range a {
		sa += v
	}
	for _, v := range b {
		sb += v
	}
	for j := range b {
		b[j] *= sa / sb
	}
	return a, b
}

// Config describes a solver to Run.
type Config struct {
	// Name labels the outcome row, e.g. "sinkhorn".
	Name string
	// Solve solves case c with the solver's default settings apart from
	// the regularization c.Reg() (its default when c.Ratio is 0).
	Solve func(ctx context.Context, c Case) (*ot.Result, error)
	// Tol is the marginal tolerance that Converged promises.
	Tol float64
	// Extra, when set, checks solver-specific promises (sparsity bounds).
	Extra func(c Case, res *ot.Result) error
	// Known, when set, names the known solver bug a case falls under (""
	// for none): breaches of such cases are logged, not failed.
	Known func(c Case) string
	// Timeout bounds each solve (its context); 0 means 20 s.
	Timeout time.Duration
}

// Outcome tallies a grid run.
type Outcome struct {
	Name       string
	Cases      int            // problems run
	Rejected   int            // input errors (e.g. ErrInfeasible from Validate)
	Statuses   map[string]int // by Status name
	NaN        int            // results with a NaN figure, whatever the Status
	Breaches   int            // contract breaches (Check and Extra)
	Known      int            // breaches in cases listed as known bugs
	NotConverg []string       // the cases rejected or not converged, with why
}

// ConvergedShare is the share of accepted (not rejected) cases that ended
// Converged.
func (o *Outcome) ConvergedShare() float64 {
	if o.Cases == o.Rejected {
		return 0
	}
	return float64(o.Statuses["Converged"]) / float64(o.Cases-o.Rejected)
}

// Row formats the outcome as a Markdown table row: solver, cases,
// rejected, Converged %, statuses, NaN, breaches.
func (o *Outcome) Row() string {
	names := make([]string, 0, len(o.Statuses))
	for k := range o.Statuses {
		names = append(names, k)
	}
	sort.Strings(names)
	var st []string
	for _, k := range names {
		st = append(st, fmt.Sprintf("%s %d", k, o.Statuses[k]))
	}
	return fmt.Sprintf("| %s | %d | %d | %.1f%% | %s | %d | %d (%d known) |",
		o.Name, o.Cases, o.Rejected, 100*o.ConvergedShare(), strings.Join(st, ", "), o.NaN, o.Breaches, o.Known)
}

// Run solves every case of the grid (the full grid when Enabled; with
// -short and without OTKIT_STRESS, the slice's cases at the default
// regularization only) and fails
// t on a contract breach (Check, Extra) outside Known, or a panic. It logs
// the outcome row, and with -v or OTKIT_STRESS the cases that did not
// converge.
func Run(t *testing.T, cfg Config) *Outcome {
	t.Helper()
	if cfg.Solve == nil {
		t.Fatal("stress.Run: Config.Solve is nil")
	}
	full := Enabled()
	o := &Outcome{Name: cfg.Name, Statuses: map[string]int{}}
	timeout := cfg.Timeout
	if timeout == 0 {
		timeout = 20 * time.Second
	}
	for _, c := range Grid(full) {
		if !full && testing.Short() && c.Ratio != 0 {
			continue // -short (the race run): the default regularization only
		}
		o.Cases++
		res, err, perr := solve(cfg, c, timeout)
		known := ""
		if cfg.Known != nil {
			known = cfg.Known(c)
		}
		breach := func(e error) {
			o.Breaches++
			if known != "" {
				o.Known++
				t.Logf("%s: known bug (%s): %v", c.Name, known, e)
				return
			}
			t.Errorf("%s: %v", c.Name, e)
		}
		if perr != nil {
			breach(perr)
			continue
		}
		if err != nil {
			o.Rejected++
			o.NotConverg = append(o.NotConverg, fmt.Sprintf("%s: rejected: %v", c.Name, err))
		} else {
			o.Statuses[res.Status.String()]++
			if res.Status != ot.Converged {
				o.NotConverg = append(o.NotConverg, fmt.Sprintf("%s: %v", c.Name, res.Status))
			}
		}
		if HasNaN(res) {
			o.NaN++
		}
		if e := Check(c.P, res, err, cfg.Tol); e != nil {
			breach(e)
			continue
		}
		if err == nil && cfg.Extra != nil && res.Status != ot.NumericalError {
			if e := cfg.Extra(c, res); e != nil {
				breach(e)
			}
		}
	}
	if full || testing.Verbose() {
		for _, s := range o.NotConverg {
			t.Logf("not converged: %s", s)
		}
	}
	t.Logf("outcome (full grid: %v):\n%s", full, o.Row())
	return o
}

func solve(cfg Config, c Case, timeout time.Duration) (res *ot.Result, err, perr error) {
	defer func() {
		if p := recover(); p != nil {
			perr = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	res, err = cfg.Solve(ctx, c)
	return res, err, nil
}
