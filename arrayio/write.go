package arrayio

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/otkit/otkit/ot"
)

// WriteNpy writes data as a float64 .npy array of the given shape (one or
// two dimensions, C order, little-endian). len(data) must equal the product
// of shape (ot.ErrShape otherwise).
func WriteNpy(w io.Writer, data []float64, shape ...int) error {
	if err := checkShape(len(data), shape); err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	writeNpyHeader(bw, "<f8", shape)
	var buf [8]byte
	for _, v := range data {
		binary.LittleEndian.PutUint64(buf[:], math.Float64bits(v))
		bw.Write(buf[:])
	}
	return bw.Flush()
}

// writeNpyInt writes a 1-D int64 .npy array.
func writeNpyInt(w io.Writer, v []int) error {
	bw := bufio.NewWriter(w)
	writeNpyHeader(bw, "<i8", []int{len(v)})
	var buf [8]byte
	for _, x := range v {
		binary.LittleEndian.PutUint64(buf[:], uint64(int64(x)))
		bw.Write(buf[:])
	}
	return bw.Flush()
}

// writeNpyHeader writes the magic, version and header dictionary, padded
// so that the data starts at a multiple of 64 bytes.
func writeNpyHeader(w *bufio.Writer, descr string, shape []int) {
	dims := make([]string, len(shape))
	for k, d := range shape {
		dims[k] = strconv.Itoa(d)
	}
	tuple := strings.Join(dims, ", ")
	if len(shape) == 1 {
		tuple += ","
	}
	h := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': (%s), }", descr, tuple)
	pre := 10 // magic, version, 2-byte length
	if len(h)+1+pre+63 > math.MaxUint16 {
		pre = 12
	}
	h += strings.Repeat(" ", (64-(pre+len(h)+1)%64)%64) + "\n"
	w.WriteString("\x93NUMPY")
	if pre == 10 {
		w.Write([]byte{1, 0, byte(len(h)), byte(len(h) >> 8)})
	} else {
		w.Write([]byte{2, 0})
		binary.Write(w, binary.LittleEndian, uint32(len(h)))
	}
	w.WriteString(h)
}

func checkShape(n int, shape []int) error {
	if len(shape) != 1 && len(shape) != 2 {
		return fmt.Errorf("%w: want a 1-D or 2-D shape, got %v", ot.ErrShape, shape)
	}
	size := 1
	for _, d := range shape {
		if d < 0 {
			return fmt.Errorf("%w: negative dimension in shape %v", ot.ErrShape, shape)
		}
		size *= d
	}
	if size != n {
		return fmt.Errorf("%w: %d values for shape %v", ot.ErrShape, n, shape)
	}
	return nil
}

// WriteCSV writes a row-major rows×cols array as CSV, one row per line, each
// value in the shortest form that parses back to the same float64.
func WriteCSV(w io.Writer, rows, cols int, data []float64) error {
	if err := checkShape(len(data), []int{rows, cols}); err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	var buf []byte
	for i := 0; i < rows; i++ {
		buf = buf[:0]
		for j := 0; j < cols; j++ {
			if j > 0 {
				buf = append(buf, ',')
			}
			buf = strconv.AppendFloat(buf, data[i*cols+j], 'g', -1, 64)
		}
		buf = append(buf, '\n')
		bw.Write(buf)
	}
	return bw.Flush()
}

// WriteFile writes a row-major array to path as CSV (a name ending in .csv,
// where a 1-D shape is written as one column) or as a float64 .npy file
// (a name ending in .npy). Other extensions are an error wrapping
// ot.ErrParameter, returned before the file is created. Errors start with
// the file's name.
func WriteFile(path string, data []float64, shape ...int) error {
	csv, err := denseKind(path)
	if err != nil {
		return err
	}
	if err := checkShape(len(data), shape); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return create(path, func(w io.Writer) error {
		if csv {
			rows, cols := shape[0], 1
			if len(shape) == 2 {
				cols = shape[1]
			}
			return WriteCSV(w, rows, cols, data)
		}
		return WriteNpy(w, data, shape...)
	})
}

func denseKind(path string) (csv bool, err error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		return true, nil
	case ".npy":
		return false, nil
	}
	return false, fmt.Errorf("%s: %w: unknown extension %q (want .npy or .csv)", path, ot.ErrParameter, filepath.Ext(path))
}

// create writes a file through fill, closing it and naming it in errors.
// A file that could not be written completely is removed.
func create(path string, fill func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err // *PathError names the file
	}
	err = fill(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
