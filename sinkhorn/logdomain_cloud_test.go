package sinkhorn

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otkit/otkit/internal/otest"
	"github.com/otkit/otkit/ot"
)

// TestLogDomainCloudFused: the f-pass of a SqEuclidean point cloud (cost
// computed in the row kernel's registers) gives bitwise the same potentials
// for any worker count, and the same solve as the materialized cost.
func TestLogDomainCloudFused(t *testing.T) {
	for _, d := range []int{2, 3, 4} {
		for _, nm := range [][2]int{{37, 45}, {70, 130}} {
			n, m := nm[0], nm[1]
			pc := otest.CloudProblem(rand.New(rand.NewPCG(uint64(d), 8)), n, m, d, nil, false)
			row := make([]float64, m)
			data := make([]float64, 0, n*m)
			for i := range n {
				data = append(data, pc.C.Row(i, row)...)
			}
			dense := &ot.Problem{A: pc.A, B: pc.B, C: &ot.DenseCost{N: n, M: m, Data: data}}
			var ref *ot.Result
			for _, w := range []int{1, 2, 3} {
				s := &Solver{Method: LogDomain, Eps: 0.5, Workers: w, Tol: 1e-12}
				res, err := s.Solve(context.Background(), pc)
				require.NoError(t, err)
				require.Equal(t, ot.Converged, res.Status)
				if ref == nil {
					ref = res
					continue
				}
				for i := range ref.F {
					require.Equal(t, math.Float64bits(ref.F[i]), math.Float64bits(res.F[i]), "F[%d], %d workers", i, w)
				}
				for j := range ref.G {
					require.Equal(t, math.Float64bits(ref.G[j]), math.Float64bits(res.G[j]), "G[%d], %d workers", j, w)
				}
			}
			s := &Solver{Method: LogDomain, Eps: 0.5, Tol: 1e-12}
			res, err := s.Solve(context.Background(), dense)
			require.NoError(t, err)
			assert.InDelta(t, ref.Value, res.Value, 1e-9*math.Abs(ref.Value))
			assert.InDelta(t, ref.LinearCost, res.LinearCost, 1e-9*math.Abs(ref.LinearCost))
		}
	}
}
