package quadratic

import "github.com/otkit/otkit/internal/simplex"

// semiDualObjective evaluates the semi-dual (spec §3) at F:
//
//	S(F) = <a,F> − Σ_j M_j(F − c_j),  t_j = P_{b_jΔ}((F − c_j)/γ),
//
// writes ∇S = a − T1 into grad and returns S. The threshold of every column
// is kept in theta, so G_j = −γ·θ_j.
type semiDualObjective struct {
	*instance
	theta   []float64   // per column
	rowPart [][]float64 // per chunk of columns: partial row sums of T
	valPart []float64   // per chunk: Σ_j M_j/γ
	v       [][]float64 // per worker: the column vector (F − c_j)/γ
	ws      []*simplex.Workspace
}

func newSemiDualObjective(in *instance) *semiDualObjective {
	in.transpose()
	nc := numChunks(in.m)
	w := max(1, min(in.workers, nc))
	s := &semiDualObjective{instance: in, theta: make([]float64, in.m),
		rowPart: make([][]float64, nc), valPart: make([]float64, nc),
		v: make([][]float64, w), ws: make([]*simplex.Workspace, w)}
	for c := range s.rowPart {
		s.rowPart[c] = make([]float64, in.n)
	}
	for k := range s.v {
		s.v[k] = make([]float64, in.n)
		s.ws[k] = simplex.NewWorkspace(in.n)
	}
	return s
}

func (s *semiDualObjective) eval(f, grad []float64) float64 {
	n, m := s.n, s.m
	invGamma := 1 / s.gamma
	forChunks(s.workers, len(s.rowPart), func(w, c int) {
		rs := s.rowPart[c]
		clear(rs)
		v, ws := s.v[w], s.ws[w]
		var val float64
		for j := c * chunkSize; j < min((c+1)*chunkSize, m); j++ {
			col := s.ct[j*n : (j+1)*n]
			for i, cij := range col {
				v[i] = (f[i] - cij) * invGamma
			}
			th := simplex.Threshold(v, s.b[j], ws)
			s.theta[j] = th
			for i, vi := range v {
				if t := vi - th; t > 0 {
					rs[i] += t
					val += t * (vi - t/2)
				}
			}
		}
		s.valPart[c] = val
	})
	var val float64
	for c, rs := range s.rowPart {
		val += s.valPart[c]
		if c == 0 {
			copy(grad, rs)
			continue
		}
		for i, t := range rs {
			grad[i] += t
		}
	}
	var af float64
	for i, fi := range f {
		af += s.a[i] * fi
		grad[i] = s.a[i] - grad[i]
	}
	return af - s.gamma*val
}

// potentialG returns G_j = −γ·θ_j for the thresholds of the last
// evaluation.
func (s *semiDualObjective) potentialG() []float64 {
	g := make([]float64, s.m)
	for j, th := range s.theta {
		g[j] = -s.gamma * th
	}
	return g
}
