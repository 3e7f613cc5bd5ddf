#!/usr/bin/python3
"""Side-by-side benchmark: otkit sumofnorms vs POT 0.8.2 ot.da.sinkhorn_l1l2_gl.

    /usr/bin/python3 -I bench/sumofnorms.py 200        # from the repository root
    SON_FISTA_MAXITER=200 /usr/bin/python3 -I bench/sumofnorms.py 1000   # PDHG ~1e4 iterations; FISTA capped

Data: sumofnorms.Segments(seed 1, n/5 points per class, 5 classes) written by
the Go program bench/sumofnorms (-write), squared Euclidean cost, uniform
weights. For each size, in the same run: POT's sinkhorn_l1l2_gl(a, ys, b, M,
eps, eta) with its defaults (10 GCG iterations of 200 Sinkhorn sweeps), best
of REPEATS, timed by perf_counter; then otkit: PDHG and the smoothed-dual
FISTA to a relative duality gap <= 1e-6 (at most SON_MAXITER iterations, FISTA at most
SON_FISTA_MAXITER) at
each lambda of LAMBDAS, the group lasso at the same eps = 0.05 std(C),
eta = ETA to a relative conditional-gradient gap <= 1e-6 (grouplasso) and
with POT's settings (grouplasso-pot). Each size's rows go to
bench/work/sumofnorms/rows_<n>.jsonl; the table of every size found there is
written to bench/results/sumofnorms.md.
"""
import glob
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
OUT = os.path.join(ROOT, "bench", "results", "sumofnorms.md")
SIZES = [int(s) for s in sys.argv[1:]] or [200]
LAMBDAS = {200: [0.1, 1.0], 1000: [0.1]}
METHODS = os.environ.get("SON_METHODS", "pdhg,fista,grouplasso,grouplasso-pot").split(",")
MAXITER = int(os.environ.get("SON_MAXITER", "30000"))
FISTA_MAXITER = int(os.environ.get("SON_FISTA_MAXITER", str(MAXITER)))
ETA = 1.0
GAP = 1e-6
REPEATS = 3


def objective(G, M, ys, eps, eta):
    pos = G[G > 0]
    gl = sum(np.linalg.norm(G[ys == c, j]) for j in range(G.shape[1]) for c in np.unique(ys))
    return float((G * M).sum() + eps * (pos * np.log(pos)).sum() + eta * gl)


def purity(G, ys, yt):
    return float(G[ys[:, None] == yt[None, :]].sum() / G.sum())


def run_size(n):
    M = np.load(os.path.join(WORK, "cost_%d.npy" % n))
    ys = np.load(os.path.join(WORK, "ys_%d.npy" % n))
    yt = np.load(os.path.join(WORK, "yt_%d.npy" % n))
    a = np.full(n, 1.0 / n)
    b = np.full(n, 1.0 / n)
    eps = 0.05 * M.std()
    best, G = float("inf"), None
    for _ in range(REPEATS if n <= 200 else 1):
        t0 = time.perf_counter()
        G = ot.da.sinkhorn_l1l2_gl(a, ys, b, M, eps, eta=ETA)
        best = min(best, time.perf_counter() - t0)
    rows = [dict(method="POT sinkhorn_l1l2_gl", n=n, status="10 iterations", iterations=10,
                 seconds=best, gap=float("nan"), value=objective(G, M, ys, eps, ETA),
                 purity=purity(G, ys, yt))]
    runs = [(lam, [m for m in METHODS if m in ("pdhg", "fista")]) for lam in LAMBDAS.get(n, [0.1])]
    runs.append((0.1, [m for m in METHODS if m.startswith("grouplasso")]))
    for lam, methods in runs:
        for meth in methods:
            maxiter = FISTA_MAXITER if meth == "fista" else MAXITER
            out = subprocess.run([BIN, "-n", str(n), "-lambda", str(lam), "-eta", str(ETA), "-gap", str(GAP),
                                  "-maxiter", str(maxiter), "-methods", meth],
                                 cwd=ROOT, check=True, capture_output=True, text=True).stdout
            for line in out.splitlines():
                r = json.loads(line)
                if not r["method"].startswith("grouplasso"):
                    r["method"] += " (lambda %g)" % lam
                rows.append(r)
            print(out, file=sys.stderr, flush=True)
    load = os.getloadavg()[0]
    for r in rows:
        r["load"] = load
    with open(os.path.join(WORK, "rows_%d.jsonl" % n), "w") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")


def table():
    rows = []
    for path in sorted(glob.glob(os.path.join(WORK, "rows_*.jsonl")), key=lambda p: int(p.split("_")[-1][:-6])):
        rows += [json.loads(line) for line in open(path)]
    pot = {r["n"]: r["seconds"] for r in rows if r["method"].startswith("POT")}
    t = ["<!-- table: written by bench/sumofnorms.py -->\n"]
    t.append("Segments (5 classes, squared Euclidean cost, uniform weights); group lasso eps = 0.05 std(C), "
             "eta = %g. gap: relative certified duality gap (sum-of-norms; target %g) or relative "
             "conditional-gradient gap (group lasso). `time / POT`: seconds over POT's in the same run. "
             "Produced by `/usr/bin/python3 -I bench/sumofnorms.py 200` and `... 1000` "
             "(sizes are separate runs; load = 1-minute load average at the end of the run).\n\n" % (ETA, GAP))
    t.append("| n | method | status | iterations | seconds | gap | Value | purity | time / POT | load |\n")
    t.append("|---|---|---|---|---|---|---|---|---|---|\n")
    for r in rows:
        t.append("| %d | %s | %s | %d | %.3g | %.2g | %.6g | %.4f | %.2f | %.0f |\n" % (
            r["n"], r["method"], r["status"], r["iterations"], r["seconds"], r.get("gap", float("nan")),
            r["value"], r["purity"], r["seconds"] / pot[r["n"]], r.get("load", float("nan"))))
    t.append("<!-- /table -->\n")
    block = "".join(t)
    old = open(OUT).read() if os.path.exists(OUT) else "## sumofnorms\n\n<!-- table: -->\n<!-- /table -->\n"
    i, j = old.index("<!-- table:"), old.index("<!-- /table -->") + len("<!-- /table -->\n")
    with open(OUT, "w") as f:
        f.write(old[:i] + block + old[j:])
    print(open(OUT).read())


def main():
    subprocess.run(["go", "build", "-o", BIN, "./bench/sumofnorms"], cwd=ROOT, check=True)
    subprocess.run([BIN, "-n", ",".join(str(n) for n in SIZES), "-write", WORK], cwd=ROOT, check=True)
    for n in SIZES:
        run_size(n)
    table()


if __name__ == "__main__":
    main()
