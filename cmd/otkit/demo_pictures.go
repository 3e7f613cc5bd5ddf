package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"

	"github.com/otkit/otkit/cardinality"
	"github.com/otkit/otkit/plot"
)

// Panel size of the demo's pictures of several panels: a 2 × 2 grid of
// plans is 864 × 720 pixels, readable in a README (pictures of one panel
// have plot's default size).
const (
	demoPanelWidth  = 4.5 * vg.Inch
	demoPanelHeight = 3.75 * vg.Inch
)

// demoPicture is one picture file of `otkit demo`.
type demoPicture struct {
	name    string // file name in the output directory
	caption string // one line
	cols    int    // panels per row
	plots   []*gplot.Plot
	data    []byte // the rendered PNG
}

// prepareOutDir makes dir ready for the demo's pictures before any work: an
// existing directory must be writable, a missing one is created (created
// reports it, so that a failure can remove it again).
func prepareOutDir(dir string) (created bool, err error) {
	st, err := os.Stat(dir)
	switch {
	case os.IsNotExist(err):
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return false, fmt.Errorf("--out %s: %w", dir, err)
		}
		return true, nil
	case err != nil:
		return false, fmt.Errorf("--out %s: %w", dir, err)
	case !st.IsDir():
		return false, fmt.Errorf("--out %s: not a directory", dir)
	}
	tmp, err := os.CreateTemp(dir, ".otkit-write-test-*")
	if err != nil {
		return false, fmt.Errorf("--out %s: directory is not writable", dir)
	}
	tmp.Close()
	os.Remove(tmp.Name())
	return false, nil
}

// demoPictures draws the demo's pictures from its solves: the plans and the
// exact matching of the point-cloud problem (one panel per method for the
// plans), the convergence histories of that problem, and the expert loads of the
// routing problem under the greedy and the OT router. A panel that cannot be
// drawn (a method that rejected the problem) is left out.
func demoPictures(ctx context.Context, problems []demoProblem, runs [][]demoRun, workers int) ([]demoPicture, error) {
	var pics []demoPicture
	for k, d := range problems {
		if d.x == nil {
			continue
		}
		n, m := d.prob.Dims()
		plans := demoPicture{name: "plans.png", cols: 2}
		var conv []plot.Run
		var names []string
		var matched *demoRun // exact's solve, else the first one drawn
		for q, r := range runs[k] {
			if r.err != nil {
				continue
			}
			title := fmt.Sprintf("%s: %d nonzeros, %s", r.method, r.res.Plan.NNZ(), r.res.Status)
			p, err := plot.Plan(r.res.Plan, &plot.Options{Title: title})
			if err != nil {
				continue
			}
			plans.plots = append(plans.plots, p)
			conv = append(conv, plot.Run{Name: r.method, Result: r.res})
			names = append(names, r.method)
			if matched == nil || r.method == "exact" {
				matched = &runs[k][q]
			}
		}
		if len(names) == 0 {
			continue
		}
		plans.caption = fmt.Sprintf("Transport plans of the %d × %d point-cloud problem, one heat map per method (%s): "+
			"row i is source i, column j target j, colour the mass P_ij.", n, m, strings.Join(names, ", "))
		pics = append(pics, plans)
		title := fmt.Sprintf("%s matching: %d nonzeros", matched.method, matched.res.Plan.NNZ())
		if p, err := plot.Matching(d.x, d.y, matched.res.Plan, &plot.Options{Title: title}); err == nil {
			pics = append(pics, demoPicture{name: "matching.png", cols: 1, plots: []*gplot.Plot{p},
				caption: fmt.Sprintf("The %s plan as a matching: %d sources (dots) joined to %d targets (triangles) "+
					"by a segment per nonzero, darker and wider for more mass.", matched.method, n, m)})
		}
		if p, err := plot.Convergence(conv, &plot.Options{Title: fmt.Sprintf("convergence, %d × %d point clouds", n, m)}); err == nil {
			// Methods take from tens to hundreds of checks: a logarithmic
			// check axis shows them all.
			p.X.Scale = gplot.LogScale{}
			p.X.Tick.Marker = gplot.LogTicks{Prec: -1}
			p.X.Min, p.X.Label.Text = 1, "convergence check (log scale)"
			pics = append(pics, demoPicture{name: "convergence.png", cols: 1, plots: []*gplot.Plot{p},
				caption: "Each method's own stopping criterion at each convergence check on the point-cloud problem, " +
					"both axes logarithmic (methods without a history are listed in the legend only)."})
		}
	}
	for _, d := range problems {
		if d.scores == nil {
			continue
		}
		// Capacity factor 1: every expert can take exactly its share.
		capacity := d.scores.Tokens / d.scores.Experts
		greedy, err := (&cardinality.GreedyRouter{Capacity: capacity}).Route(ctx, *d.scores)
		if err != nil {
			return nil, fmt.Errorf("greedy router: %w", err)
		}
		ot, err := (&cardinality.Router{Capacity: capacity, Workers: workers}).Route(ctx, *d.scores)
		if err != nil {
			return nil, fmt.Errorf("OT router: %w", err)
		}
		pic := demoPicture{name: "routing.png", cols: 2}
		for _, r := range []struct {
			name string
			out  *cardinality.Routing
		}{{"greedy top-1", greedy}, {"OT (sparsity-constrained)", ot}} {
			loads := make([]int, r.out.Experts)
			for j := range loads {
				loads[j] = r.out.Load(j)
			}
			p, err := plot.Routing(loads, capacity, r.out.Dropped,
				&plot.Options{Title: fmt.Sprintf("%s router: %d dropped tokens", r.name, r.out.Dropped)})
			if err != nil {
				return nil, fmt.Errorf("routing loads: %w", err)
			}
			pic.plots = append(pic.plots, p)
		}
		pic.caption = fmt.Sprintf("Expert loads of %d tokens routed to %d experts with capacity %d (dashed): "+
			"the greedy top-1 router drops %d tokens, the OT router %d.",
			d.scores.Tokens, d.scores.Experts, capacity, greedy.Dropped, ot.Dropped)
		pics = append(pics, pic)
	}
	return pics, nil
}

// writeDemoPictures renders every picture, then writes them and
// captions.txt (one "name: caption" line each) into dir, and prints the
// captions (JSON objects with --json). Nothing is written unless every
// picture has rendered.
func writeDemoPictures(dir string, pics []demoPicture, asJSON bool, stdout io.Writer) error {
	var captions strings.Builder
	for k := range pics {
		p := &pics[k]
		w, h := vg.Length(0), vg.Length(0) // one panel: the default size
		if len(p.plots) > 1 {
			w, h = demoPanelWidth, demoPanelHeight
		}
		b, err := renderPicture("png", p.cols, w, h, p.plots...)
		if err == nil {
			b, err = compactPNG(b)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", p.name, err)
		}
		p.data = b
		fmt.Fprintf(&captions, "%s: %s\n", p.name, p.caption)
	}
	for _, p := range pics {
		if err := os.WriteFile(filepath.Join(dir, p.name), p.data, 0o644); err != nil {
			return err
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "captions.txt"), []byte(captions.String()), 0o644); err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		for _, p := range pics {
			if err := enc.Encode(struct {
				Picture string `json:"picture"`
				Caption string `json:"caption"`
			}{filepath.Join(dir, p.name), p.caption}); err != nil {
				return err
			}
		}
		return nil
	}
	fmt.Fprintf(stdout, "\npictures in %s (captions also in captions.txt):\n", dir)
	for _, p := range pics {
		fmt.Fprintf(stdout, "  %-16s %s\n", p.name, p.caption)
	}
	return nil
}
