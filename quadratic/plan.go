package quadratic

import (
	"math"

	"github.com/otkit/otkit/internal/support"
	"github.com/otkit/otkit/ot"
)

// buildPlan streams the rows of the cost (only the entries of act when it
// is not nil) and keeps the entries T_ij = [F_i + G_j − C_ij]₊/γ above
// dropTol·mass, in CSR form; no dense n×m buffer is formed. It also returns
// <T,C> and ‖T‖²_F.
func buildPlan(in *instance, f, g []float64, act *activeSet) (p *ot.SparsePlan, lin, sq float64) {
	n, m := in.n, in.m
	p = &ot.SparsePlan{N: n, M: m, RowPtr: make([]int, n+1)}
	if act != nil {
		p.ColIdx, p.Val = make([]int, 0, len(act.idx)), make([]float64, 0, len(act.idx))
	}
	drop := dropTol * in.mass
	invGamma := 1 / in.gamma
	add := func(j int, cij, x float64) {
		if t := x * invGamma; x > 0 && t > drop {
			p.ColIdx = append(p.ColIdx, j)
			p.Val = append(p.Val, t)
			lin += t * cij
			sq += t * t
		}
	}
	for i := 0; i < n; i++ {
		row := in.c[i*m : (i+1)*m]
		fi := f[i]
		if act != nil {
			for _, j := range act.idx[act.ptr[i]:act.ptr[i+1]] {
				add(int(j), row[j], fi+g[j]-row[j])
			}
		} else {
			for j, cij := range row {
				if x := fi + g[j] - cij; x > 0 {
					add(j, cij, x)
				}
			}
		}
		p.RowPtr[i+1] = len(p.Val)
	}
	return p, lin, sq
}

// activeSet holds the entries with F_i + G_j − C_ij > 0 in CSR form
// (columns ascending within a row).
type activeSet struct {
	ptr, idx []int32
}

// dropTol is the relative size (to the total mass) below which plan entries
// are not stored.
const dropTol = 1e-15

// result assembles the Result on the original (unreduced) problem.
func (s *Solver) result(p *ot.Problem, red *support.Reduced, in *instance, st *state) *ot.Result {
	var plan *ot.SparsePlan
	var lin, sq float64
	if st.cols != nil {
		// The semi-dual plan of the last evaluation, with the arithmetic
		// of its objective: its column sums are exact to rounding even
		// when γ is tiny relative to the cost (recovering it from
		// G = −γθ would cancel catastrophically).
		plan, lin, sq = st.cols.Plan(dropTol * in.mass)
	} else {
		plan, lin, sq = buildPlan(in, st.f, st.g, st.active)
	}
	res := &ot.Result{
		Value:         lin + in.gamma/2*sq,
		LinearCost:    lin,
		DualValue:     st.dualValue,
		MarginalError: ot.MarginalError(plan, in.a, in.b),
		Status:        st.status,
		Iterations:    st.iterations,
		History:       st.history,
		F:             st.f,
		G:             st.g,
		Plan:          plan,
	}
	if !finite(res.Value) || !finite(res.MarginalError) || !finite(res.DualValue) {
		res.Status = ot.NumericalError
	}
	if !red.Identity() {
		res.Plan = red.ExpandPlan(plan)
		res.F, res.G = expandPotentials(p, red, st.f, st.g)
	}
	return res
}

// expandPotentials maps the reduced potentials back and gives every removed
// row (column) its c-transform min_j (C_ij − G_j) (min_i (C_ij − F_i)) over
// the kept columns (rows): the largest potential that keeps it empty.
// Rows or columns with no finite cost to the kept ones get −Inf.
func expandPotentials(p *ot.Problem, red *support.Reduced, f, g []float64) (F, G []float64) {
	F = red.ExpandRows(f, math.NaN())
	G = red.ExpandCols(g, math.NaN())
	n, m := p.Dims()
	row := make([]float64, m)
	colMin := make([]float64, m)
	for j := range colMin {
		colMin[j] = math.Inf(1)
	}
	for i := 0; i < n; i++ {
		row = p.C.Row(i, row)
		if math.IsNaN(F[i]) {
			v := math.Inf(1)
			for k, j := range red.Cols {
				v = math.Min(v, row[j]-g[k])
			}
			F[i] = v
			continue
		}
		for j, gj := range G {
			if math.IsNaN(gj) {
				colMin[j] = math.Min(colMin[j], row[j]-F[i])
			}
		}
	}
	for j, gj := range G {
		if math.IsNaN(gj) {
			G[j] = colMin[j]
		}
	}
	for _, x := range [][]float64{F, G} {
		for k, v := range x {
			if math.IsInf(v, 0) || math.IsNaN(v) {
				x[k] = math.Inf(-1)
			}
		}
	}
	return F, G
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
