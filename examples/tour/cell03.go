// Code generated from ../tour.ipynb (code cell 3) by go test -update; DO NOT EDIT.

package main

import (
	"fmt"

	"github.com/otkit/otkit/exact"
	otplot "github.com/otkit/otkit/plot"
	"github.com/otkit/otkit/quadratic"
)

func cell03() {
	ex := solve(&exact.Solver{})
	qu := solve(&quadratic.Solver{})
	fmt.Printf("exact:     <P, C> = %.4f, %d entries\n", ex.LinearCost, ex.Plan.NNZ())
	fmt.Printf("quadratic: <P, C> = %.4f, %d entries\n", qu.LinearCost, qu.Plan.NNZ())
	pe, err := otplot.Plan(ex.Plan, &otplot.Options{Title: "exact plan"})
	check(err)
	pq, err := otplot.Plan(qu.Plan, &otplot.Options{Title: "quadratic plan"})
	check(err)
	showRow(pe, pq)
}
