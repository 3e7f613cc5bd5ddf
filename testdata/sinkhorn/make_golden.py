#!/usr/bin/python3
"""Golden Sinkhorn plans from POT 0.8.2 for sinkhorn/golden_test.go.

Run from this directory: /usr/bin/python3 make_golden.py  (writes golden.json).
Each case is two point clouds x (n×d), y (m×d) with weights a, b and the cost
C_ij = ||x_i - y_j||^2 computed entry by entry (as otkit's PointCloud does),
solved by ot.sinkhorn(..., method="sinkhorn_log") to stopThr 1e-14. The plan
is exp(log_u + log_v - C/eps); the potentials in cost units are
f = eps*log_u, g = eps*log_v (docs/sinkhorn.md §1.2).
"""
import json

import numpy as np
import ot

assert ot.__version__ == "0.8.2", ot.__version__

rng = np.random.default_rng(20261126)


def weights(k, uniform):
    if uniform:
        return np.full(k, 1.0 / k)
    w = rng.uniform(0.2, 1.0, k)
    return w / w.sum()


cases = []
for name, n, m, d, uniform, rel_eps in [
    ("d1_uniform_7x5", 7, 5, 1, True, 0.1),
    ("d1_nonuniform_9x13", 9, 13, 1, False, 0.05),
    ("d2_nonuniform_12x9", 12, 9, 2, False, 0.1),
    ("d2_nonuniform_30x40_small_eps", 30, 40, 2, False, 0.01),
    ("d5_nonuniform_20x15", 20, 15, 5, False, 0.05),
    ("d5_uniform_25x25", 25, 25, 5, True, 0.2),
]:
    x = rng.normal(size=(n, d))
    y = rng.normal(size=(m, d)) + 0.5
    a, b = weights(n, uniform), weights(m, uniform)
    b = b * (a.sum() / b.sum())
    C = ((x[:, None, :] - y[None, :, :]) ** 2).sum(axis=2)
    eps = rel_eps * C.max()
    P, log = ot.sinkhorn(a, b, C, eps, method="sinkhorn_log", numItermax=1000000,
                         stopThr=1e-14, log=True)
    plan = np.exp(log["log_u"][:, None] + log["log_v"][None, :] - C / eps)
    assert np.allclose(plan, P, rtol=0, atol=1e-15)
    cases.append({
        "name": name, "n": n, "m": m, "d": d,
        "x": x.ravel().tolist(), "y": y.ravel().tolist(),
        "a": a.tolist(), "b": b.tolist(), "eps": eps,
        "plan": plan.ravel().tolist(),
        "linear_cost": float((plan * C).sum()),
        "f": (eps * log["log_u"]).tolist(), "g": (eps * log["log_v"]).tolist(),
        "pot_niter": int(log["niter"]),
    })

with open("golden.json", "w") as fh:
    json.dump({"generator": "make_golden.py", "pot_version": ot.__version__, "cases": cases}, fh, indent=1)
    fh.write("\n")
