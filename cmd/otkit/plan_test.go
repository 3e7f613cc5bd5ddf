package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otkit/otkit/arrayio"
)

// TestPlanFormats: --plan .npz holds a sparse plan's entries (COO), .npy and
// .csv the dense matrix; all three describe the same plan.
func TestPlanFormats(t *testing.T) {
	dir := t.TempDir()
	c := writeText(t, dir, "c.csv", "0,1,4,9\n1,0,1,4\n4,1,0,1\n")
	for _, method := range []string{"exact", "quadratic", "test-product"} {
		t.Run(method, func(t *testing.T) {
			var dense [][]float64
			var nnz int
			for _, ext := range []string{".npy", ".csv", ".npz"} {
				path := filepath.Join(dir, method+ext)
				code, out, errs := runCLI("solve", "--method", method, "--cost", c, "--plan", path, "--json")
				require.Equal(t, 0, code, errs)
				var s summary
				require.NoError(t, json.Unmarshal([]byte(out), &s))
				nnz = s.NNZ
				var d []float64
				if ext == ".npz" {
					f, err := os.Open(path)
					require.NoError(t, err)
					st, err := f.Stat()
					require.NoError(t, err)
					coo, err := arrayio.ReadNpz(f, st.Size())
					f.Close()
					require.NoError(t, err)
					assert.Equal(t, [2]int{3, 4}, [2]int{coo.Rows, coo.Cols})
					assert.Equal(t, nnz, coo.NNZ(), "one entry per stored plan entry")
					d = coo.Dense()
				} else {
					a, err := arrayio.ReadFile(path)
					require.NoError(t, err)
					rows, cols := a.Matrix()
					assert.Equal(t, [2]int{3, 4}, [2]int{rows, cols})
					d = a.Data
				}
				dense = append(dense, d)
			}
			assert.Equal(t, dense[0], dense[1], ".npy and .csv")
			assert.Equal(t, dense[0], dense[2], ".npy and .npz")
			if method == "exact" {
				assert.LessOrEqual(t, nnz, 3+4-1, "a vertex: at most n+m−1 entries")
			}
		})
	}
}
