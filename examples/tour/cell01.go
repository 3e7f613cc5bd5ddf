// Code generated from ../tour.ipynb (code cell 1) by go test -update; DO NOT EDIT.

package main

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// Sixty sources around the origin and eighty targets on a ring around (4, 1),
// each sorted by their first coordinate (so that the plans below show some order).
var x, y = clouds(60, 80)

func clouds(n, m int) (x, y [][]float64) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range n {
		x = append(x, []float64{rng.NormFloat64(), 0.6 * rng.NormFloat64()})
	}
	for range m {
		t := 2 * math.Pi * rng.Float64()
		y = append(y, []float64{4 + 1.5*math.Cos(t) + 0.2*rng.NormFloat64(), 1 + 1.5*math.Sin(t) + 0.2*rng.NormFloat64()})
	}
	byFirst := func(a, b []float64) int { return cmp.Compare(a[0], b[0]) }
	slices.SortFunc(x, byFirst)
	slices.SortFunc(y, byFirst)
	return x, y
}

func cell01() {
	fmt.Printf("%d sources and %d targets in the plane\n", len(x), len(y))
}
