//go:build unix

package main

import (
	"runtime"
	"syscall"
	"time"
)

// rusage returns the process's user CPU time in seconds and its peak
// resident set size in MiB (-1 where unknown).
func rusage() (user, peakMiB float64) {
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
