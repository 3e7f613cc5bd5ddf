//go:build darwin || freebsd || netbsd || openbsd || dragonfly

package semidual

// dropPages does nothing: munmap frees the pages.
func dropPages([]byte) {}
