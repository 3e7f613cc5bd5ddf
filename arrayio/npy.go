package arrayio

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/otkit/otkit/ot"
)

// maxNpyHeader bounds the header length accepted from a .npy file, so a
// corrupt length field cannot make the decoder allocate much.
const maxNpyHeader = 1 << 20

// npyType describes a dtype ReadNpy reads.
type npyType struct {
	name string
	size int
	// conv converts one item, in the file's byte order.
	conv func(b []byte, o binary.ByteOrder) float64
}

var npyTypes = map[string]npyType{
	"f8": {"float64", 8, func(b []byte, o binary.ByteOrder) float64 { return math.Float64frombits(o.Uint64(b)) }},
	"f4": {"float32", 4, func(b []byte, o binary.ByteOrder) float64 { return float64(math.Float32frombits(o.Uint32(b))) }},
	"f2": {"float16", 2, func(b []byte, o binary.ByteOrder) float64 { return half(o.Uint16(b)) }},
	"i8": {"int64", 8, func(b []byte, o binary.ByteOrder) float64 { return float64(int64(o.Uint64(b))) }},
	"i4": {"int32", 4, func(b []byte, o binary.ByteOrder) float64 { return float64(int32(o.Uint32(b))) }},
	"i2": {"int16", 2, func(b []byte, o binary.ByteOrder) float64 { return float64(int16(o.Uint16(b))) }},
	"i1": {"int8", 1, func(b []byte, _ binary.ByteOrder) float64 { return float64(int8(b[0])) }},
	"u8": {"uint64", 8, func(b []byte, o binary.ByteOrder) float64 { return float64(o.Uint64(b)) }},
	"u4": {"uint32", 4, func(b []byte, o binary.ByteOrder) float64 { return float64(o.Uint32(b)) }},
	"u2": {"uint16", 2, func(b []byte, o binary.ByteOrder) float64 { return float64(o.Uint16(b)) }},
	"u1": {"uint8", 1, func(b []byte, _ binary.ByteOrder) float64 { return float64(b[0]) }},
}

// half converts an IEEE 754 binary16 value.
func half(h uint16) float64 {
	sign := 1.0
	if h&0x8000 != 0 {
		sign = -1
	}
	exp, frac := int(h>>10)&0x1f, float64(h&0x3ff)
	switch exp {
	case 0:
		return sign * math.Ldexp(frac, -24)
	case 0x1f:
		if frac != 0 {
			return math.NaN()
		}
		return math.Inf(int(sign))
	}
	return sign * math.Ldexp(1024+frac, exp-25)
}

// ReadNpy decodes a NumPy .npy stream of size bytes (the file's size; it
// bounds the header length and the shape, so that a corrupt file cannot make
// ReadNpy allocate more than about size bytes of data: a header that
// declares more data than the file holds is refused before anything is
// allocated). The array must be 1-D or 2-D (ot.ErrShape otherwise) of a
// float (float16, float32, float64) or integer (int8 … int64, uint8 …
// uint64) dtype in either byte order; other dtypes (bool, complex, strings,
// objects, structured) wrap ErrUnsupported with "unsupported dtype".
// Fortran-ordered data is transposed to row-major. Integers beyond 2⁵³ are
// rounded to the nearest float64. Any other defect wraps ErrMalformed.
func ReadNpy(r io.Reader, size int64) (*Array, error) {
	var pre [12]byte
	if _, err := io.ReadFull(r, pre[:10]); err != nil || string(pre[:6]) != "\x93NUMPY" {
		return nil, fmt.Errorf("%w: not a .npy file (no NUMPY magic)", ErrMalformed)
	}
	major := pre[6]
	var hlen int64
	switch major {
	case 1:
		hlen = int64(binary.LittleEndian.Uint16(pre[8:10]))
	case 2, 3:
		if _, err := io.ReadFull(r, pre[10:12]); err != nil {
			return nil, fmt.Errorf("%w: truncated .npy preamble", ErrMalformed)
		}
		hlen = int64(binary.LittleEndian.Uint32(pre[8:12]))
	default:
		return nil, fmt.Errorf("%w: .npy format version %d.%d", ErrUnsupported, major, pre[7])
	}
	pos := 10 + 2*int64(major/2)
	if hlen > maxNpyHeader || pos+hlen > size {
		return nil, fmt.Errorf("%w: .npy header of %d bytes in a file of %d", ErrMalformed, pos+hlen, size)
	}
	hdr := make([]byte, hlen)
	if _, err := io.ReadFull(r, hdr); err != nil {
		return nil, fmt.Errorf("%w: truncated .npy header", ErrMalformed)
	}
	pos += hlen
	descr, fortran, shape, err := parseNpyHeader(string(hdr))
	if err != nil {
		return nil, err
	}
	var rows, cols int
	switch len(shape) {
	case 1:
		rows, cols = shape[0], 1
	case 2:
		rows, cols = shape[0], shape[1]
	default:
		return nil, fmt.Errorf("%w: want a 1-D or 2-D array, got shape %v", ot.ErrShape, shape)
	}
	order, typ, err := npyDtype(descr)
	if err != nil {
		return nil, err
	}
	// Every dimension, and the data, must fit in the file after the header.
	avail := size - pos
	item := int64(typ.size)
	if int64(rows) > size || int64(cols) > size || (cols > 0 && int64(rows) > avail/int64(cols)/item) {
		return nil, fmt.Errorf("%w: shape %v needs more data than the file's %d bytes (%s of %s after the header)",
			ErrMalformed, shape, size, needBytes(rows, cols, item), typ.name)
	}
	raw := make([]byte, int64(rows*cols)*item)
	if _, err := io.ReadFull(r, raw); err != nil {
		return nil, fmt.Errorf("%w: reading %s data: %v", ErrMalformed, typ.name, err)
	}
	data := make([]float64, rows*cols)
	for k := range data {
		data[k] = typ.conv(raw[int64(k)*item:], order)
	}
	if fortran && len(shape) == 2 {
		t := make([]float64, len(data))
		for j := 0; j < cols; j++ {
			for i := 0; i < rows; i++ {
				t[i*cols+j] = data[j*rows+i]
			}
		}
		data = t
	}
	return &Array{Shape: shape, Data: data, DType: typ.name}, nil
}

// needBytes formats rows·cols·item without overflow.
func needBytes(rows, cols int, item int64) string {
	v := float64(rows) * float64(cols) * float64(item)
	if v < 1<<53 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}

// npyDtype reads a descr such as "<f8", "|u1" or ">i2".
func npyDtype(descr string) (binary.ByteOrder, npyType, error) {
	var order binary.ByteOrder = binary.LittleEndian
	code := descr
	if code != "" {
		switch code[0] {
		case '<', '|', '=':
			code = code[1:]
		case '>':
			order, code = binary.BigEndian, code[1:]
		}
	}
	typ, ok := npyTypes[code]
	if !ok {
		return nil, npyType{}, fmt.Errorf("%w: dtype %q: unsupported dtype (want float16, float32, float64 or int8 … uint64)", ErrUnsupported, descr)
	}
	return order, typ, nil
}

// parseNpyHeader reads the Python dict literal of a .npy header:
// {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }.
func parseNpyHeader(h string) (descr string, fortran bool, shape []int, err error) {
	bad := func(why string) error { return fmt.Errorf("%w: .npy header: %s", ErrMalformed, why) }
	s := strings.TrimRight(h, " \n\x00")
	if !strings.HasPrefix(s, "{") || !strings.HasSuffix(s, "}") {
		return "", false, nil, bad("not a dict")
	}
	s = strings.TrimSpace(s[1 : len(s)-1])
	seen := map[string]bool{}
	for s != "" {
		var key string
		if key, s, err = npyString(s); err != nil {
			return "", false, nil, bad("a key is not a string")
		}
		s = strings.TrimSpace(s)
		if !strings.HasPrefix(s, ":") {
			return "", false, nil, bad("no ':' after " + strconv.Quote(key))
		}
		s = strings.TrimSpace(s[1:])
		switch key {
		case "descr":
			if strings.HasPrefix(s, "[") {
				return "", false, nil, fmt.Errorf("%w: unsupported dtype (a structured array)", ErrUnsupported)
			}
			if descr, s, err = npyString(s); err != nil {
				return "", false, nil, bad("descr is not a string")
			}
		case "fortran_order":
			switch {
			case strings.HasPrefix(s, "True"):
				fortran, s = true, s[4:]
			case strings.HasPrefix(s, "False"):
				fortran, s = false, s[5:]
			default:
				return "", false, nil, bad("fortran_order is not True or False")
			}
		case "shape":
			end := strings.IndexByte(s, ')')
			if !strings.HasPrefix(s, "(") || end < 0 {
				return "", false, nil, bad("shape is not a tuple")
			}
			shape = []int{}
			for _, f := range strings.Split(s[1:end], ",") {
				f = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(f), "L"))
				if f == "" {
					continue
				}
				d, e := strconv.Atoi(f)
				if e != nil || d < 0 {
					return "", false, nil, bad("shape entry " + strconv.Quote(f))
				}
				shape = append(shape, d)
			}
			s = s[end+1:]
		default:
			return "", false, nil, bad("unknown key " + strconv.Quote(key))
		}
		seen[key] = true
		s = strings.TrimSpace(s)
		if strings.HasPrefix(s, ",") {
			s = strings.TrimSpace(s[1:])
		} else if s != "" {
			return "", false, nil, bad("no ',' after " + strconv.Quote(key))
		}
	}
	if !seen["descr"] || !seen["fortran_order"] || !seen["shape"] {
		return "", false, nil, bad("missing descr, fortran_order or shape")
	}
	return descr, fortran, shape, nil
}

// npyString reads a quoted Python string at the start of s.
func npyString(s string) (v, rest string, err error) {
	if s == "" || (s[0] != '\'' && s[0] != '"') {
		return "", s, fmt.Errorf("not a string")
	}
	end := strings.IndexByte(s[1:], s[0])
	if end < 0 {
		return "", s, fmt.Errorf("unterminated string")
	}
	return s[1 : 1+end], s[2+end:], nil
}
