//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package semidual

import (
	"syscall"
	"unsafe"
)

// mapFloats maps n float64 of anonymous private memory, or returns nil.
func mapFloats(n int) []float64 {
	b, err := syscall.Mmap(-1, 0, n*8, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return nil
	}
	return unsafe.Slice((*float64)(unsafe.Pointer(unsafe.SliceData(b))), n)
}

// unmapFloats unmaps a buffer of mapFloats; one from make (the mapping
// failed) is left to the garbage collector.
func unmapFloats(x []float64) {
	b := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(x))), cap(x)*8)
	_ = syscall.Munmap(b) // EINVAL: not a mapping of mapFloats
}
