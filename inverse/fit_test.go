package inverse

import (
	"context"
	"testing"
)

func TestT1ExactRecovery(t *testing.T) {
	x, y, A0, p, eps := t1(t)
	e := Estimator{Epsilon: eps, Tol: 1e-12, InnerTol: 1e-14}
	est, err := e.Fit(context.Background(), Coupled(x, y, p))
	if err != nil {
		t.Fatal(err)
	}
	d := maxAbsDiff(est.Theta, A0.RawMatrix().Data)
	t.Logf("status %v iters %d newton %d sweeps %d kkt %.3g loss %.10f err %.3g", est.Status, est.Iterations, est.NewtonSteps, est.InnerSweeps, est.KKT, est.Loss, d)
	if d > 1e-10 {
		t.Errorf("max|Â − A0| = %.3g, want ≤ 1e-10", d)
	}
}
