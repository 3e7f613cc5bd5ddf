package exact

import "context"

// pollWork is the work (cost entries read or computed, tree nodes visited)
// between two looks at the context: well under a millisecond on one core.
const pollWork = 1 << 18

// pivotWork is the work charged per pivot besides its pricing, so that the
// context is seen at least every pollWork/pivotWork = 256 pivots.
const pivotWork = pollWork / 256

// poller looks at a context after every pollWork units of work, so that the
// long passes of a solve (setup, pricing, potential refreshes) stop soon
// after the context is done.
type poller struct {
	done    func() bool // reports whether the context is done; nil: never
	work    int
	stopped bool
}

func newPoller(ctx context.Context) *poller {
	ch := ctx.Done()
	if ch == nil {
		return &poller{}
	}
	return &poller{done: func() bool {
		select {
		case <-ch:
			return true
		default:
			return false
		}
	}}
}

// add records w units of work and reports whether the context is done,
// looking at it when enough work has been done since the last look.
func (p *poller) add(w int) bool {
	if p.done == nil || p.stopped {
		return p.stopped
	}
	p.work += w
	if p.work < pollWork {
		return false
	}
	return p.now()
}

// now looks at the context and reports whether it is done.
func (p *poller) now() bool {
	if p.done == nil || p.stopped {
		return p.stopped
	}
	p.work = 0
	p.stopped = p.done()
	return p.stopped
}
