//go:build linux

package main

import (
	"math"
	"os"
	"strings"
	"syscall"
	"unsafe"
)

// loadAverage returns the 1-minute load average from /proc/loadavg, or "?".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) > 0 {
		return f[0]
	}
	return "?"
}

// processCPU returns the CPU time of the whole process (all threads) in
// milliseconds, from CLOCK_PROCESS_CPUTIME_ID (exact, unlike getrusage's
// tick-scaled figures).
func processCPU() float64 {
	const clockProcessCPUTime = 2
	var ts syscall.Timespec
	if _, _, e := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockProcessCPUTime, uintptr(unsafe.Pointer(&ts)), 0); e != 0 {
		return math.NaN()
	}
	return float64(ts.Nano()) / 1e6
}
