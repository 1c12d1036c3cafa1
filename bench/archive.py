#!/usr/bin/env python3
"""Container archives: `crit x ps` and `crit mem search` on a synthesized
container checkpoint holding 1 GiB of memory pages, as a plain .tar, as a
.tar.zst and unpacked. Prints medians of 5 runs (--runs N) (page cache warm: wall and
CPU time, user + system) and the peak RSS of each, against the targets:

  x ps on the .tar                 <= 0.1 s
  x ps on the .tar.zst             <= 1.5x `zstd -dc ARCHIVE > /dev/null`
  mem search on the .tar/.tar.zst  <= 2x the same search on the directory
  peak RSS                         <= 64 MiB everywhere

The archive is crit-sleep's (tests/fixtures/archives) with pid 1's memory
replaced: one 1 GiB+ anonymous mapping, pagemap runs of 300 pages with a
hole after every tenth, a quarter of the pages zero, the rest random, a few
markers. Written once to target/bench-archive (or $CRIT_BENCH_DIR), reused.

    python3 bench/archive.py            # builds the release binary first
    python3 bench/archive.py --crit before=PATH --crit after=PATH
                                        # those binaries, runs alternating (bench/binaries.py)
"""

import argparse
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import time

import binaries

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "crit")
WORK = os.environ.get("CRIT_BENCH_DIR", os.path.join(ROOT, "target", "bench-archive"))
FIXTURE = os.path.join(ROOT, "tests", "fixtures", "archives", "crit-sleep.tar")
PAGE = 4096
TOTAL_PAGES = 262_144  # 1 GiB
RUN = 300
BASE = 0x7F00_0000_0000
MARKER = b"CRIT-BENCH-MARKER-7d1e"
STAMP = f"v1 {TOTAL_PAGES} {RUN}"


def crit(binary, *args, stdin=None):
    return subprocess.run([binary, *args], input=stdin, capture_output=True, check=True).stdout


def synthesize(binary):
    """The unpacked archive (WORK/unpacked), the .tar and the .tar.zst."""
    stamp = os.path.join(WORK, "stamp")
    if os.path.exists(stamp) and open(stamp).read() == STAMP:
        return
    shutil.rmtree(WORK, ignore_errors=True)
    unpacked = os.path.join(WORK, "unpacked")
    os.makedirs(unpacked)
    with tarfile.open(FIXTURE) as t:
        members = t.getmembers()
        t.extractall(unpacked, filter="data")
    cp = os.path.join(unpacked, "checkpoint")

    runs, vaddr, left, n = [], BASE, TOTAL_PAGES, 0
    while left:
        pages = min(left, RUN)
        runs.append((vaddr, pages))
        vaddr += pages * PAGE
        left -= pages
        n += 1
        if n % 10 == 0:
            vaddr += PAGE
    mm = json.loads(crit(binary, "decode", "-i", os.path.join(cp, "mm-1.img")))
    vma = dict(mm["entries"][0]["vmas"][0])
    vma.update({"start": BASE, "end": vaddr, "pgoff": 0, "shmid": 0, "prot": 3, "flags": 0x22,
                "status": 1 | (1 << 9), "fd": -1})
    vma.pop("madv", None)
    vma.pop("fdflags", None)
    mm["entries"][0]["vmas"] = [vma]
    with open(os.path.join(cp, "mm-1.img"), "wb") as f:
        f.write(crit(binary, "encode", stdin=json.dumps(mm).encode()))
    pm = {"magic": "PAGEMAP", "entries": [{"pages_id": 1}] + [
        {"vaddr": v, "nr_pages": p, "flags": 4} for v, p in runs]}
    with open(os.path.join(cp, "pagemap-1.img"), "wb") as f:
        f.write(crit(binary, "encode", stdin=json.dumps(pm).encode()))

    # Random pages (a 64 MiB block reused: beyond zstd's window), every
    # fourth zero, markers straddling page ends.
    block = os.urandom(64 << 20)
    zero = bytes(PAGE)
    marks = {k * 21_000 + 7 for k in range(1, 12)} | {RUN - 1, TOTAL_PAGES - 2}
    with open(os.path.join(cp, "pages-1.img"), "wb", buffering=1 << 20) as f:
        for i in range(TOTAL_PAGES):
            if i % 4 == 3:
                page = zero
            else:
                off = (i * PAGE * 7) % (len(block) - PAGE)
                page = block[off:off + PAGE]
            if i in marks:
                page = page[:PAGE - len(MARKER) + 5] + MARKER[:len(MARKER) - 5]
            elif i - 1 in marks:
                page = MARKER[len(MARKER) - 5:] + page[5:]
            f.write(page)

    # The archive, in the fixture's member order.
    tar_path = os.path.join(WORK, "ctr.tar")
    with tarfile.open(tar_path, "w", format=tarfile.GNU_FORMAT) as t:
        for m in members:
            t.add(os.path.join(unpacked, m.name), arcname=m.name, recursive=False)
    subprocess.run(["zstd", "-q", "-f", "-T0", tar_path, "-o", tar_path + ".zst"], check=True)
    with open(stamp, "w") as f:
        f.write(STAMP)


TIME = "/usr/bin/time" if os.path.exists("/usr/bin/time") else None


def measure(argv):
    """Seconds, CPU seconds (user + system) and peak RSS (MiB) of one run. The
    RSS comes from GNU time: a child forked from this (large) Python would
    report the parent's size, which Linux carries across exec into ru_maxrss."""
    t = time.perf_counter()
    if TIME:
        p = subprocess.run([TIME, "-f", "%U %S %M", *argv], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        secs = time.perf_counter() - t
        if p.returncode != 0:
            sys.exit(f"{argv} failed: {p.stderr.decode()}")
        user, system, rss = p.stderr.split()[-3:]
        return secs, float(user) + float(system), int(rss) / 1024
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    secs = time.perf_counter() - t
    if status != 0:
        sys.exit(f"{argv} failed: {status}")
    return secs, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024


def medians(argvs, n):
    """Each argv warmed once, then n runs of each in turn: (median s, median CPU s, peak RSS) per argv."""
    for argv in argvs:
        measure(argv)  # warm
    return [
        (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs), max(r[2] for r in runs))
        for runs in binaries.alternate(measure, argvs, n)
    ]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    binaries.add_argument(ap)
    args = ap.parse_args()
    crits, build = binaries.chosen(args, BIN)
    if build:
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    t = time.perf_counter()
    synthesize(crits[0][1])
    print(f"archive: {WORK} (1 GiB of pages), ready in {time.perf_counter() - t:.1f} s")
    tar = os.path.join(WORK, "ctr.tar")
    zst = tar + ".zst"
    d = os.path.join(WORK, "unpacked")
    print(f"  ctr.tar {os.path.getsize(tar) >> 20} MiB, ctr.tar.zst {os.path.getsize(zst) >> 20} MiB")
    marker = MARKER.decode()
    rows = []  # (what, tool, median s, median CPU s, peak RSS MiB)

    def row(what, argv_of):
        """argv_of(binary) timed for each binary, runs alternating: the median seconds of each."""
        timed = medians([argv_of(path) for _, path in crits], args.runs)
        rows.extend((what, tool, *m) for (tool, _), m in zip(crits, timed))
        return [m[0] for m in timed]

    ps_tar = row("x ps, .tar", lambda b: [b, "x", tar, "ps"])
    zstd_dc = medians([["zstd", "-dc", zst]], args.runs)[0]
    rows.append(("zstd -dc .tar.zst", "", *zstd_dc))
    zstd_dc = zstd_dc[0]
    ps_zst = row("x ps, .tar.zst", lambda b: [b, "x", zst, "ps"])
    s_dir = row("mem search, directory", lambda b: [b, "mem", d, "search", marker])
    s_tar = row("mem search, .tar", lambda b: [b, "mem", tar, "search", marker])
    s_zst = row("mem search, .tar.zst", lambda b: [b, "mem", zst, "search", marker])
    many = len(crits) > 1
    if many:
        print("binaries: " + ", ".join(f"{label} = {path}" for label, path in crits))
        print(f"ratios: wall and CPU medians over {crits[0][0]}'s, runs alternating")
    tool_w = max(len(label) for label, _ in crits) + 1 if many else 0
    print(f"{'':26} {'':{tool_w}}{'median':>9} {'cpu':>9} {'peak RSS':>10}" + (f"{'vs':>8}{'cpu':>8}" if many else ""))
    first = {}
    for what, tool, secs, cpu, rss in rows:
        vs = ""
        if what in first:
            vs = f"{binaries.ratio(secs, first[what][0]):>8}{binaries.ratio(cpu, first[what][1]):>8}"
        else:
            first[what] = (secs, cpu)
        print(f"{what:26} {tool if many else '':{tool_w}}{secs:8.3f}s {cpu:8.3f}s {rss:8.1f} MiB{vs}")
    if not TIME:
        print("(no /usr/bin/time: peak RSS read with wait4, which includes this Python's size)")
    for i, (tool, _) in enumerate(crits):
        peak = max(r[4] for r in rows if r[1] == tool)
        print()
        if many:
            print(f"{tool}:")
        print(f"x ps on .tar: {ps_tar[i]:.3f} s (target <= 0.1 s)")
        print(f"x ps on .tar.zst / zstd -dc: {ps_zst[i] / zstd_dc:.2f}x (target <= 1.5x)")
        print(f"mem search .tar / directory: {s_tar[i] / s_dir[i]:.2f}x (target <= 2x)")
        print(f"mem search .tar.zst / directory: {s_zst[i] / s_dir[i]:.2f}x (target <= 2x; "
              f"zstd -dc + the directory's search alone: {(zstd_dc + s_dir[i]) / s_dir[i]:.2f}x)")
        print(f"peak RSS of crit: {peak:.1f} MiB (target <= 64 MiB)")


if __name__ == "__main__":
    main()
