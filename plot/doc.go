// Package plot draws optimal transport results with gonum/plot: heat maps of
// plans (Plan), matchings between point clouds (Matching, Classes), maps
// x → T(x) (Map), convergence histories (Convergence), expert loads of a
// router (Routing) and regularization paths (Path).
//
// Every function returns a *plot.Plot of gonum.org/v1/plot that the caller
// may restyle before writing it with Write, WritePNG, WriteSVG, PNG (the
// bytes a notebook kernel displays) or Save. Input that cannot make a
// meaningful picture is an error wrapping a sentinel of package ot, never a
// panic or a blank image:
//
//   - ot.ErrEmpty: no rows, columns, points, runs or values;
//   - ot.ErrShape: lengths or dimensions that do not match;
//   - ot.ErrNonFinite: a NaN or infinite entry, coordinate or value;
//   - ot.ErrZeroMass: a plan without a positive entry;
//   - ot.ErrParameter: an option or argument out of range.
//
// # Plans
//
// Plan draws row i (source) from top to bottom and column j (target) from
// left to right, coloured by the entry, with a colour key on the right.
// Any ot.Plan is accepted: dense plans are read in place, sparse (CSR) plans
// by their stored entries, and lazy plans (ot.EntropicPlan) a row at a time,
// so the n×m matrix is never formed. A plan larger than Options.MaxCells
// (512 by default) along an axis is drawn rasterized in blocks of s rows
// (columns), s = ⌈n/MaxCells⌉, each cell holding the SUM of the entries of its
// block, so the picture keeps the plan's mass. With Options.Log the colour is
// log10 of the entry (of the block sum) over Options.Floor·max … max; smaller
// and zero entries are white.
//
// # Point clouds
//
// Matching, Classes and Map take points as [][]float64 (one row per point)
// or *mat.Dense. Two-dimensional points are drawn as they are. Points of
// dimension d > 2 are drawn in the plane of the first two principal
// components of all the points together (sources and targets, or x and
// T(x)): the eigenvectors of their covariance for the two largest
// eigenvalues, each with the sign that makes its largest-magnitude entry
// positive; the axes are then labelled PC1 and PC2. One-dimensional points
// are drawn on two horizontal lines, sources (x) at height 0 and targets
// (T(x)) at height 1.
//
// Matching draws a segment from x_i to y_j for the entries of the plan with
// width and opacity growing with P_ij / max P. A sparse plan (ot.SparsePlan)
// draws its stored entries (its support) only; a dense or lazy plan draws
// its Options.MaxSegments largest entries among those above 1e-3·max P
// (the others would be invisible).
package plot
