#!/bin/sh
# `crit mem read` against `head -c` (--raw) and `xxd` (the hexdump), and
# `crit mem search`, over a synthesized 256 MiB dump: medians and peak RSS
# of the release binary. Targets: --raw as fast as head -c, the hexdump at
# least as fast as xxd, search >= 1 GB/s.
#
# The dump is written once to target/bench-mem-read (or $CRIT_BENCH_DIR)
# and reused; delete it to free the 256 MiB.
set -eu
cd "$(dirname "$0")/.."
exec cargo bench --bench mem_read "$@"
