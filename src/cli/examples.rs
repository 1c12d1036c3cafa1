//! EXAMPLES of each command, for `--help` (clap's `after_help`) and the man
//! pages (gen-assets reads them back). They are the README tour's commands,
//! with the tour's `$C/NAME` checkpoints written `DIR`: tests/examples.rs
//! checks the two agree, both ways.

pub const DECODE: &str = "\
Examples:
  crit decode -i DIR/pstree.img                 an image as one line of JSON
  crit decode -i DIR/core-20931.img             ... and back: | crit encode -o core.img";

pub const ENCODE: &str = "\
Examples:
  crit decode -i DIR/core-20931.img | crit encode -o core.img";

pub const INFO: &str = "\
Examples:
  crit info DIR/files.img                       the magic and the entry count";

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
  crit x DIR mems --prot x --kind file          executable file mappings";

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
  crit mem DIR read 0x7f6388e3f000 16 --files /   unsaved file pages, read from the files
  crit mem DIR shmem                            shared mappings";

pub const MEM_ARGS: &str = "\
Examples:
  crit mem DIR args                             the command line";

pub const MEM_ENV: &str = "\
Examples:
  crit mem DIR env                              the environment: | grep SECRET";

pub const MEM_READ: &str = "\
Examples:
  crit mem DIR read 0x7f6388c16ff0 0x2000       a hexdump; repeated lines fold into *
  crit mem DIR read 0x7f6388e3f000 16 --files /   unsaved file pages, read from the files";

pub const MEM_SEARCH: &str = "\
Examples:
  crit mem DIR search CRIT-SECRET-MARKER-0xC0FFEE --context 8
  crit mem DIR search CRIT-SECRET --kind anon --prot rw --range 7f6388d00000-7f6388d20000";

pub const MEM_MAPS: &str = "\
Examples:
  crit mem DIR maps                             the pagemap and where each run lives";

pub const MEM_SHMEM: &str = "\
Examples:
  crit mem DIR shmem                            shared mappings";
