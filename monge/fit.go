package monge

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/otkit/otkit/ot"
	"github.com/otkit/otkit/sinkhorn"
)

// FitSettings configure Fit. The zero value is ready to use: a residual
// MLP [32, 64, 32] with GELU, no Monge gap (λ = 0: a plain push-forward
// fit), Adam at learning rate 1e-3, batches of 256, 100 epochs, seed 0.
type FitSettings struct {
	// Hidden are the hidden widths of the MLP; nil means [32, 64, 32].
	Hidden []int
	// Activation is the hidden nonlinearity; the zero value is GELU.
	Activation Activation
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
	// Sparsity is the weight λ_sp ≥ 0 of the displacement-sparsity penalty
	// (λ_sp/n) Σ_i τ(T(x_i) − x_i); zero means none.
	Sparsity float64
	// Penalty gives τ (and the width S of the smoothed ℓ0) of the sparsity
	// penalty; its Gamma is ignored. The zero value is ℓ1.
	Penalty ot.ElasticCost
	// LearningRate is Adam's initial step; zero means 1e-3.
	LearningRate float64
	// FinalRate is the step at the last step as a fraction of
	// LearningRate, reached by cosine decay; zero means 0.01, and 1 keeps
	// the step constant. Values outside (0, 1] are errors.
	FinalRate float64
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
	// EpsFit and EpsGap are the ε used.
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
	}{{"Lambda", s.Lambda}, {"EpsFit", s.EpsFit}, {"EpsGap", s.EpsGap}, {"Sparsity", s.Sparsity}, {"LearningRate", s.LearningRate}} {
		if !(v.v >= 0) || math.IsInf(v.v, 0) {
			return nil, fmt.Errorf("%w: monge: %s = %v (want a finite number ≥ 0)", ot.ErrParameter, v.name, v.v)
		}
	}
	if s.FinalRate < 0 || s.FinalRate > 1 || math.IsNaN(s.FinalRate) {
		return nil, fmt.Errorf("%w: monge: FinalRate = %v (want a number in (0, 1], or 0 for the default)", ot.ErrParameter, s.FinalRate)
	}
	if s.Epochs < 0 || s.BatchSize < 0 || s.Workers < 0 {
		return nil, fmt.Errorf("%w: monge: Epochs %d, BatchSize %d, Workers %d (want ≥ 0)", ot.ErrParameter, s.Epochs, s.BatchSize, s.Workers)
	}
	if err := s.Cost.validate(); err != nil {
		return nil, err
	}
	pen := s.Penalty
	pen.Gamma = 0
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
	net, err := NewMLP(d, hidden, s.Activation, s.Seed)
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
	steps := (n + bs - 1) / bs
	final := s.FinalRate
	if final == 0 {
		final = 0.01
	}
	total := float64(max(epochs*steps-1, 1))
	warm := &warmStart{}
	for ep := 0; ep < epochs; ep++ {
		var rec Record
		for st := 0; st < steps; st++ {
			if ctx.Err() != nil {
				f.Status = ot.Canceled
				return f, nil
			}
			xb, yb := next(x, px, &cx), next(y, py, &cy)
			if f.EpsFit == 0 {
				f.EpsFit = 0.1 * meanCost(&Cost{}, yb, yb)
			}
			if f.EpsGap == 0 {
				f.EpsGap = sinkhorn.DefaultEps(gapSet.Cost.cloud(xb, yb))
			}
			o, err := objective(ctx, net, xb, yb, fitSet, gapSet, s.Lambda, s.Sparsity, &pen, f, warm)
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
			f.Steps++
			rec.Loss += o.loss / float64(steps)
			rec.Fit += o.fit / float64(steps)
			rec.Gap += o.gap / float64(steps)
			rec.GapExcess += (o.gap - f.EpsGap*math.Log(float64(bs))) / float64(steps)
			rec.Sparsity += o.sparsity / float64(steps)
		}
		rec.Epoch = ep + 1
		if s.Lambda == 0 {
			rec.GapExcess = 0
		}
		f.History = append(f.History, rec)
		if s.Progress != nil {
			s.Progress(rec)
		}
	}
	return f, nil
}

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
func objective(ctx context.Context, net *MLP, xb, yb *mat.Dense, fitSet, gapSet *Settings,
	lambda, sparsity float64, pen *ot.ElasticCost, f *Fitted, warm *warmStart) (*objectiveValue, error) {
	tx, c := net.forward(xb)
	div, err := fitSet.Divergence(ctx, tx, yb, f.EpsFit)
	if err != nil {
		return nil, err
	}
	o := &objectiveValue{fit: div.Value}
	count := func(st ot.Status) {
		f.Solves++
		if st == ot.Canceled {
			o.canceled = true
		} else if st != ot.Converged {
			f.Unconverged++
		}
	}
	count(div.Status)
	g := mat.DenseCopyOf(div.Grad)
	if lambda > 0 {
		var initF []float64
		if warm != nil && warm.cols != nil {
			initF = extendF(gapSet.workers(), xb, warm.cols, warm.g, f.EpsGap, gapSet.Cost.value)
		}
		gap, err := gapSet.gap(ctx, xb, tx, f.EpsGap, initF)
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
	o.grad = net.backward(c, g)
	return o, nil
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

// adam is Adam with optax's defaults (β1 = 0.9, β2 = 0.999, ε = 1e-8).
type adam struct {
	m, v []float64
	lr   float64
	t    int
}

func newAdam(n int, lr float64) *adam {
	return &adam{m: make([]float64, n), v: make([]float64, n), lr: lr}
}

func (a *adam) step(theta, g []float64) {
	const b1, b2, eps = 0.9, 0.999, 1e-8
	a.t++
	c1, c2 := 1-math.Pow(b1, float64(a.t)), 1-math.Pow(b2, float64(a.t))
	for k, gk := range g {
		a.m[k] = b1*a.m[k] + (1-b1)*gk
		a.v[k] = b2*a.v[k] + (1-b2)*gk*gk
		theta[k] -= a.lr * (a.m[k] / c1) / (math.Sqrt(a.v[k]/c2) + eps)
	}
}
