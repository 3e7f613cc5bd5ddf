#!/usr/bin/python3
"""Golden results for package quadratic (quadratically-regularized OT).

    min_{T in U(a,b)} <T,C> + (gamma/2) ||T||_F^2

Method (independent of the Go code): POT 0.8.2 `ot.smooth.smooth_ot_dual`
(scipy L-BFGS-B on the dual, reg_type='l2') gives a first estimate of the
potentials; its support is then polished by a primal-dual active-set
iteration in numpy: on the current support S solve the linear KKT system

    sum_{j in S_i} (F_i + G_j - C_ij) = gamma a_i,
    sum_{i in S_j} (F_i + G_j - C_ij) = gamma b_j

by least squares (numpy.linalg.lstsq, as the minimum-norm correction of
the current potentials, which keeps the relative offsets of the connected
components of S that the equations leave free), drop the entries of S with T_ij <= 0, or, when there are none,
add the entries outside S with F_i + G_j - C_ij > 0, until S no longer
changes. When this local iteration cycles, 200 sweeps of exact block ascent
(Gauss-Seidel on the dual, spec section 5.4) bring the potentials closer and
the polish is retried. The result satisfies the
KKT conditions to rounding: the script asserts that the marginal error is
below 1e-12 and that max over the complement of F_i + G_j - C_ij is <= 1e-13
(both are written to the JSON file). The optimum of this strictly convex QP is
unique, so a KKT point is the solution; Value is therefore accurate to about
1e-15 relative. (cvxopt is not installed here; scipy's trust-constr reached
only ~1e-8 on these problems, so it is not used.)

Writes golden.json next to this script. Run: /usr/bin/python3 make_golden.py
"""
import json
import os

import numpy as np
import ot

HERE = os.path.dirname(os.path.abspath(__file__))


def thresholds(V, z):
    """Row-wise threshold theta with sum_j [V_ij - theta_i]_+ = z_i (sort-based)."""
    U = -np.sort(-V, axis=1)
    css = np.cumsum(U, axis=1) - z[:, None]
    ind = np.arange(1, V.shape[1] + 1)
    rho = (U - css / ind > 0).sum(axis=1)
    return css[np.arange(V.shape[0]), rho - 1] / rho


def gauss_seidel(a, b, C, gamma, F, G, sweeps):
    """Exact block ascent on the dual (spec section 5.4), monotone."""
    for _ in range(sweeps):
        F = -thresholds(G[None, :] - C, gamma * a)
        G = -thresholds((F[:, None] - C).T, gamma * b)
    return F, G


def polish(a, b, C, gamma, F, G, max_rounds=200):
    n, m = C.shape
    S = (F[:, None] + G[None, :] - C) > 0
    for _ in range(max_rounds):
        rows, cols = np.nonzero(S)
        k = len(rows)
        A = np.zeros((n + m, n + m))
        rhs = np.zeros(n + m)
        # Row equations.
        for i, j in zip(rows, cols):
            A[i, i] += 1
            A[i, n + j] += 1
            rhs[i] += C[i, j]
            A[n + j, i] += 1
            A[n + j, n + j] += 1
            rhs[n + j] += C[i, j]
        rhs[:n] += gamma * a
        rhs[n:] += gamma * b
        # Minimum-norm correction of the current point: keeps the relative
        # offsets of the connected components of S, which the equations
        # do not determine.
        x0 = np.concatenate([F, G])
        x = x0 + np.linalg.lstsq(A, rhs - A @ x0, rcond=None)[0]
        F, G = x[:n], x[n:]
        X = F[:, None] + G[None, :] - C
        drop = S & (X <= 0)
        add = ~S & (X > 1e-14)
        if not drop.any() and not add.any():
            T = np.where(S, X, 0) / gamma
            if np.abs(T.sum(1) - a).sum() + np.abs(T.sum(0) - b).sum() > 1e-12:
                return None  # an unbalanced component: S is wrong
            break
        # Remove the entries that went negative; add violators only when
        # there is nothing to remove (avoids cycling).
        S = (S & ~drop) if drop.any() else (S | add)
    else:
        return None
    T = np.where(S, np.maximum(X, 0), 0) / gamma
    return F, G, T, X, S


def case(name, a, b, C, gamma):
    a = np.asarray(a, float)
    b = np.asarray(b, float)
    C = np.asarray(C, float)
    # POT's estimate (its plan and potentials, stopThr 1e-12).
    _, log = ot.smooth.smooth_ot_dual(a, b, C, gamma, reg_type="l2", stopThr=1e-12,
                                      numItermax=10000, log=True)
    # If the active-set iteration cycles from POT's point, move closer by
    # Gauss-Seidel sweeps and retry.
    F, G = log["alpha"], log["beta"]
    for attempt in range(100):
        res = polish(a, b, C, gamma, F, G)
        if res is not None:
            break
        F, G = gauss_seidel(a, b, C, gamma, F, G, 200)
    else:
        raise RuntimeError("no KKT point found for " + name)
    F, G, T, X, S = res
    merr = np.abs(T.sum(1) - a).sum() + np.abs(T.sum(0) - b).sum()
    slack = float(np.max(np.where(S, -np.inf, X))) if (~S).any() else None
    assert merr < 1e-12, (name, merr)
    assert slack is None or slack <= 1e-13, (name, slack)
    lin = float((T * C).sum())
    value = lin + gamma / 2 * float((T * T).sum())
    return {
        "name": name, "n": C.shape[0], "m": C.shape[1], "gamma": gamma,
        "a": a.tolist(), "b": b.tolist(), "c": C.ravel().tolist(),
        "value": value, "linear_cost": lin, "plan": T.ravel().tolist(),
        "nnz": int(S.sum()), "f": F.tolist(), "g": G.tolist(),
        "kkt_marginal_error": float(merr), "kkt_max_slack": slack,
    }


def gauss1d(n, mu, s):
    x = np.arange(n, dtype=float)
    h = np.exp(-(x - mu) ** 2 / (2 * s ** 2))
    return h / h.sum()


def main():
    out = []
    # Spec §9.3.
    C3 = [[0, 1, 4], [1, 0, 1], [4, 1, 0]]
    for g in [0.5, 10, 50]:
        out.append(case("spec3x3_g%g" % g, [0.2, 0.5, 0.3], [0.4, 0.4, 0.2], C3, g))
    rng = np.random.RandomState(42)
    # Random dense costs, random weights, rectangular.
    for (n, m, g) in [(5, 4, 0.3), (8, 12, 0.05), (20, 15, 1.0)]:
        C = rng.rand(n, m)
        a = rng.rand(n) + 0.1
        b = rng.rand(m) + 0.1
        a /= a.sum()
        b /= b.sum()
        out.append(case("rand%dx%d_g%g" % (n, m, g), a, b, C, g))
    # Point clouds, squared Euclidean normalized by its max, uniform.
    for (n, m, g) in [(30, 30, 0.1), (40, 25, 0.01), (25, 40, 2.0)]:
        x = rng.randn(n, 2)
        y = rng.randn(m, 2) + 1
        C = ot.dist(x, y)
        C /= C.max()
        out.append(case("cloud%dx%d_g%g" % (n, m, g), np.ones(n) / n, np.ones(m) / m, C, g))
    # 1-D Gaussians of cardinality.md §8.4 (quadratic reference values
    # 0.045770136418 at gamma 1 and 0.039547605098 at gamma 0.1).
    n = 32
    C = (np.arange(n)[:, None] - np.arange(n)[None, :]) ** 2 / 31.0 ** 2
    for g in [1.0, 0.1]:
        out.append(case("gauss1d_g%g" % g, gauss1d(n, 10, 4), gauss1d(n, 16, 5), C, g))
    # Unnormalized mass (M = 3).
    C = rng.rand(6, 7)
    a = rng.rand(6) + 0.2
    b = rng.rand(7) + 0.2
    a *= 3 / a.sum()
    b *= 3 / b.sum()
    out.append(case("mass3_6x7_g0.2", a, b, C, 0.2))
    with open(os.path.join(HERE, "golden.json"), "w") as f:
        json.dump({"generator": "make_golden.py (POT %s + numpy active-set polish)" % ot.__version__,
                   "cases": out}, f, indent=1)
    for c in out:
        print("%-20s value %.15g nnz %d kkt merr %.1e slack %.1e" % (
            c["name"], c["value"], c["nnz"], c["kkt_marginal_error"], c["kkt_max_slack"] or 0))


if __name__ == "__main__":
    main()
