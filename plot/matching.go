package plot

import (
	"cmp"
	"container/heap"
	"fmt"
	"image/color"
	"math"
	"slices"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/otkit/otkit/ot"
)

var (
	sourceColor  = color.RGBA{31, 119, 180, 255} // blue
	targetColor  = color.RGBA{255, 127, 14, 255} // orange
	segmentColor = color.RGBA{40, 40, 40, 255}
)

// Matching draws the sources x (one row per plan row) and the targets y (one
// row per plan column) with a segment from x_i to y_j for the entries of the
// plan p, wider and more opaque for more mass. See the package documentation
// for sparse plans, the segments drawn for dense ones, and the projection of
// points of dimension other than 2.
func Matching[P Points](x, y P, p ot.Plan, opt *Options) (*gplot.Plot, error) {
	cl, err := newCloud(x, y, p, opt)
	if err != nil {
		return nil, err
	}
	plt := cl.newPlot(opt.title(fmt.Sprintf("matching: %d sources, %d targets, %d segments", len(cl.px), len(cl.py), len(cl.ents))))
	segs := &segments{}
	for _, e := range cl.ents {
		segs.add(cl.px[e.I], cl.py[e.J], e.V/cl.max, segmentColor)
	}
	plt.Add(segs)
	if err := cl.addPoints(plt, nil, nil); err != nil {
		return nil, err
	}
	headroom(plt)
	return plt, nil
}

// Classes draws a class-aware plan as Matching does, with the sources, and
// the segments leaving them, coloured by the class labels[i] of source i.
// labels has one entry per source, or one per source followed by one per
// target; in the second case the targets are coloured by their own class and
// the title gives the share of the plan's mass that stays within a class.
// Otherwise a target takes the colour of the class that sends it the most
// mass.
func Classes[P Points](x, y P, p ot.Plan, labels []int, opt *Options) (*gplot.Plot, error) {
	cl, err := newCloud(x, y, p, opt)
	if err != nil {
		return nil, err
	}
	n, m := len(cl.px), len(cl.py)
	if len(labels) != n && len(labels) != n+m {
		return nil, fmt.Errorf("plot: %w: %d labels for %d sources and %d targets", ot.ErrShape, len(labels), n, m)
	}
	classes := slices.Clone(labels)
	slices.Sort(classes)
	classes = slices.Compact(classes)
	colorOf := func(label int) color.Color {
		k, _ := slices.BinarySearch(classes, label)
		return plotutil.DarkColors[k%len(plotutil.DarkColors)]
	}
	src := make([]color.Color, n)
	for i := range n {
		src[i] = colorOf(labels[i])
	}
	dst := make([]color.Color, m)
	title := fmt.Sprintf("plan by class: %d classes, %d segments", len(classes), len(cl.ents))
	if len(labels) == n+m {
		for j := range m {
			dst[j] = colorOf(labels[n+j])
		}
		var same, total float64
		eachPositive(p, func(i, j int, v float64) {
			total += v
			if labels[i] == labels[n+j] {
				same += v
			}
		})
		if total > 0 {
			title = fmt.Sprintf("plan by class: %.1f%% of the mass within classes", 100*same/total)
		}
	} else {
		best := make([]float64, m)
		for j := range dst {
			dst[j] = color.Gray{160}
		}
		eachPositive(p, func(i, j int, v float64) {
			if v > best[j] {
				best[j] = v
				dst[j] = src[i]
			}
		})
	}
	plt := cl.newPlot(opt.title(title))
	segs := &segments{}
	for _, e := range cl.ents {
		segs.add(cl.px[e.I], cl.py[e.J], e.V/cl.max, src[e.I])
	}
	plt.Add(segs)
	if err := cl.addPoints(plt, src, dst); err != nil {
		return nil, err
	}
	for _, c := range classes {
		plt.Legend.Add(fmt.Sprintf("class %d", c), swatch{colorOf(c)})
	}
	plt.Legend.Top = true
	headroom(plt)
	return plt, nil
}

// Map draws an arrow from each point x_i to its image tx_i, for a transport
// map T (for instance a Monge map estimated from a plan).
func Map[P Points](x, tx P, opt *Options) (*gplot.Plot, error) {
	if err := opt.check(); err != nil {
		return nil, err
	}
	dx, err := rows(x, "source")
	if err != nil {
		return nil, err
	}
	dt, err := rows(tx, "image")
	if err != nil {
		return nil, err
	}
	n, d := dx.Dims()
	nt, dd := dt.Dims()
	if n != nt || d != dd {
		return nil, fmt.Errorf("plot: %w: %d×%d points but %d×%d images", ot.ErrShape, n, d, nt, dd)
	}
	px, pt, xl, yl := planar(dx, dt)
	plt := gplot.New()
	plt.Title.Text = opt.title(fmt.Sprintf("map x → T(x), %d points", n))
	plt.X.Label.Text, plt.Y.Label.Text = xl, yl
	if d == 1 {
		plt.Y.Tick.Marker = gplot.ConstantTicks{{Value: 0, Label: "x"}, {Value: 1, Label: "T(x)"}}
	}
	plt.Add(&arrows{from: px, to: pt})
	s, err := scatter(px, nil, sourceColor, draw.CircleGlyph{}, 2.5)
	if err != nil {
		return nil, err
	}
	t, err := scatter(pt, nil, targetColor, draw.CircleGlyph{}, 1.5)
	if err != nil {
		return nil, err
	}
	plt.Add(s, t)
	plt.Legend.Add("x", s)
	plt.Legend.Add("T(x)", t)
	plt.Legend.Top = true
	headroom(plt)
	return plt, nil
}

// headroom leaves the top fifth of the data area free for the legend.
func headroom(plt *gplot.Plot) {
	lo, hi := plt.Y.Min, plt.Y.Max
	if hi == 1 && lo == 0 { // one-dimensional points
		lo = -0.2
	}
	if hi <= lo {
		hi = lo + 1
	}
	plt.Y.Min, plt.Y.Max = lo, hi+0.25*(hi-lo)
}

// cloud holds the projected points and the plan entries of a matching.
type cloud struct {
	px, py         [][2]float64
	xlabel, ylabel string
	oneD           bool
	ents           []ot.Triplet // the entries drawn, ascending
	max            float64
}

func newCloud[P Points](x, y P, p ot.Plan, opt *Options) (*cloud, error) {
	if err := opt.check(); err != nil {
		return nil, err
	}
	dx, err := rows(x, "source")
	if err != nil {
		return nil, err
	}
	dy, err := rows(y, "target")
	if err != nil {
		return nil, err
	}
	if p == nil {
		return nil, fmt.Errorf("plot: %w: nil plan", ot.ErrEmpty)
	}
	nx, d := dx.Dims()
	ny, dd := dy.Dims()
	n, m := p.Dims()
	if n <= 0 || m <= 0 {
		return nil, fmt.Errorf("plot: %w: plan is %d×%d", ot.ErrEmpty, n, m)
	}
	if d != dd {
		return nil, fmt.Errorf("plot: %w: sources have %d coordinates, targets %d", ot.ErrShape, d, dd)
	}
	if nx != n || ny != m {
		return nil, fmt.Errorf("plot: %w: %d sources and %d targets for a %d×%d plan", ot.ErrShape, nx, ny, n, m)
	}
	cl := &cloud{oneD: d == 1}
	cl.px, cl.py, cl.xlabel, cl.ylabel = planar(dx, dy)
	if err := cl.entries(p, opt.maxSegments()); err != nil {
		return nil, err
	}
	return cl, nil
}

// entries collects the positive entries of p (all stored entries of a sparse
// plan; for other plans those above 1e-3·max, at most maxSeg of the largest).
func (cl *cloud) entries(p ot.Plan, maxSeg int) error {
	n, m := p.Dims()
	bad := func(i, j int, v float64) error {
		return fmt.Errorf("plot: %w: plan entry (%d, %d) is %v", ot.ErrNonFinite, i, j, v)
	}
	if sp, ok := p.(*ot.SparsePlan); ok {
		if len(sp.RowPtr) != n+1 || sp.RowPtr[n] > len(sp.ColIdx) || sp.RowPtr[n] > len(sp.Val) {
			return fmt.Errorf("plot: %w: sparse plan %d×%d has malformed CSR arrays", ot.ErrShape, n, m)
		}
		for i := range n {
			for k := sp.RowPtr[i]; k < sp.RowPtr[i+1]; k++ {
				j, v := sp.ColIdx[k], sp.Val[k]
				if j < 0 || j >= m {
					return fmt.Errorf("plot: %w: sparse plan entry in row %d at column %d of %d", ot.ErrShape, i, j, m)
				}
				if math.IsNaN(v) || math.IsInf(v, 0) {
					return bad(i, j, v)
				}
				if v > 0 {
					cl.ents = append(cl.ents, ot.Triplet{I: i, J: j, V: v})
					cl.max = math.Max(cl.max, v)
				}
			}
		}
	} else {
		row := make([]float64, m)
		for i := range n {
			row = p.Row(i, row)
			for j, v := range row {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					return bad(i, j, v)
				}
				cl.max = math.Max(cl.max, v)
			}
		}
		if cl.max > 0 {
			h := &topK{k: maxSeg}
			for i := range n {
				row = p.Row(i, row)
				for j, v := range row {
					if v >= 1e-3*cl.max {
						h.push(ot.Triplet{I: i, J: j, V: v})
					}
				}
			}
			cl.ents = h.ts
		}
	}
	if cl.max <= 0 {
		return fmt.Errorf("plot: %w: the %d×%d plan has no positive entry", ot.ErrZeroMass, n, m)
	}
	slices.SortStableFunc(cl.ents, func(a, b ot.Triplet) int { return cmp.Compare(a.V, b.V) })
	return nil
}

func (cl *cloud) newPlot(title string) *gplot.Plot {
	plt := gplot.New()
	plt.Title.Text = title
	plt.X.Label.Text, plt.Y.Label.Text = cl.xlabel, cl.ylabel
	if cl.oneD {
		plt.Y.Tick.Marker = gplot.ConstantTicks{{Value: 0, Label: "sources"}, {Value: 1, Label: "targets"}}
	}
	return plt
}

// addPoints draws the sources and targets, in the given colours (nil for the
// defaults), with a legend.
func (cl *cloud) addPoints(plt *gplot.Plot, src, dst []color.Color) error {
	s, err := scatter(cl.px, src, sourceColor, draw.CircleGlyph{}, 2.5)
	if err != nil {
		return err
	}
	t, err := scatter(cl.py, dst, targetColor, draw.TriangleGlyph{}, 3)
	if err != nil {
		return err
	}
	plt.Add(s, t)
	if src == nil {
		plt.Legend.Add("sources", s)
		plt.Legend.Add("targets", t)
		plt.Legend.Top = true
	}
	return nil
}

func scatter(pts [][2]float64, cols []color.Color, def color.Color, shape draw.GlyphDrawer, r vg.Length) (*plotter.Scatter, error) {
	xys := make(plotter.XYs, len(pts))
	for i, p := range pts {
		xys[i] = plotter.XY{X: p[0], Y: p[1]}
	}
	s, err := plotter.NewScatter(xys)
	if err != nil {
		return nil, fmt.Errorf("plot: %w", err)
	}
	s.GlyphStyle = draw.GlyphStyle{Color: def, Radius: r, Shape: shape}
	if cols != nil {
		s.GlyphStyleFunc = func(i int) draw.GlyphStyle {
			return draw.GlyphStyle{Color: cols[i], Radius: r, Shape: shape}
		}
	}
	return s, nil
}

// eachPositive calls f for the positive entries of p, row by row (p has
// been checked by newCloud).
func eachPositive(p ot.Plan, f func(i, j int, v float64)) {
	n, m := p.Dims()
	if sp, ok := p.(*ot.SparsePlan); ok {
		for i := range n {
			for k := sp.RowPtr[i]; k < sp.RowPtr[i+1]; k++ {
				if v := sp.Val[k]; v > 0 {
					f(i, sp.ColIdx[k], v)
				}
			}
		}
		return
	}
	row := make([]float64, m)
	for i := range n {
		row = p.Row(i, row)
		for j, v := range row {
			if v > 0 {
				f(i, j, v)
			}
		}
	}
}

// topK keeps the k largest triplets seen (a min-heap on V).
type topK struct {
	k  int
	ts []ot.Triplet
}

func (h *topK) Len() int           { return len(h.ts) }
func (h *topK) Less(a, b int) bool { return h.ts[a].V < h.ts[b].V }
func (h *topK) Swap(a, b int)      { h.ts[a], h.ts[b] = h.ts[b], h.ts[a] }
func (h *topK) Push(x any)         { h.ts = append(h.ts, x.(ot.Triplet)) }
func (h *topK) Pop() any {
	t := h.ts[len(h.ts)-1]
	h.ts = h.ts[:len(h.ts)-1]
	return t
}

func (h *topK) push(t ot.Triplet) {
	if len(h.ts) < h.k {
		heap.Push(h, t)
	} else if t.V > h.ts[0].V {
		h.ts[0] = t
		heap.Fix(h, 0)
	}
}

// segments draws weighted segments, lightest first.
type segments struct {
	a, b [][2]float64
	w    []float64 // in [0, 1]
	c    []color.Color
}

func (s *segments) add(a, b [2]float64, w float64, c color.Color) {
	s.a, s.b, s.w, s.c = append(s.a, a), append(s.b, b), append(s.w, w), append(s.c, c)
}

func (s *segments) Plot(c draw.Canvas, plt *gplot.Plot) {
	trX, trY := plt.Transforms(&c)
	for k := range s.a {
		r, g, b, _ := s.c[k].RGBA()
		alpha := 0.12 + 0.88*s.w[k]
		col := color.NRGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), uint8(255*alpha + 0.5)}
		sty := draw.LineStyle{Color: col, Width: vg.Points(0.4 + 2.1*s.w[k])}
		c.StrokeLine2(sty, trX(s.a[k][0]), trY(s.a[k][1]), trX(s.b[k][0]), trY(s.b[k][1]))
	}
}

// arrows draws an arrow from each from[i] to to[i].
type arrows struct{ from, to [][2]float64 }

func (a *arrows) Plot(c draw.Canvas, plt *gplot.Plot) {
	trX, trY := plt.Transforms(&c)
	sty := draw.LineStyle{Color: color.NRGBA{40, 40, 40, 200}, Width: vg.Points(0.7)}
	const head = 5 // points
	for i := range a.from {
		x0, y0 := trX(a.from[i][0]), trY(a.from[i][1])
		x1, y1 := trX(a.to[i][0]), trY(a.to[i][1])
		c.StrokeLine2(sty, x0, y0, x1, y1)
		dx, dy := float64(x1-x0), float64(y1-y0)
		l := math.Hypot(dx, dy)
		if l < 2*head {
			continue
		}
		ang := math.Atan2(dy, dx)
		for _, s := range []float64{-1, 1} {
			t := ang + math.Pi - s*0.4
			c.StrokeLine2(sty, x1, y1, x1+vg.Length(head*math.Cos(t)), y1+vg.Length(head*math.Sin(t)))
		}
	}
}

func (a *arrows) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, ymin = math.Inf(1), math.Inf(1)
	xmax, ymax = math.Inf(-1), math.Inf(-1)
	for _, ps := range [][][2]float64{a.from, a.to} {
		for _, p := range ps {
			xmin, xmax = math.Min(xmin, p[0]), math.Max(xmax, p[0])
			ymin, ymax = math.Min(ymin, p[1]), math.Max(ymax, p[1])
		}
	}
	return xmin, xmax, ymin, ymax
}

// swatch is a legend thumbnail filled with one colour.
type swatch struct{ c color.Color }

func (s swatch) Thumbnail(c *draw.Canvas) {
	c.FillPolygon(s.c, c.ClipPolygonY([]vg.Point{
		c.Min, {X: c.Min.X, Y: c.Max.Y}, c.Max, {X: c.Max.X, Y: c.Min.Y},
	}))
}
