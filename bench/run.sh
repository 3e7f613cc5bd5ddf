#!/usr/bin/env bash
# Runs every side-by-side benchmark (otkit vs POT 0.8.2, same machine, same
# run) and assembles bench/RESULTS.md from bench/results/*.md.
#
#   bench/run.sh                 # all solvers
#   bench/run.sh sinkhorn exact  # some
#
# Needs Debian's python3-pot (0.8.2): apt-get update && apt-get install -y python3-pot
set -euo pipefail
cd "$(dirname "$0")/.."
if ! /usr/bin/python3 -I -c 'import ot' 2>/dev/null; then
  echo "bench: POT missing; install it with: apt-get update && apt-get install -y python3-pot" >&2
  exit 1
fi
mkdir -p bench/work bench/results
go build -o bench/work/otkit ./cmd/otkit

suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(sinkhorn exact quadratic cardinality)
for s in "${suites[@]}"; do
  echo "== bench: $s" >&2
  if [ -f "bench/$s.py" ]; then
    /usr/bin/python3 "bench/$s.py"
  elif [ -f "bench/$s.sh" ]; then
    bash "bench/$s.sh"
  else
    echo "bench: no script for $s" >&2
  fi
done

{
  echo "# otkit benchmark results"
  echo
  echo "Produced by \`bench/run.sh\` on $(date -u +%Y-%m-%d). Machine: $(nproc) cores," \
    "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(go version | cut -d' ' -f3)," \
    "POT $(/usr/bin/python3 -I -c 'import ot; print(ot.__version__)'), numpy $(/usr/bin/python3 -c 'import numpy; print(numpy.__version__)')."
  echo "Shared 2-core machines are noisy: read the ratios (measured in the same run), not the absolute times."
  for f in bench/results/*.md; do
    echo
    cat "$f"
  done
} > bench/RESULTS.md
echo "wrote bench/RESULTS.md" >&2
