//go:build race

package cardinality

// raceEnabled: the race detector drops sync.Pool items and adds
// allocations, so allocation counts are not measured under it.
const raceEnabled = true
