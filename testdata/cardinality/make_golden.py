#!/usr/bin/python3
"""Golden values for package cardinality (sparsity-constrained OT).

POT 0.8.2 has no sparsity-constrained solver, so the values come from
(1) an exhaustive search written independently of the Go tests: for every
choice of at most k rows per column it solves the convex QP on that support
with scipy (feasibility by linprog, then the QP as a non-negative least
squares problem with heavily weighted marginal equations, scipy nnls) and keeps the best feasible value; and (2) the k = 1 closed form OT + (gamma/2) sum b^2 of the relaxation on
the 1-D example of the paper's notebook, with OT from ot.emd2. (POT's
smooth_ot_dual stops too early to serve as a reference for the quadratic
end; the tests use the value of docs/cardinality.md for that.) Infeasible cases are kept
with value null.

Run: /usr/bin/python3 testdata/cardinality/make_golden.py  (writes golden.json)
"""
import itertools
import json
import os

import numpy as np
import ot
import scipy.optimize


def restricted_qp(a, b, C, gamma, support):
    """min <T,C> + gamma/2 |T|^2 over T >= 0 on support, marginals a, b."""
    n, m = C.shape
    idx = [(i, j) for j in range(m) for i in support[j]]
    if any(not any(i in support[j] for j in range(m)) for i in range(n) if a[i] > 0):
        return None
    c = np.array([C[i, j] for i, j in idx])
    A = np.zeros((n + m, len(idx)))
    for q, (i, j) in enumerate(idx):
        A[i, q] = 1
        A[n + j, q] = 1
    rhs = np.concatenate([a, b])
    # Feasibility first (linear program), then the QP from a feasible point.
    lp = scipy.optimize.linprog(np.zeros(len(idx)), A_eq=A, b_eq=rhs, bounds=[(0, None)] * len(idx), method="highs")
    if lp.status != 0:
        return None
    # <c,t> + gamma/2 |t|^2 = gamma/2 |t + c/gamma|^2 + const: the Euclidean
    # projection of -c/gamma onto {t >= 0, A t = rhs}, solved as a
    # non-negative least-squares problem with the equalities weighted by W
    # (Lawson-Hanson active set; the penalty error is O(1/W^2)).
    W = 1e6
    Mat = np.vstack([W * A, np.eye(len(idx))])
    y = np.concatenate([W * rhs, -c / gamma])
    t, _ = scipy.optimize.nnls(Mat, y, maxiter=100 * len(idx))
    if np.abs(A @ t - rhs).sum() > 1e-8:
        return None
    return float(c @ t + gamma / 2 * t @ t)


def brute_force(a, b, C, k, gamma):
    n, m = C.shape
    best = None
    for support in itertools.product(itertools.combinations(range(n), min(k, n)), repeat=m):
        v = restricted_qp(a, b, C, gamma, support)
        if v is not None and (best is None or v < best):
            best = v
    return best


def main():
    rng = np.random.RandomState(2023)
    cases = []
    shapes = [(3, 3, 1), (3, 3, 2), (4, 3, 2), (3, 2, 2), (4, 2, 2), (4, 3, 3), (3, 3, 2), (4, 4, 2), (2, 3, 1), (4, 3, 1)]
    for trial, (n, m, k) in enumerate(shapes):
        gamma = [0.5, 2.0, 10.0][trial % 3]
        a = rng.uniform(0.2, 1.2, n)
        b = rng.uniform(0.2, 1.2, m)
        a /= a.sum()
        b /= b.sum()
        C = rng.uniform(0, 1, (n, m))
        v = brute_force(a, b, C, k, gamma)
        cases.append({"a": a.tolist(), "b": b.tolist(), "c": C.ravel().tolist(), "n": n, "m": m,
                      "k": k, "gamma": gamma, "value": v})
    # 1-D example (spec section 8.4).
    x = np.arange(32, dtype=float)
    a1 = ot.datasets.make_1D_gauss(32, m=10, s=4)
    b1 = ot.datasets.make_1D_gauss(32, m=16, s=5)
    M = (x[:, None] - x[None, :]) ** 2 / 31.0 ** 2
    lp = float(ot.emd2(a1, b1, M))
    notebook = {"a": a1.tolist(), "b": b1.tolist(), "ot": lp, "sum_b2": float((b1 ** 2).sum()), "gammas": []}
    for gamma in [1.0, 0.1]:
        notebook["gammas"].append({"gamma": gamma, "k1_value": lp + gamma / 2 * float((b1 ** 2).sum())})
    out = {"pot_version": ot.__version__, "brute_force": cases, "notebook_1d": notebook}
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
