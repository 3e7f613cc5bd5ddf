package sumofnorms

import (
	"math"

	"github.com/otkit/otkit/ot"
)

// solveFISTA runs the accelerated proximal scheme on the ρ-smoothed dual
// (docs/sumofnorms.md §6):
//
//	Ψ(f, g, Z) = <f,a> + <g,b> − (1/2ρ)‖[f⊕g − C − D*Z]₊‖²,  ‖Z_e‖ ≤ λ,
//	T(f, g, Z) = [f⊕g − C − D*Z]₊/ρ,
//
// by FISTA ascent with a diagonal metric (a weighted Gershgorin bound on
// KKᵀ, weights 1 on f, g and λ on Z), the closed-form
// projection of each Z_e onto the λ-ball, gradient restarts, and
// continuation ρ ← ρ/10 when the smoothed gap is small next to the exact
// one. Convergence is judged on the exact program.
func (s *Solver) solveFISTA(in *instance) *state {
	n, m := in.n, in.m
	E := in.g.edges()
	// Steps from a weighted Gershgorin (Schur) bound on KKᵀ: with weights
	// d = 1 on f and g and d_Z = λ on Z (the sizes of the variables),
	// r_k = Σ_l |KKᵀ|_kl d_l / d_k ⪰ KKᵀ row by row (docs/sumofnorms.md §6),
	// s_i = Σ_{e∋i} w_e/a_i.
	dz := in.lam
	si := make([]float64, n)
	var sumS float64
	for i := 0; i < n; i++ {
		for p := in.g.ptr[i]; p < in.g.ptr[i+1]; p++ {
			si[i] += math.Abs(in.g.coef[p])
		}
		sumS += si[i]
	}
	stepF0 := make([]float64, n)
	for i := range stepF0 {
		stepF0[i] = 1 / (float64(m) * (2 + dz*si[i]))
	}
	stepG0 := 1 / (2*float64(n) + dz*sumS)
	stepZ0 := make([]float64, E)
	for e := 0; e < E; e++ {
		t, h := in.g.tail[e], in.g.head[e]
		ct, ch := in.g.w[e]/in.a[t], in.g.w[e]/in.a[h]
		stepZ0[e] = 1 / (2*(ct+ch)/dz + ct*si[t] + ch*si[h])
	}
	var na, nb float64
	for _, v := range in.a {
		na += v * v
	}
	for _, v := range in.b {
		nb += v * v
	}
	B := math.Min(na, nb)
	span := in.cspan
	if span == 0 {
		span = 1
	}
	rho := 0.2 * span * in.mass / B
	rhoMin := 0.02 * in.gapTol * in.mass / B

	// y = (f, g, Z) the iterate, yp the previous one, x the momentum point.
	f, g, Z := make([]float64, n), make([]float64, m), make([]float64, E*m)
	fp, gp, Zp := make([]float64, n), make([]float64, m), make([]float64, E*m)
	fx, gx, Zx := make([]float64, n), make([]float64, m), make([]float64, E*m)
	T := make([]float64, n*m)
	rs := make([]float64, n)
	cs := make([]float64, m)
	part := make([]float64, in.chunks*m)
	bufs := make([][]float64, in.pool.Workers())
	for w := range bufs {
		bufs[w] = make([]float64, m)
	}
	// plan computes T(f, g, Z) with its row and column sums.
	plan := func(f, g, Z []float64) {
		in.forRows(func(w, k, lo, hi int) {
			buf := bufs[w]
			cp := part[k*m : (k+1)*m]
			clear(cp)
			for i := lo; i < hi; i++ {
				clear(buf)
				in.addAdjoint(i, Z, buf)
				row, c := T[i*m:(i+1)*m], in.c[i*m:(i+1)*m]
				fi := f[i]
				var sum float64
				for j := range row {
					x := (fi + g[j] - c[j] - buf[j]) / rho
					if !(x > 0) {
						x = 0
					}
					row[j] = x
					sum += x
					cp[j] += x
				}
				rs[i] = sum
			}
		})
		clear(cs)
		for k := 0; k < in.chunks; k++ {
			for j, x := range part[k*m : (k+1)*m] {
				cs[j] += x
			}
		}
	}
	st := &state{status: ot.IterationLimit}
	dots := make([]float64, (E+edgeChunk-1)/edgeChunk)
	tk := 1.0
	bestGap, stale := math.Inf(1), 0
	it := 0
	for it < in.maxIter {
		it++
		plan(fx, gx, Zx)
		if in.canceled() {
			st.status = ot.Canceled
			break
		}
		copy(fp, f)
		copy(gp, g)
		copy(Zp, Z)
		// Ascent step from x, projected.
		var dot float64
		for i := range f {
			st := rho * stepF0[i]
			f[i] = fx[i] + st*(in.a[i]-rs[i])
			dot += (f[i] - fx[i]) * (f[i] - fp[i]) / st
		}
		stg := rho * stepG0
		for j := range g {
			g[j] = gx[j] + stg*(in.b[j]-cs[j])
			dot += (g[j] - gx[j]) * (g[j] - gp[j]) / stg
		}
		clear(dots)
		in.forEdges(func(w, k, lo, hi int) {
			buf := bufs[w]
			var d float64
			for e := lo; e < hi; e++ {
				in.edgeDiff(e, T, buf)
				z, zx, zp := Z[e*m:(e+1)*m], Zx[e*m:(e+1)*m], Zp[e*m:(e+1)*m]
				se := rho * stepZ0[e]
				for j := range z {
					z[j] = zx[j] + se*buf[j]
				}
				project(z, in.lam)
				var q float64
				for j := range z {
					q += (z[j] - zx[j]) * (z[j] - zp[j])
				}
				d += q / se
			}
			dots[k] = d
		})
		if in.canceled() {
			st.status = ot.Canceled
			break
		}
		for _, d := range dots {
			dot += d
		}
		// Momentum, with a gradient restart.
		beta := 0.0
		if dot < 0 {
			tk = 1
		} else {
			tn := (1 + math.Sqrt(1+4*tk*tk)) / 2
			beta = (tk - 1) / tn
			tk = tn
		}
		extrapolate(fx, f, fp, beta)
		extrapolate(gx, g, gp, beta)
		extrapolate(Zx, Z, Zp, beta)

		if it%checkEvery != 0 && it != in.maxIter {
			continue
		}
		plan(f, g, Z)
		psi := dualSmoothed(in, f, g, T, rho)
		gap := in.certify(T, g, Z, st)
		st.history = append(st.history, gap)
		if in.progress != nil {
			in.progress(it, gap)
		}
		if in.canceled() {
			st.status = ot.Canceled
			break
		}
		if gap <= in.gapTol && merr(in, st.plan) <= in.tol {
			st.status = ot.Converged
			break
		}
		// Continuation: once the smoothed problem is solved well next to
		// the exact gap (its bias dominates), or the exact gap stalls,
		// shrink ρ.
		sgap := st.value + rho/2*sumSq(st.plan) - psi
		stale++
		if gap < 0.99*bestGap {
			bestGap, stale = gap, 0
		}
		stalled := stale >= 20
		if (sgap <= 0.5*(st.value-st.dual) || stalled) && rho > rhoMin {
			rho = math.Max(rho/10, rhoMin)
			tk, stale, bestGap = 1, 0, gap
			copy(fx, f)
			copy(gx, g)
			copy(Zx, Z)
		}
	}
	st.iters = it
	if st.status != ot.Converged {
		plan(f, g, Z)
		in.certify(T, g, Z, st)
	}
	return st
}

// extrapolate sets x = y + β(y − yp).
func extrapolate(x, y, yp []float64, beta float64) {
	for k := range x {
		x[k] = y[k] + beta*(y[k]-yp[k])
	}
}

func sumSq(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v * v
	}
	return s
}

// dualSmoothed returns Ψ = <f,a> + <g,b> − (ρ/2)‖T‖² for T = T(f,g,Z).
func dualSmoothed(in *instance, f, g, T []float64, rho float64) float64 {
	var s float64
	for i, v := range f {
		s += v * in.a[i]
	}
	for j, v := range g {
		s += v * in.b[j]
	}
	return s - rho/2*sumSq(T)
}
