//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package semidual

import (
	"sync"
	"syscall"
	"unsafe"
)

// mappings records the base of every live buffer of mapFloats.
var mappings struct {
	sync.Mutex
	base map[*float64]bool
}

// mapFloats maps n float64 of anonymous private memory, or returns nil.
func mapFloats(n int) []float64 {
	b, err := syscall.Mmap(-1, 0, n*8, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return nil
	}
	x := unsafe.Slice((*float64)(unsafe.Pointer(unsafe.SliceData(b))), n)
	mappings.Lock()
	if mappings.base == nil {
		mappings.base = make(map[*float64]bool)
	}
	mappings.base[unsafe.SliceData(x)] = true
	mappings.Unlock()
	return x
}

// unmapFloats unmaps a buffer of mapFloats; one from make (the mapping
// failed) is left to the garbage collector. The pages are dropped first
// with madvise, which, unlike munmap, does not hold off the page faults of
// the rest of the process while it frees them (a canceled solve is
// released in the background while the next one faults in its buffers).
func unmapFloats(x []float64) {
	p := unsafe.SliceData(x)
	mappings.Lock()
	ok := mappings.base[p]
	delete(mappings.base, p)
	mappings.Unlock()
	if !ok {
		return
	}
	b := unsafe.Slice((*byte)(unsafe.Pointer(p)), cap(x)*8)
	dropPages(b)
	_ = syscall.Munmap(b)
}
