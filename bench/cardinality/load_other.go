//go:build !linux

package main

import "math"

// threadCPU is not measured outside Linux (no per-thread CPU clock in
// package syscall): NaN.
func threadCPU() float64 { return math.NaN() }
