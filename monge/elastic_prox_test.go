package monge

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/otkit/otkit/ot"
)

// proxCosts are the elastic costs whose τ, ∇τ, ∇h and prox the tests check.
var proxCosts = []ot.ElasticCost{
	{Tau: ot.PenaltyL1, Gamma: 0.4},
	{Tau: ot.PenaltyL1, Gamma: 3},
	{Tau: ot.PenaltyL0, Gamma: 0.3, S: 0.5},
	{Tau: ot.PenaltyL0, Gamma: 2.2, S: 1},
	{Tau: ot.PenaltySTVS, Gamma: 0.7},
	{Tau: ot.PenaltySTVS, Gamma: 5},
	{Tau: ot.PenaltySTVS, Gamma: 1e-3},
}

// penaltyWeight is the factor of τ in h: γ, or 1 for STVS (γ inside τ).
func penaltyWeight(c ot.ElasticCost) float64 {
	if c.Tau == ot.PenaltySTVS {
		return 1
	}
	return c.Gamma
}

// bruteProx minimizes φ(z) = ½(z − w)² + weight·τ(z) over z by a grid of
// 40 001 points on [−2|w| − 1, 2|w| + 1] (z = 0 on the grid), then by
// golden-section search on the two grid cells around the best point (φ is
// convex there since h is). It uses nothing but TauValue.
func bruteProx(c ot.ElasticCost, w float64) float64 {
	wt := penaltyWeight(c)
	phi := func(z float64) float64 { return 0.5*(z-w)*(z-w) + wt*c.TauValue([]float64{z}) }
	r := 2*math.Abs(w) + 1
	const half = 20000
	best, bz := math.Inf(1), 0.0
	for k := -half; k <= half; k++ {
		z := r * float64(k) / half
		if v := phi(z); v < best {
			best, bz = v, z
		}
	}
	lo, hi := bz-r/half, bz+r/half
	g := (math.Sqrt(5) - 1) / 2
	for it := 0; it < 200 && hi-lo > 1e-15*(1+math.Abs(bz)); it++ {
		a, b := hi-g*(hi-lo), lo+g*(hi-lo)
		if phi(a) < phi(b) {
			hi = b
		} else {
			lo = a
		}
	}
	if z := 0.5 * (lo + hi); phi(z) < best {
		return z
	}
	return bz
}

// TestElasticProxBruteForce checks every proximal operator against a
// brute-force 1-D minimization of ½(z − w)² + γτ(z): the minimizers agree
// to 1e-6 (relative for |w| > 1), the prox's objective is never above the
// brute force's, and the thresholds are where docs/monge.md §5 puts them:
// ℓ1 and STVS are exactly 0 for |w| ≤ γ and nonzero beyond; the smoothed ℓ0
// is nonzero for every w ≠ 0 (τ_s is differentiable at 0 with τ_s'(0) = 0,
// so 0 is optimal only for w = 0), with slope 1/(1 + γ/s²) at 0.
func TestElasticProxBruteForce(t *testing.T) {
	for _, c := range proxCosts {
		t.Run(c.String(), func(t *testing.T) {
			wt := penaltyWeight(c)
			phi := func(w, z float64) float64 { return 0.5*(z-w)*(z-w) + wt*c.TauValue([]float64{z}) }
			ws := []float64{-7, -3, -1.2, -0.7, -0.05, 1e-3, 0.1, 0.39, 0.5, 0.69, 0.71, 1, 2, 4.9, 5.1, 9}
			for _, w := range append(ws, c.Gamma, -c.Gamma, c.Gamma*(1+1e-6), -c.Gamma*(1-1e-6)) {
				got := c.Prox(nil, []float64{w})[0]
				want := bruteProx(c, w)
				// φ is flat at its minimum (φ'' ≥ ½), so an argmin found by
				// comparing φ values is accurate to ~√(ε_mach·φ) only.
				assert.InDelta(t, want, got, 1e-6*math.Max(1, math.Abs(w)), "prox(%v)", w)
				assert.LessOrEqual(t, phi(w, got), phi(w, want)+1e-13, "prox(%v) objective", w)
				switch {
				case c.Tau == ot.PenaltyL0:
					assert.NotZero(t, got, "prox(%v)", w)
					assert.Equal(t, math.Signbit(w), math.Signbit(got))
				case math.Abs(w) <= c.Gamma:
					assert.Zero(t, got, "prox(%v), |w| ≤ γ", w)
				default:
					assert.NotZero(t, got, "prox(%v), |w| > γ", w)
					assert.Equal(t, math.Signbit(w), math.Signbit(got))
				}
			}
			if c.Tau == ot.PenaltyL0 {
				slope := c.Prox(nil, []float64{1e-8})[0] / 1e-8
				assert.InDelta(t, 1/(1+c.Gamma/(c.S*c.S)), slope, 1e-6)
			}
			assert.Zero(t, c.Prox(nil, []float64{0})[0])
			assert.True(t, math.IsNaN(c.Prox(nil, []float64{math.NaN()})[0]))
		})
	}
}

// TestElasticGradients checks ∇τ and ∇h against central differences of τ
// and h (relative error ≤ 1e-7, away from the kink at 0 of ℓ1 and STVS),
// and prox ∘ ∇h = id.
func TestElasticGradients(t *testing.T) {
	z := []float64{0.3, -1.2, 4, 0.01, -0.7, 12, -0.02}
	for _, c := range proxCosts {
		t.Run(c.String(), func(t *testing.T) {
			gt, gh := c.GradTau(nil, z), c.GradH(nil, z)
			wt := penaltyWeight(c)
			for k := range z {
				const step = 1e-6
				zp, zm := append([]float64(nil), z...), append([]float64(nil), z...)
				zp[k] += step * math.Max(1, math.Abs(z[k]))
				zm[k] -= step * math.Max(1, math.Abs(z[k]))
				den := zp[k] - zm[k]
				fdTau := (c.TauValue(zp) - c.TauValue(zm)) / den
				fdH := (c.H(zp) - c.H(zm)) / den
				assert.InDelta(t, fdTau, gt[k], 1e-7*math.Max(1, math.Abs(fdTau)), "∇τ_%d", k)
				assert.InDelta(t, fdH, gh[k], 1e-7*math.Max(1, math.Abs(fdH)), "∇h_%d", k)
				assert.InDelta(t, z[k]+wt*gt[k], gh[k], 1e-15*math.Max(1, math.Abs(gh[k])))
			}
			back := c.Prox(nil, gh)
			for k := range z {
				assert.InDelta(t, z[k], back[k], 1e-12*math.Max(1, math.Abs(z[k])), "prox(∇h(z))_%d", k)
			}
			// sign(0) = 0 for the subgradient at the kink.
			assert.Zero(t, c.GradTau(nil, []float64{0})[0])
		})
	}
}

// TestSTVSFixture: the cross-check values of docs/monge.md §5 (γ = 0.7),
// τ's closed form against its definition γ²[σ − ½e^{−2σ} + ½],
// σ = asinh(|z|/(2γ)), and the limits: τ_γ(z) ≈ γ|z| near 0; γ = 0
// gives ½‖z‖².
func TestSTVSFixture(t *testing.T) {
	c := ot.ElasticCost{Tau: ot.PenaltySTVS, Gamma: 0.7}
	assert.InDeltaSlice(t, []float64{0.56589105, -0.32195445, 0.11896201}, c.GradTau(nil, []float64{0.3, -1.2, 4}), 1e-8)
	assert.InDeltaSlice(t, []float64{0, 0.01986, 1.17333, -2.83667}, c.Prox(nil, []float64{0.69, 0.71, 1.5, -3}), 1e-5)
	for _, z := range []float64{1e-9, 0.3, -1.2, 4, 1e3, 1.3e8, 1.5e8, -1e12, 1e300} {
		sg := math.Asinh(math.Abs(z) / (2 * c.Gamma))
		def := c.Gamma * c.Gamma * (sg - 0.5*math.Exp(-2*sg) + 0.5)
		assert.InDelta(t, def, c.TauValue([]float64{z}), 1e-13*math.Max(1, def), fmt.Sprint(z))
	}
	// τ_γ(z) = γ|z| − z²/4 + O(|z|³) near 0 (τ_γ'(z) = γ − z/2 + O(z²)).
	assert.InDelta(t, 0.7e-9-0.25e-18, c.TauValue([]float64{1e-9}), 1e-24)
	zero := ot.ElasticCost{Tau: ot.PenaltySTVS}
	z := []float64{1, -2, 0}
	assert.Equal(t, 2.5, zero.H(z))
	assert.Equal(t, z, zero.Prox(nil, z))
	assert.Equal(t, z, zero.GradH(nil, z))
	assert.Equal(t, "stvs", ot.PenaltySTVS.String())
	p, err := ot.ParsePenalty("stvs")
	assert.NoError(t, err)
	assert.Equal(t, ot.PenaltySTVS, p)
	assert.NoError(t, c.Validate())
	assert.Error(t, (&ot.ElasticCost{Tau: ot.PenaltySTVS, Gamma: -1}).Validate())
}
