"""Which crit binaries a Python benchmark times, and runs that alternate.

With no `--crit`, a benchmark builds and times target/release/crit, as
before. With `--crit LABEL=PATH` given twice or more (say a build of the
commit before a change and one after), it builds nothing, makes its input
once with the first binary, and times every binary on that same input in
alternation (before, after, before, after...), so that load from elsewhere on
a shared machine falls on both alike; it prints each binary's medians and
their ratio to the first binary's.

    python3 bench/codec.py --crit before=../old/target/profiling/crit \\
                           --crit after=target/profiling/crit
"""

import os


def add_argument(ap):
    ap.add_argument(
        "--crit",
        action="append",
        metavar="[LABEL=]PATH",
        help="time this crit binary instead of building target/release/crit; "
        "give it twice or more to compare binaries on the same input, runs alternating",
    )


def chosen(args, default):
    """[(label, path)] of the binaries to time, and whether to build `default`."""
    if not args.crit:
        return [("crit", default)], True
    picked = []
    for spec in args.crit:
        label, sep, path = spec.partition("=")
        if not sep:
            label, path = spec, spec
        path = os.path.abspath(path)
        if not os.access(path, os.X_OK):
            raise SystemExit(f"--crit {spec}: {path} is not an executable file")
        picked.append((label, path))
    return picked, False


def alternate(run, argvs, runs):
    """Runs each argv `runs` times, in turn (a, b, a, b...): their results, one list per argv."""
    results = [[] for _ in argvs]
    for _ in range(runs):
        for i, argv in enumerate(argvs):
            results[i].append(run(argv))
    return results


def ratio(value, first):
    """value / first as "1.03x" ("-" when first is 0)."""
    return f"{value / first:.2f}x" if first else "-"
