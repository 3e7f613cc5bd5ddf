package semidual

import "syscall"

// dropPages frees the pages of a private anonymous mapping (they read as
// zero afterwards) without unmapping it.
func dropPages(b []byte) { _ = syscall.Madvise(b, syscall.MADV_DONTNEED) }
