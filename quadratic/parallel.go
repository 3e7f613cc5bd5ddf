package quadratic

import "sync"

// chunkSize is the number of rows (dual) or columns (semi-dual) per unit of
// work. Partial sums are kept per chunk and reduced in chunk order, so the
// results are bitwise identical for any number of workers.
const chunkSize = 64

func numChunks(n int) int { return (n + chunkSize - 1) / chunkSize }

// forChunks calls f(worker, chunk) for every chunk, the chunks assigned
// statically to min(workers, chunks) goroutines (worker w takes chunks w,
// w+W, ...). It returns when all calls are done.
func forChunks(workers, chunks int, f func(worker, chunk int)) {
	if workers > chunks {
		workers = chunks
	}
	if workers <= 1 {
		for c := 0; c < chunks; c++ {
			f(0, c)
		}
		return
	}
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for c := w; c < chunks; c += workers {
				f(w, c)
			}
		}(w)
	}
	wg.Wait()
}
