package cardinality

import (
	"context"
	"math"
	"slices"

	"github.com/otkit/otkit/internal/semidual"
	"github.com/otkit/otkit/ot"
)

// The slot bound (docs/cardinality.md §5): a second certified lower bound
// on the k-sparse optimum, the Lagrangian dual of the column marginals and
// of the total count of nonzeros. Any plan T with column sums b and at
// most k nonzeros per column has Σ_j ‖t_j‖₀ ≤ k·m, so for every G ∈ R^m
// and λ ≥ 0
//
//	<T,C> + (γ/2)‖T‖² ≥ <b,G> − λ·k·m + Σ_i φ_i(G, λ),
//	φ_i = min { Σ_j (C_ij − G_j) t_j + (γ/2)‖t‖² + λ‖t‖₀ : t ≥ 0, Σ t = a_i }.
//
// For a support of s entries the best is the s smallest d_j = C_ij − G_j
// (the greedy selection of the k-sparse simplex projection, §2), so φ_i is
// a minimum over s of closed forms. The semi-dual relaxes every column's
// count to a convex envelope; this bound keeps every row's count an
// integer, which is what the semi-dual misses when γ is large (a row of a
// 3-sparse 7×5 plan with uniform weights gets 2 or 3 entries, never the
// 15/7 the envelope allows).

// slotBoundWork bounds the work of the slot bound: at most
// slotBoundWork/(n·m) L-BFGS iterations (each evaluation sorts every row),
// and at most slotBoundMaxIter; below 20 the bound is not computed (so not
// above about 50 000 entries).
const (
	slotBoundWork    = 1 << 20
	slotBoundMaxIter = 100
)

// slotBound returns the largest value of the slot bound met while
// maximising it from G0 (the column potentials of the plan), in the
// normalized units of the solved problem; −Inf when the problem is too
// large or ctx ends it first.
func (pr *solved) slotBound(ctx context.Context, c *semidual.Columns, k int, G0 []float64, costRange float64) float64 {
	n, m := pr.n, pr.m
	iters := min(slotBoundMaxIter, slotBoundWork/max(1, n*m))
	if iters < 20 || k >= n {
		return math.Inf(-1)
	}
	gamma := c.Gamma
	slots := float64(k * m)
	best := math.Inf(-1)
	d := make([]float64, m)
	idx := make([]int, m)
	eval := func(x, grad []float64) float64 {
		G, mu := x[:m], x[m]
		lambda := mu * mu
		copy(grad[:m], pr.b)
		value := -lambda * slots
		for j, g := range G {
			value += pr.b[j] * g
		}
		var count float64
		for i := 0; i < n; i++ {
			if i%64 == 0 && ctx.Err() != nil {
				return math.NaN()
			}
			idx = idx[:0]
			for j := 0; j < m; j++ {
				cij := c.Cost(i, j)
				if math.IsInf(cij, 1) {
					continue
				}
				d[j] = cij - G[j]
				idx = append(idx, j)
			}
			slices.SortFunc(idx, func(p, q int) int {
				switch {
				case d[p] < d[q]:
					return -1
				case d[p] > d[q]:
					return 1
				}
				return p - q
			})
			// Q(s) + λs for the s smallest d, while all s entries stay
			// positive (beyond, Q is constant and λ ≥ 0 only adds).
			a := pr.a[i]
			bestS, bestPhi, bestTau := 0, math.Inf(1), 0.0
			var sum, sum2 float64
			for s := 1; s <= len(idx); s++ {
				dj := d[idx[s-1]]
				sum += dj
				sum2 += dj * dj
				tau := (gamma*a + sum) / float64(s)
				if s > 1 && !(tau > dj) {
					break
				}
				// Σ d_j t_j + (γ/2)Σ t_j² with t_j = (τ − d_j)/γ.
				sq := (float64(s)*tau*tau - 2*tau*sum + sum2) / gamma
				phi := a*tau - sq/2 + lambda*float64(s)
				if phi < bestPhi {
					bestS, bestPhi, bestTau = s, phi, tau
				}
			}
			value += bestPhi
			count += float64(bestS)
			for _, j := range idx[:bestS] {
				grad[j] -= (bestTau - d[j]) / gamma
			}
		}
		grad[m] = 2 * mu * (count - slots)
		if value > best {
			best = value
		}
		return value
	}
	x := make([]float64, m+1)
	copy(x, G0)
	// λ starts at the value of one slot of an average row (γ/2)ā²/(s(s+1)),
	// s the average number of slots per row.
	s := math.Max(1, slots/float64(n))
	abar := 0.0
	for _, v := range pr.a {
		abar += v
	}
	abar /= float64(n)
	x[m] = math.Sqrt(gamma / 2 * abar * abar / (s * (s + 1)))
	var d2 semidual.Driver
	var rec semidual.Record
	d2.LBFGS(ctx, eval, x, semidual.Settings{MaxIter: iters, Escape: semidual.EscapeStep(costRange)}, &rec)
	if ctx.Err() != nil || rec.Status == ot.Canceled {
		return math.Inf(-1)
	}
	if m <= columnSlotMaxCols {
		// Each evaluation visits n·2^m supports of up to m entries.
		if it := min(columnSlotMaxIter, columnSlotWork/(n*m<<m)); it >= 20 {
			best = math.Max(best, pr.columnSlotBound(ctx, c, k, x, it, costRange))
		}
	}
	return best
}

// columnSlotMaxCols bounds the columns for which the per-column slot bound
// is computed (each evaluation visits 2^m supports per row).
const columnSlotMaxCols = 10

// columnSlotMaxIter bounds the iterations of the per-column slot bound,
// and so does its work: at most columnSlotWork/(n·m·2^m), none below 20.
const (
	columnSlotMaxIter = 1000
	columnSlotWork    = 1 << 24
)

// columnSlotBound is the slot bound with one price λ_j = μ_j² per column
// on the count of its nonzeros instead of one on their total:
//
//	P_k ≥ <b,G> − k·Σ_j λ_j + Σ_i min_t { Σ_j (C_ij − G_j) t_j + (γ/2)‖t‖² + Σ_{t_j > 0} λ_j },
//
// each row's minimum taken over all its supports. It starts from the
// maximiser x = [G; μ] of the slot bound (every μ_j = μ) and returns the
// largest value met; −Inf when ctx ends it.
func (pr *solved) columnSlotBound(ctx context.Context, c *semidual.Columns, k int, x0 []float64, iters int, costRange float64) float64 {
	n, m := pr.n, pr.m
	gamma := c.Gamma
	best := math.Inf(-1)
	d := make([]float64, m)
	idx := make([]int, 0, m)
	t := make([]float64, m)
	eval := func(x, grad []float64) float64 {
		G, mu := x[:m], x[m:]
		copy(grad[:m], pr.b)
		value := 0.0
		for j := range G {
			value += pr.b[j]*G[j] - float64(k)*mu[j]*mu[j]
			grad[m+j] = -float64(k)
		}
		for i := 0; i < n; i++ {
			if ctx.Err() != nil {
				return math.NaN()
			}
			idx = idx[:0]
			for j := 0; j < m; j++ {
				if cij := c.Cost(i, j); !math.IsInf(cij, 1) {
					d[j] = cij - G[j]
					idx = append(idx, j)
				}
			}
			slices.SortFunc(idx, func(p, q int) int {
				switch {
				case d[p] < d[q]:
					return -1
				case d[p] > d[q]:
					return 1
				}
				return p - q
			})
			// Every nonempty subset of the allowed columns (bit q for
			// idx[q]), its QP on the sorted entries it holds.
			a := pr.a[i]
			bestMask, bestPhi, bestTau := 0, math.Inf(1), 0.0
			for mask := 1; mask < 1<<len(idx); mask++ {
				var sum, sum2, charge float64
				s, tau, ok := 0, 0.0, true
				for q, j := range idx {
					if mask&(1<<q) == 0 {
						continue
					}
					s++
					sum += d[j]
					sum2 += d[j] * d[j]
					charge += mu[j] * mu[j]
					tau = (gamma*a + sum) / float64(s)
					if s > 1 && !(tau > d[j]) {
						ok = false // an entry of the support would be 0
						break
					}
				}
				if !ok {
					continue
				}
				phi := a*tau - (float64(s)*tau*tau-2*tau*sum+sum2)/(2*gamma) + charge
				if phi < bestPhi {
					bestMask, bestPhi, bestTau = mask, phi, tau
				}
			}
			value += bestPhi
			for q, j := range idx {
				if bestMask&(1<<q) != 0 {
					t[j] = (bestTau - d[j]) / gamma
					grad[j] -= t[j]
					grad[m+j]++
				}
			}
		}
		for j := 0; j < m; j++ {
			grad[m+j] *= 2 * x[m+j]
		}
		if value > best {
			best = value
		}
		return value
	}
	x := make([]float64, 2*m)
	copy(x, x0[:m])
	for j := 0; j < m; j++ {
		x[m+j] = x0[m]
	}
	var drv semidual.Driver
	var rec semidual.Record
	drv.LBFGS(ctx, eval, x, semidual.Settings{MaxIter: iters, Escape: semidual.EscapeStep(costRange)}, &rec)
	if ctx.Err() != nil || rec.Status == ot.Canceled {
		return math.Inf(-1)
	}
	return best
}
