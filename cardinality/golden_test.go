package cardinality

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otkit/otkit/ot"
)

// golden is testdata/cardinality/golden.json, written by make_golden.py.
type golden struct {
	BruteForce []struct {
		A, B, C []float64
		N, M, K int
		Gamma   float64
		Value   *float64 // nil: no k-sparse plan meets the marginals
	} `json:"brute_force"`
	Notebook struct {
		A, B   []float64
		OT     float64 `json:"ot"`
		Gammas []struct {
			Gamma   float64
			K1Value float64 `json:"k1_value"`
		}
	} `json:"notebook_1d"`
}

func readGolden(t *testing.T) *golden {
	data, err := os.ReadFile(filepath.Join("..", "testdata", "cardinality", "golden.json"))
	require.NoError(t, err)
	var g golden
	require.NoError(t, json.Unmarshal(data, &g))
	return &g
}

// TestGoldenBruteForce compares the Go enumeration and the solver with an
// independent Python enumeration (scipy SLSQP per support).
func TestGoldenBruteForce(t *testing.T) {
	g := readGolden(t)
	require.NotEmpty(t, g.BruteForce)
	for q, c := range g.BruteForce {
		bf, ok := math.NaN(), c.Value != nil
		if !testing.Short() {
			bf, _, ok = bruteForce(c.A, c.B, c.C, c.K, c.Gamma)
		}
		require.Equal(t, c.Value != nil, ok, "case %d feasibility", q)
		p := problem(t, c.A, c.B, c.C)
		res, err := (&Solver{K: c.K, Gamma: c.Gamma}).Solve(context.Background(), p)
		if c.Value == nil {
			if err != nil {
				require.ErrorIs(t, err, ot.ErrInfeasible, "case %d", q)
				continue
			}
			assert.Greater(t, res.MarginalError, 1e-9, "case %d: an infeasible problem cannot give a feasible plan", q)
			continue
		}
		require.NoError(t, err, "case %d: feasible", q)
		checkPlan(t, p, res, c.K, true)
		assert.LessOrEqual(t, res.MarginalError, 1e-8, "case %d: the repaired plan is feasible", q)
		assert.GreaterOrEqual(t, res.Value, *c.Value-1e-7, "case %d: no plan beats the optimum", q)
		if !testing.Short() {
			assert.InDelta(t, *c.Value, bf, 1e-7, "case %d", q)
		}
		assert.LessOrEqual(t, res.DualValue, *c.Value+1e-7, "case %d: the relaxation is a lower bound", q)
	}
}

// TestGoldenNotebook checks the k = 1 closed form of the 1-D example
// against the LP value from POT.
func TestGoldenNotebook(t *testing.T) {
	g := readGolden(t)
	nb := g.Notebook
	assert.InDeltaSlice(t, nb.A, gauss1D(32, 10, 4), 1e-15)
	assert.InDeltaSlice(t, nb.B, gauss1D(32, 16, 5), 1e-15)
	assert.InDelta(t, 0.03804189216870, nb.OT, 1e-13)
	for _, gm := range nb.Gammas {
		var sb2 float64
		for _, v := range nb.B {
			sb2 += v * v
		}
		assert.InDelta(t, gm.K1Value, nb.OT+gm.Gamma/2*sb2, 1e-15)
		c := make([]float64, 32*32)
		for i := 0; i < 32; i++ {
			for j := 0; j < 32; j++ {
				c[i*32+j] = float64((i-j)*(i-j)) / (31 * 31)
			}
		}
		// No 1-sparse plan exists (n = m, the sorted weights differ); the
		// relaxed value at k = 1 is the closed form, see TestK1Exact.
		_, err := (&Solver{K: 1, Gamma: gm.Gamma}).Solve(context.Background(), problem(t, nb.A, nb.B, c))
		require.ErrorIs(t, err, ot.ErrInfeasible)
	}
}
