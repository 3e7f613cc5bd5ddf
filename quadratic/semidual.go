package quadratic

import (
	"math"

	"github.com/otkit/otkit/internal/simplex"
)

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
	cand    []candidates // per chunk of columns: rows that can be in the support
	margins []float64
	scr     *screen
	full    int // number of full evaluations, for tests
}

func newSemiDualObjective(in *instance) *semiDualObjective {
	in.transpose()
	nc := numChunks(in.m)
	w := max(1, min(in.workers, nc))
	s := &semiDualObjective{instance: in, theta: make([]float64, in.m),
		rowPart: make([][]float64, nc), valPart: make([]float64, nc),
		v: make([][]float64, w), ws: make([]*simplex.Workspace, w),
		cand: make([]candidates, nc), margins: make([]float64, nc),
		// G_j(F) = −γθ_j(F) moves by at most −min ΔF and at least −max ΔF,
		// so X_ij changes by at most max ΔF − min ΔF.
		scr: newScreen(in.n, rangeDiff)}
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
	sparse := s.scr.sparseOK(f)
	margin := s.scr.newMargin()
	if math.IsInf(margin, 1) {
		margin = 0
	}
	forChunks(s.workers, len(s.rowPart), func(w, c int) {
		rs := s.rowPart[c]
		clear(rs)
		v, ws := s.v[w], s.ws[w]
		cd := &s.cand[c]
		lo, hi := c*chunkSize, min((c+1)*chunkSize, m)
		var val float64
		if sparse {
			for j := lo; j < hi; j++ {
				k0, k1 := cd.ptr[j-lo], cd.ptr[j-lo+1]
				idx := cd.idx[k0:k1]
				col := s.ct[j*n : (j+1)*n]
				vc := v[:len(idx)]
				vmax := math.Inf(-1)
				for k, i := range idx {
					vi := (f[i] - col[i]) * invGamma
					vc[k] = vi
					if vi > vmax {
						vmax = vi
					}
				}
				th := simplex.ThresholdMax(vc, s.b[j], vmax, ws)
				s.theta[j] = th
				for k, vi := range vc {
					if t := vi - th; t > 0 {
						rs[idx[k]] += t
						val += t * (vi - t/2)
					}
				}
			}
			s.valPart[c] = val
			return
		}
		limit := (hi - lo) * n / candidateShare
		cd.reset(hi-lo, 0)
		idx := cd.idx
		mg := margin * invGamma // in units of v
		for j := lo; j < hi; j++ {
			col := s.ct[j*n : (j+1)*n]
			vmax := math.Inf(-1)
			for i, cij := range col {
				vi := (f[i] - cij) * invGamma
				v[i] = vi
				if vi > vmax {
					vmax = vi
				}
			}
			th := simplex.ThresholdMax(v[:n], s.b[j], vmax, ws)
			s.theta[j] = th
			var cv float64
			idx, cv = collectColumn(v[:n], rs, idx, th, th-mg)
			val += cv
			// Keep within the budget pro rata (as the dual's pass).
			switch k := len(idx); {
			case k > limit && mg > 0:
				mg = 0
			case k > limit*(j+1-lo)/(hi-lo) && mg > minMargin:
				mg /= 2
			}
			cd.ptr[j-lo+1] = int32(len(idx))
		}
		cd.idx = idx
		s.margins[c] = mg * s.gamma
		s.valPart[c] = val
	})
	if !sparse {
		s.full++
		mg := math.Inf(1)
		for _, v := range s.margins {
			mg = math.Min(mg, v)
		}
		s.scr.rebuilt(f, mg, true)
	}
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
	// S is invariant under F → F + t·1 and ∇S sums to zero in exact
	// arithmetic; removing the rounding residue of the sum keeps the
	// iterates from drifting along the gauge (which would magnify the
	// rounding of (F − c_j)/γ).
	var af, gs float64
	for i, fi := range f {
		af += s.a[i] * fi
		grad[i] = s.a[i] - grad[i]
		gs += grad[i]
	}
	gs /= float64(n)
	for i := range grad {
		grad[i] -= gs
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

// collectColumn is the inner loop of a collecting semi-dual pass over one
// column: t_i = v_i − θ; the row index is appended to idx when v_i > lo, and
// t_i > 0 is accumulated into the row sums rs and the value Σ t(v − t/2).
// Four entries are tested at once, as in collectRow.
func collectColumn(v, rs []float64, idx []int32, th, lo float64) (idxOut []int32, val float64) {
	rs = rs[:len(v)]
	i := 0
	for ; i+4 <= len(v); i += 4 {
		if v[i] <= lo && v[i+1] <= lo && v[i+2] <= lo && v[i+3] <= lo {
			continue
		}
		for q, vi := range v[i : i+4] {
			if vi > lo {
				idx = append(idx, int32(i+q))
				if t := vi - th; t > 0 {
					rs[i+q] += t
					val += t * (vi - t/2)
				}
			}
		}
	}
	for ; i < len(v); i++ {
		if vi := v[i]; vi > lo {
			idx = append(idx, int32(i))
			if t := vi - th; t > 0 {
				rs[i] += t
				val += t * (vi - t/2)
			}
		}
	}
	return idx, val
}
