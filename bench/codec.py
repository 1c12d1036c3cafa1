#!/usr/bin/env python3
"""Decode/encode/info speed and peak memory on large synthetic images.

Builds the release binary and synthesizes three images (JSON from synth.py,
binary from our own `crit encode`):

  pagemap  one PAGEMAP image of 200,000 entries
  files    one FILES image of 50,000 regular files
  mm       one MM image whose single entry holds 100,000 VMAs (the bounded-
           memory case: one huge entry)

then runs `crit decode` (plain, --pretty), `crit encode` (of plain and of
--pretty JSON) and `crit info` on them: median wall time and median CPU time
(user + system) of N runs, and the highest peak RSS. Where Debian's `criu`
package is installed, runs its Python CRIT (/usr/bin/crit) on the same input
(fewer runs: it is 100x slower) and prints the ratio of medians.

usage: bench/codec.py [--runs N] [--peer-runs N] [--only pagemap,mm,files] [--crit LABEL=PATH ...]

With --crit given twice or more (bench/binaries.py), times those binaries
instead, alternating their runs on the same input, with their ratios.

Targets (issue 13): pagemap decode <= 30 ms; encode <= 2x decode (plain and
--pretty JSON); info <= 5 ms on every input; the mm entry decodes in <= 24 MiB
and encodes in <= 3x the entry's size.
"""
import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

import binaries

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CRIT = os.path.join(ROOT, "target", "release", "crit")
PEER = "/usr/bin/crit"
TIME = "/usr/bin/time"


def run(cmd, may_fail=False):
    """Runs cmd with stdout to /dev/null: (wall s, CPU s, peak RSS KiB).

    Peak RSS comes from /usr/bin/time: a child forked from this Python process
    would report Python's own RSS as its high-water mark. CPU time is the
    child's user + system time, less disturbed than wall time on a loaded host.
    """
    wrapped = [TIME, "-f", "%M"] + cmd if os.path.exists(TIME) else cmd
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(os.devnull, "wb") as null:
        start = time.perf_counter()
        proc = subprocess.run(wrapped, stdout=null, stderr=subprocess.PIPE)
        elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    err = proc.stderr.decode(errors="replace")
    if proc.returncode != 0:
        if may_fail:
            return None
        sys.exit(f"failed: {' '.join(cmd)}\n{err}")
    rss = int(err.strip().splitlines()[-1]) if wrapped is not cmd else float("nan")
    return elapsed, cpu, rss


def summary(results):
    """(median wall, median CPU, highest peak RSS) of runs, or None if one failed."""
    if None in results:
        return None
    return (
        statistics.median(r[0] for r in results),
        statistics.median(r[1] for r in results),
        max(r[2] for r in results),
    )


def measure(cmd, runs, may_fail=False):
    return summary([run(cmd, may_fail) for _ in range(runs)])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=11)
    ap.add_argument("--peer-runs", type=int, default=3)
    ap.add_argument("--only", default="pagemap,files,mm")
    binaries.add_argument(ap)
    args = ap.parse_args()
    crits, build = binaries.chosen(args, CRIT)
    crit = crits[0][1]  # makes the input

    if build:
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    have_peer = os.path.exists(PEER)
    tmp = tempfile.mkdtemp(prefix="crit-bench-")
    sizes = {"pagemap": 200_000, "files": 50_000, "mm": 100_000}
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    if len(crits) > 1:
        print("binaries: " + ", ".join(f"{label} = {path}" for label, path in crits))
        print(f"ratios: wall and CPU medians over {crits[0][0]}'s, runs alternating")
    print(f"{'case':<40}{'tool':<13}{'wall':>10}{'cpu':>10}{'peak RSS':>11}{'vs crit':>9}"
          + (f"{'cpu':>8}" if len(crits) > 1 else ""))
    for kind in args.only.split(","):
        n = sizes[kind]
        src_json = os.path.join(tmp, f"{kind}.json")
        img = os.path.join(tmp, f"{kind}.img")
        subprocess.run([sys.executable, os.path.join(ROOT, "bench", "synth.py"), kind, str(n), src_json], check=True)
        subprocess.run([crit, "encode", "-i", src_json, "-o", img], check=True)
        plain = os.path.join(tmp, f"{kind}.plain.json")
        pretty = os.path.join(tmp, f"{kind}.pretty.json")
        subprocess.run([crit, "decode", "-i", img, "-o", plain], check=True)
        subprocess.run([crit, "decode", "--pretty", "-i", img, "-o", pretty], check=True)
        out_img = os.path.join(tmp, f"{kind}.out.img")
        size = os.path.getsize(img)
        print(f"{kind}: image {size / 2**20:.1f} MiB, JSON {os.path.getsize(plain) / 2**20:.1f} MiB"
              f" (--pretty {os.path.getsize(pretty) / 2**20:.1f} MiB)")
        for op, ours, peer in [
            # ours(binary, out): the command for one binary; out is where that binary encodes to.
            ("decode", lambda c, out: [c, "decode", "-i", img], [PEER, "decode", "-i", img]),
            ("decode --pretty", lambda c, out: [c, "decode", "--pretty", "-i", img],
             [PEER, "decode", "--pretty", "-i", img]),
            ("encode", lambda c, out: [c, "encode", "-i", plain, "-o", out],
             [PEER, "encode", "-i", plain, "-o", out_img]),
            ("encode (--pretty JSON)", lambda c, out: [c, "encode", "-i", pretty, "-o", out],
             [PEER, "encode", "-i", pretty, "-o", out_img]),
            ("info", lambda c, out: [c, "info", img], [PEER, "info", img]),
        ]:
            label = f"{kind} ({n:,}) {op}"
            outs = [f"{out_img}.{i}" for i in range(len(crits))]
            argvs = [ours(path, out) for (_, path), out in zip(crits, outs)]
            measured = [summary(r) for r in binaries.alternate(run, argvs, args.runs)]
            t, c, _ = measured[0]
            for i, ((tool, _), (bt, bc, rss)) in enumerate(zip(crits, measured)):
                tool = "crit (Rust)" if len(crits) == 1 else tool
                vs = f"{binaries.ratio(bt, t):>9}{binaries.ratio(bc, c):>8}" if i else ""
                print(f"{label if i == 0 else '':<40}{tool:<13}{bt * 1000:>8.1f}ms{bc * 1000:>8.1f}ms"
                      f"{rss / 1024:>8.1f}MiB{vs}", flush=True)
                if op.startswith("encode"):
                    with open(outs[i], "rb") as a, open(img, "rb") as b:
                        if a.read() != b.read():
                            sys.exit(f"{label}: {tool}'s encoded image differs from the original")
            if have_peer and args.peer_runs > 0:
                # The Python CRIT cannot do every job (info on a pagemap fails).
                peer_result = measure(peer, args.peer_runs, may_fail=True)
                if peer_result is None:
                    print(f"{'':<40}{'Python CRIT':<13}{'fails':>10}", flush=True)
                    continue
                pt, pc, prss = peer_result
                print(f"{'':<40}{'Python CRIT':<13}{pt * 1000:>8.1f}ms{pc * 1000:>8.1f}ms{prss / 1024:>8.1f}MiB"
                      f"{pt / t:>8.0f}x", flush=True)
    if not have_peer:
        print("(install Debian's criu package for /usr/bin/crit to compare)")
    print(f"load average at end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
