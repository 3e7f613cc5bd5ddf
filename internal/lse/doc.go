// Package lse holds the exponential and log-sum-exp kernels shared by the
// entropic solvers: a fast pure-Go exp accurate to about one ulp, slice
// kernels, log-sum-exp over a slice (a row), column log-sum-exp over
// row-major data computed by streaming rows with a per-column running
// maximum and sum (never strided access), and fused kernels over the affine
// exponent z_j = (s + g_j − c_j)·k that Sinkhorn iterations evaluate,
// including one that computes a SqEuclidean cost row in registers
// (SqDistExpSumDot).
//
// On amd64 the slice kernels have AVX2 and, for the eight-lane fused
// kernels, AVX-512 assembly, selected at run time; the pure-Go loops are
// their fallback (other architectures, the purego build tag) and their test
// reference. Every path does exactly the operations of the scalar code, in
// the same order (no FMA; sums in a fixed number of lanes), so results are
// bitwise the same on every path.
//
// Mismatched slice lengths are programmer errors and panic with an
// "lse:" prefix.
package lse
