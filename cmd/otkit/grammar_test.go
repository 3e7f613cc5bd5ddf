package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"github.com/otkit/otkit/ot"
)

// oneLine asserts a single-line stderr message.
func oneLine(t *testing.T, errs string) {
	t.Helper()
	assert.Equal(t, 1, strings.Count(errs, "\n"), "one-line message: %q", errs)
}

// TestCommonFlags: every subcommand takes --json, --quiet and --workers.
func TestCommonFlags(t *testing.T) {
	dir := t.TempDir()
	cost := writeText(t, dir, "c.csv", "0,1\n1,0\n")
	scores := writeText(t, dir, "s.csv", moeScoresCSV)
	for _, args := range [][]string{
		{"solve", "--method", "test-product", "--cost", cost},
		{"solve", "--method", "sinkhorn", "--cost", cost},
		{"route", "--scores", scores, "--k", "4"},
		{"demo", "--out", ""}, // pictures: TestDemoPictures
		{"experiment-cardinality", "--gamma", "0.1"},
	} {
		t.Run(args[0], func(t *testing.T) {
			if testing.Short() && args[0] == "experiment-cardinality" {
				t.Skip("slow under -short")
			}
			code, out, errs := runCLI(append(args, "--json", "--quiet", "--workers", "2")...)
			require.Equal(t, 0, code, errs)
			lines := strings.Split(strings.TrimSpace(out), "\n")
			for _, l := range lines {
				var v map[string]any
				require.NoError(t, json.Unmarshal([]byte(l), &v), "JSON line %q", l)
			}
			code, _, errs = runCLI(append(args, "--workers", "1")...)
			require.Equal(t, 0, code, errs)
		})
	}
	assert.Equal(t, fmt.Sprint(runtime.NumCPU()), func() string {
		var c common
		return newFlagSet("x", &c).Lookup("workers").DefValue
	}(), "--workers defaults to all cores")
}

// TestUsageErrors: a bad command line exits 2 with one line and a hint.
func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	cost := writeText(t, dir, "c.csv", "0,1\n1,0\n")
	x := writeText(t, dir, "x.csv", "0,0\n1,1\n")
	scores := writeText(t, dir, "s.csv", moeScoresCSV)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown flag", []string{"solve", "--frobnicate", "--cost", cost}, "flag provided but not defined: -frobnicate (run 'otkit help solve')"},
		{"bad value", []string{"solve", "--cost", cost, "--eps", "abc"}, `invalid value "abc" for flag -eps`},
		{"eps with exact", []string{"solve", "--method", "exact", "--cost", cost, "--eps", "0.3"}, "--eps is not used by method exact (its flags: --max-iter, --mass)"},
		{"gamma with sinkhorn", []string{"solve", "--method", "sinkhorn", "--cost", cost, "--gamma", "1"}, "--gamma is not used by method sinkhorn"},
		{"k with quadratic", []string{"solve", "--method", "quadratic", "--cost", cost, "--k", "1"}, "--k is not used by method quadratic"},
		{"tol with exact", []string{"solve", "--method", "exact", "--cost", cost, "--tol", "1e-6"}, "--tol is not used by method exact"},
		{"cardinality without k", []string{"solve", "--method", "cardinality", "--cost", cost}, "method cardinality needs --k"},
		{"lp without p", []string{"solve", "--method", "test-product", "--x", x, "--y", x, "--metric", "lp"}, "--metric lp needs --p"},
		{"lp p 0", []string{"solve", "--method", "test-product", "--x", x, "--y", x, "--metric", "lp", "--p", "0"}, "--p 0"},
		{"lp p 0.5", []string{"solve", "--method", "test-product", "--x", x, "--y", x, "--metric", "lp", "--p", "0.5"}, "want a finite p ≥ 1"},
		{"lp p inf", []string{"solve", "--method", "test-product", "--x", x, "--y", x, "--metric", "lp", "--p", "+Inf"}, "--p +Inf"},
		{"p without lp", []string{"solve", "--method", "test-product", "--x", x, "--y", x, "--p", "3"}, "--p is used only by --metric lp"},
		{"metric with cost", []string{"solve", "--method", "test-product", "--cost", cost, "--metric", "euclidean"}, "--metric and --p apply to --x and --y"},
		{"x without y", []string{"solve", "--method", "test-product", "--x", x}, "--x and --y go together"},
		{"plan extension", []string{"solve", "--method", "test-product", "--cost", cost, "--plan", filepath.Join(dir, "p.txt")}, `unknown extension ".txt" (want .npz, .npy or .csv)`},
		{"negative workers", []string{"solve", "--method", "test-product", "--cost", cost, "--workers", "-1"}, "--workers -1"},
		{"positional", []string{"solve", "--cost", cost, "extra"}, `unexpected argument "extra"`},
		{"route unknown flag", []string{"route", "--scores", scores, "--k", "4", "--tol", "1"}, "flag provided but not defined: -tol (run 'otkit help route')"},
		{"route no k", []string{"route", "--scores", scores}, "--k is required"},
		{"route k 0", []string{"route", "--scores", scores, "--k", "0"}, "--k 0"},
		{"route out extension", []string{"route", "--scores", scores, "--k", "4", "--out", filepath.Join(dir, "r.npy")}, `unknown extension ".npy" (want .json)`},
		{"demo unknown flag", []string{"demo", "--eps", "1"}, "(run 'otkit help demo')"},
		{"experiment gamma", []string{"experiment-cardinality", "--gamma", "-1"}, "--gamma -1"},
		{"unknown command", []string{"frobnicate"}, "unknown command"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := productSolves.Load()
			code, out, errs := runCLI(tc.args...)
			assert.Equal(t, 2, code, errs)
			assert.Empty(t, out)
			assert.Contains(t, errs, tc.want)
			assert.Contains(t, errs, "(run 'otkit help")
			oneLine(t, errs)
			assert.Equal(t, before, productSolves.Load(), "nothing solved")
		})
	}
}

// TestHelp: `otkit help CMD` and `otkit CMD -h` print the flags, the method
// table and the exit codes on stdout and exit 0.
func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"help", "solve"}, {"solve", "-h"}, {"route", "--help"}, {"help", "demo"}, {"help", "experiment-cardinality"}} {
		code, out, errs := runCLI(args...)
		assert.Equal(t, 0, code, "%v", args)
		assert.Empty(t, errs, "%v", args)
		assert.Contains(t, out, "3  with --strict", "%v", args)
		if len(args) == 1 {
			assert.Contains(t, out, "--workers N")
			continue
		}
		assert.Contains(t, out, "-workers int", "%v", args)
		assert.Contains(t, out, "-json", "%v", args)
	}
	_, out, _ := runCLI("help", "solve")
	assert.Contains(t, out, "exact        --max-iter, --mass; dual_value")
	assert.Contains(t, out, "cardinality  --k (required), --gamma, --tol, --max-iter; dual_value")
	assert.Contains(t, out, "sinkhorn     --eps, --tol, --max-iter, --rho-a, --rho-b, --precision; dual_value")
	code, _, errs := runCLI("help", "nope")
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, "unknown command")
}

// TestPlanPathCheckedFirst: a --plan that cannot be written is reported
// before solving, with exit status 1.
func TestPlanPathCheckedFirst(t *testing.T) {
	dir := t.TempDir()
	cost := writeText(t, dir, "c.csv", "0,1\n1,0\n")
	file := writeText(t, dir, "f", "")
	ro := filepath.Join(dir, "ro")
	require.NoError(t, os.Mkdir(ro, 0o555))
	for _, tc := range []struct {
		name, plan, want string
	}{
		{"missing dir", filepath.Join(dir, "nope", "p.npy"), "does not exist"},
		{"parent is a file", filepath.Join(file, "p.npy"), "is not a directory"},
		{"plan is a dir", filepath.Join(dir, "d.npy"), "is a directory"},
		{"read-only dir", filepath.Join(ro, "p.npz"), "is not writable"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "plan is a dir" {
				require.NoError(t, os.MkdirAll(tc.plan, 0o755))
			}
			if tc.name == "read-only dir" && os.Geteuid() == 0 {
				t.Skip("root writes anywhere")
			}
			before := productSolves.Load()
			code, out, errs := runCLI("solve", "--method", "test-product", "--cost", cost, "--plan", tc.plan)
			assert.Equal(t, 1, code, errs)
			assert.Empty(t, out)
			assert.Contains(t, errs, tc.want)
			oneLine(t, errs)
			assert.Equal(t, before, productSolves.Load(), "checked before solving")
		})
	}
}

// TestStrict: --strict exits 3 when the Status is not Converged, after
// printing the result; without it the exit status is 0.
func TestStrict(t *testing.T) {
	dir := t.TempDir()
	cost := writeText(t, dir, "c.csv", "0,1\n1,0\n")
	for _, tc := range []struct {
		method string
		strict bool
		code   int
	}{
		{"test-stalled", true, 3},
		{"test-stalled", false, 0},
		{"test-product", true, 0},
	} {
		args := []string{"solve", "--method", tc.method, "--cost", cost, "--json"}
		if tc.strict {
			args = append(args, "--strict")
		}
		code, out, errs := runCLI(args...)
		assert.Equal(t, tc.code, code, "%v: %s", args, errs)
		assert.Contains(t, out, `"status":`)
		if tc.code == 3 {
			assert.Contains(t, errs, "status Stalled, not Converged (--strict)")
			oneLine(t, errs)
		}
	}
	// route: 1 L-BFGS iteration does not converge (a fixed-step Adam run
	// that took its steps is Converged).
	scores := writeText(t, dir, "s.csv", moeScoresCSV)
	code, out, errs := runCLI("route", "--scores", scores, "--k", "4", "--lbfgs", "--max-iter", "1", "--strict")
	assert.Equal(t, 3, code, errs)
	assert.Contains(t, out, "status")
}

// TestHugeK: --k beyond any problem size is passed as is (k ≥ n means no
// constraint), without overflow.
func TestHugeK(t *testing.T) {
	dir := t.TempDir()
	c := writeText(t, dir, "c.csv", "0,1,4\n1,0,1\n4,1,0\n")
	maxInt := fmt.Sprint(math.MaxInt)
	code, out, errs := runCLI("solve", "--method", "cardinality", "--cost", c, "--k", maxInt, "--gamma", "1", "--json")
	require.Equal(t, 0, code, errs)
	var s summary
	require.NoError(t, json.Unmarshal([]byte(out), &s))
	code, out, errs = runCLI("solve", "--method", "cardinality", "--cost", c, "--k", "3", "--gamma", "1", "--json")
	require.Equal(t, 0, code, errs)
	var s3 summary
	require.NoError(t, json.Unmarshal([]byte(out), &s3))
	assert.Equal(t, s3.Value, s.Value, "k = MaxInt solves as k = n")
	scores := writeText(t, dir, "s.csv", moeScoresCSV)
	code, _, errs = runCLI("route", "--scores", scores, "--k", maxInt, "--json")
	assert.Equal(t, 0, code, errs)
	code, _, errs = runCLI("solve", "--method", "cardinality", "--cost", c, "--k", maxInt+"0")
	assert.Equal(t, 2, code, errs)
	assert.Contains(t, errs, "value out of range")
}

// TestLpMetric: --p reaches the point-cloud cost.
func TestLpMetric(t *testing.T) {
	dir := t.TempDir()
	x := writeNpy(t, dir, "x.npy", mat.NewDense(1, 2, []float64{0, 0}))
	y := writeNpy(t, dir, "y.npy", mat.NewDense(1, 2, []float64{3, 4}))
	for p, want := range map[string]float64{"1": 7, "2": 5} {
		code, out, errs := runCLI("solve", "--method", "test-product", "--x", x, "--y", y, "--metric", "lp", "--p", p, "--json")
		require.Equal(t, 0, code, errs)
		var s summary
		require.NoError(t, json.Unmarshal([]byte(out), &s))
		assert.InDelta(t, want, float64(s.LinearCost), 1e-12, "p = %s", p)
	}
}

// TestDualValue: solve --json prints dual_value only for methods with a
// certified lower bound; it bounds the value from below.
func TestDualValue(t *testing.T) {
	dir := t.TempDir()
	c := writeText(t, dir, "c.csv", "0,1,4\n1,0,1\n4,1,0\n")
	a := writeText(t, dir, "a.csv", "0.2\n0.5\n0.3\n")
	b := writeText(t, dir, "b.csv", "0.4\n0.4\n0.2\n")
	for _, tc := range []struct {
		args  []string
		bound bool
	}{
		{[]string{"--method", "test-product"}, true},
		{[]string{"--method", "test-stalled"}, false},
		{[]string{"--method", "sinkhorn", "--eps", "0.5"}, true},
		{[]string{"--method", "exact"}, true},
		{[]string{"--method", "exact", "--max-iter", "1"}, false},
		{[]string{"--method", "quadratic", "--gamma", "1"}, true},
		{[]string{"--method", "cardinality", "--k", "2", "--gamma", "10"}, true},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			args := append([]string{"solve", "--cost", c, "--a", a, "--b", b, "--json"}, tc.args...)
			code, out, errs := runCLI(args...)
			require.Equal(t, 0, code, errs)
			var s summary
			require.NoError(t, json.Unmarshal([]byte(out), &s))
			if !tc.bound {
				if s.Status == "Converged" && tc.args[1] == "exact" {
					t.Skip("one pivot was enough")
				}
				assert.Nil(t, s.DualValue, out)
				assert.NotContains(t, out, "dual_value")
				return
			}
			require.NotNil(t, s.DualValue, out)
			if s.Status == "Converged" {
				assert.LessOrEqual(t, *s.DualValue, float64(s.Value)+1e-9, "a lower bound")
			}
		})
	}
	code, out, _ := runCLI("solve", "--cost", c, "--method", "exact")
	require.Equal(t, 0, code)
	assert.Contains(t, out, "dual value      ")
	code, out, _ = runCLI("solve", "--cost", c, "--method", "test-stalled")
	require.Equal(t, 0, code)
	assert.NotContains(t, out, "dual value")
	// exact's potentials are dual feasible only at the optimum.
	assert.False(t, methods["exact"].DualBound(&ot.Result{Status: ot.IterationLimit}))
	assert.True(t, methods["exact"].DualBound(&ot.Result{Status: ot.Converged}))
}
