#!/usr/bin/env python3
"""Explorer speed and peak memory on a large synthetic checkpoint.

Builds the release binary and the `gen-checkpoint` example, writes a
checkpoint of 5,000 tasks whose root has 100,000 mappings and a pagemap of
200,000 runs (every image made by our own encoder from the entries of the
`net` corpus checkpoint), then runs every explorer (`crit x DIR ps|fds|mems|
rss|sk`) as a table and as `--format json`, output to /dev/null: median wall
time of several runs, median CPU time (user + system: what the run costs when
the machine is shared), peak RSS, and the write calls the output took
(`strace -c`, when installed). Where Debian's `criu` package is installed,
runs its Python CRIT (/usr/bin/crit x DIR ps|fds|mems|rss) on the same input.

usage: bench/explore.py [--runs N] [--tasks N] [--vmas N] [--pagemap N] [--dir DIR] [--no-peer]
                        [--crit LABEL=PATH ... --gen PATH]
With --crit given twice or more (bench/binaries.py), times those binaries
instead, alternating their runs on the same checkpoint (written by --gen), with
their ratios.
Targets (issue 13): every explorer <= 0.3 s and <= 32 MiB; JSON no slower
than the table.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import binaries

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CRIT = os.path.join(ROOT, "target", "release", "crit")
GEN = os.path.join(ROOT, "target", "release", "examples", "gen-checkpoint")
PEER = "/usr/bin/crit"
TIME = "/usr/bin/time"


def run(cmd):
    """Runs cmd with stdout to /dev/null: (wall s, cpu s, peak RSS KiB)."""
    wrapped = [TIME, "-f", "%e %U %S %M"] + cmd
    with open(os.devnull, "wb") as null:
        start = time.perf_counter()
        proc = subprocess.run(wrapped, stdout=null, stderr=subprocess.PIPE)
        wall = time.perf_counter() - start
    err = proc.stderr.decode(errors="replace")
    if proc.returncode != 0:
        return None
    _, user, system, rss = err.strip().splitlines()[-1].split()
    return wall, float(user) + float(system), int(rss)


def summary(results):
    """(median wall, median CPU, highest peak RSS) of runs, or None if one failed."""
    if any(r is None for r in results):
        return None
    return (
        statistics.median(r[0] for r in results),
        statistics.median(r[1] for r in results),
        max(r[2] for r in results),
    )


def measure(cmd, runs):
    return summary([run(cmd) for _ in range(runs)])


def writes(cmd):
    """The number of write calls cmd makes (strace -c), or None."""
    if not shutil.which("strace"):
        return None
    with open(os.devnull, "wb") as null:
        proc = subprocess.run(["strace", "-c", "-e", "trace=write"] + cmd, stdout=null, stderr=subprocess.PIPE)
    for line in proc.stderr.decode(errors="replace").splitlines():
        parts = line.split()
        if parts and parts[-1] == "write":
            return int(parts[3])
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--tasks", type=int, default=5000)
    ap.add_argument("--vmas", type=int, default=100_000)
    ap.add_argument("--pagemap", type=int, default=200_000)
    ap.add_argument("--dir", help="where to write the checkpoint (default: a temporary directory)")
    ap.add_argument("--no-peer", action="store_true", help="do not run the Python CRIT (it takes minutes)")
    ap.add_argument("--gen", help="the gen-checkpoint binary to write the checkpoint with (with --crit)")
    binaries.add_argument(ap)
    args = ap.parse_args()
    if not os.path.exists(TIME):
        sys.exit("needs /usr/bin/time (Debian: apt install time)")
    crits, build = binaries.chosen(args, CRIT)
    gen = GEN if build else args.gen
    if not gen:
        sys.exit("--crit needs --gen PATH: the gen-checkpoint example to write the checkpoint with")

    if build:
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
        subprocess.run(["cargo", "build", "--release", "--quiet", "--example", "gen-checkpoint"], cwd=ROOT, check=True)
    tmp = args.dir or tempfile.mkdtemp(prefix="crit-bench-explore-")
    cp = os.path.join(tmp, "checkpoint")
    shutil.rmtree(cp, ignore_errors=True)
    subprocess.run([gen, cp, str(args.tasks), str(args.vmas), str(args.pagemap)], check=True)
    # Warm the page cache: the benchmark times the tool, not the disk.
    subprocess.run([crits[0][1], "x", cp, "fds"], stdout=subprocess.DEVNULL, check=True)

    have_peer = os.path.exists(PEER) and not args.no_peer
    if len(crits) > 1:
        print("binaries: " + ", ".join(f"{label} = {path}" for label, path in crits))
        print(f"ratios: wall and CPU medians over {crits[0][0]}'s, runs alternating")
    print(f"{'explorer':<16}{'tool':<14}{'median':>9}{'cpu':>9}{'peak RSS':>11}{'writes':>9}"
          + (f"{'vs':>8}{'cpu':>8}" if len(crits) > 1 else ""))
    for what in ["ps", "fds", "mems", "rss", "sk"]:
        for fmt in ["table", "json"]:
            cmds = [[path, "x", cp, what, "--format", fmt] for _, path in crits]
            measured = [summary(r) for r in binaries.alternate(run, cmds, args.runs)]
            first_wall, first_cpu, _ = measured[0]
            label = f"{what} {fmt}"
            for i, ((tool, _), cmd, (wall, cpu, rss)) in enumerate(zip(crits, cmds, measured)):
                w = writes(cmd)
                tool = "crit (Rust)" if len(crits) == 1 else tool
                vs = f"{binaries.ratio(wall, first_wall):>8}{binaries.ratio(cpu, first_cpu):>8}" if i else ""
                print(
                    f"{label if i == 0 else '':<16}{tool:<14}{wall * 1000:>7.0f}ms{cpu * 1000:>7.0f}ms"
                    f"{rss / 1024:>8.1f}MiB{'' if w is None else w:>9}{vs}",
                    flush=True,
                )
        if have_peer and what != "sk":
            m = measure([PEER, "x", cp, what], max(1, args.runs // 3))
            if m is None:
                print(f"{what:<16}{'Python CRIT':<14}{'fails':>9}", flush=True)
            else:
                wall, cpu, rss = m
                print(f"{what:<16}{'Python CRIT':<14}{wall * 1000:>7.0f}ms{cpu * 1000:>7.0f}ms{rss / 1024:>8.1f}MiB", flush=True)
    if not args.dir:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
