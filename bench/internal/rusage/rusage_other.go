//go:build !unix

package rusage

// Self is not measured on this system.
func Self() (user, peakMiB float64) { return -1, -1 }
