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

// TestRebalance: --rebalance (automatic for float32 weights) accepts totals
// that differ by rounding, and only those.
func TestRebalance(t *testing.T) {
	dir := t.TempDir()
	c := writeText(t, dir, "c.csv", "0,1,4\n1,0,1\n4,1,0\n")
	f32 := writeNpy(t, dir, "a32.npy", []float32{0.1, 0.2, 0.7}) // sums to 1 − 7.5e-9 in float64
	b := writeNpy(t, dir, "b.npy", []float64{0.25, 0.25, 0.5})
	off := writeNpy(t, dir, "off.npy", []float64{0.25, 0.25, 0.5 + 1e-8})
	far := writeNpy(t, dir, "far.npy", []float64{0.25, 0.25, 0.5 + 1e-4})
	neg := writeNpy(t, dir, "neg.npy", []float64{1.5, -0.5, 0})
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"float32 automatic", []string{"--a", f32, "--b", b}, 0, ""},
		{"float32 against uniform", []string{"--a", f32}, 0, ""},
		{"1e-8 without", []string{"--a", b, "--b", off}, 1, "unequal masses"},
		{"1e-8 hint", []string{"--a", b, "--b", off}, 1, "--rebalance repairs differences up to 1e-06 relative"},
		{"1e-8 with", []string{"--a", b, "--b", off, "--rebalance"}, 0, ""},
		{"1e-4 with", []string{"--a", b, "--b", far, "--rebalance"}, 1, "more than rounding"},
		{"negative with", []string{"--a", neg, "--b", b, "--rebalance"}, 1, "negative weight"},
		{"equal with", []string{"--a", b, "--b", b, "--rebalance"}, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"solve", "--method", "test-product", "--cost", c, "--json"}, tc.args...)
			code, out, errs := runCLI(args...)
			require.Equal(t, tc.code, code, errs)
			if tc.code != 0 {
				assert.Contains(t, errs, tc.want)
				oneLine(t, errs)
				return
			}
			var s summary
			require.NoError(t, json.Unmarshal([]byte(out), &s))
			assert.Less(t, float64(s.MarginalError), 1e-15, "the plan meets the rebalanced marginals")
		})
	}
}
