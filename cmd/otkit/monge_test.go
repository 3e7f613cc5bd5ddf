package main

import (
	"encoding/json"
	"math/rand"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"github.com/otkit/otkit/arrayio"
)

func mongeSamples(t *testing.T, dir string) (xPath, yPath string) {
	t.Helper()
	rng := rand.New(rand.NewSource(5))
	x, y := mat.NewDense(60, 2, nil), mat.NewDense(50, 2, nil)
	for i := 0; i < 60; i++ {
		x.Set(i, 0, rng.NormFloat64())
		x.Set(i, 1, rng.NormFloat64())
	}
	for i := 0; i < 50; i++ {
		y.Set(i, 0, 3+rng.NormFloat64())
		y.Set(i, 1, rng.NormFloat64())
	}
	return writeNpy(t, dir, "x.npy", x), writeNpy(t, dir, "y.npy", y)
}

func TestMongeCLI(t *testing.T) {
	dir := t.TempDir()
	xp, yp := mongeSamples(t, dir)
	out := filepath.Join(dir, "tq.npy")
	for _, elastic := range [][]string{nil, {"--elastic", "l1", "--gamma", "0.5"}, {"--elastic", "l0", "--gamma", "1"}} {
		args := append([]string{"monge", "estimate", "--x", xp, "--y", yp, "--query", xp, "--out", out, "--json", "--eps", "1"}, elastic...)
		code, stdout, stderr := runCLI(args...)
		require.Equal(t, 0, code, stderr)
		var s mongeSummary
		require.NoError(t, json.Unmarshal([]byte(stdout), &s))
		assert.Equal(t, "Converged", s.Status)
		assert.Equal(t, 60, s.Queries)
		a, err := arrayio.ReadFile(out)
		require.NoError(t, err)
		r, c := a.Matrix()
		assert.Equal(t, []int{60, 2}, []int{r, c})
		var mean float64
		for i := 0; i < r; i++ {
			mean += a.Data[2*i] / float64(r)
		}
		assert.InDelta(t, 3, mean, 0.6, "mapped points sit on the target")
	}
	mp := filepath.Join(dir, "map.json")
	code, stdout, stderr := runCLI("monge", "fit", "--x", xp, "--y", yp, "--out", mp, "--epochs", "3", "--batch", "20",
		"--hidden", "8", "--json", "--seed", "4")
	require.Equal(t, 0, code, stderr)
	var s mongeSummary
	require.NoError(t, json.Unmarshal([]byte(stdout), &s))
	assert.Equal(t, 9, s.Steps)
	assert.Equal(t, 18, s.Solves, "one divergence and one Monge gap per step")
	assert.Greater(t, float64(s.MongeGap), 0.0)
	code, stdout, stderr = runCLI("monge", "apply", "--map", mp, "--x", xp, "--out", out, "--json")
	require.Equal(t, 0, code, stderr)
	require.NoError(t, json.Unmarshal([]byte(stdout), &s))
	assert.Equal(t, 60, s.Queries)
	// The linear term: a v2 map file, applied like a v1 one.
	code, _, stderr = runCLI("monge", "fit", "--x", xp, "--y", yp, "--out", mp, "--epochs", "2", "--batch", "20",
		"--hidden", "8", "--linear", "--weight-decay", "1", "--quiet")
	require.Equal(t, 0, code, stderr)
	b, rerr := os.ReadFile(mp)
	require.NoError(t, rerr)
	assert.Contains(t, string(b), `"otkit-monge-mlp-v2"`)
	code, _, stderr = runCLI("monge", "apply", "--map", mp, "--x", xp, "--out", out, "--quiet")
	require.Equal(t, 0, code, stderr)

	bad := writeText(t, dir, "bad.json", "{not json")
	wrongDim := writeNpy(t, dir, "q3.npy", mat.NewDense(4, 3, nil))
	nanPath := writeText(t, dir, "nan.csv", "1,2\nnan,3\n")
	for _, tc := range []struct {
		name string
		args []string
		code int
	}{
		{"no sub", []string{"monge"}, 2},
		{"unknown sub", []string{"monge", "frob"}, 2},
		{"eps0", []string{"monge", "estimate", "--x", xp, "--y", yp, "--query", xp, "--out", out, "--eps", "0"}, 2},
		{"lambda<0", []string{"monge", "fit", "--x", xp, "--y", yp, "--out", mp, "--lambda", "-1"}, 2},
		{"weight-decay<0", []string{"monge", "fit", "--x", xp, "--y", yp, "--out", mp, "--weight-decay", "-1"}, 2},
		{"gamma without elastic", []string{"monge", "estimate", "--x", xp, "--y", yp, "--query", xp, "--out", out, "--gamma", "1"}, 2},
		{"l0 gamma too big", []string{"monge", "estimate", "--x", xp, "--y", yp, "--query", xp, "--out", out, "--elastic", "l0", "--gamma", "5"}, 2},
		{"dims", []string{"monge", "estimate", "--x", xp, "--y", wrongDim, "--query", xp, "--out", out}, 1},
		{"query dims", []string{"monge", "estimate", "--x", xp, "--y", yp, "--query", wrongDim, "--out", out}, 1},
		{"nan", []string{"monge", "estimate", "--x", nanPath, "--y", yp, "--query", xp, "--out", out}, 1},
		{"bad map", []string{"monge", "apply", "--map", bad, "--x", xp, "--out", out}, 1},
		{"map dims", []string{"monge", "apply", "--map", mp, "--x", wrongDim, "--out", out}, 1},
		{"missing map", []string{"monge", "apply", "--map", filepath.Join(dir, "none.json"), "--x", xp, "--out", out}, 1},
		{"bad out", []string{"monge", "apply", "--map", mp, "--x", xp, "--out", filepath.Join(dir, "o.txt")}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(tc.args...)
			assert.Equal(t, tc.code, code, stderr)
			assert.Regexp(t, `^otkit monge: [^\n]+\n$`, stderr)
		})
	}
	_, err := os.Stat(mp)
	require.NoError(t, err)
}
