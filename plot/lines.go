package plot

import (
	"cmp"
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/otkit/otkit/ot"
)

// Run is one solve drawn by Convergence.
type Run struct {
	Name   string
	Result *ot.Result
}

// Convergence draws the History of each run (the stopping criterion at each
// convergence check, in order) against the check number on a logarithmic
// y axis. Entries ≤ 0 (an exactly met criterion) are drawn at a tenth of the
// smallest positive entry of all runs. Runs with an empty History are listed
// in the legend only; at least one run must have a positive entry.
func Convergence(runs []Run, opt *Options) (*gplot.Plot, error) {
	if err := opt.check(); err != nil {
		return nil, err
	}
	if len(runs) == 0 {
		return nil, fmt.Errorf("plot: %w: no runs", ot.ErrEmpty)
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for k, r := range runs {
		if r.Result == nil {
			return nil, fmt.Errorf("plot: %w: run %d (%q) has no result", ot.ErrEmpty, k, r.Name)
		}
		for c, v := range r.Result.History {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("plot: %w: check %d of run %d (%q) is %v", ot.ErrNonFinite, c+1, k, r.Name, v)
			}
			if v > 0 {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	if math.IsInf(lo, 1) {
		return nil, fmt.Errorf("plot: %w: no positive history entry to draw on a log axis", ot.ErrEmpty)
	}
	floor := lo / 10
	plt := gplot.New()
	plt.Title.Text = opt.title("convergence")
	plt.X.Label.Text = "convergence check"
	plt.Y.Label.Text = "stopping criterion"
	for k, r := range runs {
		h := r.Result.History
		name := r.Name
		if name == "" {
			name = fmt.Sprintf("run %d", k+1)
		}
		if len(h) == 0 {
			plt.Legend.Add(name + " (no history)")
			continue
		}
		xys := make(plotter.XYs, len(h))
		for c, v := range h {
			if v <= 0 {
				v = floor
				lo = floor
			}
			xys[c] = plotter.XY{X: float64(c + 1), Y: v}
		}
		l, err := plotter.NewLine(xys)
		if err != nil {
			return nil, fmt.Errorf("plot: %w", err)
		}
		l.Color = plotutil.Color(k)
		l.Dashes = plotutil.Dashes(k)
		l.Width = vg.Points(1.5)
		plt.Add(l)
		if len(h) <= 40 {
			s, err := plotter.NewScatter(xys)
			if err != nil {
				return nil, fmt.Errorf("plot: %w", err)
			}
			s.GlyphStyle = draw.GlyphStyle{Color: l.Color, Radius: 2, Shape: draw.CircleGlyph{}}
			plt.Add(s)
			plt.Legend.Add(name, l, s)
		} else {
			plt.Legend.Add(name, l)
		}
	}
	logAxis(&plt.Y, lo, hi)
	plt.X.Min = math.Min(plt.X.Min, 1)
	plt.X.Tick.Marker = intTicks{}
	plt.Legend.Top = true
	return plt, nil
}

// logAxis makes a a logarithmic axis over whole decades around [lo, hi].
func logAxis(a *gplot.Axis, lo, hi float64) {
	a.Scale = gplot.LogScale{}
	a.Tick.Marker = logTicks{}
	a.Min = math.Pow(10, math.Floor(math.Log10(lo)))
	a.Max = math.Pow(10, math.Ceil(math.Log10(hi)))
	if a.Max <= a.Min {
		a.Max = a.Min * 10
	}
}

// Path draws a regularization path, as inverse optimal transport estimates
// it: coefs[k] holds the coefficients at lambdas[k] (all of the same
// length), and coefficient c is drawn as a line over λ on a logarithmic
// x axis. λ values must be positive; they need not be sorted.
// Options.Names names the coefficients in the legend; without names a legend
// "coef c" is drawn for at most 10 coefficients.
func Path(lambdas []float64, coefs [][]float64, opt *Options) (*gplot.Plot, error) {
	if err := opt.check(); err != nil {
		return nil, err
	}
	if len(lambdas) == 0 {
		return nil, fmt.Errorf("plot: %w: no λ values", ot.ErrEmpty)
	}
	if len(coefs) != len(lambdas) {
		return nil, fmt.Errorf("plot: %w: %d coefficient vectors for %d λ values", ot.ErrShape, len(coefs), len(lambdas))
	}
	p := len(coefs[0])
	if p == 0 {
		return nil, fmt.Errorf("plot: %w: no coefficients", ot.ErrEmpty)
	}
	for k, l := range lambdas {
		if math.IsNaN(l) || math.IsInf(l, 0) {
			return nil, fmt.Errorf("plot: %w: λ[%d] is %v", ot.ErrNonFinite, k, l)
		}
		if l <= 0 {
			return nil, fmt.Errorf("plot: %w: λ[%d] = %v is not positive (log axis)", ot.ErrParameter, k, l)
		}
		if len(coefs[k]) != p {
			return nil, fmt.Errorf("plot: %w: %d coefficients at λ[%d], %d at λ[0]", ot.ErrShape, len(coefs[k]), k, p)
		}
		for c, v := range coefs[k] {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("plot: %w: coefficient %d at λ[%d] is %v", ot.ErrNonFinite, c, k, v)
			}
		}
	}
	order := make([]int, len(lambdas))
	for k := range order {
		order[k] = k
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(lambdas[a], lambdas[b]) })
	plt := gplot.New()
	plt.Title.Text = opt.title(fmt.Sprintf("regularization path: %d coefficients, %d values of λ", p, len(lambdas)))
	plt.X.Label.Text = "λ"
	plt.Y.Label.Text = "coefficient"
	lo, hi := lambdas[order[0]], lambdas[order[len(order)-1]]
	zero, err := plotter.NewLine(plotter.XYs{{X: lo, Y: 0}, {X: hi, Y: 0}})
	if err != nil {
		return nil, fmt.Errorf("plot: %w", err)
	}
	zero.Color = color.Gray{180}
	zero.Dashes = []vg.Length{vg.Points(2), vg.Points(2)}
	plt.Add(zero)
	var names []string
	if opt != nil {
		names = opt.Names
	}
	for c := range p {
		xys := make(plotter.XYs, len(order))
		for r, k := range order {
			xys[r] = plotter.XY{X: lambdas[k], Y: coefs[k][c]}
		}
		l, s, err := plotter.NewLinePoints(xys)
		if err != nil {
			return nil, fmt.Errorf("plot: %w", err)
		}
		l.Color = plotutil.Color(c)
		l.Width = vg.Points(1.5)
		s.Color = l.Color
		s.Radius = 1.5
		s.Shape = draw.CircleGlyph{}
		plt.Add(l, s)
		switch {
		case c < len(names) && names[c] != "":
			plt.Legend.Add(names[c], l)
		case len(names) == 0 && p <= 10:
			plt.Legend.Add(fmt.Sprintf("coef %d", c), l)
		}
	}
	logAxis(&plt.X, lo, hi)
	plt.Legend.Top = true
	return plt, nil
}

// Routing draws the number of tokens each expert takes (loads[j] for
// expert j, for instance cardinality.Routing's Load(j)) as bars against the
// expert capacity (a dashed line; capacity 0 draws none), with the part of a
// load above the capacity in red and the number of dropped tokens (routed to
// no expert) in the title.
func Routing(loads []int, capacity, dropped int, opt *Options) (*gplot.Plot, error) {
	if err := opt.check(); err != nil {
		return nil, err
	}
	if len(loads) == 0 {
		return nil, fmt.Errorf("plot: %w: no experts", ot.ErrEmpty)
	}
	if capacity < 0 || dropped < 0 {
		return nil, fmt.Errorf("plot: %w: capacity %d, dropped %d", ot.ErrParameter, capacity, dropped)
	}
	total, top := 0, capacity
	for j, l := range loads {
		if l < 0 {
			return nil, fmt.Errorf("plot: %w: load %d of expert %d", ot.ErrParameter, l, j)
		}
		total += l
		top = max(top, l)
	}
	plt := gplot.New()
	title := fmt.Sprintf("expert loads: %d experts, %d dispatches, %d dropped tokens", len(loads), total, dropped)
	if capacity > 0 {
		title = fmt.Sprintf("expert loads: capacity %d, %d dispatches, %d dropped tokens", capacity, total, dropped)
	}
	plt.Title.Text = opt.title(title)
	plt.X.Label.Text = "expert"
	plt.Y.Label.Text = "tokens"
	plt.Add(&bars{loads: loads, capacity: capacity})
	if capacity > 0 {
		l, err := plotter.NewLine(plotter.XYs{{X: -0.5, Y: float64(capacity)}, {X: float64(len(loads)) - 0.5, Y: float64(capacity)}})
		if err != nil {
			return nil, fmt.Errorf("plot: %w", err)
		}
		l.Color = color.RGBA{200, 30, 30, 255}
		l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
		l.Width = vg.Points(1.2)
		plt.Add(l)
		plt.Legend.Add("capacity", l)
		plt.Legend.Top = true
	}
	plt.X.Min, plt.X.Max = -0.5, float64(len(loads))-0.5
	plt.Y.Min, plt.Y.Max = 0, math.Max(1, float64(top)*1.15)
	plt.X.Tick.Marker = intTicks{}
	return plt, nil
}

// bars draws integer loads as bars, the part above capacity in red.
type bars struct {
	loads    []int
	capacity int
}

func (b *bars) Plot(c draw.Canvas, plt *gplot.Plot) {
	trX, trY := plt.Transforms(&c)
	blue := color.RGBA{31, 119, 180, 255}
	red := color.RGBA{214, 39, 40, 255}
	rect := func(x0, x1, y0, y1 float64, col color.Color) {
		c.FillPolygon(col, c.ClipPolygonXY([]vg.Point{
			{X: trX(x0), Y: trY(y0)}, {X: trX(x1), Y: trY(y0)},
			{X: trX(x1), Y: trY(y1)}, {X: trX(x0), Y: trY(y1)},
		}))
	}
	for j, l := range b.loads {
		x0, x1 := float64(j)-0.4, float64(j)+0.4
		in := l
		if b.capacity > 0 {
			in = min(l, b.capacity)
		}
		if in > 0 {
			rect(x0, x1, 0, float64(in), blue)
		}
		if l > in {
			rect(x0, x1, float64(in), float64(l), red)
		}
	}
}

func (b *bars) DataRange() (xmin, xmax, ymin, ymax float64) {
	top := b.capacity
	for _, l := range b.loads {
		top = max(top, l)
	}
	return -0.5, float64(len(b.loads)) - 0.5, 0, float64(top)
}

// logTicks labels the decades of a log axis as 1e-3, 0.01, 0.1, 1, 10, 100,
// 1e3, thinned to at most 6 labels, with minor ticks at 2…9 when the axis
// spans at most 5 decades.
type logTicks struct{}

func (logTicks) Ticks(lo, hi float64) []gplot.Tick {
	e0, e1 := int(math.Floor(math.Log10(lo))), int(math.Ceil(math.Log10(hi)))
	step := (e1 - e0 + 5) / 6
	if step < 1 {
		step = 1
	}
	var ts []gplot.Tick
	for e := e0; e <= e1; e++ {
		v := math.Pow(10, float64(e))
		if (e1-e)%step == 0 {
			ts = append(ts, gplot.Tick{Value: v, Label: decade(e)})
		} else {
			ts = append(ts, gplot.Tick{Value: v})
		}
		if e < e1 && e1-e0 <= 5 {
			for k := 2; k < 10; k++ {
				ts = append(ts, gplot.Tick{Value: float64(k) * v})
			}
		}
	}
	return ts
}

func decade(e int) string {
	switch {
	case e >= -2 && e <= 2:
		return strconv.FormatFloat(math.Pow(10, float64(e)), 'f', -1, 64)
	default:
		return "1e" + strconv.Itoa(e)
	}
}
