package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"codeberg.org/sbinet/npyio"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"github.com/otkit/otkit/ot"
)

// productSolver returns the independent coupling a⊗b/M: enough to test the
// CLI plumbing without depending on a real solver. It reports status and
// counts its solves.
type productSolver struct{ status ot.Status }

var productSolves atomic.Int64

func (s productSolver) Solve(_ context.Context, p *ot.Problem) (*ot.Result, error) {
	productSolves.Add(1)
	if err := p.Validate(); err != nil {
		return nil, err
	}
	n, m := p.Dims()
	data := make([]float64, n*m)
	for i := range p.A {
		for j := range p.B {
			data[i*m+j] = p.A[i] * p.B[j] / p.Mass()
		}
	}
	plan := &ot.DensePlan{N: n, M: m, Data: data}
	lc := ot.LinearCost(plan, p.C)
	return &ot.Result{Plan: plan, Value: lc, LinearCost: lc, DualValue: lc - 1, Status: s.status,
		MarginalError: ot.MarginalError(plan, p.A, p.B)}, nil
}

func init() {
	register(method{Name: "test-product", Summary: "independent coupling (tests only)", Flags: solverFlags,
		DualBound: always, New: func(params) (ot.Solver, error) { return productSolver{ot.Converged}, nil }})
	register(method{Name: "test-stalled", Summary: "independent coupling, status Stalled (tests only)",
		New: func(params) (ot.Solver, error) { return productSolver{ot.Stalled}, nil }})
}

func writeNpy(t *testing.T, dir, name string, v any) string {
	t.Helper()
	path := filepath.Join(dir, name)
	f, err := os.Create(path)
	require.NoError(t, err)
	require.NoError(t, npyio.Write(f, v))
	require.NoError(t, f.Close())
	return path
}

func writeText(t *testing.T, dir, name, text string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
	return path
}

func runCLI(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestSolveJSON(t *testing.T) {
	dir := t.TempDir()
	cost := writeNpy(t, dir, "c.npy", mat.NewDense(2, 3, []float64{0, 1, 2, 3, 4, 5}))
	a := writeNpy(t, dir, "a.npy", []float64{0.25, 0.75})
	b := writeText(t, dir, "b.csv", "0.5\n0.25\n# comment\n\n0.25\n")
	planPath := filepath.Join(dir, "plan.npy")
	code, out, errs := runCLI("solve", "--method", "test-product", "--cost", cost, "--a", a, "--b", b, "--plan", planPath, "--json")
	require.Equal(t, 0, code, errs)
	var s map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &s))
	for _, key := range []string{"method", "status", "iterations", "value", "linear_cost", "marginal_error", "nnz", "seconds", "n", "m"} {
		assert.Contains(t, s, key)
	}
	assert.Equal(t, "Converged", s["status"])
	assert.Equal(t, 2.0, s["n"])
	assert.Equal(t, 3.0, s["m"])
	assert.InDelta(t, 0.25*(0.5*0+0.25*1+0.25*2)+0.75*(0.5*3+0.25*4+0.25*5), s["linear_cost"], 1e-15)
	rows, cols, plan, err := readMatrix(planPath)
	require.NoError(t, err)
	assert.Equal(t, [2]int{2, 3}, [2]int{rows, cols})
	assert.InDelta(t, 0.75*0.25, plan[4], 1e-15)
}

func TestSolvePointCloudsText(t *testing.T) {
	dir := t.TempDir()
	x := writeText(t, dir, "x.csv", "0,0\n1,0\n")
	y := writeNpy(t, dir, "y.npy", mat.NewDense(2, 2, []float64{0, 1, 1, 1}))
	code, out, errs := runCLI("solve", "--method", "test-product", "--x", x, "--y", y, "--metric", "euclidean")
	require.Equal(t, 0, code, errs)
	assert.Contains(t, out, "status          Converged")
	assert.Contains(t, out, "problem         2 × 2")
}

func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	cost := writeNpy(t, dir, "c.npy", mat.NewDense(2, 2, []float64{0, 1, 1, 0}))
	nanCost := writeNpy(t, dir, "nan.npy", mat.NewDense(2, 2, []float64{0, math.NaN(), 1, 0}))
	infCost := writeNpy(t, dir, "inf.npy", mat.NewDense(2, 2, []float64{0, math.Inf(-1), 1, 0}))
	a3 := writeNpy(t, dir, "a3.npy", []float64{0.2, 0.3, 0.5})
	neg := writeNpy(t, dir, "neg.npy", []float64{1.5, -0.5})
	zero := writeNpy(t, dir, "zero.npy", []float64{0, 0})
	nanW := writeNpy(t, dir, "nanw.npy", []float64{math.NaN(), 1})
	heavy := writeNpy(t, dir, "heavy.npy", []float64{0.5, 0.6})
	strs := writeNpy(t, dir, "bools.npy", []bool{true, false})
	garbage := writeText(t, dir, "garbage.npy", "this is not numpy")
	truncated := writeText(t, dir, "trunc.npy", "\x93NUMPY\x01\x00v\x00{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }")
	badCSV := writeText(t, dir, "bad.csv", "1,2\n3,x\n")
	raggedCSV := writeText(t, dir, "ragged.csv", "1,2\n3\n")
	emptyCSV := writeText(t, dir, "empty.csv", "# nothing\n")
	emptyNpy := writeText(t, dir, "empty.npy", rawNpy("{'descr': '<f8', 'fortran_order': False, 'shape': (0, 3), }"))
	tests := []struct {
		name string
		args []string
		want string // substring of the one-line message
		code int
	}{
		{"missing file", []string{"--cost", filepath.Join(dir, "nope.npy")}, "no such file", 1},
		{"garbage npy", []string{"--cost", garbage}, "garbage.npy: arrayio: malformed file: not a .npy file", 1},
		{"truncated npy", []string{"--cost", truncated}, "trunc.npy", 1},
		{"wrong dtype", []string{"--cost", strs}, "unsupported array: dtype", 1},
		{"bad csv", []string{"--cost", badCSV}, "line 2, field 2", 1},
		{"ragged csv", []string{"--cost", raggedCSV}, "line 2 has 1 fields", 1},
		{"empty csv", []string{"--cost", emptyCSV}, "empty.csv: arrayio: malformed file: no data", 1},
		{"empty npy", []string{"--cost", emptyNpy}, "empty problem", 1},
		{"shape mismatch", []string{"--cost", cost, "--a", a3}, "shape mismatch", 1},
		{"nan cost", []string{"--cost", nanCost}, "non-finite", 1},
		{"-inf cost", []string{"--cost", infCost}, "non-finite", 1},
		{"negative weight", []string{"--cost", cost, "--a", neg}, "negative weight", 1},
		{"zero mass", []string{"--cost", cost, "--a", zero}, "zero total mass", 1},
		{"nan weight", []string{"--cost", cost, "--b", nanW}, "non-finite", 1},
		{"mass mismatch", []string{"--cost", cost, "--b", heavy}, "unequal masses", 1},
		{"eps zero", []string{"--cost", cost, "--eps", "0"}, "--eps 0", 2},
		{"eps nan", []string{"--cost", cost, "--eps", "NaN"}, "--eps NaN", 2},
		{"tol negative", []string{"--cost", cost, "--tol", "-1"}, "--tol -1", 2},
		{"k zero", []string{"--cost", cost, "--k", "0"}, "--k 0", 2},
		{"no problem", []string{}, "no problem given", 2},
		{"both inputs", []string{"--cost", cost, "--x", cost, "--y", cost}, "not both", 2},
		{"unknown method", []string{"--method", "magic", "--cost", cost}, "unknown method", 2},
		{"bad metric", []string{"--x", cost, "--y", cost, "--metric", "manhattan"}, "unknown metric", 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"solve"}, tc.args...)
			if !strings.Contains(strings.Join(tc.args, " "), "--method") {
				args = append(args, "--method", "test-product")
			}
			code, out, errs := runCLI(args...)
			assert.Equal(t, tc.code, code, errs)
			assert.Empty(t, out)
			assert.Contains(t, errs, tc.want)
			assert.Equal(t, 1, strings.Count(strings.TrimSpace(errs), "\n")+1, "one-line message: %q", errs)
		})
	}
}

func TestUnknownCommandAndHelp(t *testing.T) {
	code, _, errs := runCLI("frobnicate")
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, "unknown command")
	code, out, _ := runCLI("help")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "solve")
	assert.Contains(t, out, "test-product")
}

// TestDemoRuns: otkit with no arguments runs the demo, which writes its
// pictures into ./otkit-demo.
func TestDemoRuns(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	code, out, errs := runCLI()
	require.Equal(t, 0, code, errs)
	assert.Contains(t, out, "2-D point clouds")
	assert.Contains(t, out, "token routing")
	assert.Contains(t, out, "pictures in otkit-demo")
	assert.NotContains(t, out, "NaN")
	assert.Equal(t, []string{"otkit-demo"}, dirFiles(t, dir))
	assert.ElementsMatch(t, demoFiles, dirFiles(t, filepath.Join(dir, "otkit-demo")))
}

func TestProgressLine(t *testing.T) {
	var buf bytes.Buffer
	p := newProgressLine(&buf)
	p.update(10, 0.5)
	assert.Empty(t, buf.String(), "nothing in the first second")
	p.start = p.start.Add(-2 * time.Second)
	p.update(20, 0.25)
	p.finish()
	assert.Contains(t, buf.String(), "iteration       20   marginal error 2.500e-01")
	assert.True(t, strings.HasSuffix(buf.String(), "\n"))
	var none *progressLine
	none.finish() // no-op
}

// rawNpy returns a version-1 .npy file with the given header and no data.
func rawNpy(header string) string {
	for (10+len(header)+1)%64 != 0 {
		header += " "
	}
	header += "\n"
	return "\x93NUMPY\x01\x00" + string([]byte{byte(len(header)), byte(len(header) >> 8)}) + header
}
