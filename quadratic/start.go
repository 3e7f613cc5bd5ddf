package quadratic

import "math"

// cTransformStart returns the start of docs/quadratic.md §5.3 item 1 at γ
// from F (nil: zeros):
// G_j = min_i (C_ij − F_i) + γ b_j, then F_i = min_j (C_ij − G_j) + γ a_i,
// so that every row and column has an active entry. A nil g0 is computed,
// a given g0 is kept. It returns nil slices when the instance's context is
// canceled.
func cTransformStart(in *instance, gamma float64, f0, g0 []float64) (f, g []float64) {
	n, m := in.n, in.m
	f = make([]float64, n)
	copy(f, f0)
	if g0 != nil {
		g = append([]float64(nil), g0...)
	} else {
		g = make([]float64, m)
		for j := range g {
			g[j] = math.Inf(1)
		}
		for i := 0; i < n; i++ {
			if in.canceled(i) {
				return nil, nil
			}
			row := in.c[i*m : (i+1)*m]
			fi := f[i]
			g := g[:len(row)]
			for j, cij := range row {
				if v := cij - fi; v < g[j] {
					g[j] = v
				}
			}
		}
		for j := range g {
			g[j] += gamma * in.b[j]
		}
	}
	if f0 == nil || g0 == nil {
		for i := 0; i < n; i++ {
			if in.canceled(i) {
				return nil, nil
			}
			row := in.c[i*m : (i+1)*m]
			v := math.Inf(1)
			g := g[:len(row)]
			for j, cij := range row {
				if w := cij - g[j]; w < v {
					v = w
				}
			}
			f[i] = v + gamma*in.a[i]
		}
	}
	return f, g
}
