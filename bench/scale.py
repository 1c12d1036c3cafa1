#!/usr/bin/env python3
"""Scaling in tasks and fds, and the disk bomb (issue 21, points 4 and 5).

Writes, with the `gen-checkpoint` example:
  - a checkpoint of TASKS tasks (default 100,000; a tree of fan-out 64, each
    task with its own core, ids, fd table, fs, mm and pagemap images), and
  - a checkpoint of one task with FDS open files (default 300,000), each a
    regular file of its own;
then times `x ps` (the floor: pstree.img and every core image), the overview
(`x`), `diff D D` and `x fds` on the first, and `x fds` (table and JSON) on
the second: median wall time, CPU time and peak RSS. With --bomb it also
writes a .tar.zst holding GIB GiB of zero pages in a few hundred KiB (zstd RLE
blocks) and runs inspect, diff and coredump on it with a private TMPDIR,
reporting the time and the most bytes the TMPDIR held on disk (sampled).

usage: bench/scale.py [--runs N] [--tasks N] [--fds N] [--bomb GIB] [--crit PATH] [--gen PATH] [--dir DIR]
Targets: the overview and `diff D D` within a few times `x ps`; 300,000 fds
under 256 MiB peak RSS; a bomb costs no disk.
"""
import argparse
import os
import statistics
import struct
import subprocess
import sys
import tarfile
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TIME = "/usr/bin/time"


def run(cmd, env=None):
    """Runs cmd, stdout to /dev/null: (wall s, cpu s, peak RSS KiB), or None if it failed."""
    with open(os.devnull, "wb") as null:
        start = time.perf_counter()
        proc = subprocess.run([TIME, "-f", "%e %U %S %M"] + cmd, stdout=null, stderr=subprocess.PIPE, env=env)
        wall = time.perf_counter() - start
    err = proc.stderr.decode(errors="replace").strip().splitlines()
    if proc.returncode not in (0, 1) or not err:
        sys.stderr.write(f"{' '.join(cmd)}: exit {proc.returncode}: {err[-3:]}\n")
        return None
    _, user, system, rss = err[-1].split()
    return wall, float(user) + float(system), int(rss)


def generate(cmd):
    """Runs gen-checkpoint; on failure, exits with its error (which names the file)."""
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if proc.returncode != 0:
        err = proc.stderr.decode(errors="replace").strip()
        sys.exit(f"{' '.join(cmd)}: exit {proc.returncode}: {err}")


def measure(name, cmd, runs):
    results = [run(cmd) for _ in range(runs)]
    if any(r is None for r in results):
        print(f"| {name} | failed | | |")
        return None
    wall = statistics.median(r[0] for r in results)
    cpu = statistics.median(r[1] for r in results)
    rss = max(r[2] for r in results)
    print(f"| {name} | {wall:.2f} s | {cpu:.2f} s | {rss / 1024:.1f} MiB |", flush=True)
    return wall


def zstd_zeros(n):
    """A zstd frame of n zero bytes (n a multiple of 128 KiB) in RLE blocks."""
    block = 128 << 10
    out = bytearray(b"\x28\xb5\x2f\xfd\x00" + bytes([7 << 3]))
    count = n // block
    for i in range(count):
        header = (1 if i + 1 == count else 0) | (1 << 1) | (block << 3)
        out += struct.pack("<I", header)[:3] + b"\x00"
    return bytes(out)


def bomb(path, gib):
    """crit-sleep.tar.zst with GIB GiB of zeros added to checkpoint/pages-1.img."""
    raw = subprocess.run(["zstd", "-dc", os.path.join(ROOT, "tests/fixtures/archives/crit-sleep.tar.zst")],
                         check=True, stdout=subprocess.PIPE).stdout
    import io
    t = tarfile.open(fileobj=io.BytesIO(raw))
    m = t.getmember("checkpoint/pages-1.img")
    extra = gib << 30
    m2 = tarfile.TarInfo(m.name)
    m2.size, m2.mode, m2.mtime = m.size + extra, m.mode, m.mtime
    head = raw[:m.offset] + m2.tobuf(format=tarfile.GNU_FORMAT) + raw[m.offset_data:m.offset_data + m.size]
    tail = raw[m.offset_data + m.size:]
    comp = lambda b: subprocess.run(["zstd", "-q", "-c"], input=b, check=True, stdout=subprocess.PIPE).stdout
    with open(path, "wb") as f:
        f.write(comp(head) + zstd_zeros(extra) + comp(tail))


def disk_held(tmp, stop, peak):
    """Samples the bytes on disk under tmp (open unlinked files too, through /proc)."""
    while not stop.is_set():
        held = 0
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                for fd in os.listdir(f"/proc/{pid}/fd"):
                    link = os.readlink(f"/proc/{pid}/fd/{fd}")
                    if link.startswith(tmp):
                        held += os.stat(f"/proc/{pid}/fd/{fd}").st_blocks * 512
            except OSError:
                continue
        peak[0] = max(peak[0], held)
        time.sleep(0.05)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--tasks", type=int, default=100_000)
    ap.add_argument("--fds", type=int, default=300_000)
    ap.add_argument("--bomb", type=int, default=0, help="GiB of zero pages in the bomb (0: none)")
    ap.add_argument("--crit", default=os.path.join(ROOT, "target/release/crit"))
    ap.add_argument("--gen", default=os.path.join(ROOT, "target/release/examples/gen-checkpoint"))
    ap.add_argument("--dir", default=None, help="where to write the checkpoints (default: TMPDIR)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="crit-scale-", dir=args.dir) as d:
        tasks, fds = os.path.join(d, "tasks"), os.path.join(d, "fds")
        # 100,000 tasks are 600,000 files (about 2.4 GB): say so before
        # writing them, rather than fail half-way.
        st = os.statvfs(d)
        need_files, need_bytes = 7 * args.tasks + 64, 30_000 * args.tasks + 128 * args.fds + (64 << 20)
        if st.f_favail < need_files or st.f_bavail * st.f_frsize < need_bytes:
            sys.exit(f"{d}: {need_files:,} files and {need_bytes >> 20:,} MiB needed, "
                     f"{st.f_favail:,} files and {st.f_bavail * st.f_frsize >> 20:,} MiB free (--dir DIR)")
        generate([args.gen, tasks, str(args.tasks), "100", "200"])
        generate([args.gen, fds, "1", "100", "200", str(args.fds)])
        print("| command | median | CPU | peak RSS |\n| --- | --- | --- | --- |")
        c = args.crit
        ps = measure(f"`x ps`, {args.tasks:,} tasks", [c, "x", tasks, "ps"], args.runs)
        ov = measure(f"`x` (overview), {args.tasks:,} tasks", [c, "x", tasks], args.runs)
        df = measure(f"`diff D D`, {args.tasks:,} tasks", [c, "diff", tasks, tasks], args.runs)
        measure(f"`x fds`, {args.tasks:,} tasks", [c, "x", tasks, "fds"], args.runs)
        measure(f"`x fds`, {args.fds:,} fds", [c, "x", fds, "fds"], args.runs)
        measure(f"`x fds --format json`, {args.fds:,} fds", [c, "x", fds, "fds", "--format", "json"], args.runs)
        measure(f"`x` (overview), {args.fds:,} fds", [c, "x", fds], args.runs)
        if ps and ov and df:
            print(f"\noverview / ps: {ov / ps:.1f}x; diff / ps: {df / ps:.1f}x")
        if args.bomb:
            path, tmp = os.path.join(d, "bomb.tar.zst"), os.path.join(d, "tmp")
            os.mkdir(tmp)
            bomb(path, args.bomb)
            print(f"\nbomb: {os.path.getsize(path) / 1024:.0f} KiB holding {args.bomb} GiB of zero pages\n")
            print("| command | time | peak RSS | TMPDIR on disk (peak) |\n| --- | --- | --- | --- |")
            env = dict(os.environ, TMPDIR=tmp)
            for name, cmd in [("inspect", [c, "inspect", path]), ("diff", [c, "diff", path, path]),
                              ("coredump", [c, "coredump", path, "-o", os.path.join(d, "core")])]:
                stop, peak = threading.Event(), [0]
                watch = threading.Thread(target=disk_held, args=(tmp, stop, peak))
                watch.start()
                r = run(cmd, env)
                stop.set()
                watch.join()
                if r:
                    print(f"| `{name}` | {r[0]:.2f} s | {r[2] / 1024:.1f} MiB | {peak[0] / 1024:.0f} KiB |", flush=True)


if __name__ == "__main__":
    main()
