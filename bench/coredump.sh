#!/bin/sh
# `crit coredump` of a synthesized task holding 1 GiB: prints the median time
# of 5 runs, the core's size and the peak RSS of the release binary.
# Target: peak RSS flat (a few MiB) whatever the process's size.
#
# The dump is written once to target/bench-coredump (or $CRIT_BENCH_DIR) and
# reused; delete it to free the 1 GiB.
set -eu
cd "$(dirname "$0")/.."
exec cargo bench --bench coredump "$@"
