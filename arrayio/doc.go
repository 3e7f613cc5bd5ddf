// Package arrayio reads and writes the array files otkit exchanges with
// NumPy, SciPy and spreadsheets: NumPy .npy files, CSV text and sparse
// COO matrices in .npz archives.
//
// Reading turns a file into an Array: a row-major []float64 with its shape
// (one or two dimensions). ReadNpy accepts float16, float32, float64 and
// int8 … int64, uint8 … uint64 data (either byte order), in C or Fortran
// order; ReadCSV accepts one row
// per line, comma-separated, skipping blank lines and lines starting with #.
// ReadFile picks the format by the file's extension.
//
// The readers are meant for untrusted files. Malformed input is an error,
// never a panic, and never an allocation larger than the file: the .npy
// header length and the array shape are checked against the file's size
// before any data is read; CSV values beyond the float64 range are named as
// such; ReadFile refuses directories and named pipes before opening them. Errors wrap ErrMalformed (not a well-formed file),
// ErrUnsupported (a well-formed file holding something this package does not
// read, such as a string dtype) or ot.ErrShape (an array of the wrong shape
// for the request, such as a matrix where a vector is wanted); errors from
// the file-name functions start with the file's name.
//
// Writing produces float64 .npy files (C order, version 1.0 header, or 2.0
// when the header needs it) and CSV with the shortest decimal form that
// reads back exactly. Sparse matrices are written as COO in an .npz archive
// laid out as SciPy's save_npz does (entries row, col, data, shape and
// format), so scipy.sparse.load_npz and numpy.load both read it.
package arrayio

import "errors"

var (
	// ErrMalformed is wrapped by errors for files that are not well-formed
	// .npy, .npz or CSV files: a bad magic string or header, a shape that
	// needs more data than the file holds, a ragged or non-numeric CSV row.
	ErrMalformed = errors.New("arrayio: malformed file")
	// ErrUnsupported is wrapped by errors for well-formed files this package
	// does not read: dtypes other than float16, float32, float64 and the
	// signed and unsigned integers of 8 to 64 bits (bool, complex, strings,
	// objects, structured arrays), and .npy format versions above 3.
	ErrUnsupported = errors.New("arrayio: unsupported array")
	// ErrNotRegular is wrapped by errors of ReadFile for paths that are not
	// regular files: directories, named pipes, sockets, devices.
	ErrNotRegular = errors.New("arrayio: not a regular file")
)
