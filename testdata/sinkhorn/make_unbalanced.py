#!/usr/bin/python3
"""Golden unbalanced Sinkhorn plans from POT 0.8.2 for sinkhorn/unbalanced_test.go.

Run from this directory: /usr/bin/python3 -I make_unbalanced.py  (writes unbalanced.json).

otkit solves min <P,C> + eps KL(P|a⊗b) + rho_a KL(P1|a) + rho_b KL(P^T1|b)
(generalized KL). POT 0.8.2's ot.unbalanced.sinkhorn_knopp_unbalanced(a, b, M,
reg, reg_m) solves the same penalties with the reference measure 1 instead of
a⊗b: min <P,M> + reg sum P (log P - 1) + reg_m KL(P1|a) + reg_m KL(P^T1|b),
plan diag(u) K diag(v) with K = exp(-M/reg). Since
eps KL(P|a⊗b) = eps sum P(log P - 1) - <P, eps log a ⊕ eps log b> + eps sum a⊗b,
POT's plan on M' = C - eps log a_i - eps log b_j is otkit's plan on C; that is
what is stored. POT 0.8.2 takes one reg_m for both sides, so the semi-relaxed
case (rho_a hard) is computed here by the same scaling iteration in numpy,
u = a/(Kv), v = (b/(K^T u))^(rho_b/(rho_b+eps)), on M'.
value is otkit's objective evaluated at the stored plan.
"""
import json

import numpy as np
import ot

assert ot.__version__ == "0.8.2", ot.__version__

rng = np.random.default_rng(20261202)


def kl(x, y):
    xl = np.where(x > 0, x * np.log(np.where(x > 0, x, 1) / y), 0.0)  # 0 log 0 = 0
    return float(np.sum(xl - x + y))


def value(P, C, a, b, eps, rho_a, rho_b):
    v = float(np.sum(P * C)) + eps * kl(P.ravel(), np.outer(a, b).ravel())
    if rho_a > 0:
        v += rho_a * kl(P.sum(1), a)
    if rho_b > 0:
        v += rho_b * kl(P.sum(0), b)
    return v


def semi_relaxed(a, b, M, eps, rho_b, iters=200000):
    K = np.exp(-M / eps)
    u, v = np.ones_like(a), np.ones_like(b)
    t = rho_b / (rho_b + eps)
    for _ in range(iters):
        u = a / (K @ v)
        v_new = (b / (K.T @ u)) ** t
        if np.max(np.abs(v_new - v) / v) < 1e-16:
            v = v_new
            break
        v = v_new
    u = a / (K @ v)
    return u[:, None] * K * v[None, :]


cases = []
for name, n, m, eps, rho_a, rho_b, mass_b in [
    ("5x4_rho1", 5, 4, 0.1, 1.0, 1.0, 1.7),
    ("6x7_rho0.3_eps0.05", 6, 7, 0.05, 0.3, 0.3, 0.6),
    ("8x5_rho5_eps0.2", 8, 5, 0.2, 5.0, 5.0, 2.5),
    ("6x5_hardA_rhoB1", 6, 5, 0.1, 0.0, 1.0, 1.4),
    # rho >> eps with unequal masses. (POT 0.8.2's
    # sinkhorn_unbalanced(method="sinkhorn_stabilized") is not used: on
    # these costs it stops after two checks with a plan of mass ~1e-10.)
    ("9x7_rho5_eps0.05", 9, 7, 0.05, 5.0, 5.0, 1.5),
    ("7x9_rho20_eps0.05", 7, 9, 0.05, 20.0, 20.0, 0.5),
    ("8x8_rho2_eps0.01", 8, 8, 0.01, 2.0, 2.0, 1.3),
]:
    x = rng.normal(size=(n, 2))
    y = rng.normal(size=(m, 2)) + 0.3
    C = ((x[:, None, :] - y[None, :, :]) ** 2).sum(-1)
    a = rng.uniform(0.2, 1.0, n)
    a /= a.sum()
    b = rng.uniform(0.2, 1.0, m)
    b *= mass_b / b.sum()
    Mp = C - eps * np.log(a)[:, None] - eps * np.log(b)[None, :]
    if rho_a > 0:
        assert rho_a == rho_b
        P = ot.unbalanced.sinkhorn_knopp_unbalanced(a, b, Mp, eps, rho_a, numItermax=200000, stopThr=1e-16)
        source = "POT 0.8.2 ot.unbalanced.sinkhorn_knopp_unbalanced on C - eps log a - eps log b"
    else:
        P = semi_relaxed(a, b, Mp, eps, rho_b)
        source = "numpy semi-relaxed scaling iteration on C - eps log a - eps log b"
    cases.append({
        "name": name, "source": source,
        "a": a.tolist(), "b": b.tolist(), "cost": C.tolist(),
        "eps": eps, "rho_a": rho_a, "rho_b": rho_b,
        "plan": P.tolist(), "value": value(P, C, a, b, eps, rho_a, rho_b),
    })

with open("unbalanced.json", "w") as fp:
    json.dump({"generator": "make_unbalanced.py", "pot": ot.__version__, "cases": cases}, fp, indent=1)
    fp.write("\n")
