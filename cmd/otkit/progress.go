package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// progressLine shows "iteration, marginal error, elapsed" on one terminal
// line, once a solve has run for more than a second.
type progressLine struct {
	w     io.Writer
	start time.Time
	mu    sync.Mutex
	last  time.Time
	shown bool
}

func newProgressLine(w io.Writer) *progressLine {
	return &progressLine{w: w, start: time.Now()}
}

// update is an ot.Progress callback.
func (p *progressLine) update(it int, err float64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if now.Sub(p.start) < time.Second || now.Sub(p.last) < 100*time.Millisecond {
		return
	}
	p.last = now
	p.shown = true
	fmt.Fprintf(p.w, "\riteration %8d   marginal error %.3e   elapsed %6.1fs ", it, err, now.Sub(p.start).Seconds())
}

// finish ends the progress line, if one was shown. A nil receiver is a no-op.
func (p *progressLine) finish() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		fmt.Fprintln(p.w)
	}
}

// isTerminal reports whether f is a character device (a terminal).
func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
