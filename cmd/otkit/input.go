package main

import "github.com/otkit/otkit/arrayio"

// readMatrix reads a 2-D array (a 1-D array as one column) from a .npy or
// CSV file (arrayio.ReadFile). Errors name the file.
func readMatrix(path string) (rows, cols int, data []float64, err error) {
	a, err := arrayio.ReadFile(path)
	if err != nil {
		return 0, 0, nil, err
	}
	rows, cols = a.Matrix()
	return rows, cols, a.Data, nil
}
