package arrayio_test

import (
	"bytes"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/otkit/otkit/arrayio"
	"github.com/otkit/otkit/ot"
)

// A .npy file round trip through memory: write a 2×3 float64 array, read it
// back as a row-major slice and its shape.
func ExampleReadNpy() {
	var buf bytes.Buffer
	if err := arrayio.WriteNpy(&buf, []float64{1, 2, 3, 4, 5, 6}, 2, 3); err != nil {
		log.Fatal(err)
	}
	a, err := arrayio.ReadNpy(&buf, int64(buf.Len()))
	if err != nil {
		log.Fatal(err)
	}
	rows, cols := a.Matrix()
	fmt.Println(a.DType, a.Shape, rows, cols, a.Data)
	// Output: float64 [2 3] 2 3 [1 2 3 4 5 6]
}

// CSV: one row per line; comments and blank lines are skipped. A malformed
// file is an error wrapping ErrMalformed that names the line.
func ExampleReadCSV() {
	a, err := arrayio.ReadCSV(strings.NewReader("# weights\n0.25\n0.75\n"))
	if err != nil {
		log.Fatal(err)
	}
	w, err := a.Vector()
	fmt.Println(w, err)

	_, err = arrayio.ReadCSV(strings.NewReader("1,2\n3\n"))
	fmt.Println(err)
	// Output:
	// [0.25 0.75] <nil>
	// arrayio: malformed file: line 2 has 1 fields, want 2
}

// WritePlan picks the format by extension: a sparse plan written to .npz
// keeps only its stored entries (scipy.sparse.load_npz reads it); .npy and
// .csv files hold the dense n×m matrix.
func ExampleWritePlan() {
	dir, err := os.MkdirTemp("", "arrayio")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	plan := &ot.SparsePlan{N: 2, M: 3, RowPtr: []int{0, 1, 2}, ColIdx: []int{2, 0}, Val: []float64{0.5, 0.5}}

	path := filepath.Join(dir, "plan.npz")
	if err := arrayio.WritePlan(path, plan); err != nil {
		log.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	coo, err := arrayio.ReadNpz(f, st.Size())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(coo.Rows, coo.Cols, coo.Row, coo.Col, coo.Val)

	if err := arrayio.WritePlan(filepath.Join(dir, "plan.npy"), plan); err != nil {
		log.Fatal(err)
	}
	a, err := arrayio.ReadFile(filepath.Join(dir, "plan.npy"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(a.Shape, a.Data)
	// Output:
	// 2 3 [0 1] [2 0] [0.5 0.5]
	// [2 3] [0 0 0.5 0.5 0 0]
}
