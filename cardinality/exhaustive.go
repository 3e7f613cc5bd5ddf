package cardinality

import (
	"context"
	"math"
	"slices"

	"github.com/otkit/otkit/internal/semidual"
	"github.com/otkit/otkit/ot"
)

// exhaustiveMaxSupports bounds the number of supports the exhaustive search
// visits: the product over the columns of the number of ways to choose k
// of the column's allowed rows.
const exhaustiveMaxSupports = 1 << 17

// exhaustive solves the k-sparse problem exactly when it is small
// (docs/cardinality.md §5): every support with k of its allowed rows in
// each column (all of them when a column allows at most k; supports with
// fewer entries are covered, a quadratic solve on a support may leave
// entries at zero) is checked for feasibility by a maximum flow and the
// feasible ones are solved with package quadratic. It returns the least of
// their certified lower bounds (quadratic's DualValue), a lower bound on
// the k-sparse optimum, and the best plan found (nil if none converged)
// below incumbent (the value of a known feasible plan, +Inf if none);
// ok is false when the problem has too many supports or ctx ended it.
func (pr *solved) exhaustive(ctx context.Context, c *semidual.Columns, k int, st settings, incumbent float64) (lb float64, best *ot.Result, ok bool) {
	n, m := pr.n, pr.m
	choices := make([][][]int32, m)
	count := 1.0
	for j := 0; j < m; j++ {
		var allowed []int32
		for i := 0; i < n; i++ {
			if !math.IsInf(c.Cost(i, j), 1) {
				allowed = append(allowed, int32(i))
			}
		}
		count *= binomial(len(allowed), min(k, len(allowed)))
		if count > exhaustiveMaxSupports {
			return 0, nil, false
		}
		choices[j] = combinations(allowed, min(k, len(allowed)))
	}
	mass := 0.0
	for _, v := range pr.a {
		mass += v
	}
	// colVal[j][q]: column j alone on its q-th choice, a lower bound on
	// its share of the objective; with the rows' own bound on a support,
	// supports whose bound reaches the incumbent are not solved.
	colVal := make([][]float64, m)
	var d []float64
	for j := range choices {
		colVal[j] = make([]float64, len(choices[j]))
		for q, rows := range choices[j] {
			d = d[:0]
			for _, i := range rows {
				d = append(d, c.Cost(int(i), j))
			}
			colVal[j][q] = simplexQP(d, pr.b[j], c.Gamma)
		}
	}
	lb = math.Inf(1)
	pick := make([]int, m)
	var net flowNet
	zF, zG := make([]float64, n), make([]float64, m)
	rowCost := make([][]float64, n)
	for visited := 0; ; visited++ {
		if visited%64 == 0 && ctx.Err() != nil {
			return 0, nil, false
		}
		var bound float64
		for j, q := range pick {
			bound += colVal[j][q]
		}
		var rows float64
		for i := range rowCost {
			rowCost[i] = rowCost[i][:0]
		}
		for j, q := range pick {
			for _, i := range choices[j][q] {
				rowCost[i] = append(rowCost[i], c.Cost(int(i), j))
			}
		}
		for i, d := range rowCost {
			if len(d) == 0 {
				rows = math.Inf(1) // row i is not served: infeasible
				break
			}
			rows += simplexQP(d, pr.a[i], c.Gamma)
		}
		bound = math.Max(bound, rows)
		switch {
		case math.IsInf(bound, 1):
			// A row is not served.
		case bound >= incumbent:
			// (A lower bound whether the support is feasible or not.)
			lb = math.Min(lb, bound)
		case !pr.carries(&net, pick, choices, k, mass):
			// Infeasible support.
		default:
			sup := pr.support(pick, choices, k)
			res, err := restricted(ctx, sup, pr.a, pr.b, c.Cost, c.Gamma, st.tol, 1, zF, zG)
			switch {
			case ctx.Err() != nil:
				return 0, nil, false
			case err != nil || res.Status == ot.NumericalError:
				// Validate's looser feasibility check refused it, or the
				// solve failed: no bound from this support.
				return 0, nil, false
			}
			lb = math.Min(lb, math.Min(res.DualValue, res.Value))
			if res.Status == ot.Converged && (best == nil || res.Value < best.Value) {
				best = res
				incumbent = math.Min(incumbent, res.Value)
			}
		}
		// Next support (odometer over the columns).
		j := 0
		for ; j < m; j++ {
			if pick[j]++; pick[j] < len(choices[j]) {
				break
			}
			pick[j] = 0
		}
		if j == m {
			break
		}
	}
	return lb, best, true
}

// combinations returns the k-element subsets of x, in lexicographic order
// of positions.
func combinations(x []int32, k int) [][]int32 {
	var out [][]int32
	cur := make([]int32, 0, k)
	var rec func(start int)
	rec = func(start int) {
		if len(cur) == k {
			out = append(out, slices.Clone(cur))
			return
		}
		for i := start; i <= len(x)-(k-len(cur)); i++ {
			cur = append(cur, x[i])
			rec(i + 1)
			cur = cur[:len(cur)-1]
		}
	}
	rec(0)
	return out
}

// simplexQP returns min Σ d_i t_i + (γ/2)‖t‖² over t ≥ 0 with Σ t = mass
// (d is reordered).
func simplexQP(d []float64, mass, gamma float64) float64 {
	slices.Sort(d)
	best := math.Inf(1)
	var sum, sum2 float64
	for s := 1; s <= len(d); s++ {
		sum += d[s-1]
		sum2 += d[s-1] * d[s-1]
		tau := (gamma*mass + sum) / float64(s)
		if s > 1 && !(tau > d[s-1]) {
			break
		}
		best = mass*tau - (float64(s)*tau*tau-2*tau*sum+sum2)/(2*gamma)
	}
	return best
}

// support returns the support of the choices pick.
func (pr *solved) support(pick []int, choices [][][]int32, k int) *slots {
	sup := newSlots(pr.n, pr.m, k)
	for j, q := range pick {
		for _, i := range choices[j][q] {
			sup.add(int(i), j)
		}
	}
	return sup
}

// carries reports whether the support of the choices pick carries the
// marginals (a maximum flow).
func (pr *solved) carries(net *flowNet, pick []int, choices [][][]int32, k int, mass float64) bool {
	net.build(pr.support(pick, choices, k), pr.a, pr.b)
	return mass-net.maxFlow() <= feasTol*mass
}

// binomial returns n choose k as a float64 (k ≤ n).
func binomial(n, k int) float64 {
	r := 1.0
	for i := 0; i < k; i++ {
		r = r * float64(n-i) / float64(i+1)
	}
	return r
}
