//go:build !linux

package main

import "math"

// loadAverage is not read outside Linux: "?".
func loadAverage() string { return "?" }

// processCPU is not measured outside Linux: NaN.
func processCPU() float64 { return math.NaN() }
