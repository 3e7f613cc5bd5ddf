package parallel

import (
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestForCoversEveryChunkOnce(t *testing.T) {
	for _, workers := range []int{0, 1, 2, 3, 7, 64} {
		for _, chunks := range []int{0, 1, 5, 64, 100} {
			seen := make([]atomic.Int32, chunks)
			For(workers, chunks, func(w, k int) {
				assert.Less(t, w, max(workers, 1))
				seen[k].Add(1)
			})
			for k := range seen {
				assert.EqualValues(t, 1, seen[k].Load(), "workers %d chunks %d chunk %d", workers, chunks, k)
			}
		}
	}
}

func TestPool(t *testing.T) {
	for _, workers := range []int{0, 1, 2, 5} {
		p := NewPool(workers)
		for rep := 0; rep < 3; rep++ {
			var calls atomic.Int32
			hit := make([]atomic.Int32, p.Workers())
			p.Run(func(w int) { calls.Add(1); hit[w].Add(1) })
			assert.EqualValues(t, p.Workers(), calls.Load())
			for w := range hit {
				assert.EqualValues(t, 1, hit[w].Load())
			}
			seen := make([]atomic.Int32, 37)
			p.For(37, func(w, k int) { seen[k].Add(1) })
			for k := range seen {
				assert.EqualValues(t, 1, seen[k].Load())
			}
		}
		p.Close()
	}
	var zero *Pool
	assert.Equal(t, 1, zero.Workers())
}

func TestRangeAndBounds(t *testing.T) {
	n, workers := 10, 3
	next := 0
	for w := 0; w < workers; w++ {
		lo, hi := Range(w, workers, n)
		assert.Equal(t, next, lo)
		next = hi
	}
	assert.Equal(t, n, next)
	assert.Equal(t, 4, Chunks(10, 3))
	lo, hi := Bounds(3, 3, 10)
	assert.Equal(t, []int{9, 10}, []int{lo, hi})
}

// TestPoolCloseBeforeStart: closing a pool right after NewPool, before its
// helpers have started, is race-free and ends them.
func TestPoolCloseBeforeStart(t *testing.T) {
	for range 50 {
		NewPool(4).Close()
	}
}
