package cardinality

import (
	"context"
	"math"
	"testing"

	"github.com/otkit/otkit/internal/stress"
	"github.com/otkit/otkit/ot"
)

// FuzzContract decodes a small problem (weights 0 or 1e-12…1, costs with
// forbidden pairs, scaled by 1e-300…1e300) and settings (K, γ, RowSparse,
// formulation, optimizer, MaxIter) and checks the solver contract with
// stress.Check and the sparsity bound: at most K nonzeros per column (per
// row with RowSparse).
func FuzzContract(f *testing.F) {
	f.Add([]byte{3, 3, 6, 1, 1, 1, 1, 1, 1, 8, 16, 24, 32, 40, 48, 56, 64, 72, 1, 0, 0, 0, 0, 0})
	f.Add([]byte{2, 4, 0, 1, 13, 0, 5, 9, 2, 255, 8, 16, 255, 24, 1, 2, 0, 3, 1, 5})
	f.Add([]byte{5, 1, 12, 3, 0, 1, 12, 7, 2, 200, 100, 50, 25, 0, 10, 2, 2, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		fz := stress.Decode(data)
		in := fz.In
		s := &Solver{K: 1 + int(in.Next()%4), RowSparse: in.Next()%2 == 1,
			Formulation: Formulation(in.Next() % 2), Optimizer: Optimizer(in.Next() % 3)}
		if in.Next()%4 != 0 {
			n, m := fz.P.Dims()
			s.Gamma = in.Log(-4, 2) * math.Max(fz.MaxC, fz.Scale) * float64(max(n, m)) / math.Max(fz.Mass, 1e-300)
		}
		s.MaxIter = []int{0, 1, 20, 100}[in.Next()%4]
		res, err := s.Solve(context.Background(), fz.P)
		if e := stress.Check(fz.P, res, err, defaultTol); e != nil {
			t.Fatalf("%+v: %v", *s, e)
		}
		if err != nil || res.Status == ot.NumericalError {
			return
		}
		nnz := stress.ColumnNNZ(res.Plan)
		if s.RowSparse {
			nnz = stress.RowNNZ(res.Plan)
		}
		if nnz > s.K {
			t.Fatalf("%+v: %d nonzeros in a line, K = %d", *s, nnz, s.K)
		}
	})
}

// FuzzRouterContract routes small score matrices (values k/4 for bytes k,
// with NaN and ±Inf for bytes 253…255) with fuzzed settings and checks: no
// panic; an error wraps an ot sentinel; otherwise the capacities hold (at
// most Capacity tokens per expert, or experts per token with RowSparse, and
// at most ExpertCapacity tokens per expert when set), the index lists are
// consistent, Dropped = ExpertsPerToken[0], and no figure is NaN unless
// Status is NumericalError.
func FuzzRouterContract(f *testing.F) {
	f.Add([]byte{4, 2, 1, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8})
	f.Add([]byte{6, 3, 2, 1, 1, 0, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 10, 20, 30, 40, 50, 60, 70, 80})
	f.Add([]byte{3, 4, 1, 3, 2, 1, 255, 0, 1, 254, 2, 3, 4, 5, 6, 7, 253, 9})
	f.Fuzz(func(t *testing.T, data []byte) {
		in := stress.NewBytes(data)
		tokens, experts := 1+int(in.Next()%8), 1+int(in.Next()%5)
		r := &Router{Capacity: int(in.Next() % 5)}
		flags := in.Next()
		r.RowSparse = flags&1 != 0
		r.FixedSlots = flags&2 != 0
		r.Refill = flags&4 != 0
		r.PlanWeights = flags&8 != 0
		r.BatchPriority = flags&16 != 0
		if flags&32 != 0 {
			r.ExpertCapacity = 1 + int(in.Next()%4)
		}
		r.Optimizer = Optimizer(in.Next() % 3)
		r.MaxIter = []int{0, 1, 5, 50}[in.Next()%4]
		sc := Scores{Tokens: tokens, Experts: experts, Data: make([]float64, tokens*experts)}
		for k := range sc.Data {
			switch v := in.Next(); v {
			case 253:
				sc.Data[k] = math.NaN()
			case 254:
				sc.Data[k] = math.Inf(1)
			case 255:
				sc.Data[k] = math.Inf(-1)
			default:
				sc.Data[k] = float64(int8(v)) / 4
			}
		}
		rt, err := routeNoPanic(t, r, sc)
		if err != nil {
			if !stress.WrapsSentinel(err) {
				t.Fatalf("%+v: error wraps no ot sentinel: %v", *r, err)
			}
			return
		}
		if e := routingBreach(r, sc, rt); e != "" {
			t.Fatalf("%+v, scores %v: %s", *r, sc.Data, e)
		}
	})
}

func routeNoPanic(t *testing.T, r *Router, sc Scores) (rt *Routing, err error) {
	defer func() {
		if p := recover(); p != nil {
			t.Fatalf("%+v, scores %v: panic: %v", *r, sc.Data, p)
		}
	}()
	return r.Route(context.Background(), sc)
}

// routingBreach returns "" when a routing keeps the router's promises.
func routingBreach(r *Router, sc Scores, rt *Routing) string {
	if rt.Status == ot.NumericalError {
		return ""
	}
	for _, v := range []float64{rt.Score, rt.TokenError, rt.ExpertError, rt.MarginalError, rt.DualValue} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return "non-finite figure with Status " + rt.Status.String()
		}
	}
	for _, v := range append(append([]float64(nil), rt.ExpertWeights...), rt.ExpertPlan...) {
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			return "bad weight or plan entry"
		}
	}
	if len(rt.ExpertStart) != sc.Experts+1 || len(rt.TokenStart) != sc.Tokens+1 {
		return "index lists of the wrong length"
	}
	load := make([]int, sc.Experts)
	for j := range sc.Experts {
		load[j] = rt.ExpertStart[j+1] - rt.ExpertStart[j]
		if !r.RowSparse && load[j] > r.Capacity {
			return "an expert takes more than Capacity tokens"
		}
		if r.RowSparse && r.ExpertCapacity > 0 && load[j] > r.ExpertCapacity {
			return "an expert takes more than ExpertCapacity tokens"
		}
	}
	dropped := 0
	for i := range sc.Tokens {
		k := rt.TokenStart[i+1] - rt.TokenStart[i]
		if r.RowSparse && k > r.Capacity {
			return "a token goes to more than Capacity experts"
		}
		if k == 0 {
			dropped++
		}
	}
	if dropped != rt.Dropped || (len(rt.ExpertsPerToken) > 0 && rt.ExpertsPerToken[0] != dropped) {
		return "Dropped does not count the tokens without an expert"
	}
	return ""
}
