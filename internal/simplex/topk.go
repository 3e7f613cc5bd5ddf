package simplex

// before reports whether entry a precedes entry b in the selection order:
// value descending, ties by lower index first. It is a strict total order,
// so the top-k set is unique.
func before(v []float64, a, b int) bool {
	return v[a] > v[b] || (v[a] == v[b] && a < b)
}

// TopK returns the indices of the k largest entries of v under the order
// value descending, ties by lower index first, in ascending index order.
// It runs in O(len(v)) expected time (quickselect with a median-of-three
// pivot; no full sort). k is clamped to [0, len(v)]. The returned slice
// aliases w's scratch and is valid until the next call using w. v must
// not contain NaN.
func TopK(v []float64, k int, w *Workspace) []int {
	n := len(v)
	k = min(max(k, 0), n)
	if w == nil {
		w = new(Workspace)
	}
	idx := w.ints(n)
	for i := range idx {
		idx[i] = i
	}
	if k == 0 || k == n {
		return idx[:k]
	}
	selectK(v, idx, k)
	// idx[:k] is the top-k set; its last entry in the selection order, e,
	// decides membership, so one pass in index order lists the set
	// ascending without a sort (O(n) instead of O(k log k)).
	e := idx[0]
	for _, i := range idx[1:k] {
		if before(v, e, i) {
			e = i
		}
	}
	c := 0
	for i, x := range v {
		if x > v[e] || (x == v[e] && i <= e) {
			idx[c] = i
			c++
		}
	}
	return idx[:k]
}

// selectK partially orders idx so that idx[:k] holds the k first entries
// in the order of before.
func selectK(v []float64, idx []int, k int) {
	lo, hi := 0, len(idx)-1
	for lo < hi {
		// Median of three as pivot, moved to hi.
		mid := lo + (hi-lo)/2
		if before(v, idx[mid], idx[lo]) {
			idx[mid], idx[lo] = idx[lo], idx[mid]
		}
		if before(v, idx[hi], idx[lo]) {
			idx[hi], idx[lo] = idx[lo], idx[hi]
		}
		if before(v, idx[mid], idx[hi]) {
			idx[mid], idx[hi] = idx[hi], idx[mid]
		}
		pivot := idx[hi]
		p := lo
		for q := lo; q < hi; q++ {
			if before(v, idx[q], pivot) {
				idx[p], idx[q] = idx[q], idx[p]
				p++
			}
		}
		idx[p], idx[hi] = idx[hi], idx[p]
		// idx[lo:p] precede the pivot, idx[p+1:hi+1] follow it.
		switch {
		case p == k-1 || p == k:
			return
		case p < k:
			lo = p + 1
		default:
			hi = p - 1
		}
	}
}

// ThresholdK returns the threshold θ of the k-sparse projection
// P_{zΔ,k}(v) and the selected index set (the k largest entries under the
// TopK order, ascending). The projection is t_i = [v_i − θ]₊ for i in the
// set and 0 elsewhere; some selected entries may still be 0. For z = 0,
// θ is the largest entry. The returned set aliases w's scratch.
func ThresholdK(v []float64, z float64, k int, w *Workspace) (theta float64, sel []int) {
	if len(v) == 0 {
		panic("simplex: empty vector")
	}
	if k < 1 {
		panic("simplex: k < 1")
	}
	if w == nil {
		w = new(Workspace)
	}
	sel = TopK(v, k, w)
	// Gather the selected values behind the index scratch: Threshold uses
	// the float scratch, so keep them in a separate region of it.
	buf := w.floats(3 * len(v))
	vals := buf[2*len(v) : 2*len(v)+len(sel)]
	for q, i := range sel {
		vals[q] = v[i]
	}
	vmax := maxOf(vals)
	if z <= 0 {
		return vmax, sel
	}
	lo := vmax - z
	y, wait := buf[:len(sel)], buf[len(v):len(v)+len(sel)]
	c := 0
	for _, x := range vals {
		if x >= lo { // ≥: keeps the maximum when z is below its rounding
			y[c] = x
			c++
		}
	}
	return condat(y[:c], wait, z, vmax), sel
}

// ProjectK writes the k-sparse projection P_{zΔ,k}(v) into dst (len(dst) =
// len(v); dst must not alias v) and returns θ. k ≥ len(v) gives Project.
func ProjectK(dst, v []float64, z float64, k int, w *Workspace) float64 {
	if len(dst) != len(v) {
		panic("simplex: length mismatch")
	}
	theta, sel := ThresholdK(v, z, k, w)
	clear(dst)
	for _, i := range sel {
		if t := v[i] - theta; t > 0 {
			dst[i] = t
		}
	}
	return theta
}
