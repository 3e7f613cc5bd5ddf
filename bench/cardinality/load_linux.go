//go:build linux

package main

import (
	"math"
	"syscall"
)

// threadCPU returns the CPU time (user + system) of the calling thread in
// seconds.
func threadCPU() float64 {
	var ru syscall.Rusage
	const rusageThread = 1 // RUSAGE_THREAD
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return math.NaN()
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
