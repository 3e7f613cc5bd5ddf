// Package monge estimates and fits optimal-transport maps from samples.
//
// It holds three families of tools, all with hand-derived gradients checked
// by finite differences (Go has no automatic differentiation):
//
//   - Gap, the entropic Monge gap of a map on a sample (Uscidda & Cuturi,
//     "The Monge Gap: A Regularizer to Learn All Transport Maps", ICML
//     2023), and Divergence, the debiased Sinkhorn divergence used as the
//     fitting loss (Feydy et al., "Interpolating between Optimal Transport
//     and MMD using Sinkhorn Divergences", AISTATS 2019), each with its
//     gradient with respect to the mapped points;
//   - entropic map estimators: the Pooladian–Niles-Weed map for the
//     SqEuclidean cost (Pooladian & Niles-Weed, "Entropic estimation of
//     optimal transport maps", 2021) and the elastic-cost map for
//     h(z) = ½‖z‖² + γτ(z), τ = ℓ1, STVS or a smoothed ℓ0 (Cuturi, Klein & Ablin,
//     "Monge, Bregman and Occam: Interpretable Optimal Transport in
//     High-Dimensions with Feature-Sparse Maps", ICML 2023; Chen, Xie &
//     Zhang, "Displacement-Sparse Neural Optimal Transport", 2025);
//   - Fit, which trains a residual multilayer perceptron T(x) = x + f_θ(x)
//     by Adam on the fitting loss plus λ times the Monge gap (plus an
//     optional displacement-sparsity penalty).
//
// # Conventions
//
// The SqEuclidean cost is ‖x − y‖² without ½ (package ot's convention); the
// elastic costs carry the ½. A problem with cost ‖x − y‖² at ε and one with
// ½‖x − y‖² at ε/2 have the same plan and map, and half the values. The
// Monge gap subtracts the entropy-form optimum W_ε, so it is at least
// ε·log n (GapResult.Floor), not 0. The mathematics, with the formulas the
// code relies on and the fixtures the tests use, is in docs/monge.md.
//
// Errors are for bad input only and wrap package ot's sentinels; a nil
// context means context.Background(); Workers never changes a result.
package monge
