//go:build !race

package ottest

const raceEnabled = false
