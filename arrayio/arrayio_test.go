package arrayio

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"codeberg.org/sbinet/npyio"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"github.com/otkit/otkit/ot"
)

// rawNpy returns a version-1 .npy file with the given header and data.
func rawNpy(header string, data []byte) []byte {
	for (10+len(header)+1)%64 != 0 {
		header += " "
	}
	header += "\n"
	out := []byte("\x93NUMPY\x01\x00")
	out = append(out, byte(len(header)), byte(len(header)>>8))
	return append(append(out, header...), data...)
}

func npyBytes(t testing.TB, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, npyio.Write(&buf, v))
	return buf.Bytes()
}

func readNpyBytes(b []byte) (*Array, error) { return ReadNpy(bytes.NewReader(b), int64(len(b))) }

func TestReadNpyDTypes(t *testing.T) {
	for _, tc := range []struct {
		name  string
		v     any
		dtype string
		shape []int
		want  []float64
	}{
		{"float64 matrix", mat.NewDense(2, 3, []float64{1, 2, 3, 4, 5, 6}), "float64", []int{2, 3}, []float64{1, 2, 3, 4, 5, 6}},
		{"float64 vector", []float64{0.25, -1e300}, "float64", []int{2}, []float64{0.25, -1e300}},
		{"float32", []float32{1.5, 0.1}, "float32", []int{2}, []float64{1.5, float64(float32(0.1))}},
		{"int64", []int64{3, -4, 1 << 40}, "int64", []int{3}, []float64{3, -4, 1 << 40}},
		{"int32", []int32{7, -8}, "int32", []int{2}, []float64{7, -8}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := readNpyBytes(npyBytes(t, tc.v))
			require.NoError(t, err)
			assert.Equal(t, tc.dtype, a.DType)
			assert.Equal(t, tc.shape, a.Shape)
			assert.Equal(t, tc.want, a.Data)
		})
	}
}

func TestReadNpyFortranAndBigEndian(t *testing.T) {
	data := make([]byte, 0, 48)
	for _, v := range []float64{1, 4, 2, 5, 3, 6} { // column-major [[1 2 3] [4 5 6]]
		data = append(data, byte(0), 0, 0, 0, 0, 0, 0, 0)
		bits := math.Float64bits(v)
		for k := 0; k < 8; k++ {
			data[len(data)-8+k] = byte(bits >> (8 * k))
		}
	}
	a, err := readNpyBytes(rawNpy("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }", data))
	require.NoError(t, err)
	assert.Equal(t, []int{2, 3}, a.Shape)
	assert.Equal(t, []float64{1, 2, 3, 4, 5, 6}, a.Data)

	be := []byte{0, 0, 0, 1, 0xff, 0xff, 0xff, 0xfe} // >i4: 1, −2
	a, err = readNpyBytes(rawNpy("{'descr': '>i4', 'fortran_order': False, 'shape': (2,), }", be))
	require.NoError(t, err)
	assert.Equal(t, []float64{1, -2}, a.Data)
}

func TestReadErrors(t *testing.T) {
	hdr := func(descr, shape string) string {
		return "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }"
	}
	for _, tc := range []struct {
		name  string
		input []byte
		csv   bool
		want  error
		msg   string
	}{
		{"no magic", []byte("this is not numpy"), false, ErrMalformed, "no NUMPY magic"},
		{"short", []byte("\x93NUMPY\x01\x00"), false, ErrMalformed, "no NUMPY magic"},
		{"header longer than file", []byte("\x93NUMPY\x01\x00\xff\xff{}"), false, ErrMalformed, "header of 65545 bytes in a file of 12"},
		{"truncated data", rawNpy(hdr("<f8", "(2, 2)"), make([]byte, 16)), false, ErrMalformed, "needs more data"},
		{"shape beyond file", rawNpy(hdr("<f8", "(4611686018427387904, 4)"), nil), false, ErrMalformed, "needs more data"},
		{"huge empty axis", rawNpy(hdr("<f8", "(4611686018427387904, 0)"), nil), false, ErrMalformed, "needs more data"},
		{"3-D", rawNpy(hdr("<f8", "(1, 1, 1)"), make([]byte, 8)), false, ot.ErrShape, "got shape [1 1 1]"},
		{"0-D", rawNpy(hdr("<f8", "()"), make([]byte, 8)), false, ot.ErrShape, "got shape []"},
		{"bool dtype", rawNpy(hdr("|b1", "(2,)"), []byte{1, 0}), false, ErrUnsupported, "dtype"},
		{"string dtype", rawNpy(hdr("<U3", "(1,)"), make([]byte, 12)), false, ErrUnsupported, "dtype"},
		{"bad header", rawNpy("{'descr': ", nil), false, ErrMalformed, ".npy"},
		{"csv not a number", []byte("1,2\n3,x\n"), true, ErrMalformed, "line 2, field 2"},
		{"csv ragged", []byte("1,2\n3\n"), true, ErrMalformed, "line 2 has 1 fields, want 2"},
		{"csv empty", []byte("# nothing\n\n"), true, ErrMalformed, "no data"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			if tc.csv {
				_, err = ReadCSV(bytes.NewReader(tc.input))
			} else {
				_, err = readNpyBytes(tc.input)
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.want)
			assert.Contains(t, err.Error(), tc.msg)
		})
	}
}

func TestReadCSV(t *testing.T) {
	a, err := ReadCSV(strings.NewReader("# header\n1, 2.5\n\n  -3,1e-300 \nNaN,inf\n"))
	require.NoError(t, err)
	assert.Equal(t, []int{3, 2}, a.Shape)
	assert.Equal(t, "float64", a.DType)
	assert.Equal(t, []float64{1, 2.5, -3, 1e-300}, a.Data[:4])
	assert.True(t, math.IsNaN(a.Data[4]))
	assert.True(t, math.IsInf(a.Data[5], 1))
}

func TestMatrixVector(t *testing.T) {
	for _, tc := range []struct {
		shape      []int
		rows, cols int
		vector     bool
	}{
		{[]int{3}, 3, 1, true},
		{[]int{1, 3}, 1, 3, true},
		{[]int{3, 1}, 3, 1, true},
		{[]int{2, 2}, 2, 2, false},
	} {
		a := &Array{Shape: tc.shape, Data: make([]float64, tc.rows*tc.cols)}
		r, c := a.Matrix()
		assert.Equal(t, [2]int{tc.rows, tc.cols}, [2]int{r, c}, "%v", tc.shape)
		_, err := a.Vector()
		if tc.vector {
			assert.NoError(t, err)
		} else {
			assert.ErrorIs(t, err, ot.ErrShape)
		}
	}
}

func TestWriteReadRoundTrip(t *testing.T) {
	dir := t.TempDir()
	data := []float64{0, -1.5, math.SmallestNonzeroFloat64, math.MaxFloat64, 1.0 / 3, 1e-300}
	for _, tc := range []struct {
		name  string
		shape []int
	}{
		{"m.npy", []int{2, 3}},
		{"v.npy", []int{6}},
		{"m.csv", []int{3, 2}},
		{"v.CSV", []int{6}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.name)
			require.NoError(t, WriteFile(path, data, tc.shape...))
			a, err := ReadFile(path)
			require.NoError(t, err)
			assert.Equal(t, data, a.Data)
			rows, cols := a.Matrix()
			assert.Equal(t, len(data), rows*cols)
			if strings.HasSuffix(tc.name, ".npy") {
				assert.Equal(t, tc.shape, a.Shape)
				raw, err := os.ReadFile(path)
				require.NoError(t, err)
				hl := int(raw[8]) | int(raw[9])<<8
				assert.Zero(t, (10+hl)%64, "data aligned to 64 bytes")
				// npyio reads what we write.
				var back []float64
				require.NoError(t, npyio.Read(bytes.NewReader(raw), &back))
				assert.Equal(t, data, back)
			}
		})
	}
}

func TestWriteErrors(t *testing.T) {
	dir := t.TempDir()
	assert.ErrorIs(t, WriteFile(filepath.Join(dir, "x.txt"), []float64{1}, 1), ot.ErrParameter)
	assert.NoFileExists(t, filepath.Join(dir, "x.txt"))
	assert.ErrorIs(t, WriteFile(filepath.Join(dir, "x.npy"), []float64{1, 2}, 3), ot.ErrShape)
	assert.ErrorIs(t, WriteNpy(&bytes.Buffer{}, []float64{1}, 1, 1, 1), ot.ErrShape)
	assert.ErrorIs(t, WriteNpy(&bytes.Buffer{}, nil, -1), ot.ErrShape)
	assert.ErrorIs(t, WriteNpz(&bytes.Buffer{}, &COO{Rows: 1, Cols: 1, Row: []int{1}, Col: []int{0}, Val: []float64{1}}), ot.ErrShape)
	assert.ErrorIs(t, WritePlan(filepath.Join(dir, "p.mat"), &ot.DensePlan{N: 1, M: 1, Data: []float64{1}}), ot.ErrParameter)
	err := WriteFile(filepath.Join(dir, "no", "such", "dir.npy"), []float64{1}, 1)
	assert.ErrorIs(t, err, os.ErrNotExist)
}

func TestNpzRoundTrip(t *testing.T) {
	sp := &ot.SparsePlan{N: 3, M: 4, RowPtr: []int{0, 2, 2, 3}, ColIdx: []int{1, 3, 0}, Val: []float64{0.25, 0.5, 0.25}}
	dense := &ot.DensePlan{N: 3, M: 4, Data: ot.DenseCopy(sp).RawMatrix().Data}
	for _, p := range []ot.Plan{sp, dense} {
		c := FromPlan(p)
		assert.Equal(t, &COO{Rows: 3, Cols: 4, Row: []int{0, 0, 2}, Col: []int{1, 3, 0}, Val: []float64{0.25, 0.5, 0.25}}, c)
		var buf bytes.Buffer
		require.NoError(t, WriteNpz(&buf, c))
		back, err := ReadNpz(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		require.NoError(t, err)
		assert.Equal(t, c, back)
		assert.Equal(t, dense.Data, back.Dense())
	}
	// The archive is what numpy.load and scipy.sparse.load_npz expect.
	path := filepath.Join(t.TempDir(), "p.npz")
	require.NoError(t, WritePlan(path, sp))
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	st, err := f.Stat()
	require.NoError(t, err)
	var format []byte
	{
		back, err := ReadNpz(f, st.Size())
		require.NoError(t, err)
		assert.Equal(t, 3, back.NNZ())
		raw, err := os.ReadFile(path)
		require.NoError(t, err)
		format = raw
	}
	for _, name := range []string{"row.npy", "col.npy", "data.npy", "shape.npy", "format.npy"} {
		assert.True(t, bytes.Contains(format, []byte(name)), name)
	}
}

func TestReadNpzErrors(t *testing.T) {
	var good bytes.Buffer
	require.NoError(t, WriteNpz(&good, &COO{Rows: 2, Cols: 2, Row: []int{0, 1}, Col: []int{1, 0}, Val: []float64{1, 2}}))
	_, err := ReadNpz(bytes.NewReader([]byte("not a zip")), 9)
	assert.ErrorIs(t, err, ErrMalformed)
	b := good.Bytes()
	_, err = ReadNpz(bytes.NewReader(b[:len(b)/2]), int64(len(b)/2))
	assert.ErrorIs(t, err, ErrMalformed)
}

func TestPlanExt(t *testing.T) {
	for path, ok := range map[string]bool{"p.npz": true, "P.NPY": true, "p.csv": true, "p.txt": false, "p": false} {
		assert.Equal(t, ok, PlanExt(path), path)
	}
}

func FuzzParseNpy(f *testing.F) {
	f.Add(npyBytes(f, mat.NewDense(2, 2, []float64{1, 2, 3, 4})))
	f.Add(npyBytes(f, []float32{1, 2}))
	f.Add([]byte("\x93NUMPY\x01\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := readNpyBytes(b)
		if err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrUnsupported) && !errors.Is(err, ot.ErrShape) {
				t.Fatalf("error wraps no sentinel: %v", err)
			}
			return
		}
		rows, cols := a.Matrix()
		if len(a.Data) != rows*cols || int64(len(a.Data)) > int64(len(b)) {
			t.Fatalf("%v with %d values from %d bytes", a.Shape, len(a.Data), len(b))
		}
	})
}

func FuzzParseCSV(f *testing.F) {
	f.Add("1,2\n3,4\n")
	f.Add("# c\n\n1e300,-0\n")
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ReadCSV(strings.NewReader(s))
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error wraps no sentinel: %v", err)
			}
			return
		}
		if rows, cols := a.Matrix(); len(a.Data) != rows*cols {
			t.Fatalf("%v with %d values", a.Shape, len(a.Data))
		}
	})
}

func FuzzReadNpz(f *testing.F) {
	var buf bytes.Buffer
	if err := WriteNpz(&buf, &COO{Rows: 2, Cols: 3, Row: []int{0, 1}, Col: []int{2, 0}, Val: []float64{1, 2}}); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ReadNpz(bytes.NewReader(b), int64(len(b)))
		if err == nil {
			if err := c.check(); err != nil {
				t.Fatal(err)
			}
		}
	})
}
