// Command tour is the code of the GoNB notebook examples/tour.ipynb as a
// plain program: optimal transport between two point clouds (Sinkhorn, exact
// and quadratic plans side by side, matchings, convergence and a gradient
// step on the Sinkhorn divergence), with the pictures written as PNG files
// to the directory given by -out (a new temporary directory by default).
//
//	go run ./examples/tour -out pictures
//
// The files cell*.go are generated from the notebook's code cells (go test
// ./examples/tour -update rewrites them, and the notebook's outputs); the
// package gonbui here stands in for GoNB's.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/otkit/otkit/examples/tour/gonbui"
)

// cellMarker, printed before each cell when $OTKIT_TOUR_CELLS is set, lets
// the notebook test split the output by cell.
const cellMarker = "\x1fcell"

func main() {
	out := flag.String("out", "", "directory for the pictures (default: a new temporary directory)")
	flag.Parse()
	dir := *out
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "otkit-tour-"); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	gonbui.Dir = dir
	for _, cell := range cells {
		if os.Getenv("OTKIT_TOUR_CELLS") != "" {
			fmt.Println(cellMarker)
		}
		cell()
	}
}
