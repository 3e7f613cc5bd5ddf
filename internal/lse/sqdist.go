package lse

// SqDistRow sets dst[j] = Σ_k (x[k] − y_j[k])², the squared Euclidean
// distances from the point x (dimension d = len(x)) to m = len(dst) points
// stored by coordinate: yt[k·m + j] is coordinate k of point j. The sum
// runs over k in order, so the result is bitwise that of the row-major
// loop over a point's coordinates. It returns dst.
func SqDistRow(dst, x, yt []float64) []float64 {
	m, d := len(dst), len(x)
	if len(yt) != d*m {
		panic("lse: length mismatch")
	}
	j := 0
	if useAVX2 && m >= 4 && d > 0 {
		j = m &^ 3
		sqDistAVX2(&dst[0], &x[0], d, &yt[0], m, j)
	}
	sqDistScalar(dst, x, yt, j)
	return dst
}

// sqDistScalar is SqDistRow from column j0 on, without the vector kernel.
func sqDistScalar(dst, x, yt []float64, j0 int) {
	m := len(dst)
	for j := j0; j < m; j++ {
		var s float64
		for k, xk := range x {
			t := xk - yt[k*m+j]
			s += t * t
		}
		dst[j] = s
	}
}

// SqDist returns Σ_k (x[k] − y[k])², summed over k in order: bitwise the
// entry of SqDistRow (and of ot.PointCloud's SqEuclidean rows) for the pair.
func SqDist(x, y []float64) float64 {
	y = y[:len(x)]
	var s float64
	for k, xk := range x {
		t := xk - y[k]
		s += t * t
	}
	return s
}
