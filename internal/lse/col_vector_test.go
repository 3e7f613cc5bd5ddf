package lse

import (
	"testing"
)

// TestColsAffineVector: AddAffineRow gives bitwise the results of its
// scalar loop at every length and offset, over rows that raise the running
// maximum, leave it and hit every slow case of the exp.
func TestColsAffineVector(t *testing.T) {
	for m := 0; m < 45; m++ {
		for _, off := range []int{0, 1, 5} {
			got, want := NewCols(m), NewCols(m)
			for r := range 6 {
				g0, c0 := simdArgs(m, uint64(100*m+r)), simdArgs(m, uint64(100*m+r+50))
				g := append(make([]float64, off), g0...)[off:]
				c := append(make([]float64, off), c0...)[off:]
				for j := range g {
					g[j] /= 3
					c[j] /= 5
					if r%2 == 1 { // no slow case: every group in the vector kernel
						g[j], c[j] = float64(j%7), float64((j*j)%11)/3
					}
				}
				s := float64(r) - 2.5
				got.AddAffineRow(s, g, c, 0.9)
				want.addAffineScalar(s, g, c, 0.9, 0, m)
				sameBits(t, want.max, got.max, "Cols max")
				sameBits(t, want.sum, got.sum, "Cols sum")
			}
		}
	}
}
