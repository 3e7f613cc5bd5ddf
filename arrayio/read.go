package arrayio

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"codeberg.org/sbinet/npyio"

	"github.com/otkit/otkit/ot"
)

// Array is a dense array read from a file.
type Array struct {
	// Shape has one or two dimensions.
	Shape []int
	// Data holds the values in row-major (C) order; len(Data) is the
	// product of Shape.
	Data []float64
	// DType is the element type stored in the file: "float64", "float32",
	// "int64" or "int32" for .npy files, "float64" for CSV.
	DType string
}

// Matrix returns the array's dimensions as a matrix: a 1-D array of length
// n is an n×1 column.
func (a *Array) Matrix() (rows, cols int) {
	if len(a.Shape) == 1 {
		return a.Shape[0], 1
	}
	return a.Shape[0], a.Shape[1]
}

// Vector returns the data of a 1-D array, or of a 2-D array with one row or
// one column; other shapes are an error wrapping ot.ErrShape.
func (a *Array) Vector() ([]float64, error) {
	if rows, cols := a.Matrix(); rows != 1 && cols != 1 {
		return nil, fmt.Errorf("%w: want a vector, got a %d×%d array", ot.ErrShape, rows, cols)
	}
	return a.Data, nil
}

// ReadFile reads a CSV file (a name ending in .csv, any case) or a .npy file
// (any other name). Errors start with the file's name.
func ReadFile(path string) (*Array, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err // *PathError names the file
	}
	defer f.Close()
	var a *Array
	if strings.EqualFold(filepath.Ext(path), ".csv") {
		a, err = ReadCSV(f)
	} else {
		var st os.FileInfo
		if st, err = f.Stat(); err == nil {
			a, err = ReadNpy(f, st.Size())
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return a, nil
}

// maxNpyHeader bounds the header length accepted from a .npy file, so a
// corrupt length field cannot make the decoder allocate much.
const maxNpyHeader = 1 << 20

// ReadNpy decodes a NumPy .npy stream of size bytes (the file's size; it
// bounds the header length and the shape, so that a corrupt file cannot make
// ReadNpy allocate more than about size bytes of data). The array must be
// 1-D or 2-D (ot.ErrShape otherwise) with dtype float64, float32, int64 or
// int32 in either byte order (ErrUnsupported otherwise); Fortran-ordered
// data is transposed to row-major. Integers beyond 2⁵³ are rounded to the
// nearest float64. Any other defect wraps ErrMalformed.
func ReadNpy(r io.Reader, size int64) (a *Array, err error) {
	defer func() {
		if p := recover(); p != nil { // the header parser panics on some garbage
			a, err = nil, fmt.Errorf("%w: not a .npy file (%v)", ErrMalformed, p)
		}
	}()
	br := bufio.NewReader(r)
	head, _ := br.Peek(12)
	if len(head) < 10 || string(head[:6]) != "\x93NUMPY" {
		return nil, fmt.Errorf("%w: not a .npy file (no NUMPY magic)", ErrMalformed)
	}
	hlen := int64(binary.LittleEndian.Uint16(head[8:10])) + 10
	if head[6] >= 2 && len(head) == 12 {
		hlen = int64(binary.LittleEndian.Uint32(head[8:12])) + 12
	}
	if hlen > maxNpyHeader || hlen > size {
		return nil, fmt.Errorf("%w: .npy header of %d bytes in a file of %d", ErrMalformed, hlen, size)
	}
	rd, err := npyio.NewReader(br)
	if err != nil {
		return nil, fmt.Errorf("%w: .npy header: %v", ErrMalformed, err)
	}
	shape := append([]int(nil), rd.Header.Descr.Shape...)
	var rows, cols int
	switch len(shape) {
	case 1:
		rows, cols = shape[0], 1
	case 2:
		rows, cols = shape[0], shape[1]
	default:
		return nil, fmt.Errorf("%w: want a 1-D or 2-D array, got shape %v", ot.ErrShape, shape)
	}
	dtype := rd.Header.Descr.Type
	var name string
	var itemsize int64
	switch strings.TrimLeft(strings.Trim(dtype, `'"`), "<>|=") {
	case "f8":
		name, itemsize = "float64", 8
	case "f4":
		name, itemsize = "float32", 4
	case "i8":
		name, itemsize = "int64", 8
	case "i4":
		name, itemsize = "int32", 4
	default:
		return nil, fmt.Errorf("%w: dtype %q (want float64, float32, int64 or int32)", ErrUnsupported, dtype)
	}
	// Every dimension, and the data, must fit in the file after the header.
	avail := size - hlen
	if rows < 0 || cols < 0 || int64(rows) > size || int64(cols) > size ||
		(cols > 0 && int64(rows) > avail/int64(cols)/itemsize) {
		return nil, fmt.Errorf("%w: shape %v needs more data than the file's %d bytes", ErrMalformed, shape, size)
	}
	var data []float64
	switch name {
	case "float64":
		err = rd.Read(&data)
	case "float32":
		var v []float32
		err = rd.Read(&v)
		data = widen(v)
	case "int64":
		var v []int64
		err = rd.Read(&v)
		data = widen(v)
	case "int32":
		var v []int32
		err = rd.Read(&v)
		data = widen(v)
	}
	if err != nil && !(errors.Is(err, io.EOF) && rows*cols == 0) {
		return nil, fmt.Errorf("%w: reading %s data: %v", ErrMalformed, dtype, err)
	}
	if len(data) != rows*cols {
		return nil, fmt.Errorf("%w: the file holds %d values, shape %v needs %d", ErrMalformed, len(data), shape, rows*cols)
	}
	if rd.Header.Descr.Fortran && len(shape) == 2 {
		t := make([]float64, len(data))
		for j := 0; j < cols; j++ {
			for i := 0; i < rows; i++ {
				t[i*cols+j] = data[j*rows+i]
			}
		}
		data = t
	}
	if data == nil {
		data = []float64{}
	}
	return &Array{Shape: shape, Data: data, DType: name}, nil
}

func widen[T float32 | int64 | int32](v []T) []float64 {
	if v == nil {
		return nil
	}
	d := make([]float64, len(v))
	for k, x := range v {
		d[k] = float64(x)
	}
	return d
}

// ReadCSV reads comma-separated rows of numbers, one row per line, into a
// rows×cols Array (DType "float64"). Blank lines and lines starting with #
// are skipped; fields may be surrounded by spaces; every row must have the
// same number of fields. Values are parsed by strconv.ParseFloat, so NaN and
// ±Inf are read as such (the caller validates). An input without rows, a
// ragged row or a field that is not a number is an error wrapping
// ErrMalformed that names the line.
func ReadCSV(r io.Reader) (*Array, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<16), 1<<30)
	var rows, cols, line int
	data := []float64{}
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		fields := strings.Split(text, ",")
		if rows == 0 {
			cols = len(fields)
		} else if len(fields) != cols {
			return nil, fmt.Errorf("%w: line %d has %d fields, want %d", ErrMalformed, line, len(fields), cols)
		}
		for k, s := range fields {
			v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
			if err != nil {
				return nil, fmt.Errorf("%w: line %d, field %d: %q is not a number", ErrMalformed, line, k+1, s)
			}
			data = append(data, v)
		}
		rows++
	}
	if err := sc.Err(); errors.Is(err, bufio.ErrTooLong) {
		return nil, fmt.Errorf("%w: line %d: %v", ErrMalformed, line+1, err)
	} else if err != nil {
		return nil, err
	}
	if rows == 0 {
		return nil, fmt.Errorf("%w: no data", ErrMalformed)
	}
	return &Array{Shape: []int{rows, cols}, Data: data, DType: "float64"}, nil
}
