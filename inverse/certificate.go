package inverse

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/otkit/otkit/ot"
	"github.com/otkit/otkit/sinkhorn"
)

// Certificate is the irrepresentability (minimal-norm, "Fuchs")
// precertificate of a ground truth θ0 (docs/inverse.md §7): with I the
// support of θ0 together with the unpenalized coordinates, s_k = ω_k sign θ0_k,
//
//	w = (H_II)⁻¹ s_I,   z = H_{:,I} w,
//
// and z_k/ω_k off I. It is nondegenerate when max_{k∉I} |z_k|/ω_k < 1; then
// ℓ1 inverse OT recovers the signs of θ0 for small λ and enough samples.
type Certificate struct {
	// Z holds z_k for every parameter (z_k = s_k on the support, z_k/ω_k off
	// it), row-major over A for the bilinear model.
	Z []float64
	// MaxOff is max_{k∉I} |Z_k| (0 when I holds every coordinate), ArgMax
	// its k (−1 then).
	MaxOff float64
	ArgMax int
	// Nondegenerate is MaxOff < 1.
	Nondegenerate bool
	// Hessian is ∇²L(θ0), the full s×s matrix.
	Hessian *mat.SymDense
}

// Certificate computes the certificate of the truth theta0 (row-major over A
// for the bilinear model) for the model and marginals of d, with the
// Hessian of the population loss at θ0: the observed coupling is replaced by
// the entropic plan P_θ0 between the marginals of d (docs/inverse.md §4).
// The Estimator's Epsilon, Weights, InnerTol, InnerMaxIter and Workers
// apply.
func (e *Estimator) Certificate(ctx context.Context, d *Data, theta0 []float64) (*Certificate, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	ft, err := e.newFitter(d)
	if err != nil {
		return nil, err
	}
	pr := ft.pr
	if len(theta0) != pr.s {
		return nil, fmt.Errorf("%w: θ0 has %d entries, the model %d parameters", ot.ErrShape, len(theta0), pr.s)
	}
	for k, v := range theta0 {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("%w: θ0[%d] = %v", ot.ErrNonFinite, k, v)
		}
	}
	c := make([]float64, pr.n*pr.m)
	if !pr.feat.costTo(ctx, c, theta0) {
		return nil, fmt.Errorf("%w: %w", ot.ErrNotConverged, context.Canceled)
	}
	sv := sinkhorn.Solver{Eps: pr.eps, Tol: ft.set.innerTol, MaxIter: ft.set.innerMax, Workers: pr.workers}
	res, err := sv.Solve(ctx, &ot.Problem{A: pr.a, B: pr.b, C: &ot.DenseCost{N: pr.n, M: pr.m, Data: c}})
	if err != nil {
		return nil, err
	}
	if res.Status != ot.Converged {
		return nil, fmt.Errorf("%w: the plan at θ0: %v", ot.ErrNotConverged, res.Status.Err())
	}
	p := make([]float64, pr.n*pr.m)
	if !pr.planTo(ctx, p, res.F, res.G, c) {
		return nil, fmt.Errorf("%w: %w", ot.ErrNotConverged, context.Canceled)
	}
	idx := make([]int, pr.s)
	for k := range idx {
		idx[k] = k
	}
	H, err := pr.hessian(ctx, p, idx)
	if err == errCanceled {
		return nil, fmt.Errorf("%w: %w", ot.ErrNotConverged, context.Canceled)
	}
	if err != nil {
		return nil, err
	}
	return certificateOf(H, theta0, ft.w)
}

// certificateOf computes the certificate from the full Hessian.
func certificateOf(H *mat.SymDense, theta0, w []float64) (*Certificate, error) {
	s := len(theta0)
	var in, off []int
	for k, v := range theta0 {
		if v != 0 || w[k] == 0 {
			in = append(in, k)
		} else {
			off = append(off, k)
		}
	}
	cert := &Certificate{Z: make([]float64, s), ArgMax: -1, Hessian: H}
	if len(in) > 0 {
		hii := mat.NewSymDense(len(in), nil)
		rhs := mat.NewVecDense(len(in), nil)
		for a, k := range in {
			rhs.SetVec(a, w[k]*float64(sign(theta0[k])))
			for b := a; b < len(in); b++ {
				hii.SetSym(a, b, H.At(k, in[b]))
			}
		}
		var ch mat.Cholesky
		if !ch.Factorize(hii) {
			return nil, fmt.Errorf("%w: the Hessian on the support is singular", ErrNotIdentifiable)
		}
		var wv mat.VecDense
		if err := ch.SolveVecTo(&wv, rhs); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrNotIdentifiable, err)
		}
		for k := 0; k < s; k++ {
			var z float64
			for a, j := range in {
				z += H.At(k, j) * wv.AtVec(a)
			}
			cert.Z[k] = z
		}
	}
	for _, k := range off {
		cert.Z[k] /= w[k]
		if a := math.Abs(cert.Z[k]); a > cert.MaxOff || cert.ArgMax < 0 {
			cert.MaxOff, cert.ArgMax = a, k
		}
	}
	cert.Nondegenerate = cert.MaxOff < 1
	return cert, nil
}
