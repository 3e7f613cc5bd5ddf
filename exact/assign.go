package exact

import (
	"fmt"
	"math"

	"github.com/otkit/otkit/ot"
)

// AssignOptions are the settings of Assign. The zero value (or nil)
// minimizes the total cost.
type AssignOptions struct {
	// Maximize treats the matrix as scores and maximizes their total;
	// −Inf scores then mark forbidden pairs (and +Inf is an error).
	Maximize bool
}

// Assign solves the linear assignment problem on a square n×n cost: it
// returns the permutation perm (row i goes to column perm[i]) minimizing
// Σ_i C[i, perm[i]] (maximizing with opt.Maximize), and that total. This is
// the transport problem with unit weights, whose optimal plans include a
// permutation.
//
// The method is the shortest augmenting path algorithm of Jonker and
// Volgenant (1987): a column reduction gives dual potentials and a partial
// matching, then each free row is matched by a Dijkstra search on reduced
// costs. Forbidden pairs (+Inf costs) are allowed; if no permutation avoids
// them the error wraps ot.ErrInfeasible. A non-square or empty cost wraps
// ot.ErrShape or ot.ErrEmpty, and a NaN or wrong-signed infinity wraps
// ot.ErrNonFinite.
func Assign(c ot.Cost, opt *AssignOptions) (perm []int, total float64, err error) {
	if c == nil {
		return nil, 0, fmt.Errorf("%w: no cost", ot.ErrEmpty)
	}
	n, m := c.Dims()
	if n <= 0 || m <= 0 {
		return nil, 0, fmt.Errorf("%w: cost is %d×%d", ot.ErrEmpty, n, m)
	}
	if n != m {
		return nil, 0, fmt.Errorf("%w: assignment needs a square cost, got %d×%d", ot.ErrShape, n, m)
	}
	maximize := opt != nil && opt.Maximize
	// The working cost, sign-flipped when maximizing.
	C := make([]float64, n*n)
	for i := 0; i < n; i++ {
		row := c.Row(i, C[i*n:(i+1)*n])
		for j, v := range row {
			if maximize {
				v = -v
			}
			if math.IsNaN(v) || math.IsInf(v, -1) {
				return nil, 0, fmt.Errorf("%w: cost[%d,%d] = %v", ot.ErrNonFinite, i, j, row[j])
			}
			row[j] = v
		}
	}
	colOf, err := assignDense(n, C)
	if err != nil {
		return nil, 0, err
	}
	row := make([]float64, n)
	for i, j := range colOf {
		total += c.Row(i, row)[j]
	}
	return colOf, total, nil
}

// assignDense runs the shortest augmenting path method on a row-major n×n
// cost without NaN or −Inf and returns the column of each row.
func assignDense(n int, C []float64) ([]int, error) {
	v := make([]float64, n) // column potentials
	colOf := make([]int, n) // column matched to each row, −1 if free
	rowOf := make([]int, n) // row matched to each column, −1 if free
	for k := range colOf {
		colOf[k], rowOf[k] = -1, -1
	}

	// Column reduction: v_j = min_i C_ij, and column j takes its cheapest row
	// if that row is still free.
	for j := 0; j < n; j++ {
		lo, li := inf, -1
		for i := 0; i < n; i++ {
			if c := C[i*n+j]; c < lo {
				lo, li = c, i
			}
		}
		if li < 0 {
			return nil, fmt.Errorf("%w: column %d has only forbidden (+Inf) costs", ot.ErrInfeasible, j)
		}
		v[j] = lo
		if colOf[li] < 0 {
			colOf[li], rowOf[j] = j, li
		}
	}

	d := make([]float64, n)    // tentative distances to the columns
	pred := make([]int, n)     // row preceding each column on its path
	done := make([]bool, n)    // columns whose distance is final
	todo := make([]int, 0, n)  // columns not yet final
	final := make([]int, 0, n) // columns made final in this search
	for free := 0; free < n; free++ {
		if colOf[free] >= 0 {
			continue
		}
		// Dijkstra from row free over reduced costs C_ij − u_i − v_j ≥ 0,
		// with u_i implicit (zero reduced cost on matched arcs).
		todo = todo[:0]
		final = final[:0]
		row := C[free*n : (free+1)*n]
		for j := 0; j < n; j++ {
			d[j] = row[j] - v[j]
			pred[j] = free
			done[j] = false
			todo = append(todo, j)
		}
		var end int
		var mu float64
		for {
			// The closest column not yet final.
			k, best := -1, inf
			for q, j := range todo {
				if d[j] < best {
					k, best = q, d[j]
				}
			}
			if k < 0 {
				return nil, fmt.Errorf("%w: no assignment avoids the forbidden (+Inf) pairs (row %d cannot be matched)", ot.ErrInfeasible, free)
			}
			j := todo[k]
			todo[k] = todo[len(todo)-1]
			todo = todo[:len(todo)-1]
			mu = best
			if rowOf[j] < 0 {
				end = j
				break
			}
			done[j] = true
			final = append(final, j)
			// Relax through the row matched to j.
			i := rowOf[j]
			ri := C[i*n : (i+1)*n]
			base := mu - (ri[j] - v[j])
			for _, l := range todo {
				if nd := base + ri[l] - v[l]; nd < d[l] {
					d[l], pred[l] = nd, i
				}
			}
		}
		// Keep reduced costs non-negative and zero on the new matching.
		for _, j := range final {
			v[j] += d[j] - mu
		}
		// Augment along the path ending at column end.
		for j := end; ; {
			i := pred[j]
			rowOf[j] = i
			next := colOf[i]
			colOf[i] = j
			if i == free {
				break
			}
			j = next
		}
	}
	return colOf, nil
}
