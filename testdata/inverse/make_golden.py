#!/usr/bin/python3
"""Golden entropic plans from POT 0.8.2 for inverse/golden_test.go.

Run from this directory: /usr/bin/python3 make_golden.py  (writes golden.json).
Each case is two point sets x (n×dx), y (m×dy) with weights a, b, a sparse
matrix A0 (dx×dy) and the bilinear cost C = -x A0 yᵀ (docs/inverse.md §2.3),
solved by ot.sinkhorn(..., method="sinkhorn_log") to stopThr 1e-14. The plan
is exp(log_u + log_v - C/eps): exactly the entropic plan of C between its own
marginals, whatever the Sinkhorn accuracy, so ℓ1 inverse OT at λ = 0 on it
recovers A0 up to rounding. The potentials in cost units are f = eps*log_u,
g = eps*log_v.
"""
import json

import numpy as np
import ot

assert ot.__version__ == "0.8.2", ot.__version__

rng = np.random.default_rng(20261202)


def weights(k, uniform):
    if uniform:
        return np.full(k, 1.0 / k)
    w = rng.uniform(0.2, 1.0, k)
    return w / w.sum()


cases = []
for name, n, m, a0, eps, uniform in [
    ("uniform_8x7_3x2", 8, 7, [[1.0, 0.0], [0.0, -0.5], [0.7, 0.0]], 0.5, True),
    ("nonuniform_12x10_3x3", 12, 10, [[0.8, 0.0, 0.0], [0.0, 0.0, -0.6], [0.0, 0.4, 0.0]], 1.0, False),
    ("nonuniform_20x15_4x2_small_eps", 20, 15, [[1.5, 0.0], [0.0, 0.0], [0.0, -1.0], [0.5, 0.0]], 0.2, False),
]:
    a0 = np.array(a0)
    dx, dy = a0.shape
    x = rng.normal(size=(n, dx))
    y = rng.normal(size=(m, dy))
    a, b = weights(n, uniform), weights(m, uniform)
    C = -x @ a0 @ y.T
    _, log = ot.sinkhorn(a, b, C, eps, method="sinkhorn_log", stopThr=1e-14,
                         numItermax=1000000, log=True)
    log_u, log_v = log["log_u"], log["log_v"]
    plan = np.exp(log_u[:, None] + log_v[None, :] - C / eps)
    cases.append({
        "name": name,
        "eps": eps,
        "x": x.tolist(),
        "y": y.tolist(),
        "a": a.tolist(),
        "b": b.tolist(),
        "A0": a0.tolist(),
        "plan": plan.tolist(),
        "f": (eps * log_u).tolist(),
        "g": (eps * log_v).tolist(),
        "marginal_error": float(np.abs(plan.sum(1) - a).sum() + np.abs(plan.sum(0) - b).sum()),
        "iterations": int(log["niter"]),
    })

with open("golden.json", "w") as fh:
    json.dump({"generator": "POT " + ot.__version__ + ", make_golden.py", "cases": cases}, fh, indent=1)
    fh.write("\n")
