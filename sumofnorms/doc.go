// Package sumofnorms solves class-based optimal transport with a
// sum-of-norms regularizer (Rahbar, Panahi, Haghir Chehreghani, Dubhashi,
// Krim, ICML 2023).
package sumofnorms
