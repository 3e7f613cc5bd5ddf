//go:build !unix

package main

// rusage is not measured on this system.
func rusage() (user, peakMiB float64) { return -1, -1 }
