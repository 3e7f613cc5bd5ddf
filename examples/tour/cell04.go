// Code generated from ../tour.ipynb (code cell 4) by go test -update; DO NOT EDIT.

package main

import (
	"github.com/otkit/otkit/exact"
	otplot "github.com/otkit/otkit/plot"
	"github.com/otkit/otkit/sinkhorn"
)

func cell04() {
	me, err := otplot.Matching(x, y, solve(&exact.Solver{}).Plan, &otplot.Options{Title: "exact matching"})
	check(err)
	ms, err := otplot.Matching(x, y, solve(&sinkhorn.Solver{Eps: 0.5}).Plan, &otplot.Options{Title: "entropic matching, ε = 0.5"})
	check(err)
	showRow(me, ms)
}
