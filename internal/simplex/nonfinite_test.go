package simplex

import (
	"math"
	"testing"
)

// TestNonFiniteInput: NaN and +Inf entries (a diverging trial point of an
// optimizer) give a non-finite threshold, never a panic.
func TestNonFiniteInput(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	for _, tc := range []struct {
		name string
		v    []float64
	}{
		{"NaN", []float64{nan, nan, nan}},
		{"Inf", []float64{inf, 1, inf}},
		{"Inf and NaN", []float64{inf, nan, -inf}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			th, err := Threshold(tc.v, 0.5, nil)
			if err != nil || !isNonFinite(th) {
				t.Errorf("Threshold = %v, %v; want NaN or ±Inf, nil", th, err)
			}
			thk, _, err := ThresholdK(tc.v, 0.5, 2, nil)
			if err != nil || !isNonFinite(thk) {
				t.Errorf("ThresholdK = %v, %v; want NaN or ±Inf, nil", thk, err)
			}
		})
	}
}

func isNonFinite(x float64) bool { return math.IsNaN(x) || math.IsInf(x, 0) }
