package cardinality

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/otkit/otkit/ot"
	"github.com/otkit/otkit/sinkhorn"
)

// GreedyRouter is the usual top-1 baseline: every token goes to the expert
// of its largest gate, and an expert keeps the Capacity tokens with the
// largest gates among those that chose it (ties by token index), dropping
// the rest. Combine weights are the gates, plan entries 1.
type GreedyRouter struct {
	// Capacity is the largest number of tokens an expert takes. Required.
	Capacity int
}

// Route routes one group. The Routing's TokenError, ExpertError and
// MarginalError are those of the hard assignment (plan entries 1) against
// a_i = 1, b_j = n/m; Status is Converged (there is nothing to iterate) and
// Steps 0.
func (g *GreedyRouter) Route(ctx context.Context, s Scores) (*Routing, error) {
	if err := checkBaseline(&s, g.Capacity); err != nil {
		return nil, err
	}
	gates, err := softmaxGates(&s)
	if err != nil {
		return nil, err
	}
	n, m := s.Tokens, s.Experts
	choice, prio := make([]int, n), make([]float64, n)
	for i := range choice {
		row := gates[i*m : (i+1)*m]
		best := 0
		for j, v := range row {
			if v > row[best] {
				best = j
			}
		}
		choice[i], prio[i] = best, row[best]
	}
	out := assign(&s, gates, choice, prio, g.Capacity)
	out.Status = ot.Converged
	return out, nil
}

// SinkhornRouter is the balanced-assignment baseline: entropic OT between
// uniform tokens and uniform experts on the router's cost −softmax(scores)
// (package sinkhorn), every token sent to the largest entry of its plan row,
// then each expert keeps its Capacity tokens of largest plan entry.
type SinkhornRouter struct {
	// Capacity is the largest number of tokens an expert takes. Required.
	Capacity int
	// Solver is the entropic solver; the zero value means Tol 1e-6 and
	// package sinkhorn's other defaults.
	Solver sinkhorn.Solver
}

// Route routes one group; Status and Steps are those of the Sinkhorn
// solve.
func (r *SinkhornRouter) Route(ctx context.Context, s Scores) (*Routing, error) {
	if err := checkBaseline(&s, r.Capacity); err != nil {
		return nil, err
	}
	gates, err := softmaxGates(&s)
	if err != nil {
		return nil, err
	}
	n, m := s.Tokens, s.Experts
	c := make([]float64, len(gates))
	for k, v := range gates {
		c[k] = -v
	}
	cost, err := ot.NewDenseCost(n, m, c)
	if err != nil {
		return nil, err
	}
	solver := r.Solver
	if solver.Tol == 0 {
		solver.Tol = 1e-6
	}
	res, err := solver.Solve(ctx, &ot.Problem{A: ot.Uniform(n), B: ot.Uniform(m), C: cost})
	if err != nil {
		return nil, err
	}
	choice, prio := make([]int, n), make([]float64, n)
	for i := range choice {
		best, bv := 0, math.Inf(-1)
		for j := 0; j < m; j++ {
			if v := res.G[j] - c[i*m+j]; v > bv {
				best, bv = j, v
			}
		}
		choice[i], prio[i] = best, bv+res.F[i]
	}
	out := assign(&s, gates, choice, prio, r.Capacity)
	out.Status, out.Steps = res.Status, res.Iterations
	return out, nil
}

func checkBaseline(s *Scores, capacity int) error {
	if err := s.check(); err != nil {
		return err
	}
	if capacity < 1 {
		return fmt.Errorf("%w: router capacity %d (want ≥ 1)", ot.ErrParameter, capacity)
	}
	return nil
}

// softmaxGates returns the row-wise softmax of the scores.
func softmaxGates(s *Scores) ([]float64, error) {
	n, m := s.Tokens, s.Experts
	g := make([]float64, n*m)
	for i := 0; i < n; i++ {
		row := g[i*m : (i+1)*m]
		s.row(i, row)
		if err := softmaxRow(row, i); err != nil {
			return nil, err
		}
	}
	return g, nil
}

// assign keeps, for every expert, the capacity tokens of largest priority
// among those that chose it (ties by token index) and lays the hard
// assignment out as a Routing.
func assign(s *Scores, gates []float64, choice []int, prio []float64, capacity int) *Routing {
	n, m := s.Tokens, s.Experts
	byExpert := make([][]int, m)
	for i, j := range choice {
		byExpert[j] = append(byExpert[j], i)
	}
	out := &Routing{Tokens: n, Experts: m, Capacity: min(capacity, n)}
	ws := &out.ws
	for j, toks := range byExpert {
		slices.SortStableFunc(toks, func(x, y int) int {
			switch {
			case prio[x] > prio[y]:
				return -1
			case prio[x] < prio[y]:
				return 1
			}
			return 0
		})
		toks = toks[:min(len(toks), capacity)]
		slices.Sort(toks)
		for _, i := range toks {
			ws.eTok = append(ws.eTok, i)
			ws.eExp = append(ws.eExp, j)
			ws.eVal = append(ws.eVal, 1)
		}
	}
	out.layout(func(i, j int) float64 { return gates[i*m+j] }, false)
	return out
}
