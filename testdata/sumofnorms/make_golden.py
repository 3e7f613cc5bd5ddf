#!/usr/bin/python3
"""Golden values of the group-lasso baseline: POT 0.8.2 ot.da.sinkhorn_l1l2_gl
run to convergence (numItermax=2000, numInnerItermax=100000,
stopInnerThr=1e-13) on CROSS-2 (docs/sumofnorms.md §8) at a few (eps, eta).

    /usr/bin/python3 -I testdata/sumofnorms/make_golden.py > testdata/sumofnorms/grouplasso.json
"""
import json
import sys

import numpy as np
import ot


def cross2():
    xs, xt, y = [], [], []
    for c in range(2):
        for k in range(6):
            xs.append([-4 + 8 * k / 5 + 0.013 * ((k * k) % 5), 3 * c + 0.011 * (k % 3)])
            xt.append([-1.5 + 3 * c + 0.009 * (k % 2), 3 * c - 1.2 + 2.4 * k / 5 + 0.017 * ((k * k) % 4)])
            y.append(c)
    return np.array(xs), np.array(xt), np.array(y)


def objective(G, M, ys, eps, eta):
    gl = sum(np.linalg.norm(G[ys == c, j]) for j in range(G.shape[1]) for c in np.unique(ys))
    return float((G * M).sum() + eps * (G * np.log(G)).sum() + eta * gl)


xs, xt, ys = cross2()
M = ot.dist(xs, xt)
a = b = np.full(12, 1 / 12)
cases = []
for eps, eta in [(0.5, 0.1), (0.5, 1.0), (1.0, 3.0)]:
    G = ot.da.sinkhorn_l1l2_gl(a, ys, b, M, eps, eta=eta, numItermax=2000, numInnerItermax=100000,
                               stopInnerThr=1e-13)
    cases.append(dict(eps=eps, eta=eta, value=objective(G, M, ys, eps, eta),
                      linear=float((G * M).sum()), plan=G.ravel().tolist()))
json.dump(dict(pot=ot.__version__, cases=cases), sys.stdout, indent=1)
