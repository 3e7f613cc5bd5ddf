package lse

import "math"

// Cols accumulates the column log-sum-exp of row-major data one row at a
// time, keeping a running maximum and a running sum (rescaled when the
// maximum grows) for every column. The zero value is not usable; call
// NewCols.
type Cols struct {
	max, sum []float64
}

// NewCols returns an accumulator for m columns.
func NewCols(m int) *Cols {
	c := &Cols{max: make([]float64, m), sum: make([]float64, m)}
	c.Reset()
	return c
}

// Reset empties the accumulator.
func (c *Cols) Reset() {
	for j := range c.max {
		c.max[j] = -math.MaxFloat64
		c.sum[j] = 0
	}
}

// AddRow adds one row x (length m).
func (c *Cols) AddRow(x []float64) {
	if len(x) != len(c.max) {
		panic("lse: length mismatch")
	}
	mx, sum := c.max[:len(x)], c.sum[:len(x)]
	for j, z := range x {
		if m := mx[j]; z > m {
			sum[j] = sum[j]*Exp(m-z) + 1
			mx[j] = z
		} else if d := z - m; d >= -expLim {
			sum[j] += expKernel(d)
		} else {
			sum[j] += expSlow(d)
		}
	}
}

// AddAffineRow adds the row z_j = (s + g_j − c_j)·k.
func (c *Cols) AddAffineRow(s float64, g, cost []float64, k float64) {
	if len(g) != len(c.max) || len(cost) != len(g) {
		panic("lse: length mismatch")
	}
	j := 0
	if n8 := len(g) &^ 7; useAVX512 && n8 > 0 {
		for j < n8 {
			j += colsAffine512(&c.max[j], &c.sum[j], &g[j], &cost[j], n8-j, s, k, &exp2Table[0])
			if j < n8 { // a group with an exp argument outside the fast path
				c.addAffineScalar(s, g, cost, k, j, j+8)
				j += 8
			}
		}
	}
	c.addAffineScalar(s, g, cost, k, j, len(g))
}

// addAffineScalar is AddAffineRow's loop over the columns [j0, j1) (its
// vector kernel's reference).
func (c *Cols) addAffineScalar(s float64, g, cost []float64, k float64, j0, j1 int) {
	mx, sum := c.max[:len(g)], c.sum[:len(g)]
	for j := j0; j < j1; j++ {
		z := (s + g[j] - cost[j]) * k
		if m := mx[j]; z > m {
			sum[j] = sum[j]*Exp(m-z) + 1
			mx[j] = z
		} else if d := z - m; d >= -expLim {
			sum[j] += expKernel(d)
		} else {
			sum[j] += expSlow(d)
		}
	}
}

// Merge adds the rows accumulated in o (same number of columns).
func (c *Cols) Merge(o *Cols) {
	if len(o.max) != len(c.max) {
		panic("lse: length mismatch")
	}
	for j, z := range o.max {
		if o.sum[j] == 0 {
			continue
		}
		if m := c.max[j]; z > m {
			c.sum[j] = c.sum[j]*Exp(m-z) + o.sum[j]
			c.max[j] = z
		} else {
			c.sum[j] += o.sum[j] * Exp(z-m)
		}
	}
}

// LSE writes log Σ_i exp(x_ij) for every column into dst (length m) and
// returns it; a column with no finite entry gives −Inf.
func (c *Cols) LSE(dst []float64) []float64 {
	if len(dst) != len(c.max) {
		panic("lse: length mismatch")
	}
	for j, s := range c.sum {
		switch {
		case s == 0:
			dst[j] = math.Inf(-1)
		default:
			dst[j] = c.max[j] + math.Log(s)
		}
	}
	return dst
}
