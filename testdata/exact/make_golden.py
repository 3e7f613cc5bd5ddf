#!/usr/bin/python3
"""Golden values for package exact: optimal linear costs from POT 0.8.2 ot.emd.

Run from anywhere with the Debian python3 (POT 0.8.2):

    /usr/bin/python3 testdata/exact/make_golden.py

It writes golden.json next to this file. Each case holds either points x, y
(the cost is the squared Euclidean distance, computed here as the sum of
squared coordinate differences, the same formula as ot.PointCloud) or an
explicit row-major cost, the weights a, b, and POT's optimal <P, C>.
"""
import json
import os
import sys

# The repository root has a Go package directory named "ot"; keep it off the
# path so that "import ot" finds POT.
sys.path = [p for p in sys.path if p not in ("", ".", os.getcwd())]
import numpy as np  # noqa: E402
import ot  # noqa: E402

assert ot.__version__ == "0.8.2", ot.__version__

rng = np.random.default_rng(20240611)


def weights(n, kind):
    if kind == "uniform":
        return np.full(n, 1.0 / n)
    if kind == "unit":
        return np.ones(n)
    w = rng.random(n) + 0.05
    if kind == "zeros":
        w[rng.random(n) < 0.3] = 0.0
        w[rng.integers(n)] = 1.0
    return w / w.sum()


def sqdist(x, y):
    d = x[:, None, :] - y[None, :, :]
    return (d * d).sum(axis=2)


cases = []


def add(name, a, b, cost, x=None, y=None):
    if a.sum() != b.sum():  # POT wants equal masses; scale b as otkit does
        b = b * (a.sum() / b.sum())
    G = ot.emd(a, b, cost, numItermax=10**8)
    case = {"name": name, "a": a.tolist(), "b": b.tolist(),
            "linear_cost": float((G * cost).sum())}
    if x is not None:
        case["x"], case["y"] = x.tolist(), y.tolist()
    else:
        case["n"], case["m"] = cost.shape
        case["cost"] = cost.ravel().tolist()
    cases.append(case)


shapes = [(1, 7), (7, 1), (10, 10), (30, 20), (20, 50), (100, 100), (150, 80)]
for n, m in shapes:
    for kind in ["uniform", "random", "zeros"]:
        if kind == "zeros" and min(n, m) == 1:
            continue
        x = rng.normal(size=(n, 2))
        y = rng.normal(size=(m, 2)) + 1.0
        add(f"cloud-{n}x{m}-{kind}", weights(n, kind), weights(m, kind), sqdist(x, y), x, y)

# Integer costs (many ties) with unit and uniform weights.
for n in [5, 12, 40]:
    C = rng.integers(0, 4, size=(n, n)).astype(float)
    add(f"ties-{n}-unit", weights(n, "unit"), weights(n, "unit"), C)
    add(f"ties-{n}-uniform", weights(n, "uniform"), weights(n, "uniform"), C)

# Duplicate points.
x = rng.normal(size=(6, 2))
x = np.vstack([x, x])
y = np.vstack([x[:4], x[:4], x[:4]])
add("duplicates-12x12", weights(12, "uniform"), weights(12, "uniform"), sqdist(x, y), x, y)

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden.json")
with open(out, "w") as f:
    json.dump({"generator": "POT 0.8.2 ot.emd", "cases": cases}, f)
print(f"wrote {len(cases)} cases to {out}")
