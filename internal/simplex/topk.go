package simplex

// TopK returns the indices of the k largest entries of v under the order
// value descending, ties by lower index first, in ascending index order.
// It runs in O(len(v)) expected time (quickselect for the k-th largest
// value, then one pass in index order; no sort). k is clamped to
// [0, len(v)]. The returned slice aliases w's scratch and is valid until
// the next call using w. v must not contain NaN.
func TopK(v []float64, k int, w *Workspace) []int {
	n := len(v)
	k = min(max(k, 0), n)
	if w == nil {
		w = new(Workspace)
	}
	idx := w.ints(n)
	if k == 0 || k == n {
		for i := range idx[:k] {
			idx[i] = i
		}
		return idx[:k]
	}
	a := w.floats(n)
	copy(a, v)
	e, greater := kthLargest(a, k)
	// The set: every entry above e, then the first k − greater entries
	// equal to e in index order.
	ties := k - greater
	c := 0
	for i, x := range v {
		if x > e {
			idx[c] = i
			c++
		} else if x == e && ties > 0 {
			idx[c] = i
			c++
			ties--
		}
	}
	return idx[:k]
}

// KthLargest returns the k-th largest entry of a (1 ≤ k ≤ len(a)),
// reordering a, in O(len(a)) expected time. a must not contain NaN.
func KthLargest(a []float64, k int) float64 {
	e, _ := kthLargest(a, k)
	return e
}

// kthLargest returns the k-th largest value e of a (1 ≤ k ≤ len(a)) and
// the number of entries greater than e, reordering a. Quickselect with a
// median-of-three pivot: branch-free two-way partitions while they make
// progress, then (after many rounds, i.e. many ties) three-way partitions,
// which cost nothing on ties.
func kthLargest(a []float64, k int) (e float64, greater int) {
	lo, hi, t := 0, len(a)-1, k-1
	// Invariant: a[:lo] ≥ every entry of a[lo:hi+1] ≥ a[hi+1:], and the
	// target position t lies in [lo, hi].
	for round := 0; lo < hi; round++ {
		mid := lo + (hi-lo)/2
		x, y, z := a[lo], a[mid], a[hi]
		p := max(min(x, y), min(max(x, y), z)) // median of three
		if round < 16 {
			// Move the pivot to hi, partition a[lo:hi] into > p and ≤ p
			// without branches, and put the pivot between them.
			switch p {
			case x:
				a[lo], a[hi] = z, x
			case y:
				a[mid], a[hi] = z, y
			}
			lt := lo
			for i := lo; i < hi; i++ {
				v := a[i]
				a[i] = a[lt]
				a[lt] = v
				lt += b2i(v > p)
			}
			a[hi], a[lt] = a[lt], p
			switch {
			case t < lt:
				hi = lt - 1
			case t > lt:
				lo = lt + 1
			default:
				lo, hi = t, t
			}
			continue
		}
		// Three-way partition of a[lo:hi+1], descending: > p, = p, < p.
		lt, i, gt := lo, lo, hi
		for i <= gt {
			switch v := a[i]; {
			case v > p:
				a[lt], a[i] = v, a[lt]
				lt++
				i++
			case v < p:
				a[gt], a[i] = v, a[gt]
				gt--
			default:
				i++
			}
		}
		switch {
		case t < lt:
			hi = lt - 1
		case t > gt:
			lo = gt + 1
		default:
			lo, hi = t, t
		}
	}
	e = a[t]
	for _, v := range a {
		greater += b2i(v > e)
	}
	return e, greater
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// ThresholdK returns the threshold θ of the k-sparse projection
// P_{zΔ,k}(v) and the selected index set (the k largest entries under the
// TopK order, ascending). The projection is t_i = [v_i − θ]₊ for i in the
// set and 0 elsewhere; some selected entries may still be 0. For z = 0,
// θ is the largest entry. The returned set aliases w's scratch. An empty v
// or k < 1 is ErrEmpty.
func ThresholdK(v []float64, z float64, k int, w *Workspace) (theta float64, sel []int, err error) {
	if len(v) == 0 || k < 1 {
		return 0, nil, ErrEmpty
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
		return vmax, sel, nil
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
	return condat(y[:c], wait, z, vmax), sel, nil
}

// ProjectK writes the k-sparse projection P_{zΔ,k}(v) into dst (len(dst) =
// len(v); dst must not alias v) and returns θ. k ≥ len(v) gives Project.
func ProjectK(dst, v []float64, z float64, k int, w *Workspace) (float64, error) {
	if len(dst) != len(v) {
		panic("simplex: length mismatch")
	}
	theta, sel, err := ThresholdK(v, z, k, w)
	if err != nil {
		return 0, err
	}
	clear(dst)
	for _, i := range sel {
		if t := v[i] - theta; t > 0 {
			dst[i] = t
		}
	}
	return theta, nil
}
