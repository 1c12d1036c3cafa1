#!/usr/bin/env python3
"""Writes the JSON of large synthetic images, for `crit encode` to turn into binary.

usage: synth.py pagemap N OUT.json | synth.py files N OUT.json
"""
import json
import sys

kind, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with open(out, "w") as f:
    if kind == "pagemap":
        f.write('{"magic": "PAGEMAP", "entries": [{"pages_id": 1}')
        vaddr = 0x7F0000000000
        for i in range(n):
            pages = 1 + i % 7
            flags = 4 if i % 3 else 6  # PE_PRESENT, sometimes | PE_LAZY
            f.write(', {"vaddr": %d, "nr_pages": %d, "flags": %d}' % (vaddr, pages, flags))
            vaddr += (pages + 1) * 4096
        f.write("]}")
    elif kind == "files":
        f.write('{"magic": "FILES", "entries": [')
        for i in range(n):
            if i:
                f.write(", ")
            entry = {
                "type": "REG",
                "id": i + 1,
                "reg": {
                    "id": i + 1,
                    "flags": 0o100002,
                    "pos": i * 17,
                    "fown": {"uid": 0, "euid": 0, "signum": 0, "pid_type": 0, "pid": 0},
                    "name": "/var/lib/app/data/file-%06d.bin" % i,
                    "mnt_id": 23,
                    "size": 4096 * (i % 100),
                    "mode": 33188,
                },
            }
            f.write(json.dumps(entry))
        f.write("]}")
    else:
        sys.exit("unknown kind " + kind)
