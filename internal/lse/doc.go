// Package lse holds the exponential and log-sum-exp kernels shared by the
// entropic solvers: a fast pure-Go exp accurate to about one ulp, slice
// kernels, log-sum-exp over a slice (a row), column log-sum-exp over
// row-major data computed by streaming rows with a per-column running
// maximum and sum (never strided access), and fused kernels over the affine
// exponent z_j = (s + g_j − c_j)·k that Sinkhorn iterations evaluate.
//
// Mismatched slice lengths are programmer errors and panic with an
// "lse:" prefix.
package lse
