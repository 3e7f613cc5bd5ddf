package sumofnorms

import (
	"math"

	"github.com/otkit/otkit/ot"
)

// checkEvery is the number of iterations between two convergence checks
// (each costs about two iterations).
const checkEvery = 25

// solvePDHG runs the diagonally preconditioned Chambolle–Pock iteration
// (docs/sumofnorms.md §5):
//
//	T⁺ = max(0, T − τ(C + u⊕v + D*Z)),  T̄ = 2T⁺ − T,
//	u⁺ = u + σ_u(T̄1 − a),  v⁺ = v + σ_v(T̄ᵀ1 − b),
//	Z_e⁺ = Proj_λ(Z_e + σ_e (DT̄)_e),
//
// with τ_i = 1/(ω(2 + Σ_{e∋i} w_e/a_i)), σ_u = ω/m, σ_v = ω/n,
// σ_e = ω/(w_e(1/a_t + 1/a_h)) and the primal weight ω rebalanced at
// restarts.
func (s *Solver) solvePDHG(in *instance) *state {
	n, m := in.n, in.m
	E := in.g.edges()
	T := make([]float64, n*m)
	Tb := make([]float64, n*m)
	u, v := make([]float64, n), make([]float64, m)
	Z := make([]float64, E*m)
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			if !math.IsInf(in.c[i*m+j], 1) {
				T[i*m+j] = in.a[i] * in.b[j] / in.mass
			}
		}
	}
	// Preconditioners (Pock–Chambolle, α = 1) in scaled variables
	// T = μT̃ (μ = mass/(nm), the size of a plan entry), u, v in cost
	// units, Z = λZ̃ (docs/sumofnorms.md §5.1):
	//   τ_i = μ/(2 + λΣ_{e∋i} w_e/a_i),  σ_u = 1/(μm),  σ_v = 1/(μn),
	//   σ_e = λ/(μ w_e (1/a_t + 1/a_h)),
	// then τ/ω and σ·ω with the primal weight ω (1 at the start).
	mu := in.mass / (float64(n) * float64(m))
	dz := in.lam
	tau0 := make([]float64, n)
	for i := 0; i < n; i++ {
		d := 2.0
		for p := in.g.ptr[i]; p < in.g.ptr[i+1]; p++ {
			d += dz * math.Abs(in.g.coef[p])
		}
		tau0[i] = mu / d
	}
	sigE0 := make([]float64, E)
	for e := 0; e < E; e++ {
		t, h := in.g.tail[e], in.g.head[e]
		sigE0[e] = dz / (mu * in.g.w[e] * (1/in.a[t] + 1/in.a[h]))
	}
	omega0 := initialOmega(in)
	omega := omega0
	tau := make([]float64, n)
	sigE := make([]float64, E)
	var sigU, sigV float64
	setSteps := func() {
		for i := range tau {
			tau[i] = tau0[i] / omega
		}
		for e := range sigE {
			sigE[e] = sigE0[e] * omega
		}
		sigU, sigV = omega/(mu*float64(m)), omega/(mu*float64(n))
	}
	setSteps()

	rs := make([]float64, n)
	part := make([]float64, in.chunks*m)
	cs := make([]float64, m)
	bufs := make([][]float64, in.pool.Workers())
	for w := range bufs {
		bufs[w] = make([]float64, m)
	}
	st := &state{}
	status := ot.IterationLimit
	var hist []float64
	g := make([]float64, m)
	// Restart bookkeeping: the iterate at the last restart, for the
	// primal-weight update ω = ‖Δy‖/‖Δx‖ (PDLP, Applegate et al. 2021).
	lastT := append([]float64(nil), T...)
	lastU, lastV := make([]float64, n), make([]float64, m)
	lastZ := make([]float64, E*m)
	bestGap := math.Inf(1)
	sinceRestart := 0
	// Running averages since the last restart (PDLP restarts to the
	// average when its gap is the smaller).
	var aT, aU, aV, aZ []float64
	var ast *state
	if restartAvg {
		aT, aU, aV, aZ = append([]float64(nil), T...), make([]float64, n), make([]float64, m), make([]float64, E*m)
		ast = &state{}
	}
	nAvg := 0
	prevCand := math.Inf(1)
	ga := make([]float64, m)

	it := 0
	for it < in.maxIter {
		it++
		// The running averages are updated inside the passes, while the
		// rows of T and Z are in cache (a separate pass over the |E|·m
		// edge duals cost a quarter of the iteration).
		var wt float64
		if restartAvg {
			nAvg++
			wt = 1 / float64(nAvg)
		}
		// Primal step and extrapolation, row by row.
		in.forRows(func(w, k, lo, hi int) {
			buf := bufs[w]
			cp := part[k*m : (k+1)*m]
			clear(cp)
			for i := lo; i < hi; i++ {
				clear(buf)
				in.addAdjoint(i, Z, buf)
				row, tb, c := T[i*m:(i+1)*m], Tb[i*m:(i+1)*m], in.c[i*m:(i+1)*m]
				tb, c, buf, cp, v := tb[:len(row)], c[:len(row)], buf[:len(row)], cp[:len(row)], v[:len(row)]
				ti, ui := tau[i], u[i]
				var sum float64
				for j := range row {
					old := row[j]
					nw := old - ti*(c[j]+ui+v[j]+buf[j])
					if !(nw > 0) {
						nw = 0
					}
					row[j] = nw
					x := 2*nw - old
					tb[j] = x
					sum += x
					cp[j] += x
				}
				rs[i] = sum
				if restartAvg {
					avgInto(aT[i*m:(i+1)*m], row, wt)
				}
			}
		})
		if in.canceled() {
			status = ot.Canceled
			break
		}
		clear(cs)
		for k := 0; k < in.chunks; k++ {
			for j, x := range part[k*m : (k+1)*m] {
				cs[j] += x
			}
		}
		for i := range u {
			u[i] += sigU * (rs[i] - in.a[i])
		}
		for j := range v {
			v[j] += sigV * (cs[j] - in.b[j])
		}
		// Dual step of the edges: closed-form projection onto the λ-ball.
		in.forEdges(func(w, k, lo, hi int) {
			for e := lo; e < hi; e++ {
				in.edgeStep(e, Tb, Z, sigE[e])
				if restartAvg {
					avgInto(aZ[e*m:(e+1)*m], Z[e*m:(e+1)*m], wt)
				}
			}
		})
		if in.canceled() {
			status = ot.Canceled
			break
		}
		if restartAvg {
			avgInto(aU, u, wt)
			avgInto(aV, v, wt)
		}
		if it%checkEvery != 0 && it != in.maxIter {
			continue
		}
		for j := range g {
			g[j] = -v[j]
		}
		gap := in.certify(T, g, Z, st)
		useAvg := false
		if restartAvg {
			for j := range ga {
				ga[j] = -aV[j]
			}
			if agap := in.certify(aT, ga, aZ, ast); agap < gap {
				gap, useAvg = agap, true
				st, ast = ast, st
			}
		}
		hist = append(hist, gap)
		if in.progress != nil {
			in.progress(it, gap)
		}
		if in.canceled() {
			status = ot.Canceled
			break
		}
		if gap <= in.gapTol && merr(in, st.plan) <= in.tol {
			status = ot.Converged
			break
		}
		// Restart when the gap has shrunk enough since the last restart,
		// or after a long stretch without one; rebalance ω.
		sinceRestart += checkEvery
		restart := gap < 0.2*bestGap || sinceRestart >= 40*checkEvery
		if restartAvg {
			restart = gap <= 0.2*bestGap || (gap <= 0.8*bestGap && gap > prevCand) || float64(sinceRestart) >= 0.36*float64(it)
			prevCand = gap
		}
		if restart && useAvg {
			copy(T, aT)
			copy(u, aU)
			copy(v, aV)
			copy(Z, aZ)
		}
		if restart {
			dx := distSq(T, lastT) / (mu * mu)
			dy := distSq(u, lastU) + distSq(v, lastV)
			if dz > 0 {
				dy += distSq(Z, lastZ) / (dz * dz)
			}
			if dx > 0 && dy > 0 {
				ratio := math.Sqrt(dy / dx)
				// Smoothed in the log (θ = 0.5), clamped to a factor 10.
				nw := math.Exp(0.5*math.Log(ratio) + 0.5*math.Log(omega))
				omega = math.Max(omega/10, math.Min(omega*10, nw))
				// ω runs away when the plan has settled on its support
				// and only the duals move; keep it within a factor
				// omegaRange of the start.
				omega = math.Max(omega0/omegaRange, math.Min(omega0*omegaRange, omega))
				setSteps()
			}
			copy(lastT, T)
			copy(lastU, u)
			copy(lastV, v)
			copy(lastZ, Z)
			bestGap = gap
			sinceRestart = 0
			if restartAvg {
				copy(aT, T)
				copy(aU, u)
				copy(aV, v)
				copy(aZ, Z)
				nAvg = 0
				prevCand = math.Inf(1)
			}
		}
	}
	st.iters, st.status, st.history = it, status, hist
	if status != ot.Converged {
		for j := range g {
			g[j] = -v[j]
		}
		in.certify(T, g, Z, st)
	}
	return st
}

// initialOmega is the starting primal weight ω0 (in the scaled
// variables; measured on the Segments family: 0.03–0.1 is best, and the
// rebalancing at restarts makes the start matter little).
// omegaRange bounds the rebalanced ω to [ω0/omegaRange, ω0·omegaRange].
const omegaRange = 30

func initialOmega(in *instance) float64 {
	return 0.1
}

// edgeStep is the dual step of edge e, Z_e ← Proj_λ(Z_e + σ_e (DT̄)_e),
// in one pass over the row (the same arithmetic as edgeDiff and project).
func (in *instance) edgeStep(e int, Tb, Z []float64, se float64) {
	g, m := in.g, in.m
	t, h := int(g.tail[e]), int(g.head[e])
	ct, ch := g.w[e]/in.a[t], g.w[e]/in.a[h]
	z := Z[e*m : (e+1)*m]
	rt, rh := Tb[t*m:(t+1)*m], Tb[h*m:(h+1)*m]
	rt, rh = rt[:len(z)], rh[:len(z)]
	var s float64
	for j := range z {
		x := z[j] + se*(ct*rt[j]-ch*rh[j])
		z[j] = x
		s += x * x
	}
	r := in.lam
	if nz := math.Sqrt(s); nz > r {
		f := 0.0
		if r != 0 {
			f = r / nz
		}
		for j := range z {
			z[j] *= f
		}
	}
}

func distSq(x, y []float64) float64 {
	var s float64
	for k, v := range x {
		d := v - y[k]
		s += d * d
	}
	return s
}

// merr returns ‖T1 − a‖₁ + ‖Tᵀ1 − b‖₁.
func merr(in *instance, T []float64) float64 {
	r, c := in.sums(T)
	var s float64
	for i, v := range r {
		s += math.Abs(v - in.a[i])
	}
	for j, v := range c {
		s += math.Abs(v - in.b[j])
	}
	return s
}

// restartAvg selects PDLP-style restarts to the running average
// (docs/sumofnorms.md §5.1); false restores the restarts at the current
// iterate, for comparisons.
var restartAvg = true

func avgInto(avg, x []float64, wt float64) {
	avg = avg[:len(x)]
	for k, v := range x {
		avg[k] += wt * (v - avg[k])
	}
}
