package exact

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// checkTree verifies the basis invariants: the thread is a preorder of the
// parent tree with correct subtree sizes, flows are non-negative, node
// balances hold, tree arcs have zero reduced cost, and the tree is strongly
// feasible (every zero-flow arc points towards the root).
func checkTree(t *testing.T, tr *tree, rows *costRows, a, b []float64) {
	t.Helper()
	N := tr.n + tr.m + 1
	order := []int32{tr.root}
	for u := tr.thread[tr.root]; u != tr.root; u = tr.thread[u] {
		order = append(order, u)
		require.LessOrEqual(t, len(order), N, "thread does not cycle back")
	}
	require.Len(t, order, N)
	pos := make([]int, N)
	for k, u := range order {
		pos[u] = k
		require.Equal(t, u, tr.thread[tr.rev[u]], "rev of %d", u)
	}
	size := make([]int32, N)
	for k := N - 1; k >= 0; k-- {
		u := order[k]
		size[u]++
		if u != tr.root {
			p := tr.parent[u]
			require.Less(t, pos[p], pos[u], "parent after child")
			size[p] += size[u]
		}
	}
	for u := 0; u < N; u++ {
		require.Equal(t, size[u], tr.size[u], "size of %d", u)
		// Preorder: the subtree of u is the contiguous range after u.
		for k := pos[u] + 1; k < pos[u]+int(size[u]); k++ {
			v := order[k]
			for v != int32(u) && v != tr.root {
				v = tr.parent[v]
			}
			require.Equal(t, int32(u), v, "node %d in the range of %d is not its descendant", order[k], u)
		}
	}
	bal := make([]float64, N-1)
	for u := int32(0); u < tr.root; u++ {
		p := tr.parent[u]
		require.GreaterOrEqual(t, tr.flow[u], 0.0)
		if p == tr.root {
			require.Zero(t, tr.flow[u])
			continue
		}
		require.True(t, (int(u) < tr.n) != (int(p) < tr.n), "arc between two nodes of one side")
		i, j := u, p
		if int(u) >= tr.n {
			i, j = p, u
		}
		bal[i] += tr.flow[u]
		bal[j] += tr.flow[u]
		if tr.flow[u] == 0 {
			require.True(t, tr.up(u), "zero-flow arc of %d points away from the root", u)
		}
		c := rows.clamp(rows.row(int(i))[int(j)-tr.n])
		require.InDelta(t, 0, c+tr.pi[i]-tr.pi[j], 1e-9)
	}
	for i, v := range a {
		require.InDelta(t, v, bal[i], 1e-12)
	}
	for j, v := range b {
		require.InDelta(t, v, bal[tr.n+j], 1e-12)
	}
}

func TestTreeInvariants(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for trial := 0; trial < 40; trial++ {
		n, m := 1+rng.IntN(9), 1+rng.IntN(9)
		kind := []string{"random", "uniform", "unit"}[trial%3]
		p := randomProblem(rng, n, m, trial%2*3, kind)
		t.Run(fmt.Sprintf("%d/%dx%d/%s", trial, n, m, kind), func(t *testing.T) {
			rows := newCostRows(p.C)
			poll := newPoller(context.Background())
			g, _ := rows.prepare(poll, true)
			tr := newTree(n, m)
			require.True(t, tr.build(rows, greedyBasis(rows, p.A, p.B, g, poll), make([]float64, n), g, poll))
			checkTree(t, tr, rows, p.A, p.B)
			pr := &pricer{rows: rows, n: n, m: m, block: 1 + rng.IntN(n*m), tol: relTol * rows.maxAbs, poll: poll}
			for it := 0; ; it++ {
				require.Less(t, it, 10000)
				i, j, rc := pr.find(tr.pi)
				if i < 0 {
					break
				}
				tr.pivot(i, j, rc)
				checkTree(t, tr, rows, p.A, p.B)
			}
		})
	}
}
