package arrayio

import (
	"archive/zip"
	"bufio"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strings"

	"github.com/otkit/otkit/ot"
)

// COO is a sparse Rows×Cols matrix in coordinate form: entry k is Val[k] at
// (Row[k], Col[k]). Row, Col and Val have the same length.
type COO struct {
	Rows, Cols int
	Row, Col   []int
	Val        []float64
}

// NNZ returns the number of stored entries.
func (c *COO) NNZ() int { return len(c.Val) }

// Dense returns the matrix as a row-major Rows×Cols slice; entries stored
// twice add up, as in SciPy.
func (c *COO) Dense() []float64 {
	d := make([]float64, c.Rows*c.Cols)
	for k, v := range c.Val {
		d[c.Row[k]*c.Cols+c.Col[k]] += v
	}
	return d
}

// FromPlan returns the stored entries of a plan in row-major order: the
// entries of an *ot.SparsePlan as stored (zeros included), the nonzero
// entries of any other plan (read row by row).
func FromPlan(p ot.Plan) *COO {
	n, m := p.Dims()
	c := &COO{Rows: n, Cols: m}
	if sp, ok := p.(*ot.SparsePlan); ok {
		c.Row = make([]int, len(sp.Val))
		for i := 0; i < n; i++ {
			for k := sp.RowPtr[i]; k < sp.RowPtr[i+1]; k++ {
				c.Row[k] = i
			}
		}
		c.Col = append([]int(nil), sp.ColIdx[:len(sp.Val)]...)
		c.Val = append([]float64(nil), sp.Val...)
		return c
	}
	row := make([]float64, m)
	for i := 0; i < n; i++ {
		for j, v := range p.Row(i, row) {
			if v != 0 {
				c.Row = append(c.Row, i)
				c.Col = append(c.Col, j)
				c.Val = append(c.Val, v)
			}
		}
	}
	return c
}

func (c *COO) check() error {
	if c.Rows < 0 || c.Cols < 0 {
		return fmt.Errorf("%w: negative shape %d×%d", ot.ErrShape, c.Rows, c.Cols)
	}
	if len(c.Row) != len(c.Val) || len(c.Col) != len(c.Val) {
		return fmt.Errorf("%w: %d rows, %d columns and %d values", ot.ErrShape, len(c.Row), len(c.Col), len(c.Val))
	}
	for k := range c.Val {
		if c.Row[k] < 0 || c.Row[k] >= c.Rows || c.Col[k] < 0 || c.Col[k] >= c.Cols {
			return fmt.Errorf("%w: entry %d at (%d, %d) outside %d×%d", ot.ErrShape, k, c.Row[k], c.Col[k], c.Rows, c.Cols)
		}
	}
	return nil
}

// WriteNpz writes c as a deflate-compressed .npz archive in the layout of
// SciPy's save_npz for a COO matrix: int64 arrays row, col and shape
// (Rows, Cols), a float64 array data and the format string "coo". Read it
// with scipy.sparse.load_npz, with numpy.load (keys "row", "col", "data",
// "shape") or with ReadNpz. An entry outside the shape is an error wrapping
// ot.ErrShape.
func WriteNpz(w io.Writer, c *COO) error {
	if err := c.check(); err != nil {
		return err
	}
	z := zip.NewWriter(w)
	entries := []struct {
		name  string
		write func(io.Writer) error
	}{
		{"row", func(w io.Writer) error { return writeNpyInt(w, c.Row) }},
		{"col", func(w io.Writer) error { return writeNpyInt(w, c.Col) }},
		{"data", func(w io.Writer) error { return WriteNpy(w, c.Val, len(c.Val)) }},
		{"shape", func(w io.Writer) error { return writeNpyInt(w, []int{c.Rows, c.Cols}) }},
		{"format", func(w io.Writer) error { // a 0-d bytes array, as SciPy writes it
			bw := bufio.NewWriter(w)
			writeNpyHeader(bw, "|S3", nil)
			bw.WriteString("coo")
			return bw.Flush()
		}},
	}
	for _, e := range entries {
		f, err := z.CreateHeader(&zip.FileHeader{Name: e.name + ".npy", Method: zip.Deflate})
		if err != nil {
			return err
		}
		if err := e.write(f); err != nil {
			return err
		}
	}
	return z.Close()
}

// ReadNpz reads a COO matrix from an .npz archive of size bytes holding the
// arrays row, col, data (any dtype ReadNpy reads; indices must be integral)
// and shape, as WriteNpz and scipy.sparse.save_npz(…, coo_matrix) write
// them; other entries are ignored. Every array is bounded by its entry's
// uncompressed size, which must be within deflate's limit (about 1000 times
// the compressed size), so memory stays proportional to the archive's size. A missing array, indices outside the shape or arrays of
// different lengths are errors wrapping ErrMalformed.
func ReadNpz(r io.ReaderAt, size int64) (*COO, error) {
	z, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("%w: not an .npz archive: %v", ErrMalformed, err)
	}
	arrays := map[string][]float64{}
	for _, f := range z.File {
		key := strings.TrimSuffix(f.Name, ".npy")
		switch key {
		case "row", "col", "data", "shape":
		default:
			continue
		}
		// Deflate expands at most about 1032-fold: a larger claimed size
		// is a corrupt (or hostile) header.
		if f.UncompressedSize64 > 1100*f.CompressedSize64+1024 || f.CompressedSize64 > uint64(size) {
			return nil, fmt.Errorf("%w: entry %s: size %d", ErrMalformed, f.Name, f.UncompressedSize64)
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("%w: entry %s: %v", ErrMalformed, f.Name, err)
		}
		n := int64(f.UncompressedSize64)
		a, err := ReadNpy(io.LimitReader(rc, n), n)
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("entry %s: %w", f.Name, err)
		}
		if _, err := a.Vector(); err != nil {
			return nil, fmt.Errorf("%w: entry %s: %v", ErrMalformed, f.Name, err)
		}
		arrays[key] = a.Data
	}
	for _, key := range []string{"row", "col", "data", "shape"} {
		if _, ok := arrays[key]; !ok {
			return nil, fmt.Errorf("%w: no %q array in the archive", ErrMalformed, key)
		}
	}
	shape := arrays["shape"]
	if len(shape) != 2 {
		return nil, fmt.Errorf("%w: shape has %d values, want 2", ErrMalformed, len(shape))
	}
	c := &COO{Val: arrays["data"]}
	var bad bool
	c.Rows, bad = toInt(shape[0], -1)
	if cols, b := toInt(shape[1], -1); !bad && !b {
		c.Cols = cols
	} else {
		bad = true
	}
	if bad {
		return nil, fmt.Errorf("%w: shape %v", ErrMalformed, shape)
	}
	if len(arrays["row"]) != len(c.Val) || len(arrays["col"]) != len(c.Val) {
		return nil, fmt.Errorf("%w: %d rows, %d columns and %d values", ErrMalformed,
			len(arrays["row"]), len(arrays["col"]), len(c.Val))
	}
	c.Row = make([]int, len(c.Val))
	c.Col = make([]int, len(c.Val))
	for k := range c.Val {
		i, bi := toInt(arrays["row"][k], c.Rows)
		j, bj := toInt(arrays["col"][k], c.Cols)
		if bi || bj {
			return nil, fmt.Errorf("%w: entry %d at (%v, %v) outside %d×%d", ErrMalformed, k,
				arrays["row"][k], arrays["col"][k], c.Rows, c.Cols)
		}
		c.Row[k], c.Col[k] = i, j
	}
	return c, nil
}

// toInt converts an index or a dimension (limit < 0) read as float64; bad
// reports a value that is not a non-negative integer below limit.
func toInt(v float64, limit int) (int, bool) {
	if !(v >= 0) || v != math.Trunc(v) || v >= 1<<53 || (limit >= 0 && v >= float64(limit)) {
		return 0, true
	}
	return int(v), false
}

// WritePlan writes a transport plan to path, the format chosen by the
// extension: .npz writes the plan's stored entries as a SciPy COO archive
// (WriteNpz of FromPlan, the compact form for the sparse plans of the exact,
// quadratic and cardinality solvers); .npy and .csv write the dense n×m
// float64 matrix (WriteFile). Other extensions are an error wrapping
// ot.ErrParameter, returned before the file is created. Errors start with
// the file's name.
func WritePlan(path string, p ot.Plan) error {
	if !PlanExt(path) {
		return fmt.Errorf("%s: %w: unknown extension %q (want .npz, .npy or .csv)", path, ot.ErrParameter, filepath.Ext(path))
	}
	if strings.EqualFold(filepath.Ext(path), ".npz") {
		c := FromPlan(p)
		return create(path, func(w io.Writer) error { return WriteNpz(w, c) })
	}
	n, m := p.Dims()
	return WriteFile(path, ot.DenseCopy(p).RawMatrix().Data, n, m)
}

// PlanExt reports whether WritePlan knows the extension of path (.npz,
// .npy or .csv, any case).
func PlanExt(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".npz", ".npy", ".csv":
		return true
	}
	return false
}
