#!/usr/bin/env python3
"""Coverage over time from a libFuzzer log written in fork mode (-fork=N).

Prints edge coverage (cov) and features (ft) at each interval, what each
interval added, and when coverage last grew: the evidence that a run has
reached a plateau.

    fuzz/progress.py LOG [--every SECONDS]
"""
import argparse
import re
import sys

STATUS = re.compile(
    r"^#(\d+): cov: (\d+) ft: (\d+) corp: (\d+) exec/s: \d+ "
    r"oom/timeout/crash: (\d+)/(\d+)/(\d+) time: (\d+)s"
)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("log")
    ap.add_argument("--every", type=int, default=600, help="interval in seconds")
    args = ap.parse_args()

    rows = []
    with open(args.log, errors="replace") as f:
        for line in f:
            m = STATUS.match(line)
            if m:
                rows.append(tuple(int(g) for g in m.groups()))
    if not rows:
        sys.exit(f"{args.log}: no fork-mode status lines")

    print(f"{'time':>7} {'execs':>11} {'cov':>6} {'+cov':>5} {'ft':>7} {'+ft':>6} {'corpus':>6}")
    prev = None
    next_mark = 0
    for i, row in enumerate(rows):
        execs, cov, ft, corp, _, _, _, t = row
        if t >= next_mark or i == len(rows) - 1:
            dcov = cov - prev[1] if prev else cov
            dft = ft - prev[2] if prev else ft
            print(f"{t:>6}s {execs:>11,} {cov:>6} {dcov:>+5} {ft:>7} {dft:>+6} {corp:>6}")
            prev = row
            next_mark = (t // args.every + 1) * args.every

    execs, cov, ft, corp, oom, timeout, crash, t = rows[-1]
    first_at_cov = min(r[7] for r in rows if r[1] == cov)
    print(f"\n{t} s, {execs:,} execs; cov {cov} since {first_at_cov} s "
          f"(flat for the last {t - first_at_cov} s); oom/timeout/crash {oom}/{timeout}/{crash}")


if __name__ == "__main__":
    main()
