package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const moeScoresCSV = "2,0\n1.5,0.5\n1,1\n0.2,1.8\n0,2\n1.2,0.3\n0.4,0.6\n2.5,-0.5\n"

func TestRouteJSON(t *testing.T) {
	path := writeText(t, t.TempDir(), "scores.csv", moeScoresCSV)
	code, out, errs := runCLI("route", "--scores", path, "--k", "4", "--lbfgs")
	require.Equal(t, 0, code, errs)
	var s routeSummary
	require.NoError(t, json.Unmarshal([]byte(out), &s))
	assert.Equal(t, []int{4, 4}, s.Load)
	assert.Equal(t, 4, s.MaxLoad)
	assert.Equal(t, 0, s.Dropped)
	assert.Equal(t, "Converged", s.Status)
	assert.InDelta(t, 6.0380287465, float64(s.TotalScore), 1e-8)

	// Reference settings (Adam, 20 steps) and tokens-choose-experts.
	code, _, errs = runCLI("route", "--scores", path, "--k", "5")
	require.Equal(t, 0, code, errs)
	code, out, errs = runCLI("route", "--scores", path, "--k", "1", "--row-sparse")
	require.Equal(t, 0, code, errs)
	require.NoError(t, json.Unmarshal([]byte(out), &s))
	assert.Equal(t, 0, s.Dropped)
}

func TestRouteBadInput(t *testing.T) {
	dir := t.TempDir()
	good := writeText(t, dir, "scores.csv", moeScoresCSV)
	nan := writeText(t, dir, "nan.csv", "1,2\nnan,0\n")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"route", "--k", "4"}, "--scores is required"},
		{[]string{"route", "--scores", good}, "--k 0"},
		{[]string{"route", "--scores", good, "--k", "3"}, "infeasible"},
		{[]string{"route", "--scores", nan, "--k", "2"}, "nan.csv"},
		{[]string{"route", "--scores", good, "--k", "4", "--max-iter", "-1"}, "--max-iter"},
		{[]string{"route", "--scores", good, "--k", "4", "extra"}, "unexpected argument"},
	} {
		code, _, errs := runCLI(tc.args...)
		assert.Equal(t, 1, code, "%v", tc.args)
		assert.Contains(t, errs, tc.want, "%v", tc.args)
	}
}

func TestSolveCardinality(t *testing.T) {
	dir := t.TempDir()
	c := writeText(t, dir, "c.csv", "0,1,4\n1,0,1\n4,1,0\n")
	a := writeText(t, dir, "a.csv", "0.2\n0.5\n0.3\n")
	b := writeText(t, dir, "b.csv", "0.4\n0.4\n0.2\n")
	code, out, errs := runCLI("solve", "--method", "cardinality", "--cost", c, "--a", a, "--b", b,
		"--k", "2", "--gamma", "10", "--json", "--quiet")
	require.Equal(t, 0, code, errs)
	var s summary
	require.NoError(t, json.Unmarshal([]byte(out), &s))
	assert.Equal(t, "Converged", s.Status)
	assert.InDelta(t, 1.35, float64(s.Value), 1e-8)
	assert.Equal(t, 6, s.NNZ)
	code, _, errs = runCLI("solve", "--method", "cardinality", "--cost", c, "--json")
	assert.Equal(t, 1, code)
	assert.Contains(t, errs, "K = 0")
}

func TestExperimentCardinality(t *testing.T) {
	code, out, errs := runCLI("experiment-cardinality", "--gamma", "0.1")
	require.Equal(t, 0, code, errs)
	assert.Contains(t, out, "at most k nonzeros in every column: true")
	assert.Equal(t, 14, strings.Count(out, "| Converged |")+strings.Count(out, "| Stalled |")+strings.Count(out, "| IterationLimit |"))
}
