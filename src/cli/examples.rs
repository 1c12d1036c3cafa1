//! EXAMPLES of each command, for `--help` (clap's `after_help`) and the man
//! pages (`generate-assets` reads them back). They are the README tour's commands,
//! with the tour's `$C/NAME` checkpoints written `DIR`: tests/examples.rs
//! checks the two agree, both ways.

pub const DECODE: &str = "\
Examples:
  crit decode -i DIR/pstree.img                 an image as one line of JSON
  crit decode -i ARCHIVE:checkpoint/pstree.img  an image inside a container archive
  crit decode -i ARCHIVE:checkpoint/ifaddr-10.img   a raw netlink image, as JSON
  crit decode -i ARCHIVE:checkpoint/tmpfs-dev-81.tar.gz.img --extract scratch
  crit decode -i DIR/core-20931.img             ... and back: | crit encode -o core.img";

pub const ENCODE: &str = "\
Examples:
  crit decode -i DIR/core-20931.img | crit encode -o core.img";

pub const INFO: &str = "\
Examples:
  crit info DIR/files.img                       the magic and the entry count
  crit info ARCHIVE:checkpoint/nftables-10.img  raw images too";

pub const SHOW: &str = "\
Examples:
  crit show --nopl DIR/sk-queues.img            indented, payloads replaced by their size";

pub const X: &str = "\
Examples:
  crit x DIR                                    tasks, command lines, memory, fds at a glance
  crit x DIR ps                                 the process tree
  crit x DIR fds                                open files, pipe ends, epoll and inotify targets
  crit x DIR sk                                 sockets, ss-like
  crit x DIR mems                               memory mappings
  crit x DIR rss                                resident pages against their mappings
  crit x DIR fds --pid 20886 --tree             one task and its subtree
  crit x DIR mems --prot x --kind file          executable file mappings
  crit x ARCHIVE ps                             a container archive, read in place
  crit x ARCHIVE sk
  crit x ARCHIVE ns                             which namespaces the tasks share
  crit x ARCHIVE net                            interfaces, addresses, routes, rules, firewall
  crit x ARCHIVE mnt                            the mount tree
  crit x ARCHIVE cg                             cgroups and their saved settings";

pub const STATS: &str = "\
Examples:
  crit stats DIR                                dump and restore statistics";

pub const MEM: &str = "\
Examples:
  crit mem DIR args                             the command line
  crit mem DIR env                              the environment: | grep SECRET
  crit mem DIR search CRIT-SECRET-MARKER-0xC0FFEE --context 8
  crit mem DIR search CRIT-SECRET --kind anon --prot rw --range 7f6388d00000-7f6388d20000
  crit mem DIR maps                             the pagemap and where each run lives
  crit mem DIR read 0x7f6388c16ff0 0x2000       a hexdump; repeated lines fold into *
  crit mem DIR read 0x7f6388e3f000 16 --files $S --force  unsaved file pages, from a stand-in libc under $S
  crit mem DIR shmem                            shared mappings
  crit mem ARCHIVE --pid 5 args                 one task of a container archive
  crit mem ARCHIVE search crit-tree-heap-marker. --context 8";

pub const MEM_ARGS: &str = "\
Examples:
  crit mem DIR args                             the command line
  crit mem ARCHIVE --pid 5 args                 one task of a container archive";

pub const MEM_ENV: &str = "\
Examples:
  crit mem DIR env                              the environment: | grep SECRET";

pub const MEM_READ: &str = "\
Examples:
  crit mem DIR read 0x7f6388c16ff0 0x2000       a hexdump; repeated lines fold into *
  crit mem DIR read 0x7f6388e3f000 16 --files $S --force  unsaved file pages, from a stand-in libc under $S";

pub const MEM_SEARCH: &str = "\
Examples:
  crit mem DIR search CRIT-SECRET-MARKER-0xC0FFEE --context 8
  crit mem DIR search CRIT-SECRET --kind anon --prot rw --range 7f6388d00000-7f6388d20000
  crit mem ARCHIVE search crit-tree-heap-marker. --context 8

Exit status (like grep):
  0  a match was found
  1  no match
  2  trouble: a missing, truncated or corrupt image, a bad pattern, an I/O error, a usage error";

pub const MEM_MAPS: &str = "\
Examples:
  crit mem DIR maps                             the pagemap and where each run lives";

pub const MEM_SHMEM: &str = "\
Examples:
  crit mem DIR shmem                            shared mappings";

pub const INSPECT: &str = "\
Examples:
  crit inspect ARCHIVE                          the container; several archives: a line each";

pub const DIFF: &str = "\
Examples:
  crit diff DIR mem-edited                      processes, files, memory map, pages
  crit diff DIR mem-edited --hexdiff 0x7f6388d19060 16   both sides of a range
  crit diff DIR net-edited                      an fd closed, a socket's state
  crit diff DIR DIR                             a restored checkpoint against its dump
  crit diff DIR DIR --images                    ... and the image files themselves
  crit diff ARCHIVE ARCHIVE                     two container archives (any compression)
  crit diff ARCHIVE ARCHIVE --hexdiff 0x5f4908 8   a pointer into each side's heap

Exit status (like cmp and diff):
  0  the checkpoints are equal
  1  they differ
  2  trouble: a missing, truncated or corrupt image, an I/O error, a usage error";

pub const COREDUMP: &str = "\
Examples:
  crit coredump DIR --files $S -o core          then: gdb -ex \"set sysroot $S\" prog core
  crit coredump ARCHIVE -o sleep.core           a container archive, read in place";

pub const CHECK: &str = "\
Examples:
  crit check DIR --root $S                      files, pids, ports, CPU, CRIU against this machine
  crit check DIR --root $S --format json        the same as JSON (ready, problems, notes)

Exit status:
  0  ready: nothing found that would stop the restore
  1  problems found (each with what to do)
  2  could not check: a missing, truncated or corrupt image, an I/O error, a usage error";
