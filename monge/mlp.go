package monge

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/otkit/otkit/ot"
)

// Activation is the nonlinearity σ of the hidden layers of an MLP.
type Activation int

const (
	// GELU is the tanh approximation 0.5u(1 + tanh(k(u + 0.044715u³))),
	// k = √(2/π) (flax's gelu).
	GELU Activation = iota
	// LeakyReLU is max(u, 0.01u).
	LeakyReLU
	// Tanh is tanh(u).
	Tanh
)

var activationNames = [...]string{GELU: "gelu", LeakyReLU: "leaky_relu", Tanh: "tanh"}

// String returns the activation's name, as map files spell it.
func (a Activation) String() string {
	if a >= 0 && int(a) < len(activationNames) {
		return activationNames[a]
	}
	return fmt.Sprintf("Activation(%d)", int(a))
}

// ParseActivation reads an activation name as String writes it.
func ParseActivation(s string) (Activation, error) {
	for k, n := range activationNames {
		if n == s {
			return Activation(k), nil
		}
	}
	return 0, fmt.Errorf("%w: monge: unknown activation %q (want gelu, leaky_relu or tanh)", ot.ErrParameter, s)
}

var geluK = math.Sqrt(2 / math.Pi)

// act returns σ(u) and σ'(u).
func (a Activation) act(u float64) (v, dv float64) {
	switch a {
	case LeakyReLU:
		if u > 0 {
			return u, 1
		}
		return 0.01 * u, 0.01
	case Tanh:
		t := math.Tanh(u)
		return t, 1 - t*t
	}
	t := math.Tanh(geluK * (u + 0.044715*u*u*u))
	return 0.5 * u * (1 + t), 0.5*(1+t) + 0.5*u*(1-t*t)*geluK*(1+3*0.044715*u*u)
}

// MLP is the residual map T(x) = x + f_θ(x), f_θ a multilayer perceptron:
// h_0 = x, h_l = σ(W_l h_{l−1} + b_l) for the hidden layers, and
// f_θ(x) = W_L h_{L−1} + b_L (docs/monge.md §4). W_l is out × in. With
// Linear, T(x) = x + Ax + f_θ(x) with a learned d × d matrix A (the affine
// part of the map need not be learned through the nonlinearity). It is
// safe for concurrent use once built; its JSON form is the map file of
// `otkit monge apply`.
type MLP struct {
	// Dim is the dimension d of the points.
	Dim int `json:"dim"`
	// Hidden are the widths of the hidden layers (none: an affine map).
	Hidden []int `json:"hidden"`
	// Activation is σ.
	Activation Activation `json:"-"`
	// Linear adds the linear term Ax to the map.
	Linear bool `json:"linear"`
	// Params holds θ: for each layer in order, W_l row-major, then b_l;
	// then, with Linear, A row-major.
	Params []float64 `json:"params"`
}

type mlpJSON struct {
	Format     string    `json:"format"`
	Dim        int       `json:"dim"`
	Hidden     []int     `json:"hidden"`
	Activation string    `json:"activation"`
	Linear     bool      `json:"linear,omitempty"`
	Params     []float64 `json:"params"`
}

// Map-file formats: v1 has no linear term; v2 adds "linear". MarshalJSON
// writes v1 for a map without a linear term (readable by every version)
// and v2 otherwise.
const (
	mapFormatV1 = "otkit-monge-mlp-v1"
	mapFormatV2 = "otkit-monge-mlp-v2"
)

// MarshalJSON writes {"format", "dim", "hidden", "activation", "params"},
// and "linear": true for a map with a linear term (format v2).
func (m *MLP) MarshalJSON() ([]byte, error) {
	f := mapFormatV1
	if m.Linear {
		f = mapFormatV2
	}
	return json.Marshal(mlpJSON{Format: f, Dim: m.Dim, Hidden: m.Hidden, Activation: m.Activation.String(), Linear: m.Linear, Params: m.Params})
}

// UnmarshalJSON reads what MarshalJSON writes (formats v1 and v2) and
// checks it (ErrParameter or ErrShape for a bad format, activation or
// parameter count, ErrNonFinite for a non-finite parameter).
func (m *MLP) UnmarshalJSON(b []byte) error {
	var j mlpJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	switch {
	case j.Format == mapFormatV1 && j.Linear:
		return fmt.Errorf("%w: monge: map format %q has no linear term (want %q)", ot.ErrParameter, j.Format, mapFormatV2)
	case j.Format != mapFormatV1 && j.Format != mapFormatV2:
		return fmt.Errorf("%w: monge: map format %q (want %q or %q)", ot.ErrParameter, j.Format, mapFormatV1, mapFormatV2)
	}
	a, err := ParseActivation(j.Activation)
	if err != nil {
		return err
	}
	*m = MLP{Dim: j.Dim, Hidden: j.Hidden, Activation: a, Linear: j.Linear, Params: j.Params}
	return m.validate()
}

func (m *MLP) validate() error {
	if m.Dim < 1 {
		return fmt.Errorf("%w: monge: map dimension %d", ot.ErrShape, m.Dim)
	}
	for _, h := range m.Hidden {
		if h < 1 {
			return fmt.Errorf("%w: monge: hidden width %d (want ≥ 1)", ot.ErrParameter, h)
		}
	}
	if want := m.numParams(); len(m.Params) != want {
		return fmt.Errorf("%w: monge: map has %d parameters, its shape %d-%v-%d (linear %v) needs %d", ot.ErrShape,
			len(m.Params), m.Dim, m.Hidden, m.Dim, m.Linear, want)
	}
	for k, v := range m.Params {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%w: monge: map parameter %d = %v", ot.ErrNonFinite, k, v)
		}
	}
	return nil
}

// layer is one affine layer: W (out×in) at off, b at off + out·in.
type layer struct{ in, out, off int }

func (m *MLP) layers() []layer {
	var ls []layer
	in, off := m.Dim, 0
	for _, h := range append(append([]int(nil), m.Hidden...), m.Dim) {
		ls = append(ls, layer{in, h, off})
		off += h*in + h
		in = h
	}
	return ls
}

// linOff is the offset of the linear term A in Params.
func (m *MLP) linOff() int {
	ls := m.layers()
	l := ls[len(ls)-1]
	return l.off + l.out*l.in + l.out
}

func (m *MLP) numParams() int {
	if m.Linear {
		return m.linOff() + m.Dim*m.Dim
	}
	return m.linOff()
}

// NewMLP returns the residual MLP of dimension dim with the given hidden
// widths, weights drawn from N(0, 1/fan_in) (LeCun normal) with the seeded
// generator and zero biases, without a linear term.
func NewMLP(dim int, hidden []int, act Activation, seed uint64) (*MLP, error) {
	return newMLP(dim, hidden, act, seed, false)
}

// newMLP is NewMLP with, when linear is set, the linear term A = 0 and a
// zero output layer W_L (the map starts at the identity; the hidden
// layers are those of NewMLP).
func newMLP(dim int, hidden []int, act Activation, seed uint64, linear bool) (*MLP, error) {
	m := &MLP{Dim: dim, Hidden: append([]int(nil), hidden...), Activation: act, Linear: linear}
	if dim < 1 {
		return nil, fmt.Errorf("%w: monge: dimension %d", ot.ErrShape, dim)
	}
	if act < 0 || int(act) >= len(activationNames) {
		return nil, fmt.Errorf("%w: monge: unknown activation %d", ot.ErrParameter, int(act))
	}
	for _, h := range hidden {
		if h < 1 {
			return nil, fmt.Errorf("%w: monge: hidden width %d (want ≥ 1)", ot.ErrParameter, h)
		}
	}
	rng := rand.New(rand.NewPCG(seed, 0x6d6c70))
	m.Params = make([]float64, m.numParams())
	ls := m.layers()
	for _, l := range ls {
		sd := 1 / math.Sqrt(float64(l.in))
		for k := l.off; k < l.off+l.out*l.in; k++ {
			m.Params[k] = sd * rng.NormFloat64()
		}
	}
	if linear && len(hidden) > 0 {
		// The map starts at the identity: a random output layer would add
		// a random nonlinear function that the fitting loss, blurred at
		// the scale √ε, hardly sees and training does not remove.
		l := ls[len(ls)-1]
		clear(m.Params[l.off : l.off+l.out*l.in])
	}
	return m, nil
}

// decayWeights multiplies the weight matrices W_l (not the biases, not A)
// by r.
func (m *MLP) decayWeights(r float64) {
	for _, l := range m.layers() {
		floats.Scale(r, m.Params[l.off:l.off+l.out*l.in])
	}
}

// linear returns the d × d matrix A of the linear term held in p.
func (m *MLP) linear(p []float64) *mat.Dense {
	o := m.linOff()
	return mat.NewDense(m.Dim, m.Dim, p[o:o+m.Dim*m.Dim])
}

func (m *MLP) weights(l layer, p []float64) (w *mat.Dense, b []float64) {
	return mat.NewDense(l.out, l.in, p[l.off:l.off+l.out*l.in]), p[l.off+l.out*l.in : l.off+l.out*l.in+l.out]
}

// cache keeps the pre-activations U_l and activations H_l of a forward pass.
type cache struct{ h, du []*mat.Dense } // h[0] = X; du[l] = σ'(U_l)

// forward maps the rows of x and records what backward needs.
func (m *MLP) forward(x *mat.Dense) (*mat.Dense, *cache) {
	n, _ := x.Dims()
	ls := m.layers()
	c := &cache{h: []*mat.Dense{x}}
	h := x
	for k, l := range ls {
		w, b := m.weights(l, m.Params)
		u := mat.NewDense(n, l.out, nil)
		u.Mul(h, w.T())
		for i := 0; i < n; i++ {
			row := u.RawRowView(i)
			for j := range row {
				row[j] += b[j]
			}
		}
		if k == len(ls)-1 {
			u.Add(u, x)
			if m.Linear {
				var ax mat.Dense
				ax.Mul(x, m.linear(m.Params).T())
				u.Add(u, &ax)
			}
			return u, c
		}
		du := mat.NewDense(n, l.out, nil)
		ur, dr := u.RawMatrix().Data, du.RawMatrix().Data
		for i, v := range ur {
			ur[i], dr[i] = m.Activation.act(v)
		}
		c.h = append(c.h, u)
		c.du = append(c.du, du)
		h = u
	}
	panic("unreachable")
}

// backward returns ∂L/∂θ for the upstream gradient g = ∂L/∂T (n×d):
// dW_L = gᵀH_{L−1}, db_L = Σ_i g_i, D = gW_L; then for each hidden layer
// from the last, E = D ⊙ σ'(U_l), dW_l = EᵀH_{l−1}, db_l = Σ_i E_i,
// D = EW_l. The skip connection adds nothing to the parameter gradients;
// the linear term has dA = gᵀX.
func (m *MLP) backward(c *cache, g *mat.Dense) []float64 {
	grad := make([]float64, len(m.Params))
	if m.Linear {
		m.linear(grad).Mul(g.T(), c.h[0])
	}
	ls := m.layers()
	d := g
	for k := len(ls) - 1; k >= 0; k-- {
		l := ls[k]
		if k < len(ls)-1 {
			var e mat.Dense
			e.MulElem(d, c.du[k])
			d = &e
		}
		dw, db := m.weights(l, grad)
		dw.Mul(d.T(), c.h[k])
		n, _ := d.Dims()
		for i := 0; i < n; i++ {
			for j, v := range d.RawRowView(i) {
				db[j] += v
			}
		}
		if k > 0 {
			w, _ := m.weights(l, m.Params)
			var next mat.Dense
			next.Mul(d, w)
			d = &next
		}
	}
	return grad
}

// Map returns T(x) = x + f_θ(x). It panics if len(x) ≠ Dim.
func (m *MLP) Map(x []float64) []float64 {
	if len(x) != m.Dim {
		panic(fmt.Sprintf("monge: query of dimension %d, map of dimension %d", len(x), m.Dim))
	}
	out, _ := m.forward(mat.NewDense(1, m.Dim, append([]float64(nil), x...)))
	return out.RawRowView(0)
}

// Apply maps every row of q. Errors (wrapping ot sentinels): q empty, of
// another dimension than the map, or with non-finite entries.
func (m *MLP) Apply(q *mat.Dense) (*mat.Dense, error) {
	if err := checkPoints("query", q); err != nil {
		return nil, err
	}
	if _, d := q.Dims(); d != m.Dim {
		return nil, fmt.Errorf("%w: monge: query points have dimension %d, the map %d", ot.ErrShape, d, m.Dim)
	}
	out, _ := m.forward(q)
	return out, nil
}
