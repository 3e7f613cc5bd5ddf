package quadratic

import (
	"math"

	"github.com/otkit/otkit/internal/simplex"
)

// Weights spanning many orders of magnitude (docs/quadratic.md §5.4): a
// row of mass a_i is resolved only at the scale γ·a_i of its entries
// F_i + G_j − C_ij, and a Newton step sized for the heavy rows moves the
// potentials far more than that: the light rows' active sets flip, a row
// holds several times its mass or none, and Newton stalls. When the
// weights span more than exactSpread, or once Newton has stalled, every
// trial point of the line search is followed by the exact block updates of
// docs/quadratic.md §5.4 (Gauss–Seidel on the dual): F_i ← the value that
// makes row i's marginal exactly a_i given G, then G_j ← the value that
// makes column j's exactly b_j given F. Each maximizes D over its block, so
// D only increases; the light rows and columns follow the heavy ones at
// their own scale. It costs two passes over the cost (and a transposed
// copy of it) per trial, so it is used only then (on 60×50 clouds with
// weights spanning 1e-12…1, Newton then converges in 7–25 iterations at
// most seeds and γ ≥ the default; without it every method ended
// IterationLimit).

// reprojector holds the scratch memory of the exact block updates.
type reprojector struct {
	v  []float64
	ws simplex.Workspace
}

// reproject applies the exact row update, then the exact column update,
// to x = [F; G] at the regularization gamma. It reports false, with x
// partly updated (D has still not decreased), when the context is
// canceled.
func (rp *reprojector) reproject(in *instance, gamma float64, x []float64) bool {
	if !in.transpose() {
		return false
	}
	n, m := in.n, in.m
	f, g := x[:n], x[n:]
	if len(rp.v) < max(n, m) {
		rp.v = make([]float64, max(n, m))
	}
	for i := 0; i < n; i++ {
		if in.canceled(i) {
			return false
		}
		if th, ok := rp.threshold(in.c[i*m:(i+1)*m], g, gamma*in.a[i]); ok {
			f[i] = -th
		}
	}
	for j := 0; j < m; j++ {
		if j%checkRows(n) == 0 && in.ctx != nil && in.ctx.Err() != nil {
			return false
		}
		if th, ok := rp.threshold(in.ct[j*n:(j+1)*n], f, gamma*in.b[j]); ok {
			g[j] = -th
		}
	}
	return true
}

// threshold returns θ with Σ_k [p_k − c_k − θ]₊ = z over the entries of
// the line c (a row or a column of the cost) and the other side's
// potentials p: only the entries within z of the largest value can be
// positive. It reports false when the line has no finite cost.
func (rp *reprojector) threshold(c, p []float64, z float64) (float64, bool) {
	p = p[:len(c)]
	mx := math.Inf(-1)
	for k, ck := range c {
		if v := p[k] - ck; v > mx {
			mx = v
		}
	}
	if math.IsInf(mx, -1) {
		return 0, false
	}
	v := rp.v[:0]
	lo := mx - z
	for k, ck := range c {
		if u := p[k] - ck; u >= lo {
			v = append(v, u)
		}
	}
	th, err := simplex.Threshold(v, z, &rp.ws)
	return th, err == nil && !math.IsNaN(th)
}
