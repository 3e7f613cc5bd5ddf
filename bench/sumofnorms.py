#!/usr/bin/python3
"""Side-by-side benchmark: otkit sumofnorms vs POT 0.8.2 ot.da.sinkhorn_l1l2_gl.

    /usr/bin/python3 bench/sumofnorms.py            # from the repository root
    /usr/bin/python3 bench/sumofnorms.py 200        # some sizes only

Data: sumofnorms.Segments(seed 1, n/5 points per class, 5 classes) written by
the Go program bench/sumofnorms (-write), squared Euclidean cost, uniform
weights. otkit runs, in the same run: PDHG and the smoothed-dual FISTA to a
relative duality gap <= 1e-6 (at most MAXITER iterations) at each lambda of
LAMBDAS, and its group-lasso baseline
at eps = 0.05 std(C), eta = ETA both to a relative conditional-gradient gap
<= 1e-6 and with POT's stopping rule (10 iterations or a relative change
below 1e-9). POT runs sinkhorn_l1l2_gl(a, ys, b, M, eps, eta) with its
defaults, best of REPEATS, timed by perf_counter. Writes
bench/sumofnorms/RESULTS.md.
"""
import json
import os
import subprocess
import sys
import time

sys.path = [p for p in sys.path if p not in ("", ".", os.getcwd())]
import numpy as np  # noqa: E402
import ot  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.path.join(ROOT, "bench", "work", "sumofnorms")
BIN = os.path.join(ROOT, "bench", "work", "sumofnorms-bench")
SIZES = [int(s) for s in sys.argv[1:]] or [200, 1000]
LAMBDAS = [0.1, 1.0]
MAXITER = 5000
ETA = 1.0
GAP = 1e-6
REPEATS = 3


def objective(G, M, ys, eps, eta):
    pos = G[G > 0]
    gl = sum(np.linalg.norm(G[ys == c, j]) for j in range(G.shape[1]) for c in np.unique(ys))
    return float((G * M).sum() + eps * (pos * np.log(pos)).sum() + eta * gl)


def purity(G, ys, yt):
    return float(G[ys[:, None] == yt[None, :]].sum() / G.sum())


def main():
    subprocess.run(["go", "build", "-o", BIN, "./bench/sumofnorms"], cwd=ROOT, check=True)
    sizes = ",".join(str(n) for n in SIZES)
    subprocess.run([BIN, "-n", sizes, "-write", WORK], cwd=ROOT, check=True)
    rows = []
    for n in SIZES:
        M = np.load(os.path.join(WORK, "cost_%d.npy" % n))
        ys = np.load(os.path.join(WORK, "ys_%d.npy" % n))
        yt = np.load(os.path.join(WORK, "yt_%d.npy" % n))
        a = np.full(n, 1.0 / n)
        b = np.full(n, 1.0 / n)
        eps = 0.05 * M.std()
        best, G = float("inf"), None
        for _ in range(REPEATS):
            t0 = time.perf_counter()
            G = ot.da.sinkhorn_l1l2_gl(a, ys, b, M, eps, eta=ETA)
            best = min(best, time.perf_counter() - t0)
        merr = float(np.abs(G.sum(1) - a).sum() + np.abs(G.sum(0) - b).sum())
        rows.append(dict(method="POT sinkhorn_l1l2_gl", n=n, status="10 iterations", iterations=10,
                         seconds=best, gap=float("nan"), value=objective(G, M, ys, eps, ETA),
                         purity=purity(G, ys, yt), merr=merr))
        for k, lam in enumerate(LAMBDAS):
            methods = "pdhg,fista" + (",grouplasso,grouplasso-pot" if k == 0 else "")
            out = subprocess.run([BIN, "-n", str(n), "-lambda", str(lam), "-eta", str(ETA), "-gap", str(GAP),
                                  "-maxiter", str(MAXITER), "-methods", methods],
                                 cwd=ROOT, check=True, capture_output=True, text=True).stdout
            for line in out.splitlines():
                r = json.loads(line)
                if r["method"] in ("pdhg", "fista"):
                    r["method"] += " (lambda %g)" % lam
                rows.append(r)
            print(out, file=sys.stderr, flush=True)
    pot = {r["n"]: r["seconds"] for r in rows if r["method"].startswith("POT")}
    with open(os.path.join(ROOT, "bench", "sumofnorms", "RESULTS.md"), "w") as f:
        f.write("## sumofnorms\n\n")
        f.write("Segments (5 classes), group lasso eps = 0.05 std(C), eta = %g; gap = relative "
                "duality gap (sum-of-norms) or conditional-gradient gap (group lasso); at most %d iterations. "
                "Produced by `bench/sumofnorms.py`.\n\n" % (ETA, MAXITER))
        f.write("| n | method | status | iterations | seconds | gap | Value | purity | time / POT |\n")
        f.write("|---|---|---|---|---|---|---|---|---|\n")
        for r in rows:
            f.write("| %d | %s | %s | %d | %.3g | %.2g | %.6g | %.4f | %.2f |\n" % (
                r["n"], r["method"], r["status"], r["iterations"], r["seconds"], r.get("gap", float("nan")),
                r["value"], r["purity"], r["seconds"] / pot[r["n"]]))
    print(open(os.path.join(ROOT, "bench", "sumofnorms", "RESULTS.md")).read())


if __name__ == "__main__":
    main()
