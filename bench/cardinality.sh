#!/usr/bin/env bash
# Benchmarks package cardinality and reproduces the paper's qualitative
# claims; writes bench/results/cardinality.md.
#
#   bash bench/cardinality.sh            # full run (n = m = 1000 general problems)
#   QUICK=1 bash bench/cardinality.sh    # n = m = 300
#
# Everything runs in Go in this one invocation (POT 0.8.2 has no
# sparsity-constrained solver): the router against greedy top-1 and
# Sinkhorn-based balanced routing, general problems against package
# quadratic, and `otkit experiment-cardinality`. Also: the Go benchmarks
# `go test ./cardinality -run XXX -bench .`.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/work bench/results
go build -o bench/work/otkit ./cmd/otkit
go build -o bench/work/cardinality-bench ./bench/cardinality
args=()
[ -n "${QUICK:-}" ] && args+=(-quick)
out=bench/results/cardinality.md
{
  echo "# cardinality (sparsity-constrained OT, MoE routing)"
  echo
  echo "Run on $(date -u +%Y-%m-%dT%H:%MZ): $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(go version | cut -d' ' -f3)."
  echo "No POT comparison: POT 0.8.2 has no sparsity-constrained solver; baselines are run in the same process."
  echo
  ./bench/work/cardinality-bench "${args[@]}"
  echo "## cardinality: the paper's qualitative claims (otkit experiment-cardinality)"
  echo
  ./bench/work/otkit experiment-cardinality
  echo
  ./bench/work/otkit experiment-cardinality --gamma 0.1
} >"$out"
echo "wrote $out" >&2
