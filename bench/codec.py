#!/usr/bin/env python3
"""Decode/encode speed and peak memory on large synthetic images.

Builds the release binary, synthesizes a PAGEMAP image of 200,000 entries and a
FILES image of 50,000 regular files (JSON from synth.py, binary from our own
`crit encode`), then times `crit decode` and `crit encode` on them: median wall
time of several runs and peak RSS. Where Debian's `criu` package is installed,
runs its Python CRIT (/usr/bin/crit) on the same input and prints the ratio.

usage: bench/codec.py [--runs N]
Targets (issue 2): pagemap decode under 60 ms, peak RSS under 16 MiB.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CRIT = os.path.join(ROOT, "target", "release", "crit")
PEER = "/usr/bin/crit"


TIME = "/usr/bin/time"


def run(cmd):
    """Runs cmd with stdout to /dev/null; returns (seconds, peak RSS in KiB).

    Peak RSS comes from /usr/bin/time: a child forked from this Python process
    would report Python's own RSS as its high-water mark.
    """
    wrapped = [TIME, "-f", "%M"] + cmd if os.path.exists(TIME) else cmd
    with open(os.devnull, "wb") as null:
        start = time.perf_counter()
        proc = subprocess.run(wrapped, stdout=null, stderr=subprocess.PIPE)
        elapsed = time.perf_counter() - start
    err = proc.stderr.decode(errors="replace")
    if proc.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{err}")
    rss = int(err.strip().splitlines()[-1]) if wrapped is not cmd else float("nan")
    return elapsed, rss


def measure(cmd, runs):
    results = [run(cmd) for _ in range(runs)]
    return statistics.median(r[0] for r in results), max(r[1] for r in results)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()

    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    have_peer = os.path.exists(PEER)
    tmp = tempfile.mkdtemp(prefix="crit-bench-")
    cases = [("pagemap", 200_000), ("files", 50_000)]
    print(f"{'case':<32}{'tool':<14}{'median':>10}{'peak RSS':>12}{'vs crit':>10}")
    for kind, n in cases:
        src_json = os.path.join(tmp, f"{kind}.json")
        img = os.path.join(tmp, f"{kind}.img")
        subprocess.run([sys.executable, os.path.join(ROOT, "bench", "synth.py"), kind, str(n), src_json], check=True)
        subprocess.run([CRIT, "encode", "-i", src_json, "-o", img], check=True)
        dec_json = os.path.join(tmp, f"{kind}.decoded.json")
        subprocess.run([CRIT, "decode", "-i", img, "-o", dec_json], check=True)
        out_img = os.path.join(tmp, f"{kind}.out.img")
        for op, ours, peer in [
            ("decode", [CRIT, "decode", "-i", img], [PEER, "decode", "-i", img]),
            ("decode --pretty", [CRIT, "decode", "--pretty", "-i", img], [PEER, "decode", "--pretty", "-i", img]),
            ("encode", [CRIT, "encode", "-i", dec_json, "-o", out_img], [PEER, "encode", "-i", dec_json, "-o", out_img]),
        ]:
            label = f"{kind} ({n:,}) {op}"
            t, rss = measure(ours, args.runs)
            print(f"{label:<32}{'crit (Rust)':<14}{t * 1000:>8.1f}ms{rss / 1024:>9.1f}MiB{'':>10}", flush=True)
            if have_peer:
                pt, prss = measure(peer, max(3, args.runs // 2))
                print(f"{'':<32}{'Python CRIT':<14}{pt * 1000:>8.1f}ms{prss / 1024:>9.1f}MiB{pt / t:>9.1f}x", flush=True)
    if not have_peer:
        print("(install Debian's criu package for /usr/bin/crit to compare)")


if __name__ == "__main__":
    main()
