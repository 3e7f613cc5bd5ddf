package arrayio

import (
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReadNpyIntegerAndHalfDTypes(t *testing.T) {
	le, be := binary.LittleEndian, binary.BigEndian
	enc := func(size int, o binary.ByteOrder, vals []uint64) []byte {
		var out []byte
		for _, v := range vals {
			b := make([]byte, 8)
			switch size {
			case 1:
				b[0] = byte(v)
			case 2:
				o.PutUint16(b, uint16(v))
			case 4:
				o.PutUint32(b, uint32(v))
			case 8:
				o.PutUint64(b, v)
			}
			out = append(out, b[:size]...)
		}
		return out
	}
	neg := func(v int64) uint64 { return uint64(v) }
	for _, tc := range []struct {
		descr, name string
		size        int
		order       binary.ByteOrder
		raw         []uint64
		want        []float64
	}{
		{"|i1", "int8", 1, le, []uint64{neg(-128), 127, 0}, []float64{-128, 127, 0}},
		{"|u1", "uint8", 1, le, []uint64{255, 1, 0}, []float64{255, 1, 0}},
		{"<i2", "int16", 2, le, []uint64{neg(-32768), 32767, 5}, []float64{-32768, 32767, 5}},
		{">i2", "int16", 2, be, []uint64{neg(-2), 300, 5}, []float64{-2, 300, 5}},
		{"<u2", "uint16", 2, le, []uint64{65535, 2, 3}, []float64{65535, 2, 3}},
		{">u4", "uint32", 4, be, []uint64{math.MaxUint32, 2, 3}, []float64{math.MaxUint32, 2, 3}},
		{"<i4", "int32", 4, le, []uint64{neg(-7), 2, 3}, []float64{-7, 2, 3}},
		{"<u8", "uint64", 8, le, []uint64{math.MaxUint64, 1 << 53, 3}, []float64{math.MaxUint64, 1 << 53, 3}},
		{">i8", "int64", 8, be, []uint64{neg(math.MinInt64), 1, 3}, []float64{math.MinInt64, 1, 3}},
		// binary16: 1, −2, 65504 (largest), 2^-24 (smallest subnormal)
		{"<f2", "float16", 2, le, []uint64{0x3c00, 0xc000, 0x7bff}, []float64{1, -2, 65504}},
		{">f2", "float16", 2, be, []uint64{0x0001, 0x7c00, 0xfc00}, []float64{math.Ldexp(1, -24), math.Inf(1), math.Inf(-1)}},
	} {
		t.Run(tc.descr, func(t *testing.T) {
			b := rawNpy("{'descr': '"+tc.descr+"', 'fortran_order': False, 'shape': (3,), }", enc(tc.size, tc.order, tc.raw))
			a, err := readNpyBytes(b)
			require.NoError(t, err)
			assert.Equal(t, tc.name, a.DType)
			assert.Equal(t, []int{3}, a.Shape)
			assert.Equal(t, tc.want, a.Data)
		})
	}
	b := rawNpy("{'descr': '<f2', 'fortran_order': False, 'shape': (1,), }", []byte{0x01, 0x7e})
	a, err := readNpyBytes(b)
	require.NoError(t, err)
	assert.True(t, math.IsNaN(a.Data[0]), "float16 NaN")
}

func TestReadNpyFortranInt8(t *testing.T) {
	// 2×3 in Fortran order: columns (1, 4), (2, 5), (3, 6).
	b := rawNpy("{'descr': '|i1', 'fortran_order': True, 'shape': (2, 3), }", []byte{1, 4, 2, 5, 3, 6})
	a, err := readNpyBytes(b)
	require.NoError(t, err)
	assert.Equal(t, []float64{1, 2, 3, 4, 5, 6}, a.Data)
}

// Unsupported dtypes are named as such, whatever the declared shape: a large
// bool, complex or string array is not "a shape that needs more data".
func TestReadNpyUnsupportedDTypeBeforeShape(t *testing.T) {
	for _, descr := range []string{"|b1", "<c16", "<U8", "|O", "<M8[ns]", "<f16", "|V4"} {
		t.Run(descr, func(t *testing.T) {
			for _, shape := range []string{"(2,)", "(1000000000, 1000000000)"} {
				b := rawNpy("{'descr': '"+descr+"', 'fortran_order': False, 'shape': "+shape+", }", []byte{1, 0})
				_, err := readNpyBytes(b)
				require.ErrorIs(t, err, ErrUnsupported, shape)
				assert.Contains(t, err.Error(), "unsupported dtype")
				assert.NotContains(t, err.Error(), "needs more data")
			}
		})
	}
	b := rawNpy("{'descr': [('x', '<f8')], 'fortran_order': False, 'shape': (2,), }", nil)
	_, err := readNpyBytes(b)
	require.ErrorIs(t, err, ErrUnsupported)
	assert.Contains(t, err.Error(), "unsupported dtype")
}

// A header that lies about the shape is refused before the data is
// allocated: the allocation stays near the file's size.
func TestReadNpyLyingHeaders(t *testing.T) {
	for name, hdr := range map[string]string{
		"huge 2-D":             "{'descr': '<f8', 'fortran_order': False, 'shape': (100000, 100000), }",
		"overflowing product":  "{'descr': '<u1', 'fortran_order': False, 'shape': (4611686018427387904, 4611686018427387904), }",
		"one too many":         "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }",
		"huge uint8":           "{'descr': '|u1', 'fortran_order': False, 'shape': (1000000000,), }",
		"huge float16 Fortran": "{'descr': '<f2', 'fortran_order': True, 'shape': (50000, 50000), }",
	} {
		t.Run(name, func(t *testing.T) {
			b := rawNpy(hdr, make([]byte, 16))
			allocs := testing.AllocsPerRun(1, func() { _, _ = readNpyBytes(b) })
			_, err := readNpyBytes(b)
			require.ErrorIs(t, err, ErrMalformed)
			assert.Contains(t, err.Error(), "needs more data")
			assert.Less(t, allocs, 30.0)
		})
	}
	ms0 := memStats()
	_, _ = readNpyBytes(rawNpy("{'descr': '<f8', 'fortran_order': False, 'shape': (100000, 100000), }", nil))
	ms1 := memStats()
	assert.Less(t, ms1-ms0, uint64(1<<20), "bytes allocated for a lying header")
	for name, hdr := range map[string]string{
		"negative dim":     "{'descr': '<f8', 'fortran_order': False, 'shape': (-1,), }",
		"no shape":         "{'descr': '<f8', 'fortran_order': False, }",
		"not a dict":       "['descr', '<f8']",
		"unknown key":      "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'x': 1}",
		"bad fortran":      "{'descr': '<f8', 'fortran_order': 0, 'shape': (1,), }",
		"unterminated str": "{'descr: '<f8, 'fortran_order': False, 'shape': (1,) }",
		"shape not tuple":  "{'descr': '<f8', 'fortran_order': False, 'shape': 3, }",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := readNpyBytes(rawNpy(hdr, make([]byte, 8)))
			require.ErrorIs(t, err, ErrMalformed)
		})
	}
	// A version-2 preamble with a 4-byte header length larger than the file.
	b := []byte("\x93NUMPY\x02\x00\xff\xff\xff\x7f")
	_, err := readNpyBytes(b)
	require.ErrorIs(t, err, ErrMalformed)
	// A future format version is unsupported, not malformed.
	_, err = readNpyBytes([]byte("\x93NUMPY\x09\x00\x00\x00"))
	require.ErrorIs(t, err, ErrUnsupported)
}

func memStats() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.TotalAlloc
}

func TestReadCSVOutOfRange(t *testing.T) {
	for _, s := range []string{"1,1e309\n", "-1.8e308,0\n", "0x1p2000,1\n"} {
		_, err := ReadCSV(strings.NewReader(s))
		require.ErrorIs(t, err, ErrMalformed, s)
		assert.Contains(t, err.Error(), "out of float64 range", s)
		assert.Contains(t, err.Error(), "line 1, field", s)
	}
	// Underflow reads as zero or a subnormal, as strconv rounds it.
	a, err := ReadCSV(strings.NewReader("1e-400,4e-324\n"))
	require.NoError(t, err)
	assert.Equal(t, []float64{0, 5e-324}, a.Data)
	// inf and nan are spelled out and read as such (the caller validates).
	a, err = ReadCSV(strings.NewReader("inf,-Inf,NaN\n"))
	require.NoError(t, err)
	assert.True(t, math.IsInf(a.Data[0], 1) && math.IsInf(a.Data[1], -1) && math.IsNaN(a.Data[2]))
	_, err = ReadCSV(strings.NewReader("1,x\n"))
	require.ErrorIs(t, err, ErrMalformed)
	assert.Contains(t, err.Error(), "not a number")
}

func TestReadFileRefusesDirectoriesAndFIFOs(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"d.npy", "d.csv"} {
		p := filepath.Join(dir, name)
		require.NoError(t, os.Mkdir(p, 0o755))
		_, err := ReadFile(p)
		require.ErrorIs(t, err, ErrNotRegular)
		assert.Contains(t, err.Error(), p)
		assert.Contains(t, err.Error(), "directory")
	}
	_, err := ReadFile(filepath.Join(dir, "missing.npy"))
	require.True(t, errors.Is(err, os.ErrNotExist))
	refuseFIFO(t, dir)
}
