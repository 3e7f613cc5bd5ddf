//go:build race

package ottest

const raceEnabled = true
