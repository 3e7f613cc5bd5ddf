// Package gonbui stands in for GoNB's package of the same name
// (github.com/janpfeifer/gonb/gonbui) when the notebook's code runs as the
// plain program examples/tour: the pictures a cell displays are written to
// files instead.
package gonbui

import (
	"fmt"
	"os"
	"path/filepath"
)

// Dir is the directory the pictures are written to.
var Dir = "."

var count int

// DisplayPng writes png to Dir as NN.png, numbered in order, and prints
// "picture: PATH".
func DisplayPng(png []byte) {
	count++
	path := filepath.Join(Dir, fmt.Sprintf("%02d.png", count))
	if err := os.WriteFile(path, png, 0o644); err != nil {
		panic(err)
	}
	fmt.Println(Prefix + path)
}

// DisplayPNG is GoNB's older name for DisplayPng.
func DisplayPNG(png []byte) { DisplayPng(png) }

// Prefix starts the line DisplayPng prints.
const Prefix = "picture: "
