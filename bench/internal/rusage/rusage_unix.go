//go:build unix

// Package rusage reads the process's CPU time and peak memory for the bench programs.
package rusage

import (
	"runtime"
	"syscall"
	"time"
)

// Self returns the process's user CPU time in seconds and its peak
// resident set size in MiB (-1 where unknown).
func Self() (user, peakMiB float64) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return -1, -1
	}
	peak := float64(ru.Maxrss) / 1024 // KiB on Linux
	if runtime.GOOS == "darwin" {
		peak /= 1024 // bytes
	}
	return time.Duration(ru.Utime.Nano()).Seconds(), peak
}
