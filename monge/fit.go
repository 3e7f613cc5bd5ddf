package monge

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/otkit/otkit/ot"
	"github.com/otkit/otkit/sinkhorn"
)

// FitSettings configure Fit. The zero value is ready to use: a residual
// MLP [32, 64, 32] with GELU, no Monge gap (λ = 0: a plain push-forward
// fit), Adam at learning rate 1e-3, batches of 256, 100 epochs, seed 0.
// For maps expected to be near affine, Linear with a WeightDecay of about
// 2 removes most of the non-affine error learned from batch noise
// (docs/monge.md §0).
type FitSettings struct {
	// Hidden are the hidden widths of the MLP; nil means [32, 64, 32].
	Hidden []int
	// Activation is the hidden nonlinearity; the zero value is GELU.
	Activation Activation
	// Linear adds a learned linear term to the map, T(x) = x + Ax +
	// f_θ(x) (MLP.Linear), and starts the map at the identity: A = 0 and
	// f_θ's output layer W_L = 0 (the hidden layers random as usual).
	// The affine part is then learned through A and f_θ holds only what
	// is not affine.
	Linear bool
	// Lambda is the weight λ ≥ 0 of the Monge gap; zero means none.
	Lambda float64
	// Cost is the cost of the Monge gap (the fitting loss is always the
	// SqEuclidean Sinkhorn divergence); the zero value is SqEuclidean.
	Cost Cost
	// EpsFit is the ε of the fitting loss; zero means 0.1 × the mean
	// squared distance between the points of the first target batch.
	EpsFit float64
	// EpsGap is the ε of the Monge gap; zero means 0.05 × the standard
	// deviation of the cost between the first source and target batches
	// (OTT-JAX's default ε, relative to the data; smaller values make
	// the near-permutation plans of a near-optimal map slow to solve).
	EpsGap float64
	// CrossBatch takes the self terms of the fitting loss between
	// independent batches: each step draws two source batches x_b, x'_b
	// and two target batches y_b, y'_b and uses
	//
	//	S = OT_ε(T#x_b, y_b) − ½ OT_ε(T#x_b, T#x'_b) − ½ OT_ε(y_b, y'_b),
	//
	// whose expectation over the batches is stationary at T#μ = ν (the
	// within-batch self terms OT_ε(T#x_b, T#x_b) see no sampling noise
	// while the cross term does, which biases the fitted map toward
	// shrinking; docs/monge.md §0). The Monge gap and the sparsity
	// penalty use x_b only.
	CrossBatch bool
	// EpsFitFinal, EpsGapFinal and LambdaFinal are the values of ε_fit,
	// ε_gap and λ at the last step as fractions of their initial values,
	// reached by geometric decay over the steps (v_t = v_0·r^{t/(T−1)});
	// zero means 1 (constant). Values outside (0, 1] are errors.
	EpsFitFinal, EpsGapFinal, LambdaFinal float64
	// Sparsity is the weight λ_sp ≥ 0 of the displacement-sparsity penalty
	// (λ_sp/n) Σ_i τ(T(x_i) − x_i); zero means none.
	Sparsity float64
	// Penalty gives τ (and the width S of the smoothed ℓ0) of the sparsity
	// penalty. Its Gamma is ignored (λ_sp is the weight), except for
	// PenaltySTVS, whose γ is the parameter inside τ (its threshold) and
	// must then be > 0 when Sparsity > 0. The zero value is ℓ1.
	Penalty ot.ElasticCost
	// LearningRate is Adam's initial step; zero means 1e-3.
	LearningRate float64
	// FinalRate is the step at the last step as a fraction of
	// LearningRate, reached by cosine decay; zero means 0.01, and 1 keeps
	// the step constant. Values outside (0, 1] are errors.
	FinalRate float64
	// LinearRate is the learning rate of the linear term A as a multiple
	// of LearningRate (A's entries must travel O(1) while the step is
	// O(LearningRate)); zero means 10.
	LinearRate float64
	// WeightDecay is the decoupled weight decay (AdamW) of the MLP's
	// weight matrices W_l: after each step W_l ← W_l − rate·WeightDecay·W_l
	// at the step's learning rate. Biases and the linear term A are not
	// decayed, so the decay pulls f_θ toward a constant and the map toward
	// x + Ax + b. Zero means none.
	WeightDecay float64
	// AverageTail is the fraction of the final steps whose iterates are
	// averaged into the returned map (Polyak–Ruppert tail averaging: the
	// mean of θ after each of those steps); zero means none (the last
	// iterate). Values outside [0, 1) are errors. A canceled fit returns
	// the last iterate.
	AverageTail float64
	// Epochs is the number of passes over the source sample; zero means 100.
	Epochs int
	// BatchSize is the number of points per step on each side; zero means
	// 256 (capped at the sample sizes).
	BatchSize int
	// Seed seeds the initialization and the batches.
	Seed uint64
	// Solver solves the entropic problems of each step (Eps and Init
	// ignored); a zero Tol means 1e-6 and a zero MaxIter 2000 here. The
	// Monge-gap solve of each step is warm-started from the previous
	// step's potential, carried to the new batch by a soft c-transform.
	Solver sinkhorn.Solver
	// Workers is the number of goroutines of the solves; zero means one.
	// The result does not depend on it.
	Workers int
	// Progress, when non-nil, is called after each epoch.
	Progress func(r Record)
}

// Record is one epoch of a fit; the figures are means over its steps.
type Record struct {
	Epoch int
	// Loss is Fit + λ·Gap + λ_sp·Sparsity.
	Loss, Fit, Gap, Sparsity float64
	// GapExcess is Gap − ε_gap·log(batch size), the n-independent part.
	GapExcess float64
	// EpsFit, EpsGap and Lambda are the values at the epoch's last step.
	EpsFit, EpsGap, Lambda float64
	// Map is the map being trained, set only in the Record passed to
	// FitSettings.Progress (nil in History); it may be read, not kept or
	// changed, during the call.
	Map *MLP
}

// Fitted is the result of Fit.
type Fitted struct {
	Map *MLP
	// History has one Record per epoch run.
	History []Record
	// Status is Converged when every epoch ran (a fit has no other
	// stopping test) and Canceled when ctx ended it early.
	Status ot.Status
	// Steps is the number of Adam steps taken.
	Steps int
	// EpsFit and EpsGap are the initial ε (the values at the first step;
	// see FitSettings.EpsFitFinal and EpsGapFinal).
	EpsFit, EpsGap float64
	// Solves counts the Sinkhorn problems solved (the divergence counts
	// one, the Monge gap one) and Unconverged those that stopped before
	// their tolerance (their gradients are approximate).
	Solves, Unconverged int
}

// Fit trains a residual MLP T(x) = x + f_θ(x) from the sample x of μ to the
// sample y of ν by Adam on mini-batches, minimizing (docs/monge.md §4)
//
//	L(θ) = S_ε_fit(T#x_b, y_b) + λ MG_ε_gap(x_b, T(x_b)) + (λ_sp/n) Σ_i τ(T(x_i) − x_i)
//
// with fresh batches x_b, y_b at each step and gradients by
// backpropagation. Bad input (empty or mismatched sets, non-finite
// coordinates, a negative λ, ε or λ_sp, bad settings) returns an error
// wrapping an ot sentinel. A canceled ctx returns the map of the last
// complete step with Status Canceled. A nil ctx means
// context.Background(). The result depends only on the inputs and the
// settings (Workers excepted).
func Fit(ctx context.Context, x, y *mat.Dense, s *FitSettings) (*Fitted, error) {
	if s == nil {
		s = &FitSettings{}
	}
	if err := checkPair("x", x, "y", y, false); err != nil {
		return nil, err
	}
	for _, v := range []struct {
		name string
		v    float64
	}{{"Lambda", s.Lambda}, {"EpsFit", s.EpsFit}, {"EpsGap", s.EpsGap}, {"Sparsity", s.Sparsity}, {"LearningRate", s.LearningRate}, {"WeightDecay", s.WeightDecay}, {"LinearRate", s.LinearRate}} {
		if !(v.v >= 0) || math.IsInf(v.v, 0) {
			return nil, fmt.Errorf("%w: monge: %s = %v (want a finite number ≥ 0)", ot.ErrParameter, v.name, v.v)
		}
	}
	for _, v := range []struct {
		name string
		v    float64
	}{{"FinalRate", s.FinalRate}, {"EpsFitFinal", s.EpsFitFinal}, {"EpsGapFinal", s.EpsGapFinal}, {"LambdaFinal", s.LambdaFinal}} {
		if v.v < 0 || v.v > 1 || math.IsNaN(v.v) {
			return nil, fmt.Errorf("%w: monge: %s = %v (want a number in (0, 1], or 0 for the default)", ot.ErrParameter, v.name, v.v)
		}
	}
	if !(s.AverageTail >= 0 && s.AverageTail < 1) {
		return nil, fmt.Errorf("%w: monge: AverageTail = %v (want a number in [0, 1))", ot.ErrParameter, s.AverageTail)
	}
	if s.Epochs < 0 || s.BatchSize < 0 || s.Workers < 0 {
		return nil, fmt.Errorf("%w: monge: Epochs %d, BatchSize %d, Workers %d (want ≥ 0)", ot.ErrParameter, s.Epochs, s.BatchSize, s.Workers)
	}
	if err := s.Cost.validate(); err != nil {
		return nil, err
	}
	pen := s.Penalty
	if pen.Tau != ot.PenaltySTVS {
		pen.Gamma = 0 // the weight is λ_sp; only STVS has γ inside τ
	} else if s.Sparsity > 0 && pen.Gamma == 0 {
		return nil, fmt.Errorf("%w: monge: the STVS sparsity penalty needs Penalty.Gamma > 0 (with γ = 0, τ ≡ 0)", ot.ErrParameter)
	}
	if err := pen.Validate(); err != nil {
		return nil, err
	}
	if ctx == nil {
		ctx = context.Background()
	}
	n, d := x.Dims()
	m, _ := y.Dims()
	hidden := s.Hidden
	if hidden == nil {
		hidden = []int{32, 64, 32}
	}
	net, err := newMLP(d, hidden, s.Activation, s.Seed, s.Linear)
	if err != nil {
		return nil, err
	}
	lr := s.LearningRate
	if lr == 0 {
		lr = 1e-3
	}
	epochs := s.Epochs
	if epochs == 0 {
		epochs = 100
	}
	bs := s.BatchSize
	if bs == 0 {
		bs = 256
	}
	bs = min(bs, n, m)
	sv := s.Solver
	if sv.Tol == 0 {
		sv.Tol = 1e-6
	}
	if sv.MaxIter == 0 {
		sv.MaxIter = 2000
	}
	fitSet := &Settings{Solver: sv, Workers: s.Workers}
	gapSet := &Settings{Solver: sv, Workers: s.Workers, Cost: s.Cost}

	rng := rand.New(rand.NewPCG(s.Seed, 0x6669740a))
	px, py := rng.Perm(n), rng.Perm(m)
	cx, cy := 0, 0
	next := func(src *mat.Dense, perm []int, pos *int) *mat.Dense {
		b := mat.NewDense(bs, d, nil)
		for i := 0; i < bs; i++ {
			if *pos == len(perm) {
				rng.Shuffle(len(perm), func(a, b int) { perm[a], perm[b] = perm[b], perm[a] })
				*pos = 0
			}
			copy(b.RawRowView(i), src.RawRowView(perm[*pos]))
			*pos++
		}
		return b
	}
	f := &Fitted{Map: net, Status: ot.Converged, EpsFit: s.EpsFit, EpsGap: s.EpsGap}
	adam := newAdam(len(net.Params), lr)
	if net.Linear {
		adam.fast = net.linOff()
		adam.mult = s.LinearRate
		if adam.mult == 0 {
			adam.mult = 10
		}
	}
	steps := (n + bs - 1) / bs
	final := s.FinalRate
	if final == 0 {
		final = 0.01
	}
	total := float64(max(epochs*steps-1, 1))
	// decay returns v·r^{t/total} at step t (r = 0 means 1).
	decay := func(v, r float64) float64 {
		if r == 0 || r == 1 {
			return v
		}
		return v * math.Pow(r, float64(f.Steps)/total)
	}
	warm := &warmStart{}
	// Tail averaging: the mean of θ after steps avgFrom+1 … T.
	nsteps := epochs * steps
	avgFrom := nsteps - int(math.Round(s.AverageTail*float64(nsteps)))
	var avg []float64
	if avgFrom < nsteps {
		avg = make([]float64, len(net.Params))
	}
	for ep := 0; ep < epochs; ep++ {
		var rec Record
		for st := 0; st < steps; st++ {
			if ctx.Err() != nil {
				f.Status = ot.Canceled
				return f, nil
			}
			xb, yb := next(x, px, &cx), next(y, py, &cy)
			var x2, y2 *mat.Dense
			if s.CrossBatch {
				x2, y2 = next(x, px, &cx), next(y, py, &cy)
			}
			if f.EpsFit == 0 {
				f.EpsFit = 0.1 * meanCost(&Cost{}, yb, yb)
			}
			if f.EpsGap == 0 {
				f.EpsGap = sinkhorn.DefaultEps(gapSet.Cost.cloud(xb, yb))
			}
			cur := stepValues{epsFit: decay(f.EpsFit, s.EpsFitFinal), epsGap: decay(f.EpsGap, s.EpsGapFinal),
				lambda: decay(s.Lambda, s.LambdaFinal), sparsity: s.Sparsity}
			o, err := objective(ctx, net, xb, yb, x2, y2, fitSet, gapSet, cur, &pen, f, warm)
			if err != nil {
				return nil, err
			}
			if o.canceled {
				f.Status = ot.Canceled
				return f, nil
			}
			// Cosine decay from lr to final·lr.
			adam.lr = lr * (final + (1-final)*0.5*(1+math.Cos(math.Pi*float64(f.Steps)/total)))
			adam.step(net.Params, o.grad)
			if s.WeightDecay > 0 {
				net.decayWeights(1 - adam.lr*s.WeightDecay)
			}
			f.Steps++
			if avg != nil && f.Steps > avgFrom {
				floats.Add(avg, net.Params)
			}
			rec.Loss += o.loss / float64(steps)
			rec.Fit += o.fit / float64(steps)
			rec.Gap += o.gap / float64(steps)
			rec.GapExcess += (o.gap - cur.epsGap*math.Log(float64(bs))) / float64(steps)
			rec.Sparsity += o.sparsity / float64(steps)
			rec.EpsFit, rec.EpsGap, rec.Lambda = cur.epsFit, cur.epsGap, cur.lambda
		}
		rec.Epoch = ep + 1
		if s.Lambda == 0 {
			rec.GapExcess = 0
		}
		f.History = append(f.History, rec)
		if s.Progress != nil {
			r := rec
			r.Map = net
			s.Progress(r)
		}
	}
	if avg != nil {
		floats.Scale(1/float64(nsteps-avgFrom), avg)
		copy(net.Params, avg)
	}
	return f, nil
}

// stepValues are the weights and ε of one step.
type stepValues struct{ epsFit, epsGap, lambda, sparsity float64 }

// objectiveValue is one evaluation of the loss and its gradient.
type objectiveValue struct {
	loss, fit, gap, sparsity float64
	grad                     []float64
	canceled                 bool
}

// warmStart is what one step hands the next: the columns of the last
// Monge-gap problem and their potential.
type warmStart struct {
	cols *mat.Dense
	g    []float64
}

// objective evaluates L(θ) on one pair of batches and its gradient; warm,
// when non-nil, carries the Monge-gap potential from step to step.
//
// With x2 and y2 non-nil the fitting loss is the cross-batch form of
// FitSettings.CrossBatch, and the gradient covers the rows of xb and then
// those of x2.
func objective(ctx context.Context, net *MLP, xb, yb, x2, y2 *mat.Dense, fitSet, gapSet *Settings,
	v stepValues, pen *ot.ElasticCost, f *Fitted, warm *warmStart) (*objectiveValue, error) {
	lambda, sparsity := v.lambda, v.sparsity
	o := &objectiveValue{}
	count := func(st ot.Status) {
		f.Solves++
		if st == ot.Canceled {
			o.canceled = true
		} else if st != ot.Converged {
			f.Unconverged++
		}
	}
	nb, d := xb.Dims()
	in := xb
	if x2 != nil {
		n2, _ := x2.Dims()
		in = mat.NewDense(nb+n2, d, nil)
		in.Slice(0, nb, 0, d).(*mat.Dense).Copy(xb)
		in.Slice(nb, nb+n2, 0, d).(*mat.Dense).Copy(x2)
	}
	all, c := net.forward(in)
	var gAll, g *mat.Dense
	var tx *mat.Dense
	if x2 == nil {
		tx = all
		div, err := fitSet.Divergence(ctx, tx, yb, v.epsFit)
		if err != nil {
			return nil, err
		}
		o.fit = div.Value
		count(div.Status)
		g = mat.DenseCopyOf(div.Grad)
		gAll = g
	} else {
		n2, _ := x2.Dims()
		tx = all.Slice(0, nb, 0, d).(*mat.Dense)
		tx2 := all.Slice(nb, nb+n2, 0, d).(*mat.Dense)
		var err error
		gAll, err = crossDivergence(ctx, fitSet, tx, tx2, yb, y2, v.epsFit, o, count)
		if err != nil {
			return nil, err
		}
		g = gAll.Slice(0, nb, 0, d).(*mat.Dense)
	}
	if lambda > 0 {
		var initF []float64
		if warm != nil && warm.cols != nil {
			initF = extendF(gapSet.workers(), xb, warm.cols, warm.g, v.epsGap, gapSet.Cost.value)
		}
		gap, err := gapSet.gap(ctx, xb, tx, v.epsGap, initF)
		if err != nil {
			return nil, err
		}
		if warm != nil && gap.Status != ot.Canceled && gap.Status != ot.NumericalError {
			warm.cols, warm.g = tx, gap.Solve.G
		}
		count(gap.Status)
		o.gap = gap.Value
		gap.Grad.Scale(lambda, gap.Grad)
		g.Add(g, gap.Grad)
	}
	if sparsity > 0 {
		n, d := xb.Dims()
		z, dz := make([]float64, d), make([]float64, d)
		for i := 0; i < n; i++ {
			subTo(z, tx.RawRowView(i), xb.RawRowView(i))
			o.sparsity += pen.TauValue(z) / float64(n)
			pen.GradTau(dz, z)
			row := g.RawRowView(i)
			for k, v := range dz {
				row[k] += sparsity / float64(n) * v
			}
		}
	}
	o.loss = o.fit + lambda*o.gap + sparsity*o.sparsity
	o.grad = net.backward(c, gAll)
	return o, nil
}

// crossDivergence sets o.fit to the cross-batch fitting loss
// S = OT_ε(tx, y) − ½ OT_ε(tx, tx2) − ½ OT_ε(y, y2) (KL form, uniform
// weights, SqEuclidean cost; FitSettings.CrossBatch) and returns its
// gradient with respect to the rows of tx and then of tx2 by the envelope
// theorem (docs/monge.md §3): ∂/∂tx_i = Σ_j P^{ty}_ij ∇₁c(tx_i, y_j) −
// ½ Σ_k P^{tt'}_ik ∇₁c(tx_i, tx2_k) and ∂/∂tx2_k = −½ Σ_i P^{tt'}_ik
// ∇₂c(tx_i, tx2_k). count records each solve's status.
func crossDivergence(ctx context.Context, set *Settings, tx, tx2, y, y2 *mat.Dense, eps float64,
	o *objectiveValue, count func(ot.Status)) (*mat.Dense, error) {
	n, d := tx.Dims()
	n2, _ := tx2.Dims()
	sv := set.solver(eps)
	var cost Cost
	solve := func(u, v *mat.Dense) (*ot.Result, error) {
		nu, _ := u.Dims()
		nv, _ := v.Dims()
		res, err := sv.Solve(ctx, &ot.Problem{A: ot.Uniform(nu), B: ot.Uniform(nv), C: cost.cloud(u, v)})
		if err != nil {
			return nil, err
		}
		count(res.Status)
		return res, nil
	}
	ty, err := solve(tx, y)
	if err != nil {
		return nil, err
	}
	tt, err := solve(tx, tx2)
	if err != nil {
		return nil, err
	}
	yy, err := solve(y, y2)
	if err != nil {
		return nil, err
	}
	o.fit = ty.Value - 0.5*tt.Value - 0.5*yy.Value
	w, phi := set.workers(), cost.phi()
	g := mat.NewDense(n+n2, d, nil)
	g1 := g.Slice(0, n, 0, d).(*mat.Dense)
	g1.Copy(planGrad(w, tx, y, ty.F, ty.G, eps, phi, cost.value))
	h := planGrad(w, tx, tx2, tt.F, tt.G, eps, phi, cost.value)
	h.Scale(-0.5, h)
	g1.Add(g1, h)
	// ∇₂c(u, v) = −φ(u − v) = φ(v − u): the column side is planGrad with
	// the roles of the points and potentials exchanged.
	h2 := planGrad(w, tx2, tx, tt.G, tt.F, eps, phi, cost.value)
	h2.Scale(-0.5, h2)
	g.Slice(n, n+n2, 0, d).(*mat.Dense).Copy(h2)
	return g, nil
}

// meanCost returns the mean of c(u_i, v_j) over all pairs.
func meanCost(c *Cost, u, v *mat.Dense) float64 {
	n, d := u.Dims()
	m, _ := v.Dims()
	z := make([]float64, d)
	var s float64
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			subTo(z, u.RawRowView(i), v.RawRowView(j))
			s += c.value(z)
		}
	}
	return s / float64(n*m)
}

// adam is Adam with optax's defaults (β1 = 0.9, β2 = 0.999, ε = 1e-8);
// the parameters from index fast on (when mult > 0) step at mult × lr.
type adam struct {
	m, v []float64
	lr   float64
	t    int
	fast int
	mult float64
}

func newAdam(n int, lr float64) *adam {
	return &adam{m: make([]float64, n), v: make([]float64, n), lr: lr, fast: n}
}

func (a *adam) step(theta, g []float64) {
	const b1, b2, eps = 0.9, 0.999, 1e-8
	a.t++
	c1, c2 := 1-math.Pow(b1, float64(a.t)), 1-math.Pow(b2, float64(a.t))
	for k, gk := range g {
		a.m[k] = b1*a.m[k] + (1-b1)*gk
		a.v[k] = b2*a.v[k] + (1-b2)*gk*gk
		lr := a.lr
		if k >= a.fast {
			lr *= a.mult
		}
		theta[k] -= lr * (a.m[k] / c1) / (math.Sqrt(a.v[k]/c2) + eps)
	}
}
