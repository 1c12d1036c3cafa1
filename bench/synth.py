#!/usr/bin/env python3
"""Writes the JSON of large synthetic images, for `crit encode` to turn into binary.

usage: synth.py pagemap|files|mm N OUT.json

mm: one mm entry of N VMAs (one huge entry, for the bounded-memory figures).
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
    elif kind == "mm":
        f.write('{"magic": "MM", "entries": [{')
        for i, key in enumerate(["mm_start_code", "mm_end_code", "mm_start_data", "mm_end_data",
                                 "mm_start_stack", "mm_start_brk", "mm_brk", "mm_arg_start",
                                 "mm_arg_end", "mm_env_start", "mm_env_end"]):
            f.write('"%s": %d, ' % (key, 0x555555554000 + i * 0x1000))
        f.write('"exe_file_id": 3, "mm_saved_auxv": [33, 140737354125312, 16, 3219913727], "vmas": [')
        start = 0x7F0000000000
        for i in range(n):
            if i:
                f.write(", ")
            pages = 1 + i % 13
            anon = i % 4 != 0
            f.write('{"start": %d, "end": %d, "pgoff": %d, "shmid": %d, "prot": %d, "flags": %d, "status": %d, "fd": %d%s}' % (
                start, start + pages * 4096, 0 if anon else (i % 50) * 4096, 0 if anon else 1000 + i % 50,
                3 if anon else 5, 0x22 if anon else 0x2, 0x201 if anon else 0x41, -1 if anon else 7,
                ', "madv": 65536' if i % 10 == 0 else ''))
            start += (pages + 1) * 4096
        f.write('], "dumpable": 1}]}')
    else:
        sys.exit("unknown kind " + kind)
