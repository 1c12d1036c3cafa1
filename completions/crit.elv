
use builtin;
use str;

set edit:completion:arg-completer[crit] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'crit'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'crit'= {
            cand --max-temp 'Most bytes to write to temporary files, where a compressed archive''s memory is copied (mem read, diff, coredump): 4G by default, zero pages free; also CRIT_MAX_TEMP. SIZE is bytes, or with K, M, G or T'
            cand --page-size 'The page size of the machine that wrote the checkpoint (4K, 16K or 64K), instead of the one inferred from its pages files'
            cand -v 'On error, also print the chain of causes'
            cand --verbose 'On error, also print the chain of causes'
            cand -q 'No notes and no progress bars: only the output, warnings and errors'
            cand --quiet 'No notes and no progress bars: only the output, warnings and errors'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand decode 'Convert an image from binary to JSON (the Python CRIT''s dialect)'
            cand encode 'Convert JSON (from this tool, the Python or the Go CRIT) back to a binary image'
            cand info 'Show an image''s magic and entry count'
            cand show 'Decode an image to indented, human-readable JSON (`decode --pretty`)'
            cand x 'Explore a checkpoint (directory or container archive): processes, files, memory, sockets, namespaces'
            cand stats 'Show the dump and restore statistics of a checkpoint'
            cand mem 'Read a process''s memory: argv, environment, any range, search'
            cand diff 'Compare two checkpoints: processes, files, sockets, memory maps, memory pages, images'
            cand inspect 'Show container checkpoints: engine, image, processes, network, mounts, file changes'
            cand coredump 'Write a checkpointed process as an ELF core file that gdb opens'
            cand check 'Will this checkpoint restore here? Files, pids, ports, CPU, CRIU and kernel: every blocker at once'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'crit;decode'= {
            cand -i 'Image to decode (''-'' or absent: standard input; ARCHIVE:MEMBER for one inside an archive)'
            cand --in 'Image to decode (''-'' or absent: standard input; ARCHIVE:MEMBER for one inside an archive)'
            cand -o 'Where to write the JSON (''-'' or absent: standard output)'
            cand --out 'Where to write the JSON (''-'' or absent: standard output)'
            cand --extract 'Also unpack a tmpfs-dev-N.tar.gz.img image into DIR (new, or empty: filled in place)'
            cand --max-extract 'Most bytes of file contents --extract writes (K, M, G, T: powers of 1024)'
            cand --max-temp 'Most bytes to write to temporary files, where a compressed archive''s memory is copied (mem read, diff, coredump): 4G by default, zero pages free; also CRIT_MAX_TEMP. SIZE is bytes, or with K, M, G or T'
            cand --page-size 'The page size of the machine that wrote the checkpoint (4K, 16K or 64K), instead of the one inferred from its pages files'
            cand --pretty 'Indent, and show numbers in their field''s form: hex, flag names, IP addresses, devices'
            cand --nopl 'Replace extra payloads (pipe data, socket queues, …) by their size'
            cand -v 'On error, also print the chain of causes'
            cand --verbose 'On error, also print the chain of causes'
            cand -q 'No notes and no progress bars: only the output, warnings and errors'
            cand --quiet 'No notes and no progress bars: only the output, warnings and errors'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'crit;encode'= {
            cand -i 'JSON to encode (''-'' or absent: standard input)'
            cand --in 'JSON to encode (''-'' or absent: standard input)'
            cand -o 'Where to write the image (''-'' or absent: standard output)'
            cand --out 'Where to write the image (''-'' or absent: standard output)'
            cand --max-temp 'Most bytes to write to temporary files, where a compressed archive''s memory is copied (mem read, diff, coredump): 4G by default, zero pages free; also CRIT_MAX_TEMP. SIZE is bytes, or with K, M, G or T'
            cand --page-size 'The page size of the machine that wrote the checkpoint (4K, 16K or 64K), instead of the one inferred from its pages files'
            cand -v 'On error, also print the chain of causes'
            cand --verbose 'On error, also print the chain of causes'
            cand -q 'No notes and no progress bars: only the output, warnings and errors'
            cand --quiet 'No notes and no progress bars: only the output, warnings and errors'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'crit;info'= {
            cand --max-temp 'Most bytes to write to temporary files, where a compressed archive''s memory is copied (mem read, diff, coredump): 4G by default, zero pages free; also CRIT_MAX_TEMP. SIZE is bytes, or with K, M, G or T'
            cand --page-size 'The page size of the machine that wrote the checkpoint (4K, 16K or 64K), instead of the one inferred from its pages files'
            cand -v 'On error, also print the chain of causes'
            cand --verbose 'On error, also print the chain of causes'
            cand -q 'No notes and no progress bars: only the output, warnings and errors'
            cand --quiet 'No notes and no progress bars: only the output, warnings and errors'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'crit;show'= {
            cand --extract 'Also unpack a tmpfs-dev-N.tar.gz.img image into DIR (new, or empty: filled in place)'
            cand --max-extract 'Most bytes of file contents --extract writes (K, M, G, T: powers of 1024)'
            cand --max-temp 'Most bytes to write to temporary files, where a compressed archive''s memory is copied (mem read, diff, coredump): 4G by default, zero pages free; also CRIT_MAX_TEMP. SIZE is bytes, or with K, M, G or T'
            cand --page-size 'The page size of the machine that wrote the checkpoint (4K, 16K or 64K), instead of the one inferred from its pages files'
            cand --nopl 'Replace extra payloads by their size'
            cand -v 'On error, also print the chain of causes'
            cand --verbose 'On error, also print the chain of causes'
            cand -q 'No notes and no progress bars: only the output, warnings and errors'
            cand --quiet 'No notes and no progress bars: only the output, warnings and errors'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'crit;x'= {
            cand --container 'The container of a pod checkpoint (its name, folder or id)'
            cand --pid 'Only this task (a thread id names its process)'
            cand --prot 'Only mappings with these permissions (any of r, w, x: `--prot rw`)'
            cand --kind 'Only mappings of this kind'
            cand --range 'Only mappings overlapping START-END (hexadecimal)'
            cand --format 'Output format'
            cand --color 'When to use colour in tables'
            cand --width 'Lay tables out for this many columns, as on a terminal that wide (0: never wrap); for tests, which have no terminal'
            cand --max-temp 'Most bytes to write to temporary files, where a compressed archive''s memory is copied (mem read, diff, coredump): 4G by default, zero pages free; also CRIT_MAX_TEMP. SIZE is bytes, or with K, M, G or T'
            cand --page-size 'The page size of the machine that wrote the checkpoint (4K, 16K or 64K), instead of the one inferred from its pages files'
            cand --tree 'With --pid: the task and all its descendants'
            cand -v 'On error, also print the chain of causes'
            cand --verbose 'On error, also print the chain of causes'
            cand -q 'No notes and no progress bars: only the output, warnings and errors'
            cand --quiet 'No notes and no progress bars: only the output, warnings and errors'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'crit;stats'= {
            cand --container 'The container of a pod checkpoint (its name, folder or id)'
            cand --format 'Output format'
            cand --color 'When to use colour in tables'
            cand --max-temp 'Most bytes to write to temporary files, where a compressed archive''s memory is copied (mem read, diff, coredump): 4G by default, zero pages free; also CRIT_MAX_TEMP. SIZE is bytes, or with K, M, G or T'
            cand --page-size 'The page size of the machine that wrote the checkpoint (4K, 16K or 64K), instead of the one inferred from its pages files'
            cand -v 'On error, also print the chain of causes'
            cand --verbose 'On error, also print the chain of causes'
            cand -q 'No notes and no progress bars: only the output, warnings and errors'
            cand --quiet 'No notes and no progress bars: only the output, warnings and errors'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'crit;mem'= {
            cand --container 'The container of a pod checkpoint (its name, folder or id)'
            cand --pid 'Task to read (default: the root task)'
            cand --format 'Output format'
            cand --color 'When to use colour'
            cand --max-temp 'Most bytes to write to temporary files, where a compressed archive''s memory is copied (mem read, diff, coredump): 4G by default, zero pages free; also CRIT_MAX_TEMP. SIZE is bytes, or with K, M, G or T'
            cand --page-size 'The page size of the machine that wrote the checkpoint (4K, 16K or 64K), instead of the one inferred from its pages files'
            cand -v 'On error, also print the chain of causes'
            cand --verbose 'On error, also print the chain of causes'
            cand -q 'No notes and no progress bars: only the output, warnings and errors'
            cand --quiet 'No notes and no progress bars: only the output, warnings and errors'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand args 'The command line (argv), one argument per line'
            cand env 'The environment, one variable per line'
            cand read 'A hexdump of LEN bytes at ADDR (decimal or 0x…)'
            cand search 'Every match of PATTERN, with its address, mapping and context'
            cand maps 'The pagemap: address ranges, page counts, flags and where each run lives'
            cand shmem 'The size of the task''s shared memory mappings'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'crit;mem;args'= {
            cand --container 'The container of a pod checkpoint (its name, folder or id)'
            cand --pid 'Task to read (default: the root task)'
            cand --format 'Output format'
            cand --color 'When to use colour'
            cand --max-temp 'Most bytes to write to temporary files, where a compressed archive''s memory is copied (mem read, diff, coredump): 4G by default, zero pages free; also CRIT_MAX_TEMP. SIZE is bytes, or with K, M, G or T'
            cand --page-size 'The page size of the machine that wrote the checkpoint (4K, 16K or 64K), instead of the one inferred from its pages files'
            cand -v 'On error, also print the chain of causes'
            cand --verbose 'On error, also print the chain of causes'
            cand -q 'No notes and no progress bars: only the output, warnings and errors'
            cand --quiet 'No notes and no progress bars: only the output, warnings and errors'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'crit;mem;env'= {
            cand --container 'The container of a pod checkpoint (its name, folder or id)'
            cand --pid 'Task to read (default: the root task)'
            cand --format 'Output format'
            cand --color 'When to use colour'
            cand --max-temp 'Most bytes to write to temporary files, where a compressed archive''s memory is copied (mem read, diff, coredump): 4G by default, zero pages free; also CRIT_MAX_TEMP. SIZE is bytes, or with K, M, G or T'
            cand --page-size 'The page size of the machine that wrote the checkpoint (4K, 16K or 64K), instead of the one inferred from its pages files'
            cand -v 'On error, also print the chain of causes'
            cand --verbose 'On error, also print the chain of causes'
            cand -q 'No notes and no progress bars: only the output, warnings and errors'
            cand --quiet 'No notes and no progress bars: only the output, warnings and errors'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'crit;mem;read'= {
            cand --files 'Read file-backed pages CRIU did not dump from the files under ROOT (each checked against the checkpoint''s record: size, build-id)'
            cand -o 'Where to write (''-'' or absent: standard output)'
            cand --out 'Where to write (''-'' or absent: standard output)'
            cand --container 'The container of a pod checkpoint (its name, folder or id)'
            cand --pid 'Task to read (default: the root task)'
            cand --format 'Output format'
            cand --color 'When to use colour'
            cand --max-temp 'Most bytes to write to temporary files, where a compressed archive''s memory is copied (mem read, diff, coredump): 4G by default, zero pages free; also CRIT_MAX_TEMP. SIZE is bytes, or with K, M, G or T'
            cand --page-size 'The page size of the machine that wrote the checkpoint (4K, 16K or 64K), instead of the one inferred from its pages files'
            cand --raw 'Write the raw bytes instead of a hexdump'
            cand --force 'With --files: read a file even when its size or build-id differs from what the checkpoint recorded (else that is refused)'
            cand -v 'On error, also print the chain of causes'
            cand --verbose 'On error, also print the chain of causes'
            cand -q 'No notes and no progress bars: only the output, warnings and errors'
            cand --quiet 'No notes and no progress bars: only the output, warnings and errors'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'crit;mem;search'= {
            cand --context 'Bytes of context to show either side'
            cand --in 'Only in the mapping of this file (by path), or `[heap]`, `[stack]`'
            cand --prot 'Only mappings with these permissions (any of r, w, x: `--prot rw`)'
            cand --kind 'Only mappings of this kind'
            cand --range 'Only mappings overlapping START-END (hexadecimal)'
            cand --container 'The container of a pod checkpoint (its name, folder or id)'
            cand --pid 'Task to read (default: the root task)'
            cand --format 'Output format'
            cand --color 'When to use colour'
            cand --max-temp 'Most bytes to write to temporary files, where a compressed archive''s memory is copied (mem read, diff, coredump): 4G by default, zero pages free; also CRIT_MAX_TEMP. SIZE is bytes, or with K, M, G or T'
            cand --page-size 'The page size of the machine that wrote the checkpoint (4K, 16K or 64K), instead of the one inferred from its pages files'
            cand --regex 'Treat PATTERN as a regular expression'
            cand -i 'Match case-insensitively'
            cand --ignore-case 'Match case-insensitively'
            cand -v 'On error, also print the chain of causes'
            cand --verbose 'On error, also print the chain of causes'
            cand -q 'No notes and no progress bars: only the output, warnings and errors'
            cand --quiet 'No notes and no progress bars: only the output, warnings and errors'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'crit;mem;maps'= {
            cand --prot 'Only mappings with these permissions (any of r, w, x: `--prot rw`)'
            cand --kind 'Only mappings of this kind'
            cand --range 'Only mappings overlapping START-END (hexadecimal)'
            cand --container 'The container of a pod checkpoint (its name, folder or id)'
            cand --pid 'Task to read (default: the root task)'
            cand --format 'Output format'
            cand --color 'When to use colour'
            cand --max-temp 'Most bytes to write to temporary files, where a compressed archive''s memory is copied (mem read, diff, coredump): 4G by default, zero pages free; also CRIT_MAX_TEMP. SIZE is bytes, or with K, M, G or T'
            cand --page-size 'The page size of the machine that wrote the checkpoint (4K, 16K or 64K), instead of the one inferred from its pages files'
            cand -v 'On error, also print the chain of causes'
            cand --verbose 'On error, also print the chain of causes'
            cand -q 'No notes and no progress bars: only the output, warnings and errors'
            cand --quiet 'No notes and no progress bars: only the output, warnings and errors'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'crit;mem;shmem'= {
            cand --container 'The container of a pod checkpoint (its name, folder or id)'
            cand --pid 'Task to read (default: the root task)'
            cand --format 'Output format'
            cand --color 'When to use colour'
            cand --max-temp 'Most bytes to write to temporary files, where a compressed archive''s memory is copied (mem read, diff, coredump): 4G by default, zero pages free; also CRIT_MAX_TEMP. SIZE is bytes, or with K, M, G or T'
            cand --page-size 'The page size of the machine that wrote the checkpoint (4K, 16K or 64K), instead of the one inferred from its pages files'
            cand -v 'On error, also print the chain of causes'
            cand --verbose 'On error, also print the chain of causes'
            cand -q 'No notes and no progress bars: only the output, warnings and errors'
            cand --quiet 'No notes and no progress bars: only the output, warnings and errors'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'crit;mem;help'= {
            cand args 'The command line (argv), one argument per line'
            cand env 'The environment, one variable per line'
            cand read 'A hexdump of LEN bytes at ADDR (decimal or 0x…)'
            cand search 'Every match of PATTERN, with its address, mapping and context'
            cand maps 'The pagemap: address ranges, page counts, flags and where each run lives'
            cand shmem 'The size of the task''s shared memory mappings'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'crit;mem;help;args'= {
        }
        &'crit;mem;help;env'= {
        }
        &'crit;mem;help;read'= {
        }
        &'crit;mem;help;search'= {
        }
        &'crit;mem;help;maps'= {
        }
        &'crit;mem;help;shmem'= {
        }
        &'crit;mem;help;help'= {
        }
        &'crit;diff'= {
            cand --container 'The container of each pod checkpoint (its name, folder or id); a side of one container ignores it'
            cand --container-b 'B''s container when it differs from A''s (default: --container)'
            cand --format 'Output format'
            cand --color 'When to use colour in tables'
            cand --match 'How to pair the tasks of A and B'
            cand --hexdiff 'Show LEN bytes at ADDR (decimal or 0x…) of both sides, instead of the report'
            cand --pid 'The task (pid in A) whose memory --hexdiff shows (default: the root task)'
            cand --max-temp 'Most bytes to write to temporary files, where a compressed archive''s memory is copied (mem read, diff, coredump): 4G by default, zero pages free; also CRIT_MAX_TEMP. SIZE is bytes, or with K, M, G or T'
            cand --page-size 'The page size of the machine that wrote the checkpoint (4K, 16K or 64K), instead of the one inferred from its pages files'
            cand -q 'Print nothing: the exit status alone says equal (0) or different (1)'
            cand --quiet 'Print nothing: the exit status alone says equal (0) or different (1)'
            cand --pages 'List every differing page, not only the first few of each mapping'
            cand --images 'Also compare the image files, entry by entry'
            cand -v 'On error, also print the chain of causes'
            cand --verbose 'On error, also print the chain of causes'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'crit;inspect'= {
            cand --container 'Show only this container of a pod checkpoint (its name, folder or id)'
            cand --format 'Output format'
            cand --color 'When to use colour in tables'
            cand --max-temp 'Most bytes to write to temporary files, where a compressed archive''s memory is copied (mem read, diff, coredump): 4G by default, zero pages free; also CRIT_MAX_TEMP. SIZE is bytes, or with K, M, G or T'
            cand --page-size 'The page size of the machine that wrote the checkpoint (4K, 16K or 64K), instead of the one inferred from its pages files'
            cand -v 'On error, also print the chain of causes'
            cand --verbose 'On error, also print the chain of causes'
            cand -q 'No notes and no progress bars: only the output, warnings and errors'
            cand --quiet 'No notes and no progress bars: only the output, warnings and errors'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'crit;coredump'= {
            cand --container 'The container of a pod checkpoint (its name, folder or id)'
            cand --pid 'Task to dump, by pid or thread id (default: the root task)'
            cand -o 'Where to write the core (default: core.PID in the current directory; ''-'': standard output)'
            cand --out 'Where to write the core (default: core.PID in the current directory; ''-'': standard output)'
            cand --out-dir 'Directory to write core.PID in'
            cand --files 'Read the file pages the checkpoint does not hold from the mapped files under ROOT (''/'' for a checkpoint of this machine, else the extracted root file system); without it they are left out, as the kernel does'
            cand --max-temp 'Most bytes to write to temporary files, where a compressed archive''s memory is copied (mem read, diff, coredump): 4G by default, zero pages free; also CRIT_MAX_TEMP. SIZE is bytes, or with K, M, G or T'
            cand --page-size 'The page size of the machine that wrote the checkpoint (4K, 16K or 64K), instead of the one inferred from its pages files'
            cand --all 'Dump every task (zombies are skipped: they have no memory)'
            cand --force 'With --files: read a mapped file even when its size or build-id differs from what the checkpoint recorded (else it is left out)'
            cand -v 'On error, also print the chain of causes'
            cand --verbose 'On error, also print the chain of causes'
            cand -q 'No notes and no progress bars: only the output, warnings and errors'
            cand --quiet 'No notes and no progress bars: only the output, warnings and errors'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'crit;check'= {
            cand --container 'The container of a pod checkpoint (its name, folder or id)'
            cand --root 'The root file system to look the checkpoint''s files up under: ''/'' for this machine, a container image''s root (`podman image mount`) for a container checkpoint, whose rootfs diff counts as applied on top'
            cand --format 'Output format'
            cand --color 'When to use colour in tables'
            cand --max-temp 'Most bytes to write to temporary files, where a compressed archive''s memory is copied (mem read, diff, coredump): 4G by default, zero pages free; also CRIT_MAX_TEMP. SIZE is bytes, or with K, M, G or T'
            cand --page-size 'The page size of the machine that wrote the checkpoint (4K, 16K or 64K), instead of the one inferred from its pages files'
            cand -v 'On error, also print the chain of causes'
            cand --verbose 'On error, also print the chain of causes'
            cand -q 'No notes and no progress bars: only the output, warnings and errors'
            cand --quiet 'No notes and no progress bars: only the output, warnings and errors'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'crit;help'= {
            cand decode 'Convert an image from binary to JSON (the Python CRIT''s dialect)'
            cand encode 'Convert JSON (from this tool, the Python or the Go CRIT) back to a binary image'
            cand info 'Show an image''s magic and entry count'
            cand show 'Decode an image to indented, human-readable JSON (`decode --pretty`)'
            cand x 'Explore a checkpoint (directory or container archive): processes, files, memory, sockets, namespaces'
            cand stats 'Show the dump and restore statistics of a checkpoint'
            cand mem 'Read a process''s memory: argv, environment, any range, search'
            cand diff 'Compare two checkpoints: processes, files, sockets, memory maps, memory pages, images'
            cand inspect 'Show container checkpoints: engine, image, processes, network, mounts, file changes'
            cand coredump 'Write a checkpointed process as an ELF core file that gdb opens'
            cand check 'Will this checkpoint restore here? Files, pids, ports, CPU, CRIU and kernel: every blocker at once'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'crit;help;decode'= {
        }
        &'crit;help;encode'= {
        }
        &'crit;help;info'= {
        }
        &'crit;help;show'= {
        }
        &'crit;help;x'= {
        }
        &'crit;help;stats'= {
        }
        &'crit;help;mem'= {
            cand args 'The command line (argv), one argument per line'
            cand env 'The environment, one variable per line'
            cand read 'A hexdump of LEN bytes at ADDR (decimal or 0x…)'
            cand search 'Every match of PATTERN, with its address, mapping and context'
            cand maps 'The pagemap: address ranges, page counts, flags and where each run lives'
            cand shmem 'The size of the task''s shared memory mappings'
        }
        &'crit;help;mem;args'= {
        }
        &'crit;help;mem;env'= {
        }
        &'crit;help;mem;read'= {
        }
        &'crit;help;mem;search'= {
        }
        &'crit;help;mem;maps'= {
        }
        &'crit;help;mem;shmem'= {
        }
        &'crit;help;diff'= {
        }
        &'crit;help;inspect'= {
        }
        &'crit;help;coredump'= {
        }
        &'crit;help;check'= {
        }
        &'crit;help;help'= {
        }
    ]
    $completions[$command]
}
