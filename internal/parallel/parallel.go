// Package parallel is otkit's one scheduler: static assignment of chunks of
// work to a fixed number of goroutines, so that every reduction can be done
// in chunk order and results are bitwise identical for any worker count.
//
// For runs a parallel loop with goroutines started for the call; a Pool
// keeps its goroutines for the life of one solve, for solvers that run
// thousands of short parallel passes (the goroutine start-up then costs
// more than the pass).
package parallel

import "sync"

// Chunks returns the number of chunks of size at most size that cover n items.
func Chunks(n, size int) int { return (n + size - 1) / size }

// Bounds returns chunk k = [lo, hi) of n items cut into chunks of size size.
func Bounds(k, size, n int) (lo, hi int) { return k * size, min((k+1)*size, n) }

// Range returns the contiguous share [lo, hi) of [0, n) of worker w out of
// workers: worker w gets items w·n/workers up to (w+1)·n/workers.
func Range(w, workers, n int) (lo, hi int) { return w * n / workers, (w + 1) * n / workers }

// For calls f(w, k) for every chunk k in [0, chunks), chunks assigned
// statically to min(workers, chunks) goroutines: worker w takes chunks w,
// w+W, w+2W, … in order. With one worker (or fewer) f runs on the calling
// goroutine. It returns when every call has returned.
func For(workers, chunks int, f func(w, k int)) {
	workers = min(workers, chunks)
	if workers <= 1 {
		for k := 0; k < chunks; k++ {
			f(0, k)
		}
		return
	}
	var wg sync.WaitGroup
	for w := 1; w < workers; w++ {
		wg.Go(func() {
			for k := w; k < chunks; k += workers {
				f(w, k)
			}
		})
	}
	for k := 0; k < chunks; k += workers {
		f(0, k)
	}
	wg.Wait()
}

// Pool is a fixed set of helper goroutines that run one function per worker
// on request. Worker 0 is always the calling goroutine. A Pool is used by
// one goroutine at a time; Close ends the helpers. The zero Pool and a Pool
// of one worker run everything on the caller.
type Pool struct {
	workers int
	jobs    chan func(w int)
	ids     chan int
	done    chan struct{}
}

// NewPool starts workers−1 helper goroutines (none for workers ≤ 1).
func NewPool(workers int) *Pool {
	p := &Pool{workers: max(workers, 1)}
	if p.workers > 1 {
		p.jobs = make(chan func(int))
		p.ids = make(chan int)
		p.done = make(chan struct{})
		// The helpers hold the channels themselves: Close clears p.jobs,
		// possibly before a helper has started.
		jobs, ids, done := p.jobs, p.ids, p.done
		for w := 1; w < p.workers; w++ {
			go func() {
				for f := range jobs {
					f(<-ids)
					done <- struct{}{}
				}
			}()
		}
	}
	return p
}

// Workers returns the number of workers, the caller included.
func (p *Pool) Workers() int {
	if p == nil || p.workers < 1 {
		return 1
	}
	return p.workers
}

// Run calls f(w) once for every worker w in [0, Workers()), f(0) on the
// calling goroutine, and returns when all calls have returned.
func (p *Pool) Run(f func(w int)) {
	if p.Workers() == 1 {
		f(0)
		return
	}
	for w := 1; w < p.workers; w++ {
		p.jobs <- f
		p.ids <- w
	}
	f(0)
	for w := 1; w < p.workers; w++ {
		<-p.done
	}
}

// For is the package-level For run on the pool's workers.
func (p *Pool) For(chunks int, f func(w, k int)) {
	workers := p.Workers()
	if workers == 1 || chunks <= 1 {
		for k := 0; k < chunks; k++ {
			f(0, k)
		}
		return
	}
	p.Run(func(w int) {
		for k := w; k < chunks; k += workers {
			f(w, k)
		}
	})
}

// Close ends the helper goroutines. The Pool must not be used after.
func (p *Pool) Close() {
	if p != nil && p.jobs != nil {
		close(p.jobs)
		p.jobs = nil
	}
}
