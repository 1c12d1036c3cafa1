#!/bin/sh
# `crit mem search` over a synthesized 1 GiB dump: prints throughput (GB/s)
# and peak RSS of the release binary for a literal, a case-insensitive
# literal and a regex. Targets: >= 1 GB/s literal, peak RSS < 64 MiB.
#
# The dump is written once to target/bench-mem (or $CRIT_BENCH_DIR) and
# reused; delete it to free the 1 GiB.
set -eu
cd "$(dirname "$0")/.."
exec cargo bench --bench mem_search "$@"
