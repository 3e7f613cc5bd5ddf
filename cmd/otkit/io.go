package main

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
	"gonum.org/v1/gonum/mat"
)

// readMatrix reads a 2-D array (or a 1-D array as one column) of floats
// from a .npy file (float64, float32 or integer dtypes, C or Fortran order)
// or a CSV file (one row per line, comma-separated; blank lines and lines
// starting with # are skipped). Errors name the file.
func readMatrix(path string) (rows, cols int, data []float64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, nil, err
	}
	defer f.Close()
	if strings.EqualFold(filepath.Ext(path), ".csv") {
		rows, cols, data, err = parseCSV(f)
	} else {
		var st os.FileInfo
		if st, err = f.Stat(); err == nil {
			rows, cols, data, err = parseNpy(f, st.Size())
		}
	}
	if err != nil {
		return 0, 0, nil, fmt.Errorf("%s: %w", path, err)
	}
	return rows, cols, data, nil
}

// readVector reads a 1-D array, or a 2-D array with one row or one column.
func readVector(path string) ([]float64, error) {
	rows, cols, data, err := readMatrix(path)
	if err != nil {
		return nil, err
	}
	if rows != 1 && cols != 1 {
		return nil, fmt.Errorf("%s: want a vector, got a %d×%d array", path, rows, cols)
	}
	return data, nil
}

// maxNpyHeader bounds the header length accepted from a .npy file, so a
// corrupt length field cannot make the decoder allocate gigabytes.
const maxNpyHeader = 1 << 20

// parseNpy decodes a NumPy .npy stream of size bytes. Malformed input is an
// error, never a panic (the decoder's panics are recovered) and never an
// allocation larger than the file.
func parseNpy(r io.Reader, size int64) (rows, cols int, data []float64, err error) {
	defer func() {
		if p := recover(); p != nil {
			rows, cols, data, err = 0, 0, nil, fmt.Errorf("not a readable .npy file (%v)", p)
		}
	}()
	br := bufio.NewReader(r)
	head, _ := br.Peek(12)
	if len(head) < 10 || string(head[:6]) != "\x93NUMPY" {
		return 0, 0, nil, errors.New("not a readable .npy file: no NUMPY magic")
	}
	hlen := int64(binary.LittleEndian.Uint16(head[8:10]))
	if head[6] >= 2 && len(head) == 12 {
		hlen = int64(binary.LittleEndian.Uint32(head[8:12]))
	}
	if hlen > maxNpyHeader || hlen > size {
		return 0, 0, nil, fmt.Errorf("not a readable .npy file: header length %d", hlen)
	}
	rd, err := npyio.NewReader(br)
	if err != nil {
		return 0, 0, nil, fmt.Errorf("not a readable .npy file: %w", err)
	}
	shape := rd.Header.Descr.Shape
	switch len(shape) {
	case 1:
		rows, cols = shape[0], 1
	case 2:
		rows, cols = shape[0], shape[1]
	default:
		return 0, 0, nil, fmt.Errorf("want a 1-D or 2-D array, got shape %v", shape)
	}
	if rows < 0 || cols < 0 || (cols > 0 && int64(rows) > size/int64(cols)/4) {
		return 0, 0, nil, fmt.Errorf("shape %v needs more data than the file's %d bytes", shape, size)
	}
	dtype := rd.Header.Descr.Type
	switch strings.TrimLeft(strings.Trim(dtype, `'"`), "<>|=") {
	case "f8":
		err = rd.Read(&data)
	case "f4":
		var v []float32
		if err = rd.Read(&v); err == nil {
			data = make([]float64, len(v))
			for k, x := range v {
				data[k] = float64(x)
			}
		}
	case "i8":
		var v []int64
		if err = rd.Read(&v); err == nil {
			data = make([]float64, len(v))
			for k, x := range v {
				data[k] = float64(x)
			}
		}
	case "i4":
		var v []int32
		if err = rd.Read(&v); err == nil {
			data = make([]float64, len(v))
			for k, x := range v {
				data[k] = float64(x)
			}
		}
	default:
		return 0, 0, nil, fmt.Errorf("unsupported dtype %q (want float64, float32, int64 or int32)", dtype)
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return 0, 0, nil, fmt.Errorf("reading %s data: %w", dtype, err)
	}
	if len(data) != rows*cols {
		return 0, 0, nil, fmt.Errorf("file holds %d values, shape %v needs %d", len(data), shape, rows*cols)
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
	return rows, cols, data, nil
}

// parseCSV reads comma-separated rows of numbers.
func parseCSV(r io.Reader) (rows, cols int, data []float64, err error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<16), 1<<30)
	line := 0
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
			return 0, 0, nil, fmt.Errorf("line %d has %d fields, want %d", line, len(fields), cols)
		}
		for k, s := range fields {
			v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
			if err != nil {
				return 0, 0, nil, fmt.Errorf("line %d, field %d: %q is not a number", line, k+1, s)
			}
			data = append(data, v)
		}
		rows++
	}
	if err := sc.Err(); err != nil {
		return 0, 0, nil, err
	}
	if rows == 0 {
		return 0, 0, nil, errors.New("no data")
	}
	return rows, cols, data, nil
}

// writeMatrix writes a row-major rows×cols float64 array as .npy (or CSV
// when the name ends in .csv).
func writeMatrix(path string, rows, cols int, data []float64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if strings.EqualFold(filepath.Ext(path), ".csv") {
		w := bufio.NewWriter(f)
		for i := 0; i < rows; i++ {
			for j := 0; j < cols; j++ {
				if j > 0 {
					w.WriteByte(',')
				}
				w.WriteString(strconv.FormatFloat(data[i*cols+j], 'g', -1, 64))
			}
			w.WriteByte('\n')
		}
		err = w.Flush()
	} else {
		err = npyio.Write(f, mat.NewDense(rows, cols, data))
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
