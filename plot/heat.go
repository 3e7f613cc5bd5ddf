package plot

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"strconv"
	"sync"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/otkit/otkit/ot"
)

// Plan returns a heat map of the plan p: row i (source) from top to bottom,
// column j (target) from left to right, with a colour key. See the package
// documentation for large plans (block sums) and Options.Log.
func Plan(p ot.Plan, opt *Options) (*gplot.Plot, error) {
	if err := opt.check(); err != nil {
		return nil, err
	}
	if p == nil {
		return nil, fmt.Errorf("plot: %w: nil plan", ot.ErrEmpty)
	}
	n, m := p.Dims()
	if n <= 0 || m <= 0 {
		return nil, fmt.Errorf("plot: %w: plan is %d×%d", ot.ErrEmpty, n, m)
	}
	g, err := blockSums(p, opt.maxCells())
	if err != nil {
		return nil, err
	}
	if g.hi <= 0 {
		return nil, fmt.Errorf("plot: %w: the %d×%d plan has no positive entry", ot.ErrZeroMass, n, m)
	}
	log := opt != nil && opt.Log
	lo, hi := math.Min(g.lo, 0), g.hi
	if log {
		hi = math.Log10(g.hi)
		lo = math.Log10(g.hi * opt.floor())
		if g.minPos > g.hi*opt.floor() {
			lo = math.Log10(g.minPos)
		}
		if lo >= hi {
			lo = hi - 1
		}
	}

	plt := gplot.New()
	title := fmt.Sprintf("transport plan %d×%d", n, m)
	if g.sr > 1 || g.sc > 1 {
		title += fmt.Sprintf(" (sums of %d×%d blocks)", g.sr, g.sc)
	}
	plt.Title.Text = opt.title(title)
	plt.X.Label.Text = "target j"
	plt.Y.Label.Text = "source i"
	plt.Y.Scale = gplot.InvertedScale{Normalizer: gplot.LinearScale{}}
	h := &heat{
		img:  g.image(lo, hi, log),
		xmin: -0.5, xmax: float64(g.c*g.sc) - 0.5,
		ymin: -0.5, ymax: float64(g.r*g.sr) - 0.5,
	}
	plt.Add(h, &colorKey{lo: lo, hi: hi, log: log})
	plt.X.Min, plt.X.Max = h.xmin, h.xmax
	plt.Y.Min, plt.Y.Max = h.ymin, h.ymax
	plt.X.Tick.Marker = intTicks{}
	plt.Y.Tick.Marker = intTicks{}
	return plt, nil
}

// grid is a plan summed into r×c blocks of sr×sc entries.
type grid struct {
	r, c, sr, sc int
	v            []float64 // r×c, row-major
	lo, hi       float64   // smallest and largest block sum
	minPos       float64   // smallest positive block sum (+Inf if none)
}

// blockSums sums p into blocks so that neither side exceeds maxCells,
// checking every entry for NaN and ±Inf.
func blockSums(p ot.Plan, maxCells int) (*grid, error) {
	n, m := p.Dims()
	sr := (n + maxCells - 1) / maxCells
	sc := (m + maxCells - 1) / maxCells
	g := &grid{sr: sr, sc: sc, r: (n + sr - 1) / sr, c: (m + sc - 1) / sc}
	g.v = make([]float64, g.r*g.c)
	bad := func(i, j int, v float64) error {
		return fmt.Errorf("plot: %w: plan entry (%d, %d) is %v", ot.ErrNonFinite, i, j, v)
	}
	add := func(i, j int, v float64) error {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return bad(i, j, v)
		}
		g.v[(i/sr)*g.c+j/sc] += v
		return nil
	}
	switch p := p.(type) {
	case *ot.DensePlan:
		if len(p.Data) < n*m {
			return nil, fmt.Errorf("plot: %w: dense plan %d×%d holds %d entries", ot.ErrShape, n, m, len(p.Data))
		}
		for i := range n {
			for j, v := range p.Data[i*m : (i+1)*m] {
				if err := add(i, j, v); err != nil {
					return nil, err
				}
			}
		}
	case *ot.SparsePlan:
		if len(p.RowPtr) != n+1 || p.RowPtr[n] > len(p.ColIdx) || p.RowPtr[n] > len(p.Val) {
			return nil, fmt.Errorf("plot: %w: sparse plan %d×%d has malformed CSR arrays", ot.ErrShape, n, m)
		}
		for i := range n {
			for k := p.RowPtr[i]; k < p.RowPtr[i+1]; k++ {
				j := p.ColIdx[k]
				if j < 0 || j >= m {
					return nil, fmt.Errorf("plot: %w: sparse plan entry in row %d at column %d of %d", ot.ErrShape, i, j, m)
				}
				if err := add(i, j, p.Val[k]); err != nil {
					return nil, err
				}
			}
		}
	default:
		row := make([]float64, m)
		for i := range n {
			row = p.Row(i, row)
			for j, v := range row {
				if err := add(i, j, v); err != nil {
					return nil, err
				}
			}
		}
	}
	g.lo, g.hi, g.minPos = math.Inf(1), math.Inf(-1), math.Inf(1)
	for _, v := range g.v {
		g.lo = math.Min(g.lo, v)
		g.hi = math.Max(g.hi, v)
		if v > 0 {
			g.minPos = math.Min(g.minPos, v)
		}
	}
	if math.IsInf(g.hi, 0) {
		return nil, fmt.Errorf("plot: %w: block sums of the plan overflow", ot.ErrNonFinite)
	}
	return g, nil
}

// image colours the grid, each cell a k×k square of pixels (so that the
// bilinear scaling of the renderers only softens the cell borders).
func (g *grid) image(lo, hi float64, log bool) *image.RGBA {
	k := max(1, 640/max(g.r, g.c))
	img := image.NewRGBA(image.Rect(0, 0, g.c*k, g.r*k))
	for i := range g.r {
		for j := range g.c {
			v := g.v[i*g.c+j]
			var col color.RGBA
			switch {
			case log && v <= 0:
				col = color.RGBA{255, 255, 255, 255}
			case log:
				col = shade(math.Log10(v), lo, hi, true)
			default:
				col = shade(v, lo, hi, false)
			}
			for y := i * k; y < (i+1)*k; y++ {
				for x := j * k; x < (j+1)*k; x++ {
					img.SetRGBA(x, y, col)
				}
			}
		}
	}
	return img
}

var (
	rampOnce sync.Once
	ramp     []color.RGBA // white → yellow → red → blue → black
)

// shade maps v in [lo, hi] to the colour ramp; with log, values below lo
// are white.
func shade(v, lo, hi float64, log bool) color.RGBA {
	rampOnce.Do(func() {
		cm := palette.Reverse(moreland.ExtendedBlackBody())
		cm.SetMin(0)
		cm.SetMax(1)
		ramp = make([]color.RGBA, 256)
		for i := range ramp {
			c, err := cm.At(float64(i) / 255)
			if err != nil {
				panic(err)
			}
			r, g, b, a := c.RGBA()
			ramp[i] = color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), uint8(a >> 8)}
		}
	})
	if log && v < lo {
		return color.RGBA{255, 255, 255, 255}
	}
	t := (v - lo) / (hi - lo)
	if !(t > 0) {
		t = 0
	}
	return ramp[min(255, int(t*255+0.5))]
}

// heat draws an image over a rectangle of data coordinates.
type heat struct {
	img                    *image.RGBA
	xmin, xmax, ymin, ymax float64
}

func (h *heat) Plot(c draw.Canvas, plt *gplot.Plot) {
	trX, trY := plt.Transforms(&c)
	x0, x1 := trX(h.xmin), trX(h.xmax)
	y0, y1 := trY(h.ymin), trY(h.ymax)
	rect := vg.Rectangle{
		Min: vg.Point{X: min(x0, x1), Y: min(y0, y1)},
		Max: vg.Point{X: max(x0, x1), Y: max(y0, y1)},
	}
	c.DrawImage(rect, h.img)
}

func (h *heat) DataRange() (xmin, xmax, ymin, ymax float64) {
	return h.xmin, h.xmax, h.ymin, h.ymax
}

// colorKey draws the colour ramp as a vertical bar with labels to the right
// of the data area; its glyph box makes the plot leave room for it.
type colorKey struct {
	lo, hi float64
	log    bool
}

const (
	keyGap   = 8
	keyWidth = 10
	keyPad   = 3
)

func (k *colorKey) labels() []gplot.Tick {
	if k.log {
		var ts []gplot.Tick
		for e := math.Ceil(k.lo); e <= math.Floor(k.hi); e++ {
			ts = append(ts, gplot.Tick{Value: e, Label: "1e" + strconv.Itoa(int(e))})
		}
		if len(ts) >= 2 {
			if len(ts) > 6 {
				step := (len(ts) + 4) / 5
				var thin []gplot.Tick
				for i := len(ts) - 1; i >= 0; i -= step {
					thin = append([]gplot.Tick{ts[i]}, thin...)
				}
				ts = thin
			}
			return ts
		}
		return []gplot.Tick{
			{Value: k.lo, Label: strconv.FormatFloat(math.Pow(10, k.lo), 'g', 3, 64)},
			{Value: k.hi, Label: strconv.FormatFloat(math.Pow(10, k.hi), 'g', 3, 64)},
		}
	}
	var ts []gplot.Tick
	for _, t := range (gplot.DefaultTicks{}).Ticks(k.lo, k.hi) {
		if t.Label != "" && t.Value >= k.lo && t.Value <= k.hi {
			ts = append(ts, t)
		}
	}
	if len(ts) < 2 {
		ts = []gplot.Tick{
			{Value: k.lo, Label: strconv.FormatFloat(k.lo, 'g', 3, 64)},
			{Value: k.hi, Label: strconv.FormatFloat(k.hi, 'g', 3, 64)},
		}
	}
	return ts
}

func (k *colorKey) Plot(c draw.Canvas, plt *gplot.Plot) {
	const steps = 256
	img := image.NewRGBA(image.Rect(0, 0, 1, steps))
	for i := range steps {
		img.SetRGBA(0, steps-1-i, ramp[i])
	}
	x0 := c.Max.X + keyGap
	bar := vg.Rectangle{Min: vg.Point{X: x0, Y: c.Min.Y}, Max: vg.Point{X: x0 + keyWidth, Y: c.Max.Y}}
	c.DrawImage(bar, img)
	c.StrokeLines(draw.LineStyle{Color: color.Black, Width: vg.Points(0.5)}, []vg.Point{
		bar.Min, {X: bar.Max.X, Y: bar.Min.Y}, bar.Max, {X: bar.Min.X, Y: bar.Max.Y}, bar.Min,
	})
	sty := plt.Y.Tick.Label
	sty.XAlign = draw.XLeft
	sty.YAlign = draw.YCenter
	for _, t := range k.labels() {
		y := c.Min.Y + vg.Length((t.Value-k.lo)/(k.hi-k.lo))*(c.Max.Y-c.Min.Y)
		c.StrokeLine2(draw.LineStyle{Color: color.Black, Width: vg.Points(0.5)}, bar.Max.X, y, bar.Max.X+2, y)
		c.FillText(sty, vg.Point{X: bar.Max.X + keyPad, Y: y}, t.Label)
	}
}

func (k *colorKey) GlyphBoxes(plt *gplot.Plot) []gplot.GlyphBox {
	var w vg.Length
	for _, t := range k.labels() {
		w = max(w, plt.Y.Tick.Label.Width(t.Label))
	}
	return []gplot.GlyphBox{{
		X: 1, Y: 0.5,
		Rectangle: vg.Rectangle{Max: vg.Point{X: keyGap + keyWidth + keyPad + w + 2}},
	}}
}

// intTicks labels integer positions (indices) only.
type intTicks struct{}

func (intTicks) Ticks(lo, hi float64) []gplot.Tick {
	var ts []gplot.Tick
	for _, t := range (gplot.DefaultTicks{}).Ticks(lo, hi) {
		if t.Value == math.Trunc(t.Value) {
			if t.Label != "" {
				t.Label = strconv.Itoa(int(t.Value))
			}
			ts = append(ts, t)
		}
	}
	if len(ts) == 0 {
		for v := math.Ceil(lo); v <= hi; v++ {
			ts = append(ts, gplot.Tick{Value: v, Label: strconv.Itoa(int(v))})
		}
	}
	return ts
}
