#!/usr/bin/python3
"""Side-by-side Sinkhorn benchmark: otkit (CLI, default mode) vs POT 0.8.2.

Run from the repository root:

    /usr/bin/python3 bench/sinkhorn.py [--full] [--sizes 1000 2000] [--eps 0.01 0.001]

Problems: uniform weights, Gaussian 2-D point clouds (y shifted by (1, 0)),
squared Euclidean cost divided by its maximum. Every solver gets the same
eps and tolerance 1e-9 (otkit: L1 error of both marginals <= 1e-9, checked
every 10 sweeps; POT: L2 error of the column marginal < 1e-9, checked every
10 iterations), and numItermax/--max-iter 100000. The table reports each
solver's final L1 marginal error ||P1 - a||_1 + ||P^T 1 - b||_1 measured on
the returned plan.

POT's sinkhorn_log computes the same iterates as its sinkhorn (same stopping
rule), so when a full sinkhorn_log run would take longer than --log-budget
seconds it is timed on 101 iterations and its total is extrapolated to the
iteration count of POT sinkhorn (marked "est."); --full runs it to the end.

Also runs bench/sinkhorn (Go) for the log-domain exps/second/core and the
peak RSS of a 20000x20000 point-cloud solve (fixed number of sweeps).
Writes bench/results/sinkhorn.md.
"""
import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np
import ot

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.path.join(ROOT, "bench", "work")
OTKIT = os.path.join(WORK, "otkit")
GOBENCH = os.path.join(WORK, "sinkhorn-bench")
GOBENCH_SCALAR = os.path.join(WORK, "sinkhorn-bench-scalar")
TOL = 1e-9
MAXIT = 100000


def problem(n, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 2))
    y = rng.normal(size=(n, 2)) + np.array([1.0, 0.0])
    C = ot.dist(x, y, metric="sqeuclidean")
    C /= C.max()
    a = np.full(n, 1.0 / n)
    return a, a.copy(), C


def l1err(P, a, b):
    return float(np.abs(P.sum(1) - a).sum() + np.abs(P.sum(0) - b).sum())


def best_of(fn, budget=2.0, reps=3):
    """Runs fn up to reps times while a run is shorter than budget; keeps the fastest."""
    best = None
    for _ in range(reps):
        r = fn()
        if best is None or r["seconds"] < best["seconds"]:
            best = r
        if r["seconds"] > budget:
            break
    return best


def run_otkit(cpath, eps, workers=None):
    """otkit solve with the CLI defaults (--workers: all cores) unless workers is given."""
    extra = [] if workers is None else ["--workers", str(workers)]
    out = subprocess.run([OTKIT, "solve", "--method", "sinkhorn", "--cost", cpath, "--eps", repr(eps),
                          "--tol", repr(TOL), "--max-iter", str(MAXIT), "--json", "--quiet"] + extra,
                         check=True, capture_output=True, text=True).stdout
    r = json.loads(out)
    return {"seconds": r["seconds"], "iters": r["iterations"], "err": r["marginal_error"], "status": r["status"]}


def child_cpu(cmd):
    """User CPU seconds of a child process (the machine is shared: wall clock is not the solver's)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
    subprocess.run(cmd, check=True, capture_output=True)
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime - before


def sweep_cpu(binary, n=4000, rounds=3):
    """CPU seconds per log-domain sweep on the n×n point cloud: (40 sweeps − 10 sweeps)/30, median of rounds."""
    per = []
    for _ in range(rounds):
        t10 = child_cpu([binary, "-mode", "cloud", "-n", str(n), "-sweeps", "10"])
        t40 = child_cpu([binary, "-mode", "cloud", "-n", str(n), "-sweeps", "40"])
        per.append((t40 - t10) / 30)
    return sorted(per)[len(per) // 2]


def run_pot(a, b, C, eps, method, numitermax=MAXIT):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = time.perf_counter()
        P, log = ot.sinkhorn(a, b, C, eps, method=method, numItermax=numitermax, stopThr=TOL, log=True)
        dt = time.perf_counter() - t
    return {"seconds": dt, "iters": int(log["niter"]) + 1, "err": l1err(P, a, b),
            "status": "nan" if np.isnan(P).any() else ""}


POT_ONE_THREAD = """
import json, sys, time, warnings
import numpy as np, ot
C = np.load(sys.argv[1]); eps = float(sys.argv[2])
a = np.full(C.shape[0], 1.0 / C.shape[0]); b = np.full(C.shape[1], 1.0 / C.shape[1])
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    t = time.perf_counter()
    P, log = ot.sinkhorn(a, b, C, eps, method="sinkhorn", numItermax=int(sys.argv[3]), stopThr=float(sys.argv[4]), log=True)
    dt = time.perf_counter() - t
err = float(np.abs(P.sum(1) - a).sum() + np.abs(P.sum(0) - b).sum())
print(json.dumps({"seconds": dt, "iters": int(log["niter"]) + 1, "err": err, "status": ""}))
"""


def read_bandwidth(mb=256, reps=5):
    """Memory read bandwidth (GB/s) of NumPy's BLAS dot (all its threads) on an
    array far larger than the caches: the roofline of a streamed kernel."""
    x = np.ones(mb * (1 << 20) // 8)
    best = None
    for _ in range(reps):
        t = time.perf_counter()
        x.dot(x)
        dt = time.perf_counter() - t
        best = dt if best is None or dt < best else best
    return x.nbytes / best / 1e9


def run_pot_one_thread(cpath, eps):
    """POT sinkhorn with OpenBLAS limited to one thread (a fresh process: the
    limit must be set before NumPy loads), like otkit's default one goroutine."""
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    out = subprocess.run([sys.executable, "-c", POT_ONE_THREAD, cpath, repr(eps), str(MAXIT), repr(TOL)],
                         check=True, capture_output=True, text=True, env=env).stdout
    return json.loads(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 2000])
    ap.add_argument("--eps", type=float, nargs="+", default=[0.01, 0.001])
    ap.add_argument("--full", action="store_true", help="run sinkhorn_log to the end")
    ap.add_argument("--log-budget", type=float, default=60.0)
    ap.add_argument("--rss-n", type=int, default=20000)
    ap.add_argument("--rss-sweeps", type=int, default=10000, help="MaxIter of the large solve")
    ap.add_argument("--reps", type=int, default=3, help="interleaved otkit/POT rounds per case (ratios: median)")
    args = ap.parse_args()

    os.makedirs(WORK, exist_ok=True)
    subprocess.run(["go", "build", "-o", OTKIT, "./cmd/otkit"], cwd=ROOT, check=True)
    subprocess.run(["go", "build", "-o", GOBENCH, "./bench/sinkhorn"], cwd=ROOT, check=True)
    subprocess.run(["go", "build", "-tags", "purego", "-o", GOBENCH_SCALAR, "./bench/sinkhorn"], cwd=ROOT, check=True)

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            a, b, C = problem(n)
            cpath = os.path.join(tmp, f"C{n}.npy")
            np.save(cpath, C)
            for eps in args.eps:
                # Interleaved rounds (otkit, POT, otkit 1-thread-BLAS POT, …): the machine is
                # shared, so each round's ratio compares runs made at about the same load.
                oks, okws, pss, ps1s, ratios, loads = [], [], [], [], [], []
                for _ in range(args.reps):
                    loads.append(os.getloadavg()[0])
                    oks.append(run_otkit(cpath, eps))
                    pss.append(run_pot(a, b, C, eps, "sinkhorn"))
                    ratios.append(pss[-1]["seconds"] / oks[-1]["seconds"])
                    okws.append(run_otkit(cpath, eps, 1))
                    ps1s.append(run_pot_one_thread(cpath, eps))
                best = lambda rs: min(rs, key=lambda r: r["seconds"])
                ok, okw, ps, ps1 = best(oks), best(okws), best(pss), best(ps1s)
                ok["ratio_median"] = sorted(ratios)[len(ratios) // 2]
                ok["ratios"] = ratios
                ok["load"] = sum(loads) / len(loads)
                probe = run_pot(a, b, C, eps, "sinkhorn_log", numitermax=101)
                per = probe["seconds"] / probe["iters"]
                if args.full or per * ps["iters"] <= args.log_budget:
                    pl = best_of(lambda: run_pot(a, b, C, eps, "sinkhorn_log"))
                    pl["est"] = False
                else:
                    pl = {"seconds": per * ps["iters"], "iters": ps["iters"], "err": float("nan"),
                          "status": "", "est": True}
                pl["ratio"] = pl["seconds"] / ok["seconds"]
                rows.append((n, eps, ok, okw, ps, pl, ps1))
                print(n, eps, ok, okw, ps, pl, ps1, file=sys.stderr, flush=True)

    bw_load = os.getloadavg()[0]
    bw = read_bandwidth()
    exps = json.loads(subprocess.run([GOBENCH, "-mode", "exps", "-n", "2000", "-sweeps", "20"],
                                     check=True, capture_output=True, text=True).stdout)
    cloud_load = os.getloadavg()[0]
    cpu_fast, cpu_scalar = sweep_cpu(GOBENCH), sweep_cpu(GOBENCH_SCALAR)
    rss_cmd = ["/usr/bin/time", "-v", GOBENCH, "-mode", "rss", "-n", str(args.rss_n),
               "-sweeps", str(args.rss_sweeps), "-tol", "1e-9", "-workers", str(os.cpu_count())]
    rss = None
    if args.rss_n > 0:
        p = subprocess.run(rss_cmd, check=True, capture_output=True, text=True)
        rss = json.loads(p.stdout)
        maxrss = [l for l in p.stderr.splitlines() if "Maximum resident" in l]
        rss["time_v_max_rss_kb"] = int(maxrss[0].split(":")[1]) if maxrss else None
    small = subprocess.run(["go", "run", "./bench/sinkhorn/smalleps", "-n", "1000", "-rel", "1e-4"], cwd=ROOT,
                           check=True, capture_output=True, text=True).stdout.strip()

    cpu = "?"
    with open("/proc/cpuinfo") as fh:
        for line in fh:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    gover = subprocess.run(["go", "version"], capture_output=True, text=True).stdout.strip()

    def fmt_t(r):
        s = f"{r['seconds']:.3f}"
        return s + " (est.)" if r.get("est") else s

    def fmt_err(r):
        return "–" if r["err"] != r["err"] else f"{r['err']:.1e}"

    lines = [
        "# Sinkhorn: otkit vs POT",
        "",
        f"Machine: {os.cpu_count()} CPUs ({cpu}), {platform.system()} {platform.release()}; {gover}; "
        f"POT {ot.__version__}, NumPy {np.__version__}, Python {platform.python_version()}.",
        f"Date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}. Command: `/usr/bin/python3 bench/sinkhorn.py"
        + "".join(" " + a for a in sys.argv[1:]) + "`.",
        "",
        "Problems: uniform weights, n = m Gaussian 2-D points (targets shifted by (1, 0)), squared Euclidean cost "
        "divided by its maximum. Tolerance 1e-9 for all (otkit: L1 of both marginals, POT: L2 of the column "
        "marginal, a looser test), at most 100000 iterations. otkit = `otkit solve --method sinkhorn` "
        "with the CLI defaults (`--workers` = all cores; Auto = stabilized scaling domain with adaptive over-relaxation, "
        "its stored kernel float32 from n·m ≥ 2²⁰, i.e. at n = 2000 here; ε-scaling and the truncated kernel only from "
        "(max C − min C)/ε > 2000, so not in this table) timed by its `--json` "
        "\"seconds\" (solve only); POT timed around `ot.sinkhorn(..., log=True)`. Best of up to 3 runs when a run "
        "is under 2 s (otkit and POT sinkhorn interleaved, --reps rounds; \"median ratio\" is the median over rounds of "
        "POT sinkhorn s / otkit s of the same round, with the mean 1-minute load average of the rounds). \"err\" is ‖P1−a‖₁+‖Pᵀ1−b‖₁ of the returned plan. (est.): POT sinkhorn_log timed on 101 "
        "iterations and scaled to the iteration count of POT sinkhorn (same iterates).",
        "",
        f"| n | ε | otkit s | iters | err | POT sinkhorn s | iters | err | POT sinkhorn_log s | iters | err | "
        f"sinkhorn_log / otkit | sinkhorn / otkit (best) | median ratio | load | otkit --workers 1 s | sinkhorn / that | "
        f"POT sinkhorn, 1 BLAS thread s | that / otkit 1 worker |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for n, eps, ok, okw, ps, pl, ps1 in rows:
        lines.append(
            f"| {n} | {eps:g} | {ok['seconds']:.3f} | {ok['iters']} | {ok['err']:.1e} | {ps['seconds']:.3f} | "
            f"{ps['iters']} | {ps['err']:.1e}{' NaN' if ps['status'] else ''} | {fmt_t(pl)} | {pl['iters']} | "
            f"{fmt_err(pl)} | {pl['seconds'] / ok['seconds']:.1f}× | {ps['seconds'] / ok['seconds']:.2f}× | "
            f"{ok['ratio_median']:.2f}× | {ok['load']:.1f} | "
            f"{okw['seconds']:.3f} | {ps['seconds'] / okw['seconds']:.2f}× | {ps1['seconds']:.3f} | "
            f"{ps1['seconds'] / okw['seconds']:.2f}× |")
    lines += [
        "",
        "Targets (issue 14): otkit ≥ 10× faster than POT sinkhorn_log (column sinkhorn_log / otkit) everywhere, "
        "≥ 1× POT sinkhorn at ε = 1e-2 and ≥ 3× at ε = 1e-3 (column sinkhorn / otkit). Both sides use every core "
        "by default (otkit's CLI `--workers` defaults to all cores; NumPy's BLAS runs POT's matrix-vector products "
        "on all cores). For reference, otkit with `--workers 1` (bitwise the same result) and POT's sinkhorn with "
        "OpenBLAS held to one thread (`OPENBLAS_NUM_THREADS=1`): one core against one core.",
        "",
        "## Roofline of the stored-kernel sweep",
        "",
        f"Read bandwidth of this machine: {bw:.1f} GB/s (NumPy BLAS dot over a 256 MB array, all BLAS threads, "
        f"best of 5, load {bw_load:.1f}). A Stabilized sweep streams the kernel once (the dot with v reads each "
        "row from memory, the scaled add into the column sums reuses it from cache; u, v and the column sums "
        "stay in cache): 4·n·m bytes with the float32 kernel, 8·n·m with float64. Time per sweep bound below by "
        "bytes / bandwidth; \"achieved\" is the bytes of all sweeps over the whole solve time (builds, "
        "absorptions, the final float64 sweeps and figures included), a lower bound on the sweep's bandwidth.",
        "",
        "| n | ε | kernel | bytes per sweep | roofline ms per sweep | sweeps | otkit s (all cores) | achieved GB/s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for n, eps, ok, okw, ps, pl, ps1 in rows:
        per = 4 if n * n >= 1 << 20 else 8
        b = per * n * n
        lines.append(f"| {n} | {eps:g} | {'float32' if per == 4 else 'float64'} | {b / 1e6:.0f} MB | "
                     f"{b / bw / 1e6:.2f} | {ok['iters']} | {ok['seconds']:.3f} | "
                     f"{b * ok['iters'] / ok['seconds'] / 1e9:.1f} |")
    lines += [
        "",
        "## Log-domain throughput",
        "",
        f"`bench/work/sinkhorn-bench -mode exps -n 2000 -sweeps 20` (LogDomain, dense 2000×2000 cost, 1 worker): "
        f"{exps['exps_per_second_per_core'] / 1e6:.0f} M exps/s/core over {exps['sweeps']} sweeps in "
        f"{exps['seconds']:.2f} s (counting n·m exps per sweep plus two passes; {exps['seconds_per_sweep'] * 1e3:.0f} ms per sweep). The exp kernel alone: "
        "`go test -run XXX -bench . ./internal/lse` (ExpTo vs MathExp, exps/s).",
        "",
        f"`bench/work/sinkhorn-bench -mode cloud -n 4000 -sweeps 10` and `-sweeps 40` (LogDomain on the 4000×4000 "
        f"SqEuclidean point cloud, cost computed on the fly, 1 worker), user CPU time of the process (the machine "
        f"is shared: load {cloud_load:.1f} on {os.cpu_count()} CPUs), (t40 − t10)/30, median of 3 rounds: "
        f"**{16e6 / cpu_fast / 1e6:.0f} M entries/s/core** ({cpu_fast * 1e3:.1f} ms per sweep) with the AVX2 "
        f"kernels, {16e6 / cpu_scalar / 1e6:.0f} M entries/s/core ({cpu_scalar * 1e3:.1f} ms) for the scalar build "
        f"of the same commit (`go build -tags purego`), {cpu_scalar / cpu_fast:.1f}×. Target 700 M entries/s/core.",
        "",
        "Kernels: internal/lse's AVX2 assembly (ExpTo, AffineExpTo, AffineExpSum, AddScaledDot, SqDistRow) computes four lanes with exactly the "
        "operations of the scalar code (no FMA; table loads by index extraction, faster than VGATHERQPD on this EPYC), "
        "so results are bitwise those of the scalar fallback (`-tags purego`, other architectures), which the tests "
        "check at every length and offset. A log-domain sweep per entry: one SqEuclidean distance (d = 2: 4 vector "
        "ops per 4 entries), one exp (~45 vector µops per 4 entries, 4 table loads) fused with the row sum, then "
        "the scaled add into the column sums fused with the dot with the cost row (from n·m ≥ 2²¹). Rows of 4000 doubles "
        "keep g, the cost row, the plan row and the column partial sums (4 × 32 KB) in L2, so a sweep is bound by "
        "the exp's µops, not by memory bandwidth (16 M entries × 8 bytes of cost would be 128 MB per sweep if "
        "stored; nothing is stored here).",
        "",
        "## Small ε: 1000 × 1000 uniform cloud at ε = 1e-4·max C",
        "",
        "`go run ./bench/sinkhorn/smalleps -n 1000 -rel 1e-4` (defaults: Auto turns ε-scaling on and uses the "
        "truncated kernel; checked against package exact; bound ε·log n):",
        "",
        "```",
        small,
        "```",
        "",
    ]
    if rss is not None:
        lines += [
        "## Memory: 20000 × 20000 point cloud",
        "",
        f"`{' '.join(['/usr/bin/time', '-v', 'bench/work/sinkhorn-bench'] + rss_cmd[3:])}`: default mode (Auto, "
        f"which picks LogDomain: the kernel would not fit) on a {rss['n']}×{rss['m']} SqEuclidean point cloud "
        f"(d = 2, cost rows computed on demand, default ε = {rss['eps']:.4g}, Tol 1e-9): {rss['status']} after "
        f"{rss['sweeps']} sweeps, marginal error {rss['marginal_error']:.2e}, in {rss['seconds']:.1f} s with "
        f"{rss['workers']} workers; peak RSS {rss['peak_rss_mb']:.1f} MB (VmHWM), "
        f"{(rss['time_v_max_rss_kb'] or 0) / 1024:.1f} MB (/usr/bin/time). The state is O(n + m).",
        "",
        ]
    os.makedirs(os.path.join(ROOT, "bench", "results"), exist_ok=True)
    with open(os.path.join(ROOT, "bench", "results", "sinkhorn.md"), "w") as fh:
        fh.write("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
