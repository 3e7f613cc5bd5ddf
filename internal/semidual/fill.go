package semidual

import (
	"context"
	"math"
)

// FillCT writes the cost into the transposed layout from its source rows,
// allocating it with Alloc when CT or SetCT has not provided it (Release
// frees it). With direct false the source has n rows of length m, the rows
// of C, which are scattered into the columns, a block of rows at a time;
// with direct true it has m rows of length n, the columns of C, copied in
// place. row(i, dst) writes source row i into dst and returns it. It
// returns the largest finite |C_ij|, and ok false when ctx ended the fill,
// which it checks every few tens of thousands of entries (the first
// touch of each page of a fresh buffer is a page fault, costly on a loaded
// machine).
func (c *Columns) FillCT(ctx context.Context, row func(i int, dst []float64) []float64, direct bool) (maxAbs float64, ok bool) {
	n, m := c.n, c.m
	if c.ct == nil {
		c.ct = Alloc(n * m)
		c.owned, c.ownedCtx = c.ct, ctx
	}
	ct := c.ct
	track := func(x []float64) {
		for _, v := range x {
			if v := math.Abs(v); v > maxAbs && !math.IsInf(v, 1) {
				maxAbs = v
			}
		}
	}
	done := func() bool { return ctx != nil && ctx.Err() != nil }
	if direct {
		step := max(1, checkEntries/max(n, 1))
		for j := 0; j < m; j++ {
			if j%step == 0 && done() {
				return 0, false
			}
			col := ct[j*n : (j+1)*n]
			copy(col, row(j, col))
			track(col)
		}
		return maxAbs, true
	}
	// Blocks of rows: each column's share of a block is contiguous in ct,
	// so the scatter walks ct in order, a page at a time.
	blk := max(1, min(n, checkEntries/max(m, 1)))
	buf := make([]float64, blk*m)
	for i0 := 0; i0 < n; i0 += blk {
		if done() {
			return 0, false
		}
		rows := min(blk, n-i0)
		for r := 0; r < rows; r++ {
			dst := buf[r*m : (r+1)*m]
			copy(dst, row(i0+r, dst))
			track(dst)
		}
		for j := 0; j < m; j++ {
			if j%scatterCols == scatterCols-1 && done() {
				return 0, false
			}
			col := ct[j*n+i0 : j*n+i0+rows]
			for r := range col {
				col[r] = buf[r*m+j]
			}
		}
	}
	return maxAbs, true
}

// scatterCols is the number of columns a block scatter writes between two
// context checks (each may fault in a page).
const scatterCols = 64

// ScaleCT multiplies the transposed cost by 2^−e (exact), checking ctx
// every few tens of thousands of entries; it reports false when ctx ended
// it.
func (c *Columns) ScaleCT(ctx context.Context, e int) bool {
	if e == 0 {
		return true
	}
	ct := c.ct[:c.n*c.m]
	for k := 0; k < len(ct); k += checkEntries {
		if ctx != nil && ctx.Err() != nil {
			return false
		}
		for q := k; q < min(k+checkEntries, len(ct)); q++ {
			ct[q] = math.Ldexp(ct[q], -e)
		}
	}
	return true
}

// Release frees the transposed cost when FillCT allocated it (in the
// background once the context given to FillCT is done: unmapping a large
// buffer takes tens of milliseconds). Nothing obtained from c (CT, Cost)
// may be used afterwards, until the next Reset.
func (c *Columns) Release() {
	if c.owned == nil {
		return
	}
	if x := c.owned; c.ownedCtx != nil && c.ownedCtx.Err() != nil {
		go Free(x)
	} else {
		Free(x)
	}
	c.owned, c.ownedCtx, c.ct = nil, nil, nil
}
