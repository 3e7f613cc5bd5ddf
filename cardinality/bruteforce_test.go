package cardinality

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// bruteForce returns OT_k by enumeration: for every choice of positive
// support A with 1..k entries in each column it solves the KKT system of the
// equality-constrained QP on A (T_ij = (F_i + G_j − C_ij)/γ on A, marginals
// exact) and keeps the best solution that is consistent and non-negative.
// The optimum's positive support is one of the A, so this is exact. ok is
// false when no k-sparse plan meets the marginals.
func bruteForce(a, b, c []float64, k int, gamma float64) (best float64, plan []float64, ok bool) {
	n, m := len(a), len(b)
	subsets := columnSubsets(n, k)
	choice := make([]int, m)
	best = math.Inf(1)
	for {
		if v, t, feas := solveSupport(a, b, c, gamma, subsets, choice); feas && v < best {
			best, plan, ok = v, t, true
		}
		j := 0
		for ; j < m; j++ {
			choice[j]++
			if choice[j] < len(subsets) {
				break
			}
			choice[j] = 0
		}
		if j == m {
			return best, plan, ok
		}
	}
}

// columnSubsets lists the nonempty subsets of {0..n-1} with at most k
// elements, as bit masks.
func columnSubsets(n, k int) []uint {
	var out []uint
	for s := uint(1); s < 1<<n; s++ {
		cnt := 0
		for x := s; x != 0; x &= x - 1 {
			cnt++
		}
		if cnt <= k {
			out = append(out, s)
		}
	}
	return out
}

func solveSupport(a, b, c []float64, gamma float64, subsets []uint, choice []int) (float64, []float64, bool) {
	n, m := len(a), len(b)
	// Unknowns (F, G); equations: row sums and column sums.
	A := mat.NewDense(n+m, n+m, nil)
	rhs := mat.NewVecDense(n+m, nil)
	in := func(i, j int) bool { return subsets[choice[j]]&(1<<i) != 0 }
	for i := 0; i < n; i++ {
		rhs.SetVec(i, gamma*a[i])
	}
	for j := 0; j < m; j++ {
		rhs.SetVec(n+j, gamma*b[j])
	}
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			if !in(i, j) {
				continue
			}
			A.Set(i, i, A.At(i, i)+1)
			A.Set(i, n+j, A.At(i, n+j)+1)
			A.Set(n+j, i, A.At(n+j, i)+1)
			A.Set(n+j, n+j, A.At(n+j, n+j)+1)
			rhs.SetVec(i, rhs.AtVec(i)+c[i*m+j])
			rhs.SetVec(n+j, rhs.AtVec(n+j)+c[i*m+j])
		}
	}
	var svd mat.SVD
	if !svd.Factorize(A, mat.SVDFull) {
		return 0, nil, false
	}
	var x mat.Dense
	svd.SolveTo(&x, rhs, svd.Rank(1e-10))
	t := make([]float64, n*m)
	rows, cols := make([]float64, n), make([]float64, m)
	var val float64
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			if !in(i, j) {
				continue
			}
			v := (x.At(i, 0) + x.At(n+j, 0) - c[i*m+j]) / gamma
			if v < -1e-12 {
				return 0, nil, false
			}
			v = math.Max(v, 0)
			t[i*m+j] = v
			rows[i] += v
			cols[j] += v
			val += v*c[i*m+j] + gamma/2*v*v
		}
	}
	for i := range rows {
		if math.Abs(rows[i]-a[i]) > 1e-10 {
			return 0, nil, false
		}
	}
	for j := range cols {
		if math.Abs(cols[j]-b[j]) > 1e-10 {
			return 0, nil, false
		}
	}
	return val, t, true
}
