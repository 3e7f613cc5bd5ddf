// Package inverse is ℓ1-regularized inverse entropic optimal transport:
// given observed matchings, it recovers a ground cost that is linear in its
// parameters, with sparse interactions (Andrade, Peyré, Poon, "Sparsistency
// for Inverse Optimal Transport", ICLR 2024). The mathematics, with the
// derivations and checks the code relies on, is in docs/inverse.md.
//
// # Model
//
// The observation is a coupling P̂ ≥ 0 between n rows and m columns, with
// marginals a = P̂1 and b = P̂ᵀ1 (unit mass). Observed pairs (x_i, y_i) are
// the diagonal coupling P̂ = diag(w) of the samples with their own empirical
// marginals a = b = w (Data with a nil Coupling). Two cost models:
//
//   - linear: C_θ = C_0 + Σ_k θ_k C_k with given basis costs C_k (Linear);
//   - bilinear: c_A(x, y) = −xᵀAy, A ∈ R^{dx×dy}, θ = vec(A) row-major
//     (Pairs, Coupled).
//
// Sign convention: the cost is minus an affinity. A_kl > 0 rewards pairing
// large x_k with large y_l; for Gaussian marginals the coupling's precision
// has cross block −A/ε. With the convention c = +xᵀAy negate A (and the
// signs of every certificate).
//
// The estimator minimizes the convex gap loss plus an ℓ1 penalty,
//
//	L(θ) + λ Σ_k ω_k|θ_k|,   L(θ) = <C_θ, P̂> − W_ε(θ) = ε KL(P̂‖P_θ) − ε KL(P̂‖a⊗b),
//
// where W_ε(θ) is the entropic transport value of C_θ between a and b and
// P_θ its plan. ∇L(θ) = Φ*(P̂ − P_θ), so at λ = 0 the fit matches the moments
// <C_k, P̂>; for the bilinear model the cross moments Σ_i w_i x_i y_iᵀ. Data
// are centered internally, which changes no plan. Scaling the features is not
// free: ℓ1 is not invariant under it.
//
// # Solver
//
// FISTA (Beck and Teboulle, SIAM J. Imaging Sci. 2009) with soft-thresholding
// and gradient restart (O'Donoghue and Candès, Found. Comput. Math. 2015).
// Every outer step solves the entropic problem at the extrapolated point with
// package sinkhorn, warm-started from the previous potentials, to a tolerance
// that tightens with the residual. The step size is found by backtracking on
// J(θ, f, g), the joint convex upper bound of L at the frozen potentials: it
// is exact and cheap (one pass of exps), so inexact Sinkhorn solves cannot
// make the line search loop (docs/inverse.md §5.2). Once the support is
// stable, Newton steps on the support (exact Hessian by a weighted projection
// on additive matrices, docs/inverse.md §4) refine the estimate for tight
// tolerances.
//
// # Regularization path and certificate
//
// LambdaMax is the smallest λ with a zero estimate, in closed form
// (max_k |<C_k, P̂ − a⊗b>|/ω_k). Path runs a log grid of λ with warm starts
// and optional strong-rule screening (Tibshirani et al., "Strong Rules for
// Discarding Predictors in Lasso-type Problems", JRSS-B 2012) followed by a
// full KKT check. Certificate computes the irrepresentability precertificate
// of a ground truth: nondegenerate (max off-support |z| < 1) predicts sign
// recovery for small λ.
//
// # Gaussian closed forms
//
// For Gaussian marginals the entropic coupling of −xᵀAy is Gaussian with
// cross-covariance GaussianCrossCov(A); GaussianHessian and
// GaussianCertificate follow, and FitGaussian is the O(d³)-per-step
// estimator from the empirical cross moment, for large-sample studies. As ε
// goes from 0 to ∞ the certificate moves from the graphical Lasso's
// (Ravikumar et al., EJS 2011) to the Lasso's.
//
// # Contract
//
// As every otkit solver (see package ot): errors only for bad input, wrapping
// an ot sentinel (ErrNotIdentifiable for constant features); the Estimate's
// Status says how a fit ended (Converged only when the KKT residual is at
// most Tol·λ_max after a Sinkhorn solve to InnerTol); a nil context is
// context.Background(); cancellation returns Status Canceled with the last
// iterate; Workers never changes a result.
package inverse
