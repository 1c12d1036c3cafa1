# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_crit_global_optspecs
    string join \n v/verbose h/help V/version
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

complete -c crit -n "__fish_crit_needs_command" -s v -l verbose -d 'On error, also print the chain of causes'
complete -c crit -n "__fish_crit_needs_command" -s h -l help -d 'Print help'
complete -c crit -n "__fish_crit_needs_command" -s V -l version -d 'Print version'
complete -c crit -n "__fish_crit_needs_command" -f -a "decode" -d 'Convert an image from binary to JSON (the Python CRIT\'s dialect)'
complete -c crit -n "__fish_crit_needs_command" -f -a "encode" -d 'Convert JSON (from this tool, the Python or the Go CRIT) back to a binary image'
complete -c crit -n "__fish_crit_needs_command" -f -a "info" -d 'Show an image\'s magic and entry count'
complete -c crit -n "__fish_crit_needs_command" -f -a "show" -d 'Decode an image to indented, human-readable JSON (`decode --pretty`)'
complete -c crit -n "__fish_crit_needs_command" -f -a "x" -d 'Explore a checkpoint directory: processes, files, memory, sockets'
complete -c crit -n "__fish_crit_needs_command" -f -a "stats" -d 'Show the dump and restore statistics of a checkpoint'
complete -c crit -n "__fish_crit_needs_command" -f -a "mem" -d 'Read a process\'s memory: argv, environment, any range, search'
complete -c crit -n "__fish_crit_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c crit -n "__fish_crit_using_subcommand decode" -s i -l in -d 'Image to decode (\'-\' or absent: standard input)' -r -F
complete -c crit -n "__fish_crit_using_subcommand decode" -s o -l out -d 'Where to write the JSON (\'-\' or absent: standard output)' -r -F
complete -c crit -n "__fish_crit_using_subcommand decode" -l pretty -d 'Indent, and show numbers in their field\'s form: hex, flag names, IP addresses, devices'
complete -c crit -n "__fish_crit_using_subcommand decode" -l nopl -d 'Replace extra payloads (pipe data, socket queues, …) by their size'
complete -c crit -n "__fish_crit_using_subcommand decode" -s v -l verbose -d 'On error, also print the chain of causes'
complete -c crit -n "__fish_crit_using_subcommand decode" -s h -l help -d 'Print help'
complete -c crit -n "__fish_crit_using_subcommand decode" -s V -l version -d 'Print version'
complete -c crit -n "__fish_crit_using_subcommand encode" -s i -l in -d 'JSON to encode (\'-\' or absent: standard input)' -r -F
complete -c crit -n "__fish_crit_using_subcommand encode" -s o -l out -d 'Where to write the image (\'-\' or absent: standard output)' -r -F
complete -c crit -n "__fish_crit_using_subcommand encode" -s v -l verbose -d 'On error, also print the chain of causes'
complete -c crit -n "__fish_crit_using_subcommand encode" -s h -l help -d 'Print help'
complete -c crit -n "__fish_crit_using_subcommand encode" -s V -l version -d 'Print version'
complete -c crit -n "__fish_crit_using_subcommand info" -s v -l verbose -d 'On error, also print the chain of causes'
complete -c crit -n "__fish_crit_using_subcommand info" -s h -l help -d 'Print help'
complete -c crit -n "__fish_crit_using_subcommand info" -s V -l version -d 'Print version'
complete -c crit -n "__fish_crit_using_subcommand show" -l nopl -d 'Replace extra payloads by their size'
complete -c crit -n "__fish_crit_using_subcommand show" -s v -l verbose -d 'On error, also print the chain of causes'
complete -c crit -n "__fish_crit_using_subcommand show" -s h -l help -d 'Print help'
complete -c crit -n "__fish_crit_using_subcommand show" -s V -l version -d 'Print version'
complete -c crit -n "__fish_crit_using_subcommand x" -l format -d 'Output format' -r -f -a "table\t'Aligned columns for people'
json\t'One JSON document, for jq and programs'"
complete -c crit -n "__fish_crit_using_subcommand x" -l color -d 'When to use colour in tables' -r -f -a "auto\t'When standard output is a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c crit -n "__fish_crit_using_subcommand x" -l width -d 'Lay tables out for this many columns, as on a terminal that wide (0: never wrap); for tests, which have no terminal' -r
complete -c crit -n "__fish_crit_using_subcommand x" -s v -l verbose -d 'On error, also print the chain of causes'
complete -c crit -n "__fish_crit_using_subcommand x" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c crit -n "__fish_crit_using_subcommand x" -s V -l version -d 'Print version'
complete -c crit -n "__fish_crit_using_subcommand stats" -l format -d 'Output format' -r -f -a "table\t'Aligned columns for people'
json\t'One JSON document, for jq and programs'"
complete -c crit -n "__fish_crit_using_subcommand stats" -l color -d 'When to use colour in tables' -r -f -a "auto\t'When standard output is a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c crit -n "__fish_crit_using_subcommand stats" -s v -l verbose -d 'On error, also print the chain of causes'
complete -c crit -n "__fish_crit_using_subcommand stats" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c crit -n "__fish_crit_using_subcommand stats" -s V -l version -d 'Print version'
complete -c crit -n "__fish_crit_using_subcommand mem; and not __fish_seen_subcommand_from args env read search maps shmem help" -l pid -d 'Task to read (default: the root task)' -r
complete -c crit -n "__fish_crit_using_subcommand mem; and not __fish_seen_subcommand_from args env read search maps shmem help" -l format -d 'Output format' -r -f -a "table\t'Aligned columns for people'
json\t'One JSON document, for jq and programs'"
complete -c crit -n "__fish_crit_using_subcommand mem; and not __fish_seen_subcommand_from args env read search maps shmem help" -l color -d 'When to use colour' -r -f -a "auto\t'When standard output is a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c crit -n "__fish_crit_using_subcommand mem; and not __fish_seen_subcommand_from args env read search maps shmem help" -s v -l verbose -d 'On error, also print the chain of causes'
complete -c crit -n "__fish_crit_using_subcommand mem; and not __fish_seen_subcommand_from args env read search maps shmem help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c crit -n "__fish_crit_using_subcommand mem; and not __fish_seen_subcommand_from args env read search maps shmem help" -s V -l version -d 'Print version'
complete -c crit -n "__fish_crit_using_subcommand mem; and not __fish_seen_subcommand_from args env read search maps shmem help" -a "args" -d 'The command line (argv), one argument per line'
complete -c crit -n "__fish_crit_using_subcommand mem; and not __fish_seen_subcommand_from args env read search maps shmem help" -a "env" -d 'The environment, one variable per line'
complete -c crit -n "__fish_crit_using_subcommand mem; and not __fish_seen_subcommand_from args env read search maps shmem help" -a "read" -d 'A hexdump of LEN bytes at ADDR (decimal or 0x…)'
complete -c crit -n "__fish_crit_using_subcommand mem; and not __fish_seen_subcommand_from args env read search maps shmem help" -a "search" -d 'Every match of PATTERN, with its address, mapping and context'
complete -c crit -n "__fish_crit_using_subcommand mem; and not __fish_seen_subcommand_from args env read search maps shmem help" -a "maps" -d 'The pagemap: address ranges, page counts, flags and where each run lives'
complete -c crit -n "__fish_crit_using_subcommand mem; and not __fish_seen_subcommand_from args env read search maps shmem help" -a "shmem" -d 'The size of the task\'s shared memory mappings'
complete -c crit -n "__fish_crit_using_subcommand mem; and not __fish_seen_subcommand_from args env read search maps shmem help" -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from args" -l pid -d 'Task to read (default: the root task)' -r
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from args" -l format -d 'Output format' -r -f -a "table\t'Aligned columns for people'
json\t'One JSON document, for jq and programs'"
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from args" -l color -d 'When to use colour' -r -f -a "auto\t'When standard output is a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from args" -s v -l verbose -d 'On error, also print the chain of causes'
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from args" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from args" -s V -l version -d 'Print version'
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from env" -l pid -d 'Task to read (default: the root task)' -r
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from env" -l format -d 'Output format' -r -f -a "table\t'Aligned columns for people'
json\t'One JSON document, for jq and programs'"
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from env" -l color -d 'When to use colour' -r -f -a "auto\t'When standard output is a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from env" -s v -l verbose -d 'On error, also print the chain of causes'
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from env" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from env" -s V -l version -d 'Print version'
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from read" -l pid -d 'Task to read (default: the root task)' -r
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from read" -l format -d 'Output format' -r -f -a "table\t'Aligned columns for people'
json\t'One JSON document, for jq and programs'"
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from read" -l color -d 'When to use colour' -r -f -a "auto\t'When standard output is a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from read" -l raw -d 'Write the raw bytes instead of a hexdump'
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from read" -s v -l verbose -d 'On error, also print the chain of causes'
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from read" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from read" -s V -l version -d 'Print version'
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from search" -l context -d 'Bytes of context to show either side' -r
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from search" -l pid -d 'Task to read (default: the root task)' -r
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from search" -l format -d 'Output format' -r -f -a "table\t'Aligned columns for people'
json\t'One JSON document, for jq and programs'"
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from search" -l color -d 'When to use colour' -r -f -a "auto\t'When standard output is a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from search" -l regex -d 'Treat PATTERN as a regular expression'
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from search" -s i -l ignore-case -d 'Match case-insensitively'
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from search" -s v -l verbose -d 'On error, also print the chain of causes'
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from search" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from search" -s V -l version -d 'Print version'
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from maps" -l pid -d 'Task to read (default: the root task)' -r
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from maps" -l format -d 'Output format' -r -f -a "table\t'Aligned columns for people'
json\t'One JSON document, for jq and programs'"
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from maps" -l color -d 'When to use colour' -r -f -a "auto\t'When standard output is a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from maps" -s v -l verbose -d 'On error, also print the chain of causes'
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from maps" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from maps" -s V -l version -d 'Print version'
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from shmem" -l pid -d 'Task to read (default: the root task)' -r
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from shmem" -l format -d 'Output format' -r -f -a "table\t'Aligned columns for people'
json\t'One JSON document, for jq and programs'"
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from shmem" -l color -d 'When to use colour' -r -f -a "auto\t'When standard output is a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from shmem" -s v -l verbose -d 'On error, also print the chain of causes'
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from shmem" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from shmem" -s V -l version -d 'Print version'
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from help" -f -a "args" -d 'The command line (argv), one argument per line'
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from help" -f -a "env" -d 'The environment, one variable per line'
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from help" -f -a "read" -d 'A hexdump of LEN bytes at ADDR (decimal or 0x…)'
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from help" -f -a "search" -d 'Every match of PATTERN, with its address, mapping and context'
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from help" -f -a "maps" -d 'The pagemap: address ranges, page counts, flags and where each run lives'
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from help" -f -a "shmem" -d 'The size of the task\'s shared memory mappings'
complete -c crit -n "__fish_crit_using_subcommand mem; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c crit -n "__fish_crit_using_subcommand help; and not __fish_seen_subcommand_from decode encode info show x stats mem help" -f -a "decode" -d 'Convert an image from binary to JSON (the Python CRIT\'s dialect)'
complete -c crit -n "__fish_crit_using_subcommand help; and not __fish_seen_subcommand_from decode encode info show x stats mem help" -f -a "encode" -d 'Convert JSON (from this tool, the Python or the Go CRIT) back to a binary image'
complete -c crit -n "__fish_crit_using_subcommand help; and not __fish_seen_subcommand_from decode encode info show x stats mem help" -f -a "info" -d 'Show an image\'s magic and entry count'
complete -c crit -n "__fish_crit_using_subcommand help; and not __fish_seen_subcommand_from decode encode info show x stats mem help" -f -a "show" -d 'Decode an image to indented, human-readable JSON (`decode --pretty`)'
complete -c crit -n "__fish_crit_using_subcommand help; and not __fish_seen_subcommand_from decode encode info show x stats mem help" -f -a "x" -d 'Explore a checkpoint directory: processes, files, memory, sockets'
complete -c crit -n "__fish_crit_using_subcommand help; and not __fish_seen_subcommand_from decode encode info show x stats mem help" -f -a "stats" -d 'Show the dump and restore statistics of a checkpoint'
complete -c crit -n "__fish_crit_using_subcommand help; and not __fish_seen_subcommand_from decode encode info show x stats mem help" -f -a "mem" -d 'Read a process\'s memory: argv, environment, any range, search'
complete -c crit -n "__fish_crit_using_subcommand help; and not __fish_seen_subcommand_from decode encode info show x stats mem help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c crit -n "__fish_crit_using_subcommand help; and __fish_seen_subcommand_from mem" -f -a "args" -d 'The command line (argv), one argument per line'
complete -c crit -n "__fish_crit_using_subcommand help; and __fish_seen_subcommand_from mem" -f -a "env" -d 'The environment, one variable per line'
complete -c crit -n "__fish_crit_using_subcommand help; and __fish_seen_subcommand_from mem" -f -a "read" -d 'A hexdump of LEN bytes at ADDR (decimal or 0x…)'
complete -c crit -n "__fish_crit_using_subcommand help; and __fish_seen_subcommand_from mem" -f -a "search" -d 'Every match of PATTERN, with its address, mapping and context'
complete -c crit -n "__fish_crit_using_subcommand help; and __fish_seen_subcommand_from mem" -f -a "maps" -d 'The pagemap: address ranges, page counts, flags and where each run lives'
complete -c crit -n "__fish_crit_using_subcommand help; and __fish_seen_subcommand_from mem" -f -a "shmem" -d 'The size of the task\'s shared memory mappings'
