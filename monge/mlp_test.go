package monge

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otkit/otkit/ot"
)

// TestMapFileFormats: a map without a linear term is written in format v1
// (readable by older versions), one with it in v2; both read back to the
// same map, a v1 file written before the linear term existed still loads,
// and a bad format or parameter count is a clear error.
func TestMapFileFormats(t *testing.T) {
	for _, linear := range []bool{false, true} {
		net, err := newMLP(3, []int{4}, Tanh, 7, linear)
		require.NoError(t, err)
		if linear {
			for k := net.linOff(); k < len(net.Params); k++ {
				net.Params[k] = 0.01 * float64(k)
			}
		}
		b, err := json.Marshal(net)
		require.NoError(t, err)
		want := map[bool]string{false: mapFormatV1, true: mapFormatV2}[linear]
		assert.Contains(t, string(b), `"format":"`+want+`"`)
		var back MLP
		require.NoError(t, json.Unmarshal(b, &back))
		assert.Equal(t, *net, back)
		x := []float64{0.3, -1, 2}
		assert.Equal(t, net.Map(x), back.Map(x))
	}

	// A v1 file as the first version wrote it: T(x) = x + 0.5x + 1 in d = 1.
	var old MLP
	require.NoError(t, json.Unmarshal([]byte(`{"format":"otkit-monge-mlp-v1","dim":1,"hidden":[],"activation":"gelu","params":[0.5,1]}`), &old))
	assert.InDelta(t, 4.0, old.Map([]float64{2})[0], 1e-15)

	for name, tc := range map[string]struct {
		file string
		want error
	}{
		"future format":  {`{"format":"otkit-monge-mlp-v3","dim":1,"hidden":[],"activation":"gelu","params":[0.5,1]}`, ot.ErrParameter},
		"v1 with linear": {`{"format":"otkit-monge-mlp-v1","dim":1,"hidden":[],"activation":"gelu","linear":true,"params":[0.5,1,0]}`, ot.ErrParameter},
		"v2 missing A":   {`{"format":"otkit-monge-mlp-v2","dim":1,"hidden":[],"activation":"gelu","linear":true,"params":[0.5,1]}`, ot.ErrShape},
	} {
		t.Run(name, func(t *testing.T) {
			var m MLP
			err := json.Unmarshal([]byte(tc.file), &m)
			require.ErrorIs(t, err, tc.want)
			assert.True(t, strings.Contains(err.Error(), "format") || strings.Contains(err.Error(), "parameters"), err.Error())
		})
	}
}

// TestLinearTerm: with no hidden layer and the linear term, the map is
// x + Ax + b exactly, A row-major after b.
func TestLinearTerm(t *testing.T) {
	net, err := newMLP(2, nil, GELU, 1, true)
	require.NoError(t, err)
	// Params: W_L (2×2), b_L (2), A (2×2).
	copy(net.Params, []float64{1, 0, 0, 1, 0.5, -1, 0, 2, -3, 0})
	assert.Equal(t, []float64{1 + 1 + 0.5 + 6, 3 + 3 - 1 - 3}, net.Map([]float64{1, 3})) // x + Wx + b + Ax
}

// TestDecayWeights: weight decay scales the weight matrices only, not the
// biases or the linear term.
func TestDecayWeights(t *testing.T) {
	net, err := newMLP(2, []int{3}, GELU, 4, true)
	require.NoError(t, err)
	for k := range net.Params {
		net.Params[k] = float64(k + 1)
	}
	before := append([]float64(nil), net.Params...)
	net.decayWeights(0.5)
	isWeight := make([]bool, len(net.Params))
	for _, l := range net.layers() {
		for k := l.off; k < l.off+l.out*l.in; k++ {
			isWeight[k] = true
		}
	}
	for k, v := range net.Params {
		if isWeight[k] {
			assert.Equal(t, before[k]/2, v, "weight %d", k)
		} else {
			assert.Equal(t, before[k], v, "bias or linear term %d", k)
		}
	}
}
