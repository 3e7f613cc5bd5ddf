package monge

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"github.com/otkit/otkit/ot"
)

func randDense(rng *rand.Rand, n, d int) *mat.Dense {
	x := mat.NewDense(n, d, nil)
	for i := range x.RawMatrix().Data {
		x.RawMatrix().Data[i] = rng.NormFloat64()
	}
	return x
}

func TestMLPBackpropFD(t *testing.T) {
	for _, tc := range []struct {
		act    Activation
		linear bool
	}{{GELU, false}, {LeakyReLU, false}, {Tanh, false}, {GELU, true}} {
		act := tc.act
		name := act.String()
		if tc.linear {
			name += "+linear"
		}
		t.Run(name, func(t *testing.T) {
			net, err := newMLP(2, []int{16, 16}, act, 5, tc.linear)
			require.NoError(t, err)
			rng := rand.New(rand.NewPCG(1, 1))
			if tc.linear {
				for k := net.linOff(); k < len(net.Params); k++ {
					net.Params[k] = 0.1 * rng.NormFloat64() // A ≠ 0
				}
			}
			x, g := randDense(rng, 7, 2), randDense(rng, 7, 2)
			loss := func() float64 {
				out, _ := net.forward(x)
				return mat.Sum(mulElem(out, g))
			}
			_, c := net.forward(x)
			grad := net.backward(c, g)
			var num2, den2 float64
			for k := range net.Params {
				p := net.Params[k]
				net.Params[k] = p + 1e-6
				fp := loss()
				net.Params[k] = p - 1e-6
				fm := loss()
				net.Params[k] = p
				fd := (fp - fm) / 2e-6
				num2 += (fd - grad[k]) * (fd - grad[k])
				den2 += grad[k] * grad[k]
			}
			rel := math.Sqrt(num2 / den2)
			t.Logf("relative error %.2e", rel)
			assert.Less(t, rel, 1e-6)
		})
	}
}

func mulElem(a, b *mat.Dense) *mat.Dense {
	var c mat.Dense
	c.MulElem(a, b)
	return &c
}

func TestGELUDerivative(t *testing.T) {
	for u, want := range map[float64]float64{-1.3: -0.1258780698, 0.2: 0.6574581492, 2.1: 1.0753508892} {
		_, d := GELU.act(u)
		assert.InDelta(t, want, d, 1e-9)
	}
}

// TestObjectiveFD checks the whole objective's parameter gradient (fitting
// loss + λ·Monge gap + sparsity penalty, converged Sinkhorn) against
// central differences on a 2-8-8-2 net with the linear term, for the
// within-batch and the cross-batch fitting loss.
func TestObjectiveFD(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	x, y := randDense(rng, 8, 2), randDense(rng, 9, 2)
	x2, y2 := randDense(rng, 7, 2), randDense(rng, 6, 2)
	for _, tc := range []struct {
		name   string
		x2, y2 *mat.Dense
	}{{"within", nil, nil}, {"cross", x2, y2}} {
		t.Run(tc.name, func(t *testing.T) {
			net, err := newMLP(2, []int{8, 8}, GELU, 3, true)
			require.NoError(t, err)
			for k := net.linOff(); k < len(net.Params); k++ {
				net.Params[k] = 0.1 * float64(k%3-1) // A ≠ 0
			}
			set := &Settings{Solver: tight()}
			gapSet := &Settings{Solver: tight(), Cost: Cost{Metric: ot.Elastic, Elastic: ot.ElasticCost{Gamma: 0.2}}}
			pen := &ot.ElasticCost{Tau: ot.PenaltyL0, S: 0.7}
			f := &Fitted{EpsFit: 0.8, EpsGap: 0.5}
			eval := func() *objectiveValue {
				o, err := objective(context.Background(), net, x, y, tc.x2, tc.y2, set, gapSet,
					stepValues{epsFit: f.EpsFit, epsGap: f.EpsGap, lambda: 0.7, sparsity: 0.3}, pen, f, nil)
				require.NoError(t, err)
				return o
			}
			grad := eval().grad
			var num2, den2 float64
			for k := range net.Params {
				p := net.Params[k]
				net.Params[k] = p + 1e-5
				fp := eval().loss
				net.Params[k] = p - 1e-5
				fm := eval().loss
				net.Params[k] = p
				fd := (fp - fm) / 2e-5
				num2 += (fd - grad[k]) * (fd - grad[k])
				den2 += grad[k] * grad[k]
			}
			rel := math.Sqrt(num2 / den2)
			t.Logf("relative error %.2e over %d parameters", rel, len(net.Params))
			assert.Less(t, rel, 1e-6)
			assert.Zero(t, f.Unconverged)
		})
	}
}

// brenier is the closed-form map of gaussSample: T(x) = m₂ + M x.
func brenier(x *mat.Dense) *mat.Dense {
	M := mat.NewDense(2, 2, []float64{0.8043479730, -0.2806492824, -0.2806492824, 1.5334961975})
	var t mat.Dense
	t.Mul(x, M.T())
	n, _ := x.Dims()
	for i := 0; i < n; i++ {
		t.Set(i, 0, t.At(i, 0)+1)
		t.Set(i, 1, t.At(i, 1)+2)
	}
	return &t
}

// relL2 returns sqrt(mean‖a − b‖² / mean‖b − mean(b)‖²).
func relL2(a, b *mat.Dense) float64 {
	n, d := b.Dims()
	var num, den float64
	mean := make([]float64, d)
	for i := 0; i < n; i++ {
		for k := 0; k < d; k++ {
			mean[k] += b.At(i, k) / float64(n)
		}
	}
	for i := 0; i < n; i++ {
		for k := 0; k < d; k++ {
			num += (a.At(i, k) - b.At(i, k)) * (a.At(i, k) - b.At(i, k))
			den += (b.At(i, k) - mean[k]) * (b.At(i, k) - mean[k])
		}
	}
	return math.Sqrt(num / den)
}

// TestFitGaussian is the CI-sized fit (about a second): 600 samples,
// batches of 128, 60 steps. It checks that training reduces the error to
// the closed-form map well below the identity's, and that the warm-started
// Monge-gap solves converge. The accuracy runs (2 000 samples, thousands of
// steps, d = 2 and 5) are in bench/monge, figures in docs/monge.md.
func TestFitGaussian(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 4))
	x, y := gaussSample(rng, 600, false), gaussSample(rng, 600, true)
	q := gaussSample(rng, 1000, false)
	f, err := Fit(nil, x, y, &FitSettings{Lambda: 1, Epochs: 12, BatchSize: 128, LearningRate: 1e-2,
		Hidden: []int{16, 16}, Workers: 2, Seed: 3})
	require.NoError(t, err)
	tq, err := f.Map.Apply(q)
	require.NoError(t, err)
	rel, rel0 := relL2(tq, brenier(q)), relL2(q, brenier(q))
	first, last := f.History[0], f.History[len(f.History)-1]
	t.Logf("relative L2 error %.4f (identity %.4f) after %d steps (εfit %.3g εgap %.3g, epoch 1 %+v, last epoch %+v, solves converged %d/%d)",
		rel, rel0, f.Steps, f.EpsFit, f.EpsGap, first, last, f.Solves-f.Unconverged, f.Solves)
	assert.Less(t, rel, 0.45, "0.27–0.32 on seeds 1–6")
	assert.Less(t, last.Fit, first.Fit/5)
	assert.LessOrEqual(t, f.Unconverged, f.Solves/10, "at most 10% unconverged solves")
}

// TestFitSparse is the displacement-sparse fit of Chen, Xie & Zhang
// (docs/monge.md §6): d = 20, 3 of the coordinates translated by 4; the
// residual MLP fitted with the sparsity penalty λ_sp·τ(T(x) − x) moves only
// those (support read at |T(x)_k − x_k| > 0.5). Without the penalty the
// precision is about 0.3; with it 0.99 (ℓ0) and 0.97 (ℓ1) here, and 0.99
// for both on seeds 12–13 with 400 points and 120 steps.
func TestFitSparse(t *testing.T) {
	n, d, s := 300, 20, 3
	rng := rand.New(rand.NewPCG(11, 2))
	x, y := sparseTask(rng, n, d, s, 4)
	q, _ := sparseTask(rng, 200, d, s, 4)
	for _, tc := range []struct {
		name string
		pen  ot.ElasticCost
		sp   float64
	}{
		{"l0", ot.ElasticCost{Tau: ot.PenaltyL0, S: 1}, 5},
		{"l1", ot.ElasticCost{}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Fit(nil, x, y, &FitSettings{Sparsity: tc.sp, Penalty: tc.pen, Epochs: 25, BatchSize: 100,
				LearningRate: 1e-2, Hidden: []int{32, 32}, Workers: 2, Seed: 1})
			require.NoError(t, err)
			tq, err := f.Map.Apply(q)
			require.NoError(t, err)
			prec, rec := supportScores(q, tq, s, 0.5)
			t.Logf("%s: precision %.3f recall %.3f after %d steps", tc.name, prec, rec, f.Steps)
			assert.GreaterOrEqual(t, prec, 0.9)
			assert.GreaterOrEqual(t, rec, 0.9)
		})
	}
}

// TestFitScheduleAndAverage: the ε and λ schedules end at the requested
// fractions; AverageTail returns the mean of the iterates of the final
// steps; the cross-batch loss and the linear term train deterministically.
func TestFitScheduleAndAverage(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 5))
	x, y := gaussSample(rng, 40, false), gaussSample(rng, 40, true)
	var iters [][]float64
	set := &FitSettings{Lambda: 1, Epochs: 4, BatchSize: 40, LearningRate: 1e-2, Hidden: []int{4}, Seed: 2,
		Linear: true, CrossBatch: true, EpsFit: 1, EpsGap: 0.5, EpsFitFinal: 0.25, EpsGapFinal: 0.5, LambdaFinal: 0.1,
		AverageTail: 0.5, Progress: func(r Record) { iters = append(iters, append([]float64(nil), r.Map.Params...)) }}
	f, err := Fit(nil, x, y, set)
	require.NoError(t, err)
	require.Len(t, iters, 4) // one step per epoch
	last := f.History[3]
	assert.InDelta(t, 0.25, last.EpsFit, 1e-12)
	assert.InDelta(t, 0.25, last.EpsGap, 1e-12)
	assert.InDelta(t, 0.1, last.Lambda, 1e-12)
	for k, v := range f.Map.Params {
		assert.InDelta(t, (iters[2][k]+iters[3][k])/2, v, 1e-15)
	}
	set.Progress = nil
	g, err := Fit(nil, x, y, set)
	require.NoError(t, err)
	assert.Equal(t, f.Map.Params, g.Map.Params)

	for _, bad := range []FitSettings{{AverageTail: 1}, {AverageTail: -0.1}, {EpsFitFinal: 2}, {LambdaFinal: -1}, {EpsGapFinal: math.NaN()}} {
		_, err := Fit(nil, x, y, &bad)
		assert.ErrorIs(t, err, ot.ErrParameter)
	}
}

// TestLinearRate: Adam's first step moves every parameter with a nonzero
// gradient by the learning rate, the linear term's by LinearRate times it;
// the map starts at the identity (A = 0, zero output layer).
func TestLinearRate(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 5))
	x, y := gaussSample(rng, 30, false), gaussSample(rng, 30, true)
	f, err := Fit(nil, x, y, &FitSettings{Lambda: 1, Epochs: 1, BatchSize: 30, LearningRate: 1e-3, FinalRate: 1,
		Hidden: []int{3}, Linear: true, LinearRate: 7, Seed: 1})
	require.NoError(t, err)
	require.Equal(t, 1, f.Steps)
	net := f.Map
	for k := net.linOff(); k < len(net.Params); k++ {
		assert.InDelta(t, 7e-3, math.Abs(net.Params[k]), 1e-9, "A entry %d", k)
	}
	ls := net.layers()
	out := ls[len(ls)-1]
	for k := out.off; k < out.off+out.in*out.out; k++ {
		assert.InDelta(t, 1e-3, math.Abs(net.Params[k]), 1e-9, "W_L entry %d", k)
	}
}
