package main

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"
)

// TestSolvePartial: --mass solves partial transport with exact (masses may
// differ), and the relaxation flags are refused with a clear message where
// a method does not support them or their values are out of range.
func TestSolvePartial(t *testing.T) {
	dir := t.TempDir()
	// Row 0 is cheap to column 0, row 1 to column 1; only 0.5 moves.
	cost := writeNpy(t, dir, "c.npy", mat.NewDense(2, 2, []float64{0, 3, 2, 1}))
	a := writeNpy(t, dir, "a.npy", []float64{0.25, 0.75})
	b := writeNpy(t, dir, "b.npy", []float64{1, 1})
	code, out, errs := runCLI("solve", "--method", "exact", "--cost", cost, "--a", a, "--b", b, "--mass", "0.5", "--json")
	require.Equal(t, 0, code, errs)
	var s map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &s))
	assert.Equal(t, "Converged", s["status"])
	assert.InDelta(t, 0.25*0+0.25*1, s["linear_cost"], 1e-15)
	assert.InDelta(t, 0, s["marginal_error"], 1e-15)

	// Unbalanced entropic transport: sinkhorn takes --rho-a/--rho-b with
	// unequal masses; a hard row side (--rho-b only) keeps P1 = a.
	code, out, errs = runCLI("solve", "--method", "sinkhorn", "--cost", cost, "--a", a, "--b", b, "--eps", "0.1",
		"--rho-b", "1", "--json")
	require.Equal(t, 0, code, errs)
	s = nil
	require.NoError(t, json.Unmarshal([]byte(out), &s))
	assert.Equal(t, "Converged", s["status"])
	assert.Less(t, s["marginal_error"], 1e-9)

	// Semi-relaxed quadratic transport: --rho-b with the rows hard.
	code, out, errs = runCLI("solve", "--method", "quadratic", "--cost", cost, "--a", a, "--b", b, "--gamma", "0.5",
		"--rho-b", "1", "--json")
	require.Equal(t, 0, code, errs)
	s = nil
	require.NoError(t, json.Unmarshal([]byte(out), &s))
	assert.Equal(t, "Converged", s["status"])
	assert.Less(t, s["marginal_error"], 1e-9)

	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"mass above available", []string{"--method", "exact", "--mass", "1.5"}, 1, "exceeds the mass available"},
		{"unequal masses without --mass", []string{"--method", "exact"}, 1, "--mass"},
		{"negative mass", []string{"--method", "exact", "--mass", "-1"}, 2, "--mass -1"},
		{"mass for sinkhorn", []string{"--method", "sinkhorn", "--mass", "0.5"}, 2, "does not solve partial transport"},
		{"rho-a for exact", []string{"--method", "exact", "--rho-a", "1"}, 2, "unbalanced"},
		{"rho-b for cardinality", []string{"--method", "cardinality", "--k", "1", "--rho-b", "1"}, 2, "unbalanced"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"solve", "--cost", cost, "--a", a, "--b", b}, tc.args...)
			code, _, errs := runCLI(args...)
			assert.Equal(t, tc.code, code, errs)
			assert.Contains(t, errs, tc.want)
		})
	}
}

func TestCheckParamsRho(t *testing.T) {
	set := map[string]bool{"rho-a": true}
	require.Error(t, checkParams(set, params{RhoA: 0}))
	require.Error(t, checkParams(set, params{RhoA: -2}))
	require.NoError(t, checkParams(set, params{RhoA: 2}))
	require.Error(t, checkParams(map[string]bool{"rho-b": true, "mass": true}, params{RhoB: 1, Mass: 0.5}))
}
