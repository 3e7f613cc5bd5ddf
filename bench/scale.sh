#!/usr/bin/env bash
# Scale benchmarks (issue 15): exact/ on 10 000 × 10 000 point clouds,
# quadratic and cardinality on 20 000 × 20 000, each run once under
# /usr/bin/time -v (peak RSS), with the problems of bench/scale. Writes
# bench/results/scale.md. The big runs hog the cores (Workers 2) and take
# minutes: SCALE_TIMEOUT (seconds, default 2400) bounds each; a run stopped
# by it is reported with its last progress line (SCALE_QUAD_TIMEOUT for the
# large quadratic solve, which runs alongside the others). SCALE_EXACT_N, SCALE_N and
# SCALE_SMALL_N change the sizes (a quick check of the script).
#
#	bash bench/scale.sh
set -u
cd "$(dirname "$0")/.."
mkdir -p bench/work/scale bench/results
go build -o bench/work/scale/scale ./bench/scale || exit 1
W=bench/work/scale
T=${SCALE_TIMEOUT:-2400}
NE=${SCALE_EXACT_N:-10000} # exact
NQ=${SCALE_N:-20000}       # quadratic, cardinality
NS=${SCALE_SMALL_N:-3000}  # dense against on-demand
load0=$(cut -d' ' -f1 /proc/loadavg)
start=$(date -u +%Y-%m-%dT%H:%MZ)

# run NAME ARGS...: one run, its JSON in $W/NAME.json, time -v in
# $W/NAME.time, progress in $W/NAME.log.
run() {
  local name=$1
  shift
  echo "== scale: $name: $*" >&2
  echo "$*" >"$W/$name.args"
  echo "$T" >"$W/$name.limit"
  /usr/bin/time -v -o "$W/$name.time" timeout "$T" "$W/scale" "$@" >"$W/$name.json" 2>"$W/$name.log"
}

# The large quadratic solve, the longest, runs alongside the others.
T=${SCALE_QUAD_TIMEOUT:-$T} run quadratic -solver quadratic -method SemiDualLBFGS -n "$NQ" -workers 2 -tol 1e-6 &
quad=$!
run exact -solver exact -n "$NE"
run quadratic-newton -solver quadratic -method Newton -n "$NQ" -workers 2
run cardinality -solver cardinality -k 8 -n "$NQ" -workers 2
# The on-demand columns against the dense matrix on one smaller size.
run quadratic-dense -solver quadratic -method SemiDualLBFGS -n "$NS" -workers 2 -tol 1e-6
run quadratic-ondemand -solver quadratic -method SemiDualLBFGS -n "$NS" -workers 2 -tol 1e-6 -maxdense 1
for d in 20ms 100ms 1s; do
  run "cancel-$d" -solver quadratic -method SemiDualLBFGS -n "$NQ" -workers 2 -cancel "$d"
done
wait "$quad"
load1=$(cut -d' ' -f1 /proc/loadavg)

W=$W T=$T START=$start LOAD0=$load0 LOAD1=$load1 GOV="$(go version | cut -d' ' -f3)" /usr/bin/python3 - <<'EOF' >bench/results/scale.md
import json, os, re

W = os.environ["W"]

def load(name):
    out = {"name": name, "args": open(f"{W}/{name}.args").read().strip(),
           "limit": open(f"{W}/{name}.limit").read().strip()}
    try:
        out.update(json.load(open(f"{W}/{name}.json")))
    except Exception:
        pass
    t = open(f"{W}/{name}.time").read()
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", t)
    out["rss"] = int(m.group(1)) / 1024 if m else float("nan")
    m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", t)
    wall = 0.0
    for part in m.group(1).split(":"):
        wall = wall * 60 + float(part)
    out["wall"] = wall
    m = re.search(r"Percent of CPU this job got: (\d+)%", t)
    out["cpu"] = m.group(1) + "%" if m else "?"
    m = re.search(r"User time \(seconds\): ([\d.]+)", t)
    out["user"] = float(m.group(1)) if m else float("nan")
    log = open(f"{W}/{name}.log").read().strip().splitlines()
    out["last"] = log[-1] if log else ""
    return out

def outcome(r):
    if "error" in r:
        return "error: " + r["error"]
    if "status" not in r:
        return f"stopped after {r['limit']} s (timeout); last progress: {r['last']}"
    return f"{r['status']}, {r['iterations']} it, MarginalError {r['marginal_error']:.2e}, value {r['value']:.10g}, nnz {r['nnz']}"

print("# scale: large point clouds without an n×m matrix")
print()
print(f"Produced by `bash bench/scale.sh` (started {os.environ['START']}): 2 cores, AMD EPYC, {os.environ['GOV']};"
      f" load average {os.environ['LOAD0']} at the start, {os.environ['LOAD1']} at the end (other jobs share the machine).")
print("Problem (`go run ./bench/scale`): internal/otest.CloudProblem, two 2-D Gaussian clouds N(0, I), N((1, 1), I) of n points,")
print("squared Euclidean cost as an *ot.PointCloud, uniform weights, seed 1. Each run once; peak RSS from /usr/bin/time -v")
print("(the whole process: problem, solver, result). A dense n×m float64 matrix would take 8n² bytes: 800 MB at 10 000, 3.2 GB at 20 000.")
print("The large quadratic solve ran alongside the other runs (their times include that competition).")
print()
print("| run | arguments | solve (s) | wall (s) | user CPU (s) | CPU share | peak RSS (MiB) | outcome |")
print("|---|---|---:|---:|---:|---:|---:|---|")
names = ["exact", "quadratic", "quadratic-newton", "cardinality", "quadratic-dense", "quadratic-ondemand"]
for n in names:
    r = load(n)
    solve = f"{r['seconds']:.2f}" if "seconds" in r else "—"
    print(f"| {n} | `{r['args']}` | {solve} | {r['wall']:.1f} | {r['user']:.1f} | {r['cpu']} | {r['rss']:.1f} | {outcome(r)} |")
print()
print("Cancellation of the large quadratic solve (SemiDualLBFGS, on-demand columns): time from the cancel to the return.")
print()
print("| cancel after | latency (ms) | status | peak RSS (MiB) |")
print("|---|---:|---|---:|")
for d in ["20ms", "100ms", "1s"]:
    r = load(f"cancel-{d}")
    print(f"| {d} | {r.get('cancel_latency_ms', float('nan')):.1f} | {r.get('status', '?')} | {r['rss']:.1f} |")
EOF
echo "wrote bench/results/scale.md" >&2
