package quadratic

// dualObjective evaluates the dual (spec §2) at x = [F; G]:
//
//	D(F,G) = <a,F> + <b,G> − (1/(2γ)) Σ_ij [F_i + G_j − C_ij]₊²,
//
// writes ∇D = [a − T1; b − Tᵀ1] into grad and returns D.
type dualObjective struct {
	*instance
	colPart [][]float64 // per chunk of rows: partial column sums of [X]₊
	sqPart  []float64   // per chunk: Σ [X]₊²
}

func newDualObjective(in *instance) *dualObjective {
	nc := numChunks(in.n)
	d := &dualObjective{instance: in, colPart: make([][]float64, nc), sqPart: make([]float64, nc)}
	for c := range d.colPart {
		d.colPart[c] = make([]float64, in.m)
	}
	return d
}

func (d *dualObjective) eval(x, grad []float64) float64 {
	n, m := d.n, d.m
	f, g := x[:n], x[n:]
	gf, gg := grad[:n], grad[n:]
	invGamma := 1 / d.gamma
	forChunks(d.workers, len(d.colPart), func(_, c int) {
		cs := d.colPart[c]
		clear(cs)
		var sq float64
		for i := c * chunkSize; i < min((c+1)*chunkSize, n); i++ {
			fi := f[i]
			row := d.c[i*m : (i+1)*m]
			cs := cs[:len(row)]
			g := g[:len(row)]
			var rs float64
			for j, cij := range row {
				if v := fi + g[j] - cij; v > 0 {
					rs += v
					cs[j] += v
					sq += v * v
				}
			}
			gf[i] = d.a[i] - rs*invGamma
		}
		d.sqPart[c] = sq
	})
	var sq, val float64
	for c, cs := range d.colPart {
		sq += d.sqPart[c]
		if c == 0 {
			copy(gg, cs)
			continue
		}
		for j, v := range cs {
			gg[j] += v
		}
	}
	for i, fi := range f {
		val += d.a[i] * fi
	}
	for j, gj := range g {
		val += d.b[j] * gj
		gg[j] = d.b[j] - gg[j]*invGamma
	}
	return val - sq*invGamma/2
}
