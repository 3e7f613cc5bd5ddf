package plot

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/otkit/otkit/ot"
)

// Default picture size used when Write is given a zero width or height, and
// by PNG and Save: 6 × 4.5 inches, 576 × 432 pixels in PNG (96 dpi).
const (
	DefaultWidth  = 6 * vg.Inch
	DefaultHeight = 4.5 * vg.Inch
)

// Options adjusts a picture. A nil *Options, and the zero value of every
// field, means the documented default. Fields that do not apply to a kind of
// picture are ignored by it.
type Options struct {
	// Title replaces the picture's default title.
	Title string

	// Log colours Plan by log10 of the entries instead of the entries.
	Log bool
	// Floor is, with Log, the smallest entry drawn relative to the largest:
	// entries (block sums) below Floor·max are white. Zero means 1e-6; it
	// must lie in [0, 1).
	Floor float64
	// MaxCells is the largest number of cells Plan draws along an axis;
	// larger plans are summed into blocks. Zero means 512.
	MaxCells int

	// MaxSegments caps the segments Matching and Classes draw for dense or
	// lazy plans (the largest entries are kept). Zero means 2000.
	MaxSegments int

	// Names labels the coefficients of Path in its legend (one per
	// coefficient; fewer names leave the rest unnamed).
	Names []string
}

func (o *Options) title(def string) string {
	if o != nil && o.Title != "" {
		return o.Title
	}
	return def
}

func (o *Options) maxCells() int {
	if o == nil || o.MaxCells == 0 {
		return 512
	}
	return o.MaxCells
}

func (o *Options) floor() float64 {
	if o == nil || o.Floor == 0 {
		return 1e-6
	}
	return o.Floor
}

func (o *Options) maxSegments() int {
	if o == nil || o.MaxSegments == 0 {
		return 2000
	}
	return o.MaxSegments
}

func (o *Options) check() error {
	if o == nil {
		return nil
	}
	if o.MaxCells < 0 {
		return fmt.Errorf("plot: %w: MaxCells %d < 0", ot.ErrParameter, o.MaxCells)
	}
	if o.MaxSegments < 0 {
		return fmt.Errorf("plot: %w: MaxSegments %d < 0", ot.ErrParameter, o.MaxSegments)
	}
	if !(o.Floor >= 0 && o.Floor < 1) {
		return fmt.Errorf("plot: %w: Floor %v outside [0, 1)", ot.ErrParameter, o.Floor)
	}
	return nil
}

// Write renders p to w in the given format ("png", "svg", or any other
// format of gonum/plot: "pdf", "eps", "jpg", "tif", "tex"), width × height
// in size; a zero width or height means DefaultWidth or DefaultHeight.
// Nothing is written if rendering fails.
func Write(w io.Writer, p *gplot.Plot, format string, width, height vg.Length) error {
	return WriteRow(w, format, width, height, p)
}

// WriteRow renders plots side by side, each width × height (zero means the
// default size), with their data areas aligned, in the given format.
// Nothing is written if rendering fails.
func WriteRow(w io.Writer, format string, width, height vg.Length, plots ...*gplot.Plot) (err error) {
	if len(plots) == 0 {
		return fmt.Errorf("plot: %w: no plot", ot.ErrEmpty)
	}
	for _, p := range plots {
		if p == nil {
			return fmt.Errorf("plot: %w: nil plot", ot.ErrEmpty)
		}
	}
	if width < 0 || height < 0 {
		return fmt.Errorf("plot: %w: size %v × %v", ot.ErrParameter, width, height)
	}
	if width == 0 {
		width = DefaultWidth
	}
	if height == 0 {
		height = DefaultHeight
	}
	format = strings.ToLower(strings.TrimPrefix(format, "."))
	var buf bytes.Buffer
	err = func() (err error) {
		// A gonum/plot panic on a plot restyled by the caller becomes an
		// error.
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("plot: rendering %s: %v", format, r)
			}
		}()
		c, err := draw.NewFormattedCanvas(width*vg.Length(len(plots)), height, format)
		if err != nil {
			return fmt.Errorf("plot: %w", err)
		}
		dc := draw.New(c)
		if len(plots) == 1 {
			plots[0].Draw(dc)
		} else {
			t := draw.Tiles{Rows: 1, Cols: len(plots), PadX: vg.Points(12)}
			cs := gplot.Align([][]*gplot.Plot{plots}, t, dc)
			for j, p := range plots {
				p.Draw(cs[0][j])
			}
		}
		_, err = c.WriteTo(&buf)
		return err
	}()
	if err != nil {
		return err
	}
	_, err = w.Write(buf.Bytes())
	return err
}

// PNGRow returns plots side by side as one PNG image, each of the default
// size.
func PNGRow(plots ...*gplot.Plot) ([]byte, error) {
	var buf bytes.Buffer
	if err := WriteRow(&buf, "png", 0, 0, plots...); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// WritePNG renders p to w as a PNG image of width × height (96 dpi; zero
// means the default size).
func WritePNG(w io.Writer, p *gplot.Plot, width, height vg.Length) error {
	return Write(w, p, "png", width, height)
}

// WriteSVG renders p to w as an SVG image of width × height (zero means the
// default size).
func WriteSVG(w io.Writer, p *gplot.Plot, width, height vg.Length) error {
	return Write(w, p, "svg", width, height)
}

// PNG returns p rendered as a PNG image of the default size, the bytes a
// notebook kernel displays (for GoNB: gonbui.DisplayPng).
func PNG(p *gplot.Plot) ([]byte, error) {
	var buf bytes.Buffer
	if err := WritePNG(&buf, p, 0, 0); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Save writes p to the file path in the format given by its extension
// (.png, .svg, or another format of gonum/plot) at the default size. The
// file is created only once the picture has rendered.
func Save(path string, p *gplot.Plot) error {
	format := strings.TrimPrefix(filepath.Ext(path), ".")
	if format == "" {
		return fmt.Errorf("plot: %w: %q has no extension to choose a format", ot.ErrParameter, path)
	}
	var buf bytes.Buffer
	if err := Write(&buf, p, format, 0, 0); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o666)
}
