// Code generated from ../tour.ipynb (code cell 5) by go test -update; DO NOT EDIT.

package main

import (
	"fmt"

	otplot "github.com/otkit/otkit/plot"
	"github.com/otkit/otkit/sinkhorn"
)

func cell05() {
	var runs []otplot.Run
	for _, eps := range []float64{1, 0.25, 0.05} {
		s := &sinkhorn.Solver{Eps: eps, Method: sinkhorn.LogDomain, CheckEvery: 5}
		runs = append(runs, otplot.Run{Name: fmt.Sprintf("ε = %g", eps), Result: solve(s)})
	}
	show(otplot.Convergence(runs, nil))
}
