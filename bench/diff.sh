#!/bin/sh
# `crit diff` of two synthesized checkpoints holding 1 GiB more than the
# corpus's `mem` checkpoint each, 100 pages apart: prints throughput per side
# (GB/s, median of 5) and peak RSS of the release binary. Targets: >= 1 GB/s
# per side, peak RSS <= 64 MiB.
#
# The checkpoints are written once to target/bench-diff (or $CRIT_BENCH_DIR)
# and reused; delete it to free the 2 GiB.
set -eu
cd "$(dirname "$0")/.."
exec cargo bench --bench diff "$@"
