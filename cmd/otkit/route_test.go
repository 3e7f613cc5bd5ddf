package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const moeScoresCSV = "2,0\n1.5,0.5\n1,1\n0.2,1.8\n0,2\n1.2,0.3\n0.4,0.6\n2.5,-0.5\n"

func TestRouteJSON(t *testing.T) {
	path := writeText(t, t.TempDir(), "scores.csv", moeScoresCSV)
	code, out, errs := runCLI("route", "--scores", path, "--k", "4", "--lbfgs", "--json")
	require.Equal(t, 0, code, errs)
	var s routeSummary
	require.NoError(t, json.Unmarshal([]byte(out), &s))
	assert.Equal(t, []int{4, 4}, s.Load)
	assert.Equal(t, 4, s.MaxLoad)
	assert.Equal(t, 0, s.Dropped)
	assert.Equal(t, "Converged", s.Status)
	assert.InDelta(t, 6.0380287465, float64(s.TotalScore), 1e-8)

	assert.Equal(t, []int{0, 8}, s.ExpertsPerToken)
	assert.Less(t, float64(s.TokenError), 1e-8)
	assert.Less(t, float64(s.ExpertError), 1e-8)

	// Reference settings (Adam, 20 steps): a fixed-step run that took its
	// steps is Converged, with its figures.
	code, out, errs = runCLI("route", "--scores", path, "--k", "5", "--strict")
	require.Equal(t, 0, code, errs)
	for _, line := range []string{"status             Converged", "steps              20", "token error        ",
		"expert error       ", "experts per token  "} {
		assert.Contains(t, out, line)
	}
	code, out, errs = runCLI("route", "--scores", path, "--k", "4", "--max-iter", "3", "--json")
	require.Equal(t, 0, code, errs)
	var raw map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &raw))
	for _, key := range []string{"tokens", "experts", "k", "status", "steps", "load", "max_load", "dropped", "total_score",
		"token_error", "expert_error", "experts_per_token", "seconds"} {
		assert.Contains(t, raw, key)
	}
	assert.NotContains(t, raw, "marginal_error")
	s = routeSummary{}
	require.NoError(t, json.Unmarshal([]byte(out), &s))
	assert.Equal(t, "Converged", s.Status)
	assert.Equal(t, 3, s.Steps)
	total := 0
	for _, c := range s.ExpertsPerToken {
		total += c
	}
	assert.Equal(t, 8, total)
	assert.Equal(t, s.Dropped, s.ExpertsPerToken[0])
	assert.Positive(t, float64(s.ExpertError)+float64(s.TokenError), "3 steps leave the marginals off")
	assert.Less(t, float64(s.TokenError), 1.0, "normalized by the tokens")

	// --expert-capacity caps the loads in tokens-choose-experts mode.
	code, out, errs = runCLI("route", "--scores", path, "--k", "1", "--row-sparse", "--expert-capacity", "3", "--json")
	require.Equal(t, 0, code, errs)
	s = routeSummary{}
	require.NoError(t, json.Unmarshal([]byte(out), &s))
	assert.LessOrEqual(t, s.MaxLoad, 3)
	assert.Equal(t, 8-6, s.Dropped, "2 experts × 3 slots for 8 tokens")
	code, _, errs = runCLI("route", "--scores", path, "--k", "1", "--expert-capacity", "3")
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, "--expert-capacity 3")

	// --refill: no token dropped.
	code, out, errs = runCLI("route", "--scores", path, "--k", "4", "--max-iter", "1", "--refill", "--json")
	require.Equal(t, 0, code, errs)
	require.NoError(t, json.Unmarshal([]byte(out), &s))
	assert.Equal(t, 0, s.Dropped)
	assert.LessOrEqual(t, s.MaxLoad, 4)
	code, out, errs = runCLI("route", "--scores", path, "--k", "1", "--row-sparse", "--json")
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
		code int
	}{
		{[]string{"route", "--k", "4"}, "--scores is required", 2},
		{[]string{"route", "--scores", good}, "--k is required", 2},
		{[]string{"route", "--scores", good, "--k", "3"}, "infeasible", 1},
		{[]string{"route", "--scores", nan, "--k", "2"}, "nan.csv", 1},
		{[]string{"route", "--scores", good, "--k", "4", "--max-iter", "-1"}, "--max-iter", 2},
		{[]string{"route", "--scores", good, "--k", "4", "--gamma", "0"}, "--gamma 0", 2},
		{[]string{"route", "--scores", good, "--k", "4", "extra"}, "unexpected argument", 2},
		{[]string{"route", "--scores", good, "--k", "4", "--out", filepath.Join(dir, "no", "r.json")}, "does not exist", 1},
	} {
		code, out, errs := runCLI(tc.args...)
		assert.Equal(t, tc.code, code, "%v", tc.args)
		assert.Empty(t, out, "%v", tc.args)
		assert.Contains(t, errs, tc.want, "%v", tc.args)
		oneLine(t, errs)
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
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, "method cardinality needs --k")
}

func TestExperimentCardinality(t *testing.T) {
	code, out, errs := runCLI("experiment-cardinality", "--gamma", "0.1")
	require.Equal(t, 0, code, errs)
	assert.Contains(t, out, "at most k nonzeros in every column: true")
	rows := 0
	for _, s := range []string{"Converged", "Stalled", "IterationLimit", "Infeasible"} {
		rows += strings.Count(out, "| "+s+" |")
	}
	assert.Equal(t, 14, rows, "one row per k and method")
}

func TestRouteOut(t *testing.T) {
	dir := t.TempDir()
	path := writeText(t, dir, "scores.csv", moeScoresCSV)
	out := filepath.Join(dir, "routing.json")
	code, _, errs := runCLI("route", "--scores", path, "--k", "4", "--max-iter", "2", "--out", out, "--quiet")
	require.Equal(t, 0, code, errs)
	b, err := os.ReadFile(out)
	require.NoError(t, err)
	var rf struct {
		Tokens, Experts, Capacity, Steps int
		Status                           string
		Score                            float64
		TokenError                       float64 `json:"token_error"`
		ExpertError                      float64 `json:"expert_error"`
		ExpertsPerToken                  []int   `json:"experts_per_token"`
		Dropped                          []int
		Routes                           []struct {
			Expert  int
			Tokens  []int
			Weights []float64
		}
	}
	require.NoError(t, json.Unmarshal(b, &rf))
	assert.Equal(t, [4]int{8, 2, 4, 2}, [4]int{rf.Tokens, rf.Experts, rf.Capacity, rf.Steps})
	assert.Equal(t, "Converged", rf.Status)
	require.NotEmpty(t, rf.ExpertsPerToken)
	assert.Equal(t, len(rf.Dropped), rf.ExpertsPerToken[0])
	assert.GreaterOrEqual(t, rf.TokenError, 0.0)
	assert.Positive(t, rf.ExpertError+rf.TokenError)
	require.Len(t, rf.Routes, 2)
	seen := map[int]bool{}
	var score float64
	for j, r := range rf.Routes {
		assert.Equal(t, j, r.Expert)
		assert.LessOrEqual(t, len(r.Tokens), 4)
		assert.Len(t, r.Weights, len(r.Tokens))
		for _, i := range r.Tokens {
			seen[i] = true
		}
		for _, w := range r.Weights {
			score += w
		}
	}
	for _, i := range rf.Dropped {
		assert.False(t, seen[i], "dropped token %d is routed", i)
		seen[i] = true
	}
	assert.Len(t, seen, 8, "every token routed or dropped")
	assert.InDelta(t, rf.Score, score, 1e-12, "score = sum of the combine weights")
}

// TestRouteRouters: --router picks the OT router or a baseline; flags of
// another router are usage errors.
func TestRouteRouters(t *testing.T) {
	dir := t.TempDir()
	path := writeText(t, dir, "scores.csv", moeScoresCSV)
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--router", "greedy"}, 0, ""},
		{[]string{"--router", "sinkhorn", "--eps", "0.1"}, 0, ""},
		{[]string{"--router", "ot", "--lbfgs"}, 0, ""},
		{[]string{"--router", "greedy", "--lbfgs"}, 2, "--lbfgs is not used by router greedy (its flags: none)"},
		{[]string{"--router", "greedy", "--refill"}, 2, "--refill is not used by router greedy"},
		{[]string{"--refill"}, 0, ""},
		{[]string{"--router", "sinkhorn", "--gamma", "1"}, 2, "--gamma is not used by router sinkhorn (its flags: --eps, --max-iter)"},
		{[]string{"--eps", "0.1"}, 2, "--eps is not used by router ot"},
		{[]string{"--router", "sinkhorn", "--eps", "0"}, 2, "--eps 0"},
		{[]string{"--router", "topk"}, 2, `unknown router "topk"`},
	} {
		args := append([]string{"route", "--scores", path, "--k", "4", "--json"}, tc.args...)
		code, out, errs := runCLI(args...)
		require.Equal(t, tc.code, code, "%v: %s", tc.args, errs)
		if tc.code != 0 {
			assert.Contains(t, errs, tc.want)
			oneLine(t, errs)
			continue
		}
		var s routeSummary
		require.NoError(t, json.Unmarshal([]byte(out), &s))
		assert.LessOrEqual(t, s.MaxLoad, 4, "%v", tc.args)
	}
}
