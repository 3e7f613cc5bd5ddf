package main

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"sort"
	"strings"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/otkit/otkit/plot"
)

// plotExts are the picture formats --plot accepts.
const plotExts = ".png or .svg"

// isPlotPath reports whether path ends in .png or .svg (any case).
func isPlotPath(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".png", ".svg":
		return true
	}
	return false
}

// checkPlotPath checks a --plot path before any work (checkOutPath).
func checkPlotPath(path string) error {
	return checkOutPath("plot", path, isPlotPath, plotExts)
}

// writePicture renders plots into one picture at path, in the format of its
// extension (.png or .svg): cols panels per row (cols ≤ 0: all in one row),
// each panel width × height (zero: plot.DefaultWidth, DefaultHeight), their
// data areas aligned. The file is written only once the picture has
// rendered, so a failure leaves nothing behind.
func writePicture(path string, cols int, width, height vg.Length, plots ...*gplot.Plot) error {
	format := strings.ToLower(strings.TrimPrefix(filepath.Ext(path), "."))
	b, err := renderPicture(format, cols, width, height, plots...)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return os.WriteFile(path, b, 0o644)
}

// renderPicture returns plots rendered as writePicture lays them out, in
// the given format ("png" or "svg").
func renderPicture(format string, cols int, width, height vg.Length, plots ...*gplot.Plot) ([]byte, error) {
	var buf bytes.Buffer
	var err error
	if cols <= 0 || len(plots) <= cols {
		err = plot.WriteRow(&buf, format, width, height, plots...)
	} else {
		err = writeGrid(&buf, format, cols, width, height, plots)
	}
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// writeGrid renders plots row by row, cols per row, into buf.
func writeGrid(buf *bytes.Buffer, format string, cols int, width, height vg.Length, plots []*gplot.Plot) (err error) {
	if width == 0 {
		width = plot.DefaultWidth
	}
	if height == 0 {
		height = plot.DefaultHeight
	}
	rows := (len(plots) + cols - 1) / cols
	grid := make([][]*gplot.Plot, rows)
	for r := range grid {
		grid[r] = make([]*gplot.Plot, cols)
		copy(grid[r], plots[r*cols:min(len(plots), (r+1)*cols)])
	}
	defer func() {
		// gonum/plot reports some drawing failures by panicking.
		if r := recover(); r != nil {
			err = fmt.Errorf("rendering %s: %v", format, r)
		}
	}()
	c, err := draw.NewFormattedCanvas(width*vg.Length(cols), height*vg.Length(rows), format)
	if err != nil {
		return err
	}
	t := draw.Tiles{Rows: rows, Cols: cols, PadX: vg.Points(12), PadY: vg.Points(12)}
	cs := gplot.Align(grid, t, draw.New(c))
	for r, row := range grid {
		for k, p := range row {
			if p != nil {
				p.Draw(cs[r][k])
			}
		}
	}
	_, err = c.WriteTo(buf)
	return err
}

// compactPNG re-encodes a PNG picture with a palette of at most 256
// colours: the picture's own colours when it has no more, else its 256 most
// frequent ones, every other colour (the blends of anti-aliased edges and of
// scaled heat maps) drawn in the nearest of them. The demo's pictures are
// about a third of their size this way, at no visible change.
func compactPNG(b []byte) ([]byte, error) {
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	bounds := img.Bounds()
	count := map[color.RGBA]int{}
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			count[color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)]++
		}
	}
	colours := make([]color.RGBA, 0, len(count))
	for c := range count {
		colours = append(colours, c)
	}
	sort.Slice(colours, func(i, j int) bool {
		ci, cj := colours[i], colours[j]
		if count[ci] != count[cj] {
			return count[ci] > count[cj]
		}
		return uint32(ci.R)<<24|uint32(ci.G)<<16|uint32(ci.B)<<8|uint32(ci.A) <
			uint32(cj.R)<<24|uint32(cj.G)<<16|uint32(cj.B)<<8|uint32(cj.A)
	})
	pal := make(color.Palette, min(256, len(colours)))
	for k := range pal {
		pal[k] = colours[k]
	}
	index := map[color.RGBA]uint8{}
	for _, c := range colours {
		index[c] = uint8(pal.Index(c))
	}
	out := image.NewPaletted(bounds, pal)
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			out.SetColorIndex(x, y, index[color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)])
		}
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, out); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
