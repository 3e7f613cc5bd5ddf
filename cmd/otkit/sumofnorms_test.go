package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otkit/otkit/sumofnorms"
)

// sonFiles writes a small Segments instance (2 classes, 20 points each; docs/sumofnorms.md §8):
// the point clouds, the source labels as int64 .npy and the target labels.
func sonFiles(t *testing.T, dir string) (x, y, labels string, ys, yt []int) {
	t.Helper()
	xs, xt, ys, yt := sumofnorms.Segments(1, 20, 2)
	x = writeNpy(t, dir, "x.npy", xs)
	y = writeNpy(t, dir, "y.npy", xt)
	l := make([]int64, len(ys))
	for i, v := range ys {
		l[i] = int64(v)
	}
	labels = writeNpy(t, dir, "labels.npy", l)
	return x, y, labels, ys, yt
}

// TestSolveSumOfNorms: a large λ keeps each source class together (purity
// 1, read back from --plan), λ = 0 is exact OT (purity below 1 on this
// geometry); --json prints the certified dual value; --plot draws.
func TestSolveSumOfNorms(t *testing.T) {
	dir := t.TempDir()
	x, y, labels, ys, yt := sonFiles(t, dir)
	for _, tc := range []struct {
		lambda string
		fused  bool
	}{{"0", false}, {"0.3", true}} {
		t.Run("lambda="+tc.lambda, func(t *testing.T) {
			planPath := filepath.Join(dir, "plan"+tc.lambda+".npy")
			plotPath := filepath.Join(dir, "plan"+tc.lambda+".png")
			code, out, errs := runCLI("solve", "--method", "sumofnorms", "--x", x, "--y", y, "--labels", labels,
				"--lambda", tc.lambda, "--json", "--quiet", "--workers", "2", "--plan", planPath, "--plot", plotPath, "--strict")
			require.Equal(t, 0, code, errs)
			var s summary
			require.NoError(t, json.Unmarshal([]byte(out), &s))
			assert.Equal(t, "sumofnorms", s.Method)
			assert.Equal(t, "Converged", s.Status)
			require.NotNil(t, s.DualValue)
			assert.LessOrEqual(t, float64(s.Value)-*s.DualValue, 1e-7*float64(s.Value))
			rows, cols, data, err := readMatrix(planPath)
			require.NoError(t, err)
			require.Equal(t, [2]int{40, 40}, [2]int{rows, cols})
			var in, all float64
			for i := range rows {
				for j := range cols {
					all += data[i*cols+j]
					if ys[i] == yt[j] {
						in += data[i*cols+j]
					}
				}
			}
			if tc.fused {
				assert.InDelta(t, 1, in/all, 1e-7, "purity")
			} else {
				assert.Less(t, in/all, 0.9, "purity of exact OT")
			}
			st, err := os.Stat(plotPath)
			require.NoError(t, err)
			assert.Positive(t, st.Size())
		})
	}
	// Without labels: a kNN graph over the sources.
	code, out, errs := runCLI("solve", "--method", "sumofnorms", "--x", x, "--y", y, "--lambda", "0.1", "--quiet")
	require.Equal(t, 0, code, errs)
	assert.Contains(t, out, "method          sumofnorms")
}

// TestSumOfNormsBadCommandLines: labels of the wrong length, not integers,
// negative or unreadable, and a class of zero mass, are bad input (exit 1);
// a missing or negative --lambda, or a flag of another method, is a usage
// error (exit 2), and --lambda/--labels are errors for other methods. Every
// message is one line.
func TestSumOfNormsBadCommandLines(t *testing.T) {
	dir := t.TempDir()
	x, y, labels, _, _ := sonFiles(t, dir)
	short := writeNpy(t, dir, "short.npy", []int64{0, 1, 0})
	frac := writeText(t, dir, "frac.csv", strings.Repeat("0\n", 39)+"1.5\n")
	neg := writeText(t, dir, "neg.csv", strings.Repeat("0\n", 39)+"-1\n")
	nan := writeText(t, dir, "nan.csv", strings.Repeat("0\n", 39)+"nan\n")
	matrix := writeText(t, dir, "matrix.csv", strings.Repeat("0,1\n", 40))
	garbage := writeText(t, dir, "garbage.npy", "not numpy")
	a := writeText(t, dir, "a.csv", strings.Repeat("0\n", 20)+strings.Repeat("1\n", 20))
	b := writeText(t, dir, "b.csv", strings.Repeat("0.5\n", 40))
	in := []string{"solve", "--method", "sumofnorms", "--x", x, "--y", y, "--quiet"}
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"short labels", []string{"--labels", short, "--lambda", "1"}, 1, "3 labels for 40 source points"},
		{"fractional labels", []string{"--labels", frac, "--lambda", "1"}, 1, "entry 39 is 1.5, want an integer ≥ 0"},
		{"negative labels", []string{"--labels", neg, "--lambda", "1"}, 1, "entry 39 is -1"},
		{"NaN labels", []string{"--labels", nan, "--lambda", "1"}, 1, "entry 39 is NaN"},
		{"matrix labels", []string{"--labels", matrix, "--lambda", "1"}, 1, "--labels " + matrix},
		{"garbage labels", []string{"--labels", garbage, "--lambda", "1"}, 1, "malformed"},
		{"missing labels file", []string{"--labels", filepath.Join(dir, "nope.npy"), "--lambda", "1"}, 1, "no such file"},
		{"zero-mass class", []string{"--labels", labels, "--lambda", "1", "--a", a, "--b", b}, 1, "class 0 has zero mass"},
		{"no lambda", []string{"--labels", labels}, 2, "method sumofnorms needs --lambda"},
		{"negative lambda", []string{"--labels", labels, "--lambda", "-1"}, 2, "--lambda -1"},
		{"NaN lambda", []string{"--labels", labels, "--lambda", "NaN"}, 2, "--lambda NaN"},
		{"eps", []string{"--labels", labels, "--lambda", "1", "--eps", "0.1"}, 2, "--eps is not used by method sumofnorms"},
		{"lambda for sinkhorn", []string{"--method", "sinkhorn", "--lambda", "1"}, 2, "--lambda is not used by method sinkhorn"},
		{"labels for exact", []string{"--method", "exact", "--labels", labels}, 2, "--labels is not used by method exact"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errs := runCLI(append(append([]string{}, in...), tc.args...)...)
			assert.Equal(t, tc.code, code, errs)
			assert.Contains(t, errs, tc.want)
			oneLine(t, errs)
		})
	}
}

// TestExperimentSumOfNorms: a small run prints one JSON row per (data,
// method, λ) with figures in [0, 1], exact OT once per data set; the
// markdown table and the picture are written; bad flags are usage errors.
func TestExperimentSumOfNorms(t *testing.T) {
	base := []string{"experiment-sumofnorms", "--per-class", "5", "--classes", "2", "--lambdas", "0.1,1", "--quiet", "--workers", "2"}
	code, out, errs := runCLI(append(base, "--json")...)
	require.Equal(t, 0, code, errs)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 2*(1+3*2))
	count := map[string]int{}
	for _, l := range lines {
		var r sonRow
		require.NoError(t, json.Unmarshal([]byte(l), &r), l)
		count[r.Data+"/"+r.Method]++
		if r.Method == "sumofnorms" || r.Method == "exact" { // the baselines may stop at their iteration limits
			assert.Equal(t, "Converged", r.Status, l)
		}
		for _, v := range []float64{float64(r.Purity), float64(r.Accuracy)} {
			assert.True(t, v >= 0 && v <= 1, l)
		}
	}
	assert.Equal(t, map[string]int{"segments/exact": 1, "segments/sumofnorms": 2, "segments/grouplasso": 2, "segments/entropic": 2,
		"rotated/exact": 1, "rotated/sumofnorms": 2, "rotated/grouplasso": 2, "rotated/entropic": 2}, count)

	path := filepath.Join(t.TempDir(), "son.png")
	code, out, errs = runCLI(append(base, "--data", "segments", "--plot", path)...)
	require.Equal(t, 0, code, errs)
	assert.Contains(t, out, "| λ | sumofnorms | grouplasso | entropic | exact |")
	assert.Equal(t, 2+2, strings.Count(out, "\n|"), "header, separator and one row per λ: %s", out)
	assert.FileExists(t, path)

	for _, args := range [][]string{
		{"--lambdas", "0.1,-1"}, {"--lambdas", "x"}, {"--data", "moons"}, {"--per-class", "1"}, {"--classes", "1"},
		{"--plot", "out.gif"},
	} {
		code, _, errs := runCLI(append([]string{"experiment-sumofnorms"}, args...)...)
		assert.Equal(t, 2, code, "%v: %s", args, errs)
		oneLine(t, errs)
	}
}
