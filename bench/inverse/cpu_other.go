//go:build !unix

package main

import "time"

var start = time.Now()

// cpu falls back to the wall clock where the process CPU time is not
// available.
func cpu() time.Duration { return time.Since(start) }
