#!/usr/bin/python3
"""Golden results for unbalanced quadratically-regularized OT (package
quadratic, both marginals relaxed, docs/quadratic.md section 11.2):

    min_{T >= 0} <T,C> + (gamma/2) ||T||_F^2 + rho_a KL(T1 | a) + rho_b KL(T^T1 | b)

with the generalized KL(x|y) = sum x log(x/y) - x + y. POT 0.8.2 has no
unbalanced quadratic solver, so the reference is computed here, independently
of the Go code, from the dual

    D(F,G) = -rho_a sum a (e^{-F/rho_a} - 1) - rho_b sum b (e^{-G/rho_b} - 1)
             - 1/(2 gamma) sum_ij [F_i + G_j - C_ij]_+^2 :

scipy's L-BFGS-B (minimizing -D) gives a first estimate, then a damped
semismooth Newton iteration in numpy (generalized Hessian
-(1/gamma)[[diag(k_r), S], [S^T, diag(k_c)]] - diag(a e^{-F/rho_a}/rho_a, b e^{-G/rho_b}/rho_b),
S the active pattern, k_r, k_c its row and column counts; negative definite,
so every step is an ascent direction; backtracking on D) drives the gradient
a e^{-F/rho_a} - T1, b e^{-G/rho_b} - T^T1 to rounding. The script asserts
the KKT residual ||grad D||_1 <= 1e-14 and that primal and dual values agree
to 1e-13 relative; the optimum is unique (strictly convex primal).

Writes unbalanced_golden.json next to this script.
Run: /usr/bin/python3 -I make_unbalanced_golden.py
"""
import json
import os

import numpy as np
from scipy.optimize import minimize


def dual(x, a, b, C, gamma, ra, rb):
    n, m = C.shape
    F, G = x[:n], x[n:]
    X = np.maximum(F[:, None] + G[None, :] - C, 0.0)
    ea, eb = np.exp(-F / ra), np.exp(-G / rb)
    val = -ra * np.sum(a * np.expm1(-F / ra)) - rb * np.sum(b * np.expm1(-G / rb)) - np.sum(X * X) / (2 * gamma)
    grad = np.concatenate([a * ea - X.sum(1) / gamma, b * eb - X.sum(0) / gamma])
    return val, grad, X


def kl(x, y):
    out = 0.0
    for xi, yi in zip(x, y):
        out += (xi * np.log(xi / yi) if xi > 0 else 0.0) - xi + yi
    return out


def solve(a, b, C, gamma, ra, rb):
    n, m = C.shape
    res = minimize(lambda x: tuple(-v for v in dual(x, a, b, C, gamma, ra, rb)[:2]),
                   np.zeros(n + m), jac=True, method="L-BFGS-B",
                   options={"maxiter": 10000, "ftol": 1e-15, "gtol": 1e-12})
    x = res.x
    for _ in range(200):
        val, grad, X = dual(x, a, b, C, gamma, ra, rb)
        if np.abs(grad).sum() <= 1e-15:
            break
        S = (X > 0).astype(float)
        F, G = x[:n], x[n:]
        H = np.zeros((n + m, n + m))
        H[:n, :n] = np.diag(S.sum(1) / gamma + a * np.exp(-F / ra) / ra)
        H[n:, n:] = np.diag(S.sum(0) / gamma + b * np.exp(-G / rb) / rb)
        H[:n, n:] = S / gamma
        H[n:, :n] = S.T / gamma
        d = np.linalg.solve(H, grad)  # -H is the generalized Hessian of D
        t = 1.0
        while t > 1e-12:
            v2, g2, _ = dual(x + t * d, a, b, C, gamma, ra, rb)
            if v2 >= val - 1e-15 * abs(val) and np.abs(g2).sum() < np.abs(grad).sum():
                break
            t /= 2
        x = x + t * d
    val, grad, X = dual(x, a, b, C, gamma, ra, rb)
    resid = np.abs(grad).sum()
    assert resid <= 1e-14, resid
    T = X / gamma
    lin = float(np.sum(T * C))
    primal = lin + gamma / 2 * np.sum(T * T) + ra * kl(T.sum(1), a) + rb * kl(T.sum(0), b)
    assert abs(primal - val) <= 1e-13 * abs(primal), (primal, val)
    return x[:n], x[n:], T, primal, lin, resid


def main():
    rng = np.random.default_rng(20261202)
    cases = []
    specs = [
        ("3x3 section 9.3, b x 1.7", np.array([0.2, 0.5, 0.3]), 1.7 * np.array([0.4, 0.4, 0.2]),
         np.array([[0, 1, 4], [1, 0, 1], [4, 1, 0]], float), 2.0, 0.5, 3.0),
    ]
    for n, m, gamma, ra, rb in [(5, 4, 0.3, 0.2, 1.0), (8, 6, 0.1, 2.0, 0.05)]:
        a = rng.uniform(0.1, 1, n)
        b = rng.uniform(0.1, 1, m)
        a, b = a / a.sum(), 1.4 * b / b.sum()
        x, y = rng.normal(size=(n, 2)), rng.normal(1, 1, size=(m, 2))
        C = ((x[:, None, :] - y[None, :, :]) ** 2).sum(-1)
        specs.append(("random %dx%d" % (n, m), a, b, C / C.max(), gamma, ra, rb))
    for name, a, b, C, gamma, ra, rb in specs:
        F, G, T, value, lin, resid = solve(a, b, C, gamma, ra, rb)
        cases.append({"name": name, "n": C.shape[0], "m": C.shape[1], "gamma": gamma, "rho_a": ra, "rho_b": rb,
                      "a": a.tolist(), "b": b.tolist(), "c": C.ravel().tolist(), "value": value,
                      "linear_cost": lin, "plan": T.ravel().tolist(), "f": F.tolist(), "g": G.tolist(),
                      "nnz": int((T > 0).sum()), "kkt_residual": resid})
    out = {"generator": "make_unbalanced_golden.py (scipy L-BFGS-B + semismooth Newton polish in numpy)",
           "cases": cases}
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "unbalanced_golden.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
