// Code generated from ../tour.ipynb (code cell 6) by go test -update; DO NOT EDIT.

package main

import (
	"context"
	"fmt"

	otplot "github.com/otkit/otkit/plot"
	"github.com/otkit/otkit/sinkhorn"
)

// step returns the sources moved by one gradient step on S_ε, with S_ε before and after.
func step(eps, rate float64) (moved [][]float64, before, after float64) {
	s := &sinkhorn.Solver{Eps: eps}
	div, err := s.Divergence(context.Background(), problem)
	check(err)
	n := float64(len(x))
	for i, p := range x {
		moved = append(moved, []float64{p[0] - rate*n*div.GradX.At(i, 0), p[1] - rate*n*div.GradX.At(i, 1)})
	}
	next, err := s.Divergence(context.Background(), newProblem(moved, y))
	check(err)
	return moved, div.Value, next.Value
}

func cell06() {
	moved, before, after := step(0.5, 0.25)
	fmt.Printf("S_ε before the step: %.4f, after: %.4f\n", before, after)
	show(otplot.Map(x, moved, &otplot.Options{Title: "one gradient step on the Sinkhorn divergence"}))
}

// cells are the notebook's code cells, in order.
var cells = []func(){cell01, cell02, cell03, cell04, cell05, cell06}
