package quadratic

import "github.com/otkit/otkit/internal/parallel"

// chunkSize is the number of rows per unit of work of the dual's passes.
// Partial sums are kept per chunk and reduced in chunk order, so the
// results are bitwise identical for any number of workers.
const chunkSize = 64

func numChunks(n int) int { return parallel.Chunks(n, chunkSize) }

// forChunks is parallel.For (kept for the dual's passes).
func forChunks(workers, chunks int, f func(worker, chunk int)) { parallel.For(workers, chunks, f) }
