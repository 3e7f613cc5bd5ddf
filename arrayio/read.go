package arrayio

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/otkit/otkit/ot"
)

// Array is a dense array read from a file.
type Array struct {
	// Shape has one or two dimensions.
	Shape []int
	// Data holds the values in row-major (C) order; len(Data) is the
	// product of Shape.
	Data []float64
	// DType is the element type stored in the file, as NumPy names it
	// ("float64", "float16", "int8", "uint64", …) for .npy files, "float64"
	// for CSV.
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
// (any other name). Errors start with the file's name. Only regular files
// (or links to them) are read: a directory, named pipe, socket or device is
// an error wrapping ErrNotRegular, refused before it is opened (opening a
// named pipe would block).
func ReadFile(path string) (*Array, error) {
	if err := regular(path); err != nil {
		return nil, err
	}
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
			if errors.Is(err, strconv.ErrRange) && math.IsInf(v, 0) {
				return nil, fmt.Errorf("%w: line %d, field %d: %q is out of float64 range", ErrMalformed, line, k+1, strings.TrimSpace(s))
			}
			if err != nil && !errors.Is(err, strconv.ErrRange) { // underflow reads as 0 or a subnormal
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

// regular returns nil when path names a regular file (following links),
// and otherwise an error naming the file and what it is.
func regular(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return err // *PathError names the file
	}
	mode := st.Mode()
	if mode.IsRegular() {
		return nil
	}
	what := "not a regular file"
	switch {
	case mode.IsDir():
		what = "a directory"
	case mode&os.ModeNamedPipe != 0:
		what = "a named pipe (FIFO)"
	case mode&os.ModeSocket != 0:
		what = "a socket"
	case mode&os.ModeDevice != 0:
		what = "a device"
	}
	return fmt.Errorf("%s: %w: it is %s", path, ErrNotRegular, what)
}
