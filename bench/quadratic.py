#!/usr/bin/python3
"""Side-by-side benchmark: otkit quadratic vs POT 0.8.2 ot.smooth (reg_type 'l2').

    /usr/bin/python3 bench/quadratic.py            # from the repository root
    /usr/bin/python3 bench/quadratic.py 500        # some sizes only

Problems: n = m points from two 2-D Gaussian clouds N(0, I) and N((1,1), I),
C = squared Euclidean distance / max, uniform weights, gamma = 0.1, three
instances per size (seeds 0, 1, 2; POT's stopping point, hence its time,
varies a lot between instances). POT runs smooth_ot_dual with its default
stopping (scipy L-BFGS-B, stopThr 1e-9, numItermax 500), best of REPEATS,
timed by perf_counter, and smooth_ot_semi_dual once on the first instance
(it takes tens of seconds at n = 1000); the marginal error
||T1 - a||_1 + ||T^T1 - b||_1 of each POT plan is reported. otkit runs its
three methods to MarginalError <= 1e-6 through the Go program bench/quadratic
(wall time of Solve alone, best of 5, Workers = 1 and 2) on the same cost
matrix in the same run. Writes bench/results/quadratic.md.
"""
import json
import os
import platform
import subprocess
import sys
import time

sys.path = [p for p in sys.path if p not in ("", ".", os.getcwd())]
import numpy as np  # noqa: E402
import ot  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.path.join(ROOT, "bench", "work", "quadratic")
BIN = os.path.join(ROOT, "bench", "work", "quadratic-bench")
SIZES = [int(s) for s in sys.argv[1:]] or [500, 1000]
SEEDS = [0, 1, 2]
GAMMA = 0.1
TOL = 1e-6
REPEATS = 3


def merr(T, a, b):
    return float(np.abs(T.sum(1) - a).sum() + np.abs(T.sum(0) - b).sum())


def value(T, M):
    return float((T * M).sum() + GAMMA / 2 * (T ** 2).sum())


def pot(fn, a, M, reps):
    best, T = float("inf"), None
    for _ in range(reps):
        t0 = time.perf_counter()
        T = fn(a, a, M, GAMMA, reg_type="l2")
        best = min(best, time.perf_counter() - t0)
    return best, T


def machine():
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    gov = subprocess.run(["go", "version"], capture_output=True, text=True).stdout.strip()
    return "nproc %d, %s, %s, POT %s, numpy %s, Python %s" % (
        os.cpu_count(), cpu, gov, ot.__version__, np.__version__, platform.python_version())


def main():
    os.makedirs(WORK, exist_ok=True)
    subprocess.run(["go", "build", "-o", BIN, "./bench/quadratic"], check=True, cwd=ROOT)
    lines, summary = [], []
    for n in SIZES:
        ratios = {}
        for seed in SEEDS:
            rng = np.random.default_rng(1000 * seed + n)
            x = rng.normal(size=(n, 2))
            y = rng.normal(size=(n, 2)) + 1.0
            d = x[:, None, :] - y[None, :, :]
            M = (d * d).sum(axis=2)
            M /= M.max()
            a = np.full(n, 1.0 / n)
            path = os.path.join(WORK, "C%d_%d.npy" % (n, seed))
            np.save(path, M)
            t_dual, T_dual = pot(ot.smooth.smooth_ot_dual, a, M, REPEATS)
            out = subprocess.run([BIN, "-cost", path, "-gamma", str(GAMMA), "-tol", str(TOL),
                                  "-repeat", "5", "-workers", "2"],
                                 check=True, capture_output=True, text=True).stdout
            runs = [json.loads(l) for l in out.splitlines() if l.strip()]
            lines.append("### n = m = %d, instance %d\n" % (n, seed))
            lines.append("| solver | stopping | seconds | POT dual / this | marginal error | value | nnz |")
            lines.append("|---|---|---|---|---|---|---|")
            lines.append("| POT smooth_ot_dual | default | %.4f | 1.0 | %.2e | %.10f | %d |" % (
                t_dual, merr(T_dual, a, a), value(T_dual, M), int((T_dual > 0).sum())))
            if seed == SEEDS[0]:
                t_semi, T_semi = pot(ot.smooth.smooth_ot_semi_dual, a, M, 1)
                lines.append("| POT smooth_ot_semi_dual | default | %.4f | %.2f | %.2e | %.10f | %d |" % (
                    t_semi, t_dual / t_semi, merr(T_semi, a, a), value(T_semi, M), int((T_semi > 0).sum())))
            for r in runs:
                ratio = t_dual / r["seconds"]
                ratios.setdefault((r["method"], r["workers"]), []).append(ratio)
                lines.append("| otkit %s, Workers %d | MarginalError <= %g (%s, %d it) | %.4f | **%.1f** | %.2e | %.10f | %d |" % (
                    r["method"], r["workers"], TOL, r["status"], r["iterations"], r["seconds"],
                    ratio, r["marginal_error"], r["value"], r["nnz"]))
            lines.append("")
            print("\n".join(lines[-len(runs) - 6:]), file=sys.stderr)
        for (meth, w), rs in ratios.items():
            summary.append("| %d | otkit %s, Workers %d | %s | %.1f |" % (
                n, meth, w, ", ".join("%.1f" % r for r in rs), float(np.median(rs))))
    head = [
        "# quadratic: otkit vs POT 0.8.2 ot.smooth (reg_type 'l2')",
        "",
        "Generated by `/usr/bin/python3 bench/quadratic.py` (" + time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()) + ").",
        "",
        "Machine: " + machine() + ". Load average at the end: %.2f (other jobs were running)." % os.getloadavg()[0],
        "",
        "Problem: n = m points of 2-D Gaussian clouds N(0, I), N((1,1), I); C = squared Euclidean / max;",
        "uniform weights; gamma = %g; instances seeded %s. POT: default stopping (scipy L-BFGS-B, stopThr 1e-9,"
        % (GAMMA, SEEDS),
        "500 iterations), best of %d (semi-dual: 1 run, first instance). otkit: to MarginalError <= %g, best of 5,"
        % (REPEATS, TOL),
        "same cost matrix, same run. Ratio = POT dual seconds / solver seconds (target: otkit >= 20x).",
        "",
        "## Summary: POT dual time / otkit time (per instance, median)",
        "",
        "| n | solver | ratios | median |",
        "|---|---|---|---|",
    ]
    with open(os.path.join(ROOT, "bench", "results", "quadratic.md"), "w") as f:
        f.write("\n".join(head + summary + ["", "## Runs", ""] + lines))


if __name__ == "__main__":
    main()
