# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_crit_global_optspecs
    string join \n v/verbose max-temp= q/quiet page-size= h/help V/version
end

function __fish_crit_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_crit_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_crit_using_subcommand
    set -l cmd (__fish_crit_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c crit -n "__fish_crit_needs_command" -l max-temp -d 'Most bytes to write to temporary files, where a compressed archive\'s memory is copied (mem read, diff, coredump): 4G by default, zero pages free; also CRIT_MAX_TEMP. SIZE is bytes, or with K, M, G or T' -r
complete -c crit -n "__fish_crit_needs_command" -l page-size -d 'The page size of the machine that wrote the checkpoint (4K, 16K or 64K), instead of the one inferred from its pages files' -r
complete -c crit -n "__fish_crit_needs_command" -s v -l verbose -d 'On error, also print the chain of causes'
complete -c crit -n "__fish_crit_needs_command" -s q -l quiet -d 'No notes and no progress bars: only the output, warnings and errors'
complete -c crit -n "__fish_crit_needs_command" -s h -l help -d 'Print help'
complete -c crit -n "__fish_crit_needs_command" -s V -l version -d 'Print version'
complete -c crit -n "__fish_crit_needs_command" -f -a "decode" -d 'Convert an image from binary to JSON (the Python CRIT\'s dialect)'
complete -c crit -n "__fish_crit_needs_command" -f -a "encode" -d 'Convert JSON (from this tool, the Python or the Go CRIT) back to a binary image'
complete -c crit -n "__fish_crit_needs_command" -f -a "info" -d 'Show an image\'s magic and entry count'
complete -c crit -n "__fish_crit_needs_command" -f -a "show" -d 'Decode an image to indented, human-readable JSON (`decode --pretty`)'
complete -c crit -n "__fish_crit_needs_command" -f -a "x" -d 'Explore a checkpoint (directory or container archive): processes, files, memory, sockets, namespaces'
complete -c crit -n "__fish_crit_needs_command" -f -a "stats" -d 'Show the dump and restore statistics of a checkpoint'
complete -c crit -n "__fish_crit_needs_command" -f -a "mem" -d 'Read a process\'s memory: argv, environment, any range, search'
complete -c crit -n "__fish_crit_needs_command" -f -a "diff" -d 'Compare two checkpoints: processes, files, sockets, memory maps, memory pages, images'
complete -c crit -n "__fish_crit_needs_command" -f -a "inspect" -d 'Show container checkpoints: engine, image, processes, network, mounts, file changes'
complete -c crit -n "__fish_crit_needs_command" -f -a "coredump" -d 'Write a checkpointed process as an ELF core file that gdb opens'
complete -c crit -n "__fish_crit_needs_command" -f -a "check" -d 'Will this checkpoint restore here? Files, pids, ports, CPU, CRIU and kernel: every blocker at once'
complete -c crit -n "__fish_crit_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c crit -n "__fish_crit_using_subcommand decode" -s i -l in -d 'Image to decode (\'-\' or absent: standard input; ARCHIVE:MEMBER for one inside an archive)' -r -F
complete -c crit -n "__fish_crit_using_subcommand decode" -s o -l out -d 'Where to write the JSON (\'-\' or absent: standard output)' -r -F
complete -c crit -n "__fish_crit_using_subcommand decode" -l extract -d 'Also unpack a tmpfs-dev-N.tar.gz.img image into DIR (new, or empty: filled in place)' -r -F
complete -c crit -n "__fish_crit_using_subcommand decode" -l max-extract -d 'Most bytes of file contents --extract writes (K, M, G, T: powers of 1024)' -r
complete -c crit -n "__fish_crit_using_subcommand decode" -l max-temp -d 'Most bytes to write to temporary files, where a compressed archive\'s memory is copied (mem read, diff, coredump): 4G by default, zero pages free; also CRIT_MAX_TEMP. SIZE is bytes, or with K, M, G or T' -r
complete -c crit -n "__fish_crit_using_subcommand decode" -l page-size -d 'The page size of the machine that wrote the checkpoint (4K, 16K or 64K), instead of the one inferred from its pages files' -r
complete -c crit -n "__fish_crit_using_subcommand decode" -l pretty -d 'Indent, and show numbers in their field\'s form: hex, flag names, IP addresses, devices'
complete -c crit -n "__fish_crit_using_subcommand decode" -l nopl -d 'Replace extra payloads (pipe data, socket queues, …) by their size'
complete -c crit -n "__fish_crit_using_subcommand decode" -s v -l verbose -d 'On error, also print the chain of causes'
complete -c crit -n "__fish_crit_using_subcommand decode" -s q -l quiet -d 'No notes and no progress bars: only the output, warnings and errors'
complete -c crit -n "__fish_crit_using_subcommand decode" -s h -l help -d 'Print help'
complete -c crit -n "__fish_crit_using_subcommand decode" -s V -l version -d 'Print version'
complete -c crit -n "__fish_crit_using_subcommand encode" -s i -l in -d 'JSON to encode (\'-\' or absent: standard input)' -r -F
complete -c crit -n "__fish_crit_using_subcommand encode" -s o -l out -d 'Where to write the image (\'-\' or absent: standard output)' -r -F
complete -c crit -n "__fish_crit_using_subcommand encode" -l max-temp -d 'Most bytes to write to temporary files, where a compressed archive\'s memory is copied (mem read, diff, coredump): 4G by default, zero pages free; also CRIT_MAX_TEMP. SIZE is bytes, or with K, M, G or T' -r
complete -c crit -n "__fish_crit_using_subcommand encode" -l page-size -d 'The page size of the machine that wrote the checkpoint (4K, 16K or 64K), instead of the one inferred from its pages files' -r
complete -c crit -n "__fish_crit_using_subcommand encode" -s v -l verbose -d 'On error, also print the chain of causes'
complete -c crit -n "__fish_crit_using_subcommand encode" -s q -l quiet -d 'No notes and no progress bars: only the output, warnings and errors'
complete -c crit -n "__fish_crit_using_subcommand encode" -s h -l help -d 'Print help'
complete -c crit -n "__fish_crit_using_subcommand encode" -s V -l version -d 'Print version'
complete -c crit -n "__fish_crit_using_subcommand info" -l max-temp -d 'Most bytes to write to temporary files, where a compressed archive\'s memory is copied (mem read, diff, coredump): 4G by default, zero pages free; also CRIT_MAX_TEMP. SIZE is bytes, or with K, M, G or T' -r
complete -c crit -n "__fish_crit_using_subcommand info" -l page-size -d 'The page size of the machine that wrote the checkpoint (4K, 16K or 64K), instead of the one inferred from its pages files' -r
complete -c crit -n "__fish_crit_using_subcommand info" -s v -l verbose -d 'On error, also print the chain of causes'
complete -c crit -n "__fish_crit_using_subcommand info" -s q -l quiet -d 'No notes and no progress bars: only the output, warnings and errors'
complete -c crit -n "__fish_crit_using_subcommand info" -s h -l help -d 'Print help'
complete -c crit -n "__fish_crit_using_subcommand info" -s V -l version -d 'Print version'
complete -c crit -n "__fish_crit_using_subcommand show" -l extract -d 'Also unpack a tmpfs-dev-N.tar.gz.img image into DIR (new, or empty: filled in place)' -r -F
complete -c crit -n "__fish_crit_using_subcommand show" -l max-extract -d 'Most bytes of file contents --extract writes (K, M, G, T: powers of 1024)' -r
complete -c crit -n "__fish_crit_using_subcommand show" -l max-temp -d 'Most bytes to write to temporary files, where a compressed archive\'s memory is copied (mem read, diff, coredump): 4G by default, zero pages free; also CRIT_MAX_TEMP. SIZE is bytes, or with K, M, G or T' -r
complete -c crit -n "__fish_crit_using_subcommand show" -l page-size -d 'The page size of the machine that wrote the checkpoint (4K, 16K or 64K), instead of the one inferred from its pages files' -r
complete -c crit -n "__fish_crit_using_subcommand show" -l nopl -d 'Replace extra payloads by their size'
complete -c crit -n "__fish_crit_using_subcommand show" -s v -l verbose -d 'On error, also print the chain of causes'
complete -c crit -n "__fish_crit_using_subcommand show" -s q -l quiet -d 'No notes and no progress bars: only the output, warnings and errors'
complete -c crit -n "__fish_crit_using_subcommand show" -s h -l help -d 'Print help'
complete -c crit -n "__fish_crit_using_subcommand show" -s V -l version -d 'Print version'
complete -c crit -n "__fish_crit_using_subcommand x" -l container -d 'The container of a pod checkpoint (its name, folder or id)' -r
complete -c crit -n "__fish_crit_using_subcommand x" -l pid -d 'Only this task (a thread id names its process)' -r
complete -c crit -n "__fish_crit_using_subcommand x" -l prot -d 'Only mappings with these permissions (any of r, w, x: `--prot rw`)' -r
complete -c crit -n "__fish_crit_using_subcommand x" -l kind -d 'Only mappings of this kind' -r -f -a "anon\t'Anonymous private memory (not heap, stack or vdso)'
file\t'A mapped file'
heap\t'The heap'
stack\t'A stack'
shared\t'Shared mappings (files, shmem, SysV shm, memfd)'
vdso\t'vdso, vvar and vsyscall'"
complete -c crit -n "__fish_crit_using_subcommand x" -l range -d 'Only mappings overlapping START-END (hexadecimal)' -r
complete -c crit -n "__fish_crit_using_subcommand x" -l format -d 'Output format' -r -f -a "table\t'Aligned columns for people'
json\t'One JSON document, for jq and programs'"
complete -c crit -n "__fish_crit_using_subcommand x" -l color -d 'When to use colour in tables' -r -f -a "auto\t'When standard output is a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c crit -n "__fish_crit_using_subcommand x" -l width -d 'Lay tables out for this many columns, as on a terminal that wide (0: never wrap); for tests, which have no terminal' -r
complete -c crit -n "__fish_crit_using_subcommand x" -l max-temp -d 'Most bytes to write to temporary files, where a compressed archive\'s memory is copied (mem read, diff, coredump): 4G by default, zero pages free; also CRIT_MAX_TEMP. SIZE is bytes, or with K, M, G or T' -r
complete -c crit -n "__fish_crit_using_subcommand x" -l page-size -d 'The page size of the machine that wrote the checkpoint (4K, 16K or 64K), instead of the one inferred from its pages files' -r
complete -c crit -n "__fish_crit_using_subcommand x" -l tree -d 'With --pid: the task and all its descendants'
complete -c crit -n "__fish_crit_using_subcommand x" -s v -l verbose -d 'On error, also print the chain of causes'
complete -c crit -n "__fish_crit_using_subcommand x" -s q -l quiet -d 'No notes and no progress bars: only the output, warnings and errors'
complete -c crit -n "__fish_crit_using_subcommand x" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c crit -n "__fish_crit_using_subcommand x" -s V -l version -d 'Print version'
complete -c crit -n "__fish_crit_using_subcommand stats" -l container -d 'The container of a pod checkpoint (its name, folder or id)' -r
complete -c crit -n "__fish_crit_using_subcommand stats" -l format -d 'Output format' -r -f -a "table\t'Aligned columns for people'
json\t'One JSON document, for jq and programs'"
complete -c crit -n "__fish_crit_using_subcommand stats" -l color -d 'When to use colour in tables' -r -f -a "auto\t'When standard output is a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c crit -n "__fish_crit_using_subcommand stats" -l max-temp -d 'Most bytes to write to temporary files, where a compressed archive\'s memory is copied (mem read, diff, coredump): 4G by default, zero pages free; also CRIT_MAX_TEMP. SIZE is bytes, or with K, M, G or T' -r
complete -c crit -n "__fish_crit_using_subcommand stats" -l page-size -d 'The page size of the machine that wrote the checkpoint (4K, 16K or 64K), instead of the one inferred from its pages files' -r
complete -c crit -n "__fish_crit_using_subcommand stats" -s v -l verbose -d 'On error, also print the chain of causes'
complete -c crit -n "__fish_crit_using_subcommand stats" -s q -l quiet -d 'No notes and no progress bars: only the output, warnings and errors'
complete -c crit -n "__fish_crit_using_subcommand stats" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c crit -n "__fish_crit_using_subcommand stats" -s V -l version -d 'Print version'
complete -c crit -n "__fish_crit_using_subcommand mem; and not __fish_seen_subcommand_from args env read search maps shmem help" -l container -d 'The container of a pod checkpoint (its name, folder or id)' -r
complete -c crit -n "__fish_crit_using_subcommand mem; and not __fish_seen_subcommand_from args env read search maps shmem help" -l pid -d 'Task to read (default: the root task)' -r
complete -c crit -n "__fish_crit_using_subcommand mem; and not __fish_seen_subcommand_from args env read search maps shmem help" -l format -d 'Output format' -r -f -a "table\t'Aligned columns for people'
json\t'One JSON document, for jq and programs'"
complete -c crit -n "__fish_crit_using_subcommand mem; and not __fish_seen_subcommand_from args env read search maps shmem help" -l color -d 'When to use colour' -r -f -a "auto\t'When standard output is a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c crit -n "__fish_crit_using_subcommand mem; and not __fish_seen_subcommand_from args env read search maps shmem help" -l max-temp -d 'Most bytes to write to temporary files, where a compressed archive\'s memory is copied (mem read, diff, coredump): 4G by default, zero pages free; also CRIT_MAX_TEMP. SIZE is bytes, or with K, M, G or T' -r
complete -c crit -n "__fish_crit_using_subcommand mem; and not __fish_seen_subcommand_from args env read search maps shmem help" -l page-size -d 'The page size of the machine that wrote the checkpoint (4K, 16K or 64K), instead of the one inferred from its pages files' -r
complete -c crit -n "__fish_crit_using_subcommand mem; and not __fish_seen_subcommand_from args env read search maps shmem help" -s v -l verbose -d 'On error, also print the chain of causes'
complete -c crit -n "__fish_crit_using_subcommand mem; and not __fish_seen_subcommand_from args env read search maps shmem help" -s q -l quiet -d 'No notes and no progress bars: only the output, warnings and errors'
complete -c crit -n "__fish_crit_using_subcommand mem; and not __fish_seen_subcommand_from args env read search maps shmem help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c crit -n "__fish_crit_using_subcommand mem; and not __fish_seen_subcommand_from args env read search maps shmem help" -s V -l version -d 'Print version'
complete -c crit -n "__fish_crit_using_subcommand mem; and not __fish_seen_subcommand_from args env read search maps shmem help" -a "args" -d 'The command line (argv), one argument per line'
complete -c crit -n "__fish_crit_using_subcommand mem; and not __fish_seen_subcommand_from args env read search maps shmem help" -a "env" -d 'The environment, one variable per line'
complete -c crit -n "__fish_crit_using_subcommand mem; and not __fish_seen_subcommand_from args env read search maps shmem help" -a "read" -d 'A hexdump of LEN bytes at ADDR (decimal or 0x…)'
complete -c crit -n "__fish_crit_using_subcommand mem; and not __fish_seen_subcommand_from args env read search maps shmem help" -a "search" -d 'Every match of PATTERN, with its address, mapping and context'
complete -c crit -n "__fish_crit_using_subcommand mem; and not __fish_seen_subcommand_from args env read search maps shmem help" -a "maps" -d 'The pagemap: address ranges, page counts, flags and where each run lives'
complete -c crit -n "__fish_crit_using_subcommand mem; and not __fish_seen_subcommand_from args env read search maps shmem help" -a "shmem" -d 'The size of the task\'s shared memory mappings'
complete -c crit -n "__fish_crit_using_subcommand mem; and not __fish_seen_subcommand_from args env read search maps shmem help" -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from args" -l container -d 'The container of a pod checkpoint (its name, folder or id)' -r
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from args" -l pid -d 'Task to read (default: the root task)' -r
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from args" -l format -d 'Output format' -r -f -a "table\t'Aligned columns for people'
json\t'One JSON document, for jq and programs'"
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from args" -l color -d 'When to use colour' -r -f -a "auto\t'When standard output is a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from args" -l max-temp -d 'Most bytes to write to temporary files, where a compressed archive\'s memory is copied (mem read, diff, coredump): 4G by default, zero pages free; also CRIT_MAX_TEMP. SIZE is bytes, or with K, M, G or T' -r
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from args" -l page-size -d 'The page size of the machine that wrote the checkpoint (4K, 16K or 64K), instead of the one inferred from its pages files' -r
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from args" -s v -l verbose -d 'On error, also print the chain of causes'
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from args" -s q -l quiet -d 'No notes and no progress bars: only the output, warnings and errors'
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from args" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from args" -s V -l version -d 'Print version'
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from env" -l container -d 'The container of a pod checkpoint (its name, folder or id)' -r
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from env" -l pid -d 'Task to read (default: the root task)' -r
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from env" -l format -d 'Output format' -r -f -a "table\t'Aligned columns for people'
json\t'One JSON document, for jq and programs'"
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from env" -l color -d 'When to use colour' -r -f -a "auto\t'When standard output is a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from env" -l max-temp -d 'Most bytes to write to temporary files, where a compressed archive\'s memory is copied (mem read, diff, coredump): 4G by default, zero pages free; also CRIT_MAX_TEMP. SIZE is bytes, or with K, M, G or T' -r
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from env" -l page-size -d 'The page size of the machine that wrote the checkpoint (4K, 16K or 64K), instead of the one inferred from its pages files' -r
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from env" -s v -l verbose -d 'On error, also print the chain of causes'
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from env" -s q -l quiet -d 'No notes and no progress bars: only the output, warnings and errors'
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from env" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from env" -s V -l version -d 'Print version'
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from read" -l files -d 'Read file-backed pages CRIU did not dump from the files under ROOT (each checked against the checkpoint\'s record: size, build-id)' -r -F
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from read" -s o -l out -d 'Where to write (\'-\' or absent: standard output)' -r -F
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from read" -l container -d 'The container of a pod checkpoint (its name, folder or id)' -r
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from read" -l pid -d 'Task to read (default: the root task)' -r
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from read" -l format -d 'Output format' -r -f -a "table\t'Aligned columns for people'
json\t'One JSON document, for jq and programs'"
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from read" -l color -d 'When to use colour' -r -f -a "auto\t'When standard output is a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from read" -l max-temp -d 'Most bytes to write to temporary files, where a compressed archive\'s memory is copied (mem read, diff, coredump): 4G by default, zero pages free; also CRIT_MAX_TEMP. SIZE is bytes, or with K, M, G or T' -r
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from read" -l page-size -d 'The page size of the machine that wrote the checkpoint (4K, 16K or 64K), instead of the one inferred from its pages files' -r
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from read" -l raw -d 'Write the raw bytes instead of a hexdump'
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from read" -l force -d 'With --files: read a file even when its size or build-id differs from what the checkpoint recorded (else that is refused)'
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from read" -s v -l verbose -d 'On error, also print the chain of causes'
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from read" -s q -l quiet -d 'No notes and no progress bars: only the output, warnings and errors'
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from read" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from read" -s V -l version -d 'Print version'
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from search" -l context -d 'Bytes of context to show either side' -r
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from search" -l in -d 'Only in the mapping of this file (by path), or `[heap]`, `[stack]`' -r
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from search" -l prot -d 'Only mappings with these permissions (any of r, w, x: `--prot rw`)' -r
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from search" -l kind -d 'Only mappings of this kind' -r -f -a "anon\t'Anonymous private memory (not heap, stack or vdso)'
file\t'A mapped file'
heap\t'The heap'
stack\t'A stack'
shared\t'Shared mappings (files, shmem, SysV shm, memfd)'
vdso\t'vdso, vvar and vsyscall'"
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from search" -l range -d 'Only mappings overlapping START-END (hexadecimal)' -r
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from search" -l container -d 'The container of a pod checkpoint (its name, folder or id)' -r
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from search" -l pid -d 'Task to read (default: the root task)' -r
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from search" -l format -d 'Output format' -r -f -a "table\t'Aligned columns for people'
json\t'One JSON document, for jq and programs'"
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from search" -l color -d 'When to use colour' -r -f -a "auto\t'When standard output is a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from search" -l max-temp -d 'Most bytes to write to temporary files, where a compressed archive\'s memory is copied (mem read, diff, coredump): 4G by default, zero pages free; also CRIT_MAX_TEMP. SIZE is bytes, or with K, M, G or T' -r
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from search" -l page-size -d 'The page size of the machine that wrote the checkpoint (4K, 16K or 64K), instead of the one inferred from its pages files' -r
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from search" -l regex -d 'Treat PATTERN as a regular expression'
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from search" -s i -l ignore-case -d 'Match case-insensitively'
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from search" -s v -l verbose -d 'On error, also print the chain of causes'
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from search" -s q -l quiet -d 'No notes and no progress bars: only the output, warnings and errors'
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from search" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from search" -s V -l version -d 'Print version'
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from maps" -l prot -d 'Only mappings with these permissions (any of r, w, x: `--prot rw`)' -r
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from maps" -l kind -d 'Only mappings of this kind' -r -f -a "anon\t'Anonymous private memory (not heap, stack or vdso)'
file\t'A mapped file'
heap\t'The heap'
stack\t'A stack'
shared\t'Shared mappings (files, shmem, SysV shm, memfd)'
vdso\t'vdso, vvar and vsyscall'"
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from maps" -l range -d 'Only mappings overlapping START-END (hexadecimal)' -r
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from maps" -l container -d 'The container of a pod checkpoint (its name, folder or id)' -r
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from maps" -l pid -d 'Task to read (default: the root task)' -r
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from maps" -l format -d 'Output format' -r -f -a "table\t'Aligned columns for people'
json\t'One JSON document, for jq and programs'"
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from maps" -l color -d 'When to use colour' -r -f -a "auto\t'When standard output is a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from maps" -l max-temp -d 'Most bytes to write to temporary files, where a compressed archive\'s memory is copied (mem read, diff, coredump): 4G by default, zero pages free; also CRIT_MAX_TEMP. SIZE is bytes, or with K, M, G or T' -r
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from maps" -l page-size -d 'The page size of the machine that wrote the checkpoint (4K, 16K or 64K), instead of the one inferred from its pages files' -r
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from maps" -s v -l verbose -d 'On error, also print the chain of causes'
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from maps" -s q -l quiet -d 'No notes and no progress bars: only the output, warnings and errors'
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from maps" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from maps" -s V -l version -d 'Print version'
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from shmem" -l container -d 'The container of a pod checkpoint (its name, folder or id)' -r
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from shmem" -l pid -d 'Task to read (default: the root task)' -r
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from shmem" -l format -d 'Output format' -r -f -a "table\t'Aligned columns for people'
json\t'One JSON document, for jq and programs'"
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from shmem" -l color -d 'When to use colour' -r -f -a "auto\t'When standard output is a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from shmem" -l max-temp -d 'Most bytes to write to temporary files, where a compressed archive\'s memory is copied (mem read, diff, coredump): 4G by default, zero pages free; also CRIT_MAX_TEMP. SIZE is bytes, or with K, M, G or T' -r
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from shmem" -l page-size -d 'The page size of the machine that wrote the checkpoint (4K, 16K or 64K), instead of the one inferred from its pages files' -r
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from shmem" -s v -l verbose -d 'On error, also print the chain of causes'
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from shmem" -s q -l quiet -d 'No notes and no progress bars: only the output, warnings and errors'
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from shmem" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from shmem" -s V -l version -d 'Print version'
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from help" -f -a "args" -d 'The command line (argv), one argument per line'
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from help" -f -a "env" -d 'The environment, one variable per line'
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from help" -f -a "read" -d 'A hexdump of LEN bytes at ADDR (decimal or 0x…)'
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from help" -f -a "search" -d 'Every match of PATTERN, with its address, mapping and context'
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from help" -f -a "maps" -d 'The pagemap: address ranges, page counts, flags and where each run lives'
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from help" -f -a "shmem" -d 'The size of the task\'s shared memory mappings'
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c crit -n "__fish_crit_using_subcommand diff" -l container -d 'The container of each pod checkpoint (its name, folder or id); a side of one container ignores it' -r
complete -c crit -n "__fish_crit_using_subcommand diff" -l container-b -d 'B\'s container when it differs from A\'s (default: --container)' -r
complete -c crit -n "__fish_crit_using_subcommand diff" -l format -d 'Output format' -r -f -a "table\t'Aligned columns for people'
json\t'One JSON document, for jq and programs'"
complete -c crit -n "__fish_crit_using_subcommand diff" -l color -d 'When to use colour in tables' -r -f -a "auto\t'When standard output is a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c crit -n "__fish_crit_using_subcommand diff" -l match -d 'How to pair the tasks of A and B' -r -f -a "pid\t'The same pid'
comm\t'The same command at the same place in the process tree (pids changed)'"
complete -c crit -n "__fish_crit_using_subcommand diff" -l hexdiff -d 'Show LEN bytes at ADDR (decimal or 0x…) of both sides, instead of the report' -r
complete -c crit -n "__fish_crit_using_subcommand diff" -l pid -d 'The task (pid in A) whose memory --hexdiff shows (default: the root task)' -r
complete -c crit -n "__fish_crit_using_subcommand diff" -l max-temp -d 'Most bytes to write to temporary files, where a compressed archive\'s memory is copied (mem read, diff, coredump): 4G by default, zero pages free; also CRIT_MAX_TEMP. SIZE is bytes, or with K, M, G or T' -r
complete -c crit -n "__fish_crit_using_subcommand diff" -l page-size -d 'The page size of the machine that wrote the checkpoint (4K, 16K or 64K), instead of the one inferred from its pages files' -r
complete -c crit -n "__fish_crit_using_subcommand diff" -s q -l quiet -d 'Print nothing: the exit status alone says equal (0) or different (1)'
complete -c crit -n "__fish_crit_using_subcommand diff" -l pages -d 'List every differing page, not only the first few of each mapping'
complete -c crit -n "__fish_crit_using_subcommand diff" -l images -d 'Also compare the image files, entry by entry'
complete -c crit -n "__fish_crit_using_subcommand diff" -s v -l verbose -d 'On error, also print the chain of causes'
complete -c crit -n "__fish_crit_using_subcommand diff" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c crit -n "__fish_crit_using_subcommand diff" -s V -l version -d 'Print version'
complete -c crit -n "__fish_crit_using_subcommand inspect" -l container -d 'Show only this container of a pod checkpoint (its name, folder or id)' -r
complete -c crit -n "__fish_crit_using_subcommand inspect" -l format -d 'Output format' -r -f -a "table\t'Aligned columns for people'
json\t'One JSON document, for jq and programs'"
complete -c crit -n "__fish_crit_using_subcommand inspect" -l color -d 'When to use colour in tables' -r -f -a "auto\t'When standard output is a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c crit -n "__fish_crit_using_subcommand inspect" -l max-temp -d 'Most bytes to write to temporary files, where a compressed archive\'s memory is copied (mem read, diff, coredump): 4G by default, zero pages free; also CRIT_MAX_TEMP. SIZE is bytes, or with K, M, G or T' -r
complete -c crit -n "__fish_crit_using_subcommand inspect" -l page-size -d 'The page size of the machine that wrote the checkpoint (4K, 16K or 64K), instead of the one inferred from its pages files' -r
complete -c crit -n "__fish_crit_using_subcommand inspect" -s v -l verbose -d 'On error, also print the chain of causes'
complete -c crit -n "__fish_crit_using_subcommand inspect" -s q -l quiet -d 'No notes and no progress bars: only the output, warnings and errors'
complete -c crit -n "__fish_crit_using_subcommand inspect" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c crit -n "__fish_crit_using_subcommand inspect" -s V -l version -d 'Print version'
complete -c crit -n "__fish_crit_using_subcommand coredump" -l container -d 'The container of a pod checkpoint (its name, folder or id)' -r
complete -c crit -n "__fish_crit_using_subcommand coredump" -l pid -d 'Task to dump, by pid or thread id (default: the root task)' -r
complete -c crit -n "__fish_crit_using_subcommand coredump" -s o -l out -d 'Where to write the core (default: core.PID in the current directory; \'-\': standard output)' -r -F
complete -c crit -n "__fish_crit_using_subcommand coredump" -l out-dir -d 'Directory to write core.PID in' -r -F
complete -c crit -n "__fish_crit_using_subcommand coredump" -l files -d 'Read the file pages the checkpoint does not hold from the mapped files under ROOT (\'/\' for a checkpoint of this machine, else the extracted root file system); without it they are left out, as the kernel does' -r -F
complete -c crit -n "__fish_crit_using_subcommand coredump" -l max-temp -d 'Most bytes to write to temporary files, where a compressed archive\'s memory is copied (mem read, diff, coredump): 4G by default, zero pages free; also CRIT_MAX_TEMP. SIZE is bytes, or with K, M, G or T' -r
complete -c crit -n "__fish_crit_using_subcommand coredump" -l page-size -d 'The page size of the machine that wrote the checkpoint (4K, 16K or 64K), instead of the one inferred from its pages files' -r
complete -c crit -n "__fish_crit_using_subcommand coredump" -l all -d 'Dump every task (zombies are skipped: they have no memory)'
complete -c crit -n "__fish_crit_using_subcommand coredump" -l force -d 'With --files: read a mapped file even when its size or build-id differs from what the checkpoint recorded (else it is left out)'
complete -c crit -n "__fish_crit_using_subcommand coredump" -s v -l verbose -d 'On error, also print the chain of causes'
complete -c crit -n "__fish_crit_using_subcommand coredump" -s q -l quiet -d 'No notes and no progress bars: only the output, warnings and errors'
complete -c crit -n "__fish_crit_using_subcommand coredump" -s h -l help -d 'Print help'
complete -c crit -n "__fish_crit_using_subcommand coredump" -s V -l version -d 'Print version'
complete -c crit -n "__fish_crit_using_subcommand check" -l container -d 'The container of a pod checkpoint (its name, folder or id)' -r
complete -c crit -n "__fish_crit_using_subcommand check" -l root -d 'The root file system to look the checkpoint\'s files up under: \'/\' for this machine, a container image\'s root (`podman image mount`) for a container checkpoint, whose rootfs diff counts as applied on top' -r -F
complete -c crit -n "__fish_crit_using_subcommand check" -l format -d 'Output format' -r -f -a "table\t'Aligned columns for people'
json\t'One JSON document, for jq and programs'"
complete -c crit -n "__fish_crit_using_subcommand check" -l color -d 'When to use colour in tables' -r -f -a "auto\t'When standard output is a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c crit -n "__fish_crit_using_subcommand check" -l max-temp -d 'Most bytes to write to temporary files, where a compressed archive\'s memory is copied (mem read, diff, coredump): 4G by default, zero pages free; also CRIT_MAX_TEMP. SIZE is bytes, or with K, M, G or T' -r
complete -c crit -n "__fish_crit_using_subcommand check" -l page-size -d 'The page size of the machine that wrote the checkpoint (4K, 16K or 64K), instead of the one inferred from its pages files' -r
complete -c crit -n "__fish_crit_using_subcommand check" -s v -l verbose -d 'On error, also print the chain of causes'
complete -c crit -n "__fish_crit_using_subcommand check" -s q -l quiet -d 'No notes and no progress bars: only the output, warnings and errors'
complete -c crit -n "__fish_crit_using_subcommand check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c crit -n "__fish_crit_using_subcommand check" -s V -l version -d 'Print version'
complete -c crit -n "__fish_crit_using_subcommand help; and not __fish_seen_subcommand_from decode encode info show x stats mem diff inspect coredump check help" -f -a "decode" -d 'Convert an image from binary to JSON (the Python CRIT\'s dialect)'
complete -c crit -n "__fish_crit_using_subcommand help; and not __fish_seen_subcommand_from decode encode info show x stats mem diff inspect coredump check help" -f -a "encode" -d 'Convert JSON (from this tool, the Python or the Go CRIT) back to a binary image'
complete -c crit -n "__fish_crit_using_subcommand help; and not __fish_seen_subcommand_from decode encode info show x stats mem diff inspect coredump check help" -f -a "info" -d 'Show an image\'s magic and entry count'
complete -c crit -n "__fish_crit_using_subcommand help; and not __fish_seen_subcommand_from decode encode info show x stats mem diff inspect coredump check help" -f -a "show" -d 'Decode an image to indented, human-readable JSON (`decode --pretty`)'
complete -c crit -n "__fish_crit_using_subcommand help; and not __fish_seen_subcommand_from decode encode info show x stats mem diff inspect coredump check help" -f -a "x" -d 'Explore a checkpoint (directory or container archive): processes, files, memory, sockets, namespaces'
complete -c crit -n "__fish_crit_using_subcommand help; and not __fish_seen_subcommand_from decode encode info show x stats mem diff inspect coredump check help" -f -a "stats" -d 'Show the dump and restore statistics of a checkpoint'
complete -c crit -n "__fish_crit_using_subcommand help; and not __fish_seen_subcommand_from decode encode info show x stats mem diff inspect coredump check help" -f -a "mem" -d 'Read a process\'s memory: argv, environment, any range, search'
complete -c crit -n "__fish_crit_using_subcommand help; and not __fish_seen_subcommand_from decode encode info show x stats mem diff inspect coredump check help" -f -a "diff" -d 'Compare two checkpoints: processes, files, sockets, memory maps, memory pages, images'
complete -c crit -n "__fish_crit_using_subcommand help; and not __fish_seen_subcommand_from decode encode info show x stats mem diff inspect coredump check help" -f -a "inspect" -d 'Show container checkpoints: engine, image, processes, network, mounts, file changes'
complete -c crit -n "__fish_crit_using_subcommand help; and not __fish_seen_subcommand_from decode encode info show x stats mem diff inspect coredump check help" -f -a "coredump" -d 'Write a checkpointed process as an ELF core file that gdb opens'
complete -c crit -n "__fish_crit_using_subcommand help; and not __fish_seen_subcommand_from decode encode info show x stats mem diff inspect coredump check help" -f -a "check" -d 'Will this checkpoint restore here? Files, pids, ports, CPU, CRIU and kernel: every blocker at once'
complete -c crit -n "__fish_crit_using_subcommand help; and not __fish_seen_subcommand_from decode encode info show x stats mem diff inspect coredump check help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c crit -n "__fish_crit_using_subcommand help; and __fish_seen_subcommand_from mem" -f -a "args" -d 'The command line (argv), one argument per line'
complete -c crit -n "__fish_crit_using_subcommand help; and __fish_seen_subcommand_from mem" -f -a "env" -d 'The environment, one variable per line'
complete -c crit -n "__fish_crit_using_subcommand help; and __fish_seen_subcommand_from mem" -f -a "read" -d 'A hexdump of LEN bytes at ADDR (decimal or 0x…)'
complete -c crit -n "__fish_crit_using_subcommand help; and __fish_seen_subcommand_from mem" -f -a "search" -d 'Every match of PATTERN, with its address, mapping and context'
complete -c crit -n "__fish_crit_using_subcommand help; and __fish_seen_subcommand_from mem" -f -a "maps" -d 'The pagemap: address ranges, page counts, flags and where each run lives'
complete -c crit -n "__fish_crit_using_subcommand help; and __fish_seen_subcommand_from mem" -f -a "shmem" -d 'The size of the task\'s shared memory mappings'
