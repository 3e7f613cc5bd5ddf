// Code generated from ../tour.ipynb (code cell 2) by go test -update; DO NOT EDIT.

package main

import (
	"context"
	"fmt"

	"github.com/otkit/otkit/examples/tour/gonbui"
	gplot "gonum.org/v1/plot"

	"github.com/otkit/otkit/ot"
	otplot "github.com/otkit/otkit/plot"
	"github.com/otkit/otkit/sinkhorn"
)

var problem = newProblem(x, y)

func newProblem(x, y [][]float64) *ot.Problem {
	c, err := ot.NewPointCloud(x, y, ot.SqEuclidean)
	check(err)
	return ot.NewProblem(c)
}

func solve(s ot.Solver) *ot.Result {
	res, err := s.Solve(context.Background(), problem)
	check(err)
	return res
}

func check(err error) {
	if err != nil {
		panic(err)
	}
}

// show displays one plot, or several side by side.
func show(p *gplot.Plot, err error) {
	check(err)
	showRow(p)
}

func showRow(plots ...*gplot.Plot) {
	png, err := otplot.PNGRow(plots...)
	check(err)
	gonbui.DisplayPng(png)
}

func cell02() {
	ent := solve(&sinkhorn.Solver{Eps: 0.5})
	fmt.Printf("Sinkhorn, ε = 0.5: %v after %d sweeps, <P, C> = %.4f\n", ent.Status, ent.Iterations, ent.LinearCost)
	show(otplot.Plan(ent.Plan, &otplot.Options{Log: true, Title: "entropic plan (log scale)"}))
}
