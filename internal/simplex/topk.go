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
	if k < n && k > 0 {
		selectK(v, idx, k)
	}
	sel := idx[:k]
	sortInts(sel)
	return sel
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

// sortInts sorts a small index set ascending (insertion sort for short
// slices, heap sort otherwise; no allocation).
func sortInts(s []int) {
	if len(s) <= 32 {
		for i := 1; i < len(s); i++ {
			for j := i; j > 0 && s[j] < s[j-1]; j-- {
				s[j], s[j-1] = s[j-1], s[j]
			}
		}
		return
	}
	n := len(s)
	for i := n/2 - 1; i >= 0; i-- {
		siftDown(s, i, n)
	}
	for end := n - 1; end > 0; end-- {
		s[0], s[end] = s[end], s[0]
		siftDown(s, 0, end)
	}
}

func siftDown(s []int, root, n int) {
	for {
		c := 2*root + 1
		if c >= n {
			return
		}
		if c+1 < n && s[c+1] > s[c] {
			c++
		}
		if s[root] >= s[c] {
			return
		}
		s[root], s[c] = s[c], s[root]
		root = c
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
