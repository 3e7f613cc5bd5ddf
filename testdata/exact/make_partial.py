#!/usr/bin/python3
"""Golden values for partial transport in package exact, from POT 0.8.2
ot.partial.partial_wasserstein (the dummy-node reduction on ot.emd).

Run from anywhere with the Debian python3 (POT 0.8.2):

    /usr/bin/python3 testdata/exact/make_partial.py

It writes partial.json next to this file. Each case holds a row-major cost
(n×m), weights a, b (their totals may differ), the mass s to move, POT's
optimal <P, C> (log["partial_w_dist"]) and its plan (row-major). The costs
and weights are random and continuous, so the optimal plan is unique.
"""
import json
import os
import sys

# The repository root has a Go package directory named "ot"; keep it off the
# path so that "import ot" finds POT.
sys.path = [p for p in sys.path if p not in ("", ".", os.getcwd())]
import numpy as np  # noqa: E402
import ot  # noqa: E402
import ot.partial  # noqa: E402

assert ot.__version__ == "0.8.2", ot.__version__

rng = np.random.default_rng(20240617)
cases = []


def add(name, a, b, cost, s):
    P, log = ot.partial.partial_wasserstein(a, b, cost, m=s, log=True,
                                            numItermax=10**8)
    n, m = cost.shape
    cases.append({
        "name": name, "n": n, "m": m, "cost": cost.ravel().tolist(),
        "a": a.tolist(), "b": b.tolist(), "mass": float(s),
        "linear_cost": float(log["partial_w_dist"]),
        "plan": P.ravel().tolist(),
    })


def sqdist(x, y):
    d = x[:, None, :] - y[None, :, :]
    return (d * d).sum(axis=2)


# POT's docstring example.
add("pot-doc", np.array([.1, .2]), np.array([.1, .1]),
    np.array([[0., 1.], [2., 3.]]), 0.1)

for n, m, frac, kind in [(5, 5, 0.5, "uniform"), (8, 6, 0.7, "random"),
                         (6, 10, 0.3, "random"), (20, 15, 0.9, "random"),
                         (40, 40, 0.25, "random"), (12, 30, 1.0, "random"),
                         (30, 12, 0.6, "unequal")]:
    x = rng.normal(size=(n, 2))
    y = rng.normal(size=(m, 2)) + 0.5
    cost = sqdist(x, y)
    if kind == "uniform":
        a, b = np.full(n, 1.0 / n), np.full(m, 1.0 / m)
    else:
        a = rng.random(n) + 0.1
        b = rng.random(m) + 0.1
        a /= a.sum()
        b /= b.sum()
        if kind == "unequal":
            b *= 1.7
    s = frac * min(a.sum(), b.sum())
    add("cloud-%dx%d-%s-%g" % (n, m, kind, frac), a, b, cost, s)

# Costs of both signs.
cost = rng.uniform(-3, 2, size=(7, 9))
a, b = rng.random(7) + 0.2, rng.random(9) + 0.2
add("signed-7x9", a, b, cost, 0.55 * min(a.sum(), b.sum()))

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "partial.json")
with open(out, "w") as f:
    json.dump({"generator": "POT 0.8.2 ot.partial.partial_wasserstein",
               "cases": cases}, f)
    f.write("\n")
print("wrote", out, len(cases), "cases")
