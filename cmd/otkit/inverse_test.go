package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"github.com/otkit/otkit/inverse"
	"github.com/otkit/otkit/ot"
	"github.com/otkit/otkit/sinkhorn"
)

// inversePairs writes n pairs (x_i, y_i) with y = 0.8·x + noise in d = 2
// (a diagonal truth) as x.npy and y.npy under dir.
func inversePairs(t *testing.T, dir string, n int) (xPath, yPath string, x, y *mat.Dense) {
	t.Helper()
	rng := rand.New(rand.NewSource(3))
	x, y = mat.NewDense(n, 2, nil), mat.NewDense(n, 2, nil)
	for i := 0; i < n; i++ {
		for k := 0; k < 2; k++ {
			v := rng.NormFloat64()
			x.Set(i, k, v)
			y.Set(i, k, 0.8*v+0.6*rng.NormFloat64())
		}
	}
	return writeNpy(t, dir, "x.npy", x), writeNpy(t, dir, "y.npy", y), x, y
}

// decodeFits decodes the JSON lines of `otkit inverse --json`.
func decodeFits(t *testing.T, out string) []inverseFit {
	t.Helper()
	var fits []inverseFit
	dec := json.NewDecoder(strings.NewReader(out))
	for dec.More() {
		var f inverseFit
		require.NoError(t, dec.Decode(&f))
		fits = append(fits, f)
	}
	return fits
}

func TestInverseJSON(t *testing.T) {
	dir := t.TempDir()
	xp, yp, x, y := inversePairs(t, dir, 60)
	code, out, errs := runCLI("inverse", "--x", xp, "--y", yp, "--eps", "1", "--lambda", "0.05", "--json", "--workers", "2")
	require.Equal(t, 0, code, errs)
	assert.Equal(t, 1, strings.Count(out, "\n"), "one JSON line per fit")
	fits := decodeFits(t, out)
	require.Len(t, fits, 1)
	f := fits[0]
	assert.Equal(t, "Converged", f.Status)
	assert.Equal(t, 0.05, float64(f.Lambda))
	assert.Positive(t, f.Iterations)
	assert.LessOrEqual(t, float64(f.KKT), 1e-7*float64(f.LambdaMax))

	// The same fit in process (one worker: Workers never changes a result).
	e := inverse.Estimator{Epsilon: 1, Lambda: 0.05}
	want, err := e.Fit(context.Background(), inverse.Pairs(x, y))
	require.NoError(t, err)
	lmax, err := e.LambdaMax(context.Background(), inverse.Pairs(x, y))
	require.NoError(t, err)
	assert.Equal(t, lmax, float64(f.LambdaMax))
	assert.Equal(t, want.Loss, float64(f.Loss))
	require.Len(t, f.Estimate, 2)
	var support [][2]int
	for i, row := range f.Estimate {
		require.Len(t, row, 2)
		for j, v := range row {
			assert.Equal(t, want.Params.At(i, j), float64(v), "A[%d,%d]", i, j)
			if v != 0 {
				support = append(support, [2]int{i, j})
			}
		}
	}
	assert.Equal(t, support, f.Support)
	// The truth is diagonal and positive: the diagonal is found.
	assert.Contains(t, f.Support, [2]int{0, 0})
	assert.Contains(t, f.Support, [2]int{1, 1})
	assert.Positive(t, float64(f.Estimate[0][0]))

	// Text output prints the summary and A.
	code, out, errs = runCLI("inverse", "--x", xp, "--y", yp, "--eps", "1", "--lambda", "0.05", "--quiet")
	require.Equal(t, 0, code, errs)
	assert.Contains(t, out, "status Converged")
	assert.Contains(t, out, "A = ")
}

func TestInversePathPlot(t *testing.T) {
	dir := t.TempDir()
	xp, yp, _, _ := inversePairs(t, dir, 60)
	png := filepath.Join(dir, "path.png")
	code, out, errs := runCLI("inverse", "--x", xp, "--y", yp, "--eps", "1", "--path", "6", "--min-ratio", "0.01",
		"--json", "--plot", png)
	require.Equal(t, 0, code, errs)
	fits := decodeFits(t, out)
	require.Len(t, fits, 6)
	assert.Equal(t, float64(fits[0].LambdaMax), float64(fits[0].Lambda), "the grid starts at λ_max")
	assert.Empty(t, fits[0].Support, "λ_max gives 0")
	assert.InDelta(t, 0.01*float64(fits[0].LambdaMax), float64(fits[5].Lambda), 1e-12*float64(fits[0].LambdaMax))
	for i, f := range fits {
		assert.Equal(t, "Converged", f.Status, "fit %d", i)
		if i > 0 {
			assert.Less(t, float64(f.Lambda), float64(fits[i-1].Lambda), "descending grid")
		}
	}
	assert.NotEmpty(t, fits[5].Support)
	b, err := os.ReadFile(png)
	require.NoError(t, err)
	assert.True(t, bytes.HasPrefix(b, []byte("\x89PNG")), "a PNG file")

	// Text output: one line per λ.
	code, out, errs = runCLI("inverse", "--x", xp, "--y", yp, "--eps", "1", "--path", "3", "--quiet")
	require.Equal(t, 0, code, errs)
	assert.Equal(t, 3, strings.Count(out, "\n"))
}

// TestInverseCoupling recovers A0 at λ = 0 from an exact entropic plan
// between two point sets (docs/inverse.md §11, T1's instance).
func TestInverseCoupling(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	randn := func(r, c int) *mat.Dense {
		m := mat.NewDense(r, c, nil)
		for i := 0; i < r; i++ {
			for j := 0; j < c; j++ {
				m.Set(i, j, rng.NormFloat64())
			}
		}
		return m
	}
	x, y := randn(7, 3), randn(6, 2)
	a0 := mat.NewDense(3, 2, []float64{1, 0, 0, -0.5, 0.7, 0})
	const eps = 0.5
	var xa, c mat.Dense
	xa.Mul(x, a0)
	c.Mul(&xa, y.T())
	c.Scale(-1, &c)
	s := sinkhorn.Solver{Eps: eps, Tol: 1e-14, MaxIter: 100000}
	res, err := s.Solve(context.Background(),
		&ot.Problem{A: ot.Uniform(7), B: ot.Uniform(6), C: ot.DenseCostOf(&c)})
	require.NoError(t, err)
	p := mat.NewDense(7, 6, nil)
	for i := 0; i < 7; i++ {
		for j := 0; j < 6; j++ {
			p.Set(i, j, math.Exp((res.F[i]+res.G[j]-c.At(i, j))/eps))
		}
	}
	dir := t.TempDir()
	xp, yp, pp := writeNpy(t, dir, "x.npy", x), writeNpy(t, dir, "y.npy", y), writeNpy(t, dir, "p.npy", p)
	code, out, errs := runCLI("inverse", "--x", xp, "--y", yp, "--coupling", pp, "--eps", "0.5", "--lambda", "0",
		"--tol", "1e-12", "--json", "--strict")
	require.Equal(t, 0, code, errs)
	fits := decodeFits(t, out)
	require.Len(t, fits, 1)
	require.Len(t, fits[0].Estimate, 3)
	for i := 0; i < 3; i++ {
		require.Len(t, fits[0].Estimate[i], 2)
		for j := 0; j < 2; j++ {
			assert.InDelta(t, a0.At(i, j), float64(fits[0].Estimate[i][j]), 1e-8, "A[%d,%d]", i, j)
		}
	}
}

func TestInverseStrict(t *testing.T) {
	dir := t.TempDir()
	xp, yp, _, _ := inversePairs(t, dir, 60)
	code, out, errs := runCLI("inverse", "--x", xp, "--y", yp, "--eps", "1", "--lambda", "0.01", "--max-iter", "1",
		"--json", "--strict")
	assert.Equal(t, 3, code, errs)
	fits := decodeFits(t, out)
	require.Len(t, fits, 1, "the result is still printed")
	assert.Equal(t, "IterationLimit", fits[0].Status)
	assert.Contains(t, errs, "not Converged")
	oneLine(t, errs)
	// Without --strict the same run exits 0.
	code, _, errs = runCLI("inverse", "--x", xp, "--y", yp, "--eps", "1", "--lambda", "0.01", "--max-iter", "1", "--json")
	assert.Equal(t, 0, code, errs)
}

func TestInverseBadInput(t *testing.T) {
	dir := t.TempDir()
	xp, yp, _, _ := inversePairs(t, dir, 20)
	short := writeText(t, dir, "short.csv", "1,2\n3,4\n5,7\n")
	nan := writeText(t, dir, "nan.csv", strings.Repeat("1,2\n", 19)+"nan,0\n")
	rng := rand.New(rand.NewSource(1))
	var cst strings.Builder
	for i := 0; i < 20; i++ {
		fmt.Fprintf(&cst, "1,%g\n", rng.NormFloat64())
	}
	constant := writeText(t, dir, "const.csv", cst.String())
	badP := writeText(t, dir, "p.csv", "1,0\n0,1\n")
	missing := filepath.Join(dir, "missing.npy")
	base := []string{"inverse", "--x", xp, "--y", yp}
	with := func(extra ...string) []string { return append(append([]string{}, base...), extra...) }
	for _, tc := range []struct {
		args []string
		want string
		code int
	}{
		{[]string{"inverse", "--y", yp, "--eps", "1", "--lambda", "0"}, "--x and --y are required", 2},
		{with("--lambda", "0"), "--eps is required", 2},
		{with("--eps", "0", "--lambda", "0"), "--eps 0", 2},
		{with("--eps", "-1", "--lambda", "0"), "--eps -1", 2},
		{with("--eps", "NaN", "--lambda", "0"), "--eps NaN", 2},
		{with("--eps", "1"), "exactly one of --lambda and --path", 2},
		{with("--eps", "1", "--lambda", "0.1", "--path", "3"), "exactly one of --lambda and --path", 2},
		{with("--eps", "1", "--lambda", "-0.1"), "--lambda -0.1", 2},
		{with("--eps", "1", "--path", "0"), "--path 0", 2},
		{with("--eps", "1", "--lambda", "0.1", "--min-ratio", "0.1"), "--min-ratio is used with --path only", 2},
		{with("--eps", "1", "--path", "3", "--min-ratio", "1"), "--min-ratio 1", 2},
		{with("--eps", "1", "--lambda", "0.1", "--tol", "0"), "--tol 0", 2},
		{with("--eps", "1", "--lambda", "0.1", "--max-iter", "0"), "--max-iter 0", 2},
		{with("--eps", "1", "--lambda", "0.1", "--plot", filepath.Join(dir, "p.png")), "--plot is used with --path only", 2},
		{with("--eps", "1", "--path", "3", "--plot", filepath.Join(dir, "p.gif")), "unknown extension", 2},
		{with("--eps", "1", "--path", "3", "--plot", filepath.Join(dir, "no", "p.png")), "does not exist", 1},
		{with("--eps", "1", "--lambda", "0.1", "extra"), "unexpected argument", 2},
		{[]string{"inverse", "--x", missing, "--y", yp, "--eps", "1", "--lambda", "0"}, "missing.npy", 1},
		{[]string{"inverse", "--x", xp, "--y", short, "--eps", "1", "--lambda", "0"}, "shape mismatch", 1},
		{[]string{"inverse", "--x", nan, "--y", yp, "--eps", "1", "--lambda", "0"}, "X[19,0] = NaN", 1},
		{[]string{"inverse", "--x", constant, "--y", yp, "--eps", "1", "--lambda", "0"}, "not identifiable", 1},
		{with("--coupling", badP, "--eps", "1", "--lambda", "0"), "coupling is 2×2", 1},
	} {
		code, out, errs := runCLI(tc.args...)
		assert.Equal(t, tc.code, code, "%v: %s", tc.args, errs)
		assert.Empty(t, out, "%v", tc.args)
		assert.Contains(t, errs, tc.want, "%v", tc.args)
		assert.True(t, strings.HasPrefix(errs, "otkit inverse: "), "%v: %s", tc.args, errs)
		oneLine(t, errs)
	}
	// Nothing was written for the rejected --plot paths.
	_, err := os.Stat(filepath.Join(dir, "p.png"))
	assert.True(t, os.IsNotExist(err))
}

func TestExperimentInverse(t *testing.T) {
	dir := t.TempDir()
	png := filepath.Join(dir, "rec.png")
	code, out, errs := runCLI("experiment-inverse", "--trials", "3", "--eps", "1,10", "--n", "1000,100000", "--json",
		"--plot", png)
	require.Equal(t, 0, code, errs)
	var cells []experimentInverseCell
	dec := json.NewDecoder(strings.NewReader(out))
	for dec.More() {
		var c experimentInverseCell
		require.NoError(t, dec.Decode(&c))
		cells = append(cells, c)
	}
	require.Len(t, cells, 4)
	// docs/inverse.md §9.1, d = 10, δ = 0.1.
	assert.InDelta(t, 1.1405, float64(cells[0].Certificate), 1e-4)
	assert.False(t, cells[0].Nondegenerate)
	assert.InDelta(t, 0.1241, float64(cells[3].Certificate), 1e-4)
	assert.True(t, cells[3].Nondegenerate)
	assert.Equal(t, [2]int{10, 100000}, [2]int{int(cells[3].Eps), cells[3].N})
	assert.Equal(t, 3, cells[3].Recovered, "a nondegenerate certificate recovers at n = 1e5")
	assert.Equal(t, 0, cells[1].Recovered, "a degenerate certificate does not at n = 1e5")
	assert.InDelta(t, 0.5*math.Sqrt(2*math.Log(100))*math.Pow(1000, -1.0/3), float64(cells[0].Lambda), 1e-12)
	b, err := os.ReadFile(png)
	require.NoError(t, err)
	assert.True(t, bytes.HasPrefix(b, []byte("\x89PNG")))

	// Markdown table.
	code, out, errs = runCLI("experiment-inverse", "--trials", "2", "--eps", "10", "--n", "100000")
	require.Equal(t, 0, code, errs)
	assert.Contains(t, out, "| 10 | 0.1241 (nondegenerate) | 2/2 (")

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--eps", "0,1"}, "--eps"},
		{[]string{"--n", "1000,100"}, "increasing"},
		{[]string{"--n", "1e3,x"}, "--n"},
		{[]string{"--alpha", "0.7"}, "--alpha 0.7"},
		{[]string{"--d", "2"}, "--d 2"},
		{[]string{"--trials", "0"}, "--trials 0"},
		{[]string{"--plot", filepath.Join(dir, "r.gif")}, "unknown extension"},
	} {
		code, out, errs := runCLI(append([]string{"experiment-inverse"}, tc.args...)...)
		assert.Equal(t, 2, code, "%v", tc.args)
		assert.Empty(t, out)
		assert.Contains(t, errs, tc.want, "%v", tc.args)
		oneLine(t, errs)
	}
}
