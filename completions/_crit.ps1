
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'crit' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'crit'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'crit' {
            [CompletionResult]::new('--max-temp', '--max-temp', [CompletionResultType]::ParameterName, 'Most bytes to write to temporary files, where a compressed archive''s memory is copied (mem read, diff, coredump): 4G by default, zero pages free; also CRIT_MAX_TEMP. SIZE is bytes, or with K, M, G or T')
            [CompletionResult]::new('--page-size', '--page-size', [CompletionResultType]::ParameterName, 'The page size of the machine that wrote the checkpoint (4K, 16K or 64K), instead of the one inferred from its pages files')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'On error, also print the chain of causes')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'On error, also print the chain of causes')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notes and no progress bars: only the output, warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notes and no progress bars: only the output, warnings and errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('decode', 'decode', [CompletionResultType]::ParameterValue, 'Convert an image from binary to JSON (the Python CRIT''s dialect)')
            [CompletionResult]::new('encode', 'encode', [CompletionResultType]::ParameterValue, 'Convert JSON (from this tool, the Python or the Go CRIT) back to a binary image')
            [CompletionResult]::new('info', 'info', [CompletionResultType]::ParameterValue, 'Show an image''s magic and entry count')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Decode an image to indented, human-readable JSON (`decode --pretty`)')
            [CompletionResult]::new('x', 'x', [CompletionResultType]::ParameterValue, 'Explore a checkpoint (directory or container archive): processes, files, memory, sockets, namespaces')
            [CompletionResult]::new('stats', 'stats', [CompletionResultType]::ParameterValue, 'Show the dump and restore statistics of a checkpoint')
            [CompletionResult]::new('mem', 'mem', [CompletionResultType]::ParameterValue, 'Read a process''s memory: argv, environment, any range, search')
            [CompletionResult]::new('diff', 'diff', [CompletionResultType]::ParameterValue, 'Compare two checkpoints: processes, files, sockets, memory maps, memory pages, images')
            [CompletionResult]::new('inspect', 'inspect', [CompletionResultType]::ParameterValue, 'Show container checkpoints: engine, image, processes, network, mounts, file changes')
            [CompletionResult]::new('coredump', 'coredump', [CompletionResultType]::ParameterValue, 'Write a checkpointed process as an ELF core file that gdb opens')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Will this checkpoint restore here? Files, pids, ports, CPU, CRIU and kernel: every blocker at once')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'crit;decode' {
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Image to decode (''-'' or absent: standard input; ARCHIVE:MEMBER for one inside an archive)')
            [CompletionResult]::new('--in', '--in', [CompletionResultType]::ParameterName, 'Image to decode (''-'' or absent: standard input; ARCHIVE:MEMBER for one inside an archive)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Where to write the JSON (''-'' or absent: standard output)')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Where to write the JSON (''-'' or absent: standard output)')
            [CompletionResult]::new('--extract', '--extract', [CompletionResultType]::ParameterName, 'Also unpack a tmpfs-dev-N.tar.gz.img image into DIR (new, or empty: filled in place)')
            [CompletionResult]::new('--max-extract', '--max-extract', [CompletionResultType]::ParameterName, 'Most bytes of file contents --extract writes (K, M, G, T: powers of 1024)')
            [CompletionResult]::new('--max-temp', '--max-temp', [CompletionResultType]::ParameterName, 'Most bytes to write to temporary files, where a compressed archive''s memory is copied (mem read, diff, coredump): 4G by default, zero pages free; also CRIT_MAX_TEMP. SIZE is bytes, or with K, M, G or T')
            [CompletionResult]::new('--page-size', '--page-size', [CompletionResultType]::ParameterName, 'The page size of the machine that wrote the checkpoint (4K, 16K or 64K), instead of the one inferred from its pages files')
            [CompletionResult]::new('--pretty', '--pretty', [CompletionResultType]::ParameterName, 'Indent, and show numbers in their field''s form: hex, flag names, IP addresses, devices')
            [CompletionResult]::new('--nopl', '--nopl', [CompletionResultType]::ParameterName, 'Replace extra payloads (pipe data, socket queues, …) by their size')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'On error, also print the chain of causes')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'On error, also print the chain of causes')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notes and no progress bars: only the output, warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notes and no progress bars: only the output, warnings and errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'crit;encode' {
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'JSON to encode (''-'' or absent: standard input)')
            [CompletionResult]::new('--in', '--in', [CompletionResultType]::ParameterName, 'JSON to encode (''-'' or absent: standard input)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Where to write the image (''-'' or absent: standard output)')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Where to write the image (''-'' or absent: standard output)')
            [CompletionResult]::new('--max-temp', '--max-temp', [CompletionResultType]::ParameterName, 'Most bytes to write to temporary files, where a compressed archive''s memory is copied (mem read, diff, coredump): 4G by default, zero pages free; also CRIT_MAX_TEMP. SIZE is bytes, or with K, M, G or T')
            [CompletionResult]::new('--page-size', '--page-size', [CompletionResultType]::ParameterName, 'The page size of the machine that wrote the checkpoint (4K, 16K or 64K), instead of the one inferred from its pages files')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'On error, also print the chain of causes')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'On error, also print the chain of causes')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notes and no progress bars: only the output, warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notes and no progress bars: only the output, warnings and errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'crit;info' {
            [CompletionResult]::new('--max-temp', '--max-temp', [CompletionResultType]::ParameterName, 'Most bytes to write to temporary files, where a compressed archive''s memory is copied (mem read, diff, coredump): 4G by default, zero pages free; also CRIT_MAX_TEMP. SIZE is bytes, or with K, M, G or T')
            [CompletionResult]::new('--page-size', '--page-size', [CompletionResultType]::ParameterName, 'The page size of the machine that wrote the checkpoint (4K, 16K or 64K), instead of the one inferred from its pages files')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'On error, also print the chain of causes')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'On error, also print the chain of causes')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notes and no progress bars: only the output, warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notes and no progress bars: only the output, warnings and errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'crit;show' {
            [CompletionResult]::new('--extract', '--extract', [CompletionResultType]::ParameterName, 'Also unpack a tmpfs-dev-N.tar.gz.img image into DIR (new, or empty: filled in place)')
            [CompletionResult]::new('--max-extract', '--max-extract', [CompletionResultType]::ParameterName, 'Most bytes of file contents --extract writes (K, M, G, T: powers of 1024)')
            [CompletionResult]::new('--max-temp', '--max-temp', [CompletionResultType]::ParameterName, 'Most bytes to write to temporary files, where a compressed archive''s memory is copied (mem read, diff, coredump): 4G by default, zero pages free; also CRIT_MAX_TEMP. SIZE is bytes, or with K, M, G or T')
            [CompletionResult]::new('--page-size', '--page-size', [CompletionResultType]::ParameterName, 'The page size of the machine that wrote the checkpoint (4K, 16K or 64K), instead of the one inferred from its pages files')
            [CompletionResult]::new('--nopl', '--nopl', [CompletionResultType]::ParameterName, 'Replace extra payloads by their size')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'On error, also print the chain of causes')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'On error, also print the chain of causes')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notes and no progress bars: only the output, warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notes and no progress bars: only the output, warnings and errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'crit;x' {
            [CompletionResult]::new('--container', '--container', [CompletionResultType]::ParameterName, 'The container of a pod checkpoint (its name, folder or id)')
            [CompletionResult]::new('--pid', '--pid', [CompletionResultType]::ParameterName, 'Only this task (a thread id names its process)')
            [CompletionResult]::new('--prot', '--prot', [CompletionResultType]::ParameterName, 'Only mappings with these permissions (any of r, w, x: `--prot rw`)')
            [CompletionResult]::new('--kind', '--kind', [CompletionResultType]::ParameterName, 'Only mappings of this kind')
            [CompletionResult]::new('--range', '--range', [CompletionResultType]::ParameterName, 'Only mappings overlapping START-END (hexadecimal)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour in tables')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Lay tables out for this many columns, as on a terminal that wide (0: never wrap); for tests, which have no terminal')
            [CompletionResult]::new('--max-temp', '--max-temp', [CompletionResultType]::ParameterName, 'Most bytes to write to temporary files, where a compressed archive''s memory is copied (mem read, diff, coredump): 4G by default, zero pages free; also CRIT_MAX_TEMP. SIZE is bytes, or with K, M, G or T')
            [CompletionResult]::new('--page-size', '--page-size', [CompletionResultType]::ParameterName, 'The page size of the machine that wrote the checkpoint (4K, 16K or 64K), instead of the one inferred from its pages files')
            [CompletionResult]::new('--tree', '--tree', [CompletionResultType]::ParameterName, 'With --pid: the task and all its descendants')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'On error, also print the chain of causes')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'On error, also print the chain of causes')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notes and no progress bars: only the output, warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notes and no progress bars: only the output, warnings and errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'crit;stats' {
            [CompletionResult]::new('--container', '--container', [CompletionResultType]::ParameterName, 'The container of a pod checkpoint (its name, folder or id)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour in tables')
            [CompletionResult]::new('--max-temp', '--max-temp', [CompletionResultType]::ParameterName, 'Most bytes to write to temporary files, where a compressed archive''s memory is copied (mem read, diff, coredump): 4G by default, zero pages free; also CRIT_MAX_TEMP. SIZE is bytes, or with K, M, G or T')
            [CompletionResult]::new('--page-size', '--page-size', [CompletionResultType]::ParameterName, 'The page size of the machine that wrote the checkpoint (4K, 16K or 64K), instead of the one inferred from its pages files')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'On error, also print the chain of causes')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'On error, also print the chain of causes')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notes and no progress bars: only the output, warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notes and no progress bars: only the output, warnings and errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'crit;mem' {
            [CompletionResult]::new('--container', '--container', [CompletionResultType]::ParameterName, 'The container of a pod checkpoint (its name, folder or id)')
            [CompletionResult]::new('--pid', '--pid', [CompletionResultType]::ParameterName, 'Task to read (default: the root task)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--max-temp', '--max-temp', [CompletionResultType]::ParameterName, 'Most bytes to write to temporary files, where a compressed archive''s memory is copied (mem read, diff, coredump): 4G by default, zero pages free; also CRIT_MAX_TEMP. SIZE is bytes, or with K, M, G or T')
            [CompletionResult]::new('--page-size', '--page-size', [CompletionResultType]::ParameterName, 'The page size of the machine that wrote the checkpoint (4K, 16K or 64K), instead of the one inferred from its pages files')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'On error, also print the chain of causes')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'On error, also print the chain of causes')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notes and no progress bars: only the output, warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notes and no progress bars: only the output, warnings and errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('args', 'args', [CompletionResultType]::ParameterValue, 'The command line (argv), one argument per line')
            [CompletionResult]::new('env', 'env', [CompletionResultType]::ParameterValue, 'The environment, one variable per line')
            [CompletionResult]::new('read', 'read', [CompletionResultType]::ParameterValue, 'A hexdump of LEN bytes at ADDR (decimal or 0x…)')
            [CompletionResult]::new('search', 'search', [CompletionResultType]::ParameterValue, 'Every match of PATTERN, with its address, mapping and context')
            [CompletionResult]::new('maps', 'maps', [CompletionResultType]::ParameterValue, 'The pagemap: address ranges, page counts, flags and where each run lives')
            [CompletionResult]::new('shmem', 'shmem', [CompletionResultType]::ParameterValue, 'The size of the task''s shared memory mappings')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'crit;mem;args' {
            [CompletionResult]::new('--container', '--container', [CompletionResultType]::ParameterName, 'The container of a pod checkpoint (its name, folder or id)')
            [CompletionResult]::new('--pid', '--pid', [CompletionResultType]::ParameterName, 'Task to read (default: the root task)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--max-temp', '--max-temp', [CompletionResultType]::ParameterName, 'Most bytes to write to temporary files, where a compressed archive''s memory is copied (mem read, diff, coredump): 4G by default, zero pages free; also CRIT_MAX_TEMP. SIZE is bytes, or with K, M, G or T')
            [CompletionResult]::new('--page-size', '--page-size', [CompletionResultType]::ParameterName, 'The page size of the machine that wrote the checkpoint (4K, 16K or 64K), instead of the one inferred from its pages files')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'On error, also print the chain of causes')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'On error, also print the chain of causes')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notes and no progress bars: only the output, warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notes and no progress bars: only the output, warnings and errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'crit;mem;env' {
            [CompletionResult]::new('--container', '--container', [CompletionResultType]::ParameterName, 'The container of a pod checkpoint (its name, folder or id)')
            [CompletionResult]::new('--pid', '--pid', [CompletionResultType]::ParameterName, 'Task to read (default: the root task)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--max-temp', '--max-temp', [CompletionResultType]::ParameterName, 'Most bytes to write to temporary files, where a compressed archive''s memory is copied (mem read, diff, coredump): 4G by default, zero pages free; also CRIT_MAX_TEMP. SIZE is bytes, or with K, M, G or T')
            [CompletionResult]::new('--page-size', '--page-size', [CompletionResultType]::ParameterName, 'The page size of the machine that wrote the checkpoint (4K, 16K or 64K), instead of the one inferred from its pages files')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'On error, also print the chain of causes')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'On error, also print the chain of causes')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notes and no progress bars: only the output, warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notes and no progress bars: only the output, warnings and errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'crit;mem;read' {
            [CompletionResult]::new('--files', '--files', [CompletionResultType]::ParameterName, 'Read file-backed pages CRIU did not dump from the files under ROOT (each checked against the checkpoint''s record: size, build-id)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Where to write (''-'' or absent: standard output)')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Where to write (''-'' or absent: standard output)')
            [CompletionResult]::new('--container', '--container', [CompletionResultType]::ParameterName, 'The container of a pod checkpoint (its name, folder or id)')
            [CompletionResult]::new('--pid', '--pid', [CompletionResultType]::ParameterName, 'Task to read (default: the root task)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--max-temp', '--max-temp', [CompletionResultType]::ParameterName, 'Most bytes to write to temporary files, where a compressed archive''s memory is copied (mem read, diff, coredump): 4G by default, zero pages free; also CRIT_MAX_TEMP. SIZE is bytes, or with K, M, G or T')
            [CompletionResult]::new('--page-size', '--page-size', [CompletionResultType]::ParameterName, 'The page size of the machine that wrote the checkpoint (4K, 16K or 64K), instead of the one inferred from its pages files')
            [CompletionResult]::new('--raw', '--raw', [CompletionResultType]::ParameterName, 'Write the raw bytes instead of a hexdump')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'With --files: read a file even when its size or build-id differs from what the checkpoint recorded (else that is refused)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'On error, also print the chain of causes')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'On error, also print the chain of causes')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notes and no progress bars: only the output, warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notes and no progress bars: only the output, warnings and errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'crit;mem;search' {
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Bytes of context to show either side')
            [CompletionResult]::new('--in', '--in', [CompletionResultType]::ParameterName, 'Only in the mapping of this file (by path), or `[heap]`, `[stack]`')
            [CompletionResult]::new('--prot', '--prot', [CompletionResultType]::ParameterName, 'Only mappings with these permissions (any of r, w, x: `--prot rw`)')
            [CompletionResult]::new('--kind', '--kind', [CompletionResultType]::ParameterName, 'Only mappings of this kind')
            [CompletionResult]::new('--range', '--range', [CompletionResultType]::ParameterName, 'Only mappings overlapping START-END (hexadecimal)')
            [CompletionResult]::new('--container', '--container', [CompletionResultType]::ParameterName, 'The container of a pod checkpoint (its name, folder or id)')
            [CompletionResult]::new('--pid', '--pid', [CompletionResultType]::ParameterName, 'Task to read (default: the root task)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--max-temp', '--max-temp', [CompletionResultType]::ParameterName, 'Most bytes to write to temporary files, where a compressed archive''s memory is copied (mem read, diff, coredump): 4G by default, zero pages free; also CRIT_MAX_TEMP. SIZE is bytes, or with K, M, G or T')
            [CompletionResult]::new('--page-size', '--page-size', [CompletionResultType]::ParameterName, 'The page size of the machine that wrote the checkpoint (4K, 16K or 64K), instead of the one inferred from its pages files')
            [CompletionResult]::new('--regex', '--regex', [CompletionResultType]::ParameterName, 'Treat PATTERN as a regular expression')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Match case-insensitively')
            [CompletionResult]::new('--ignore-case', '--ignore-case', [CompletionResultType]::ParameterName, 'Match case-insensitively')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'On error, also print the chain of causes')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'On error, also print the chain of causes')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notes and no progress bars: only the output, warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notes and no progress bars: only the output, warnings and errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'crit;mem;maps' {
            [CompletionResult]::new('--prot', '--prot', [CompletionResultType]::ParameterName, 'Only mappings with these permissions (any of r, w, x: `--prot rw`)')
            [CompletionResult]::new('--kind', '--kind', [CompletionResultType]::ParameterName, 'Only mappings of this kind')
            [CompletionResult]::new('--range', '--range', [CompletionResultType]::ParameterName, 'Only mappings overlapping START-END (hexadecimal)')
            [CompletionResult]::new('--container', '--container', [CompletionResultType]::ParameterName, 'The container of a pod checkpoint (its name, folder or id)')
            [CompletionResult]::new('--pid', '--pid', [CompletionResultType]::ParameterName, 'Task to read (default: the root task)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--max-temp', '--max-temp', [CompletionResultType]::ParameterName, 'Most bytes to write to temporary files, where a compressed archive''s memory is copied (mem read, diff, coredump): 4G by default, zero pages free; also CRIT_MAX_TEMP. SIZE is bytes, or with K, M, G or T')
            [CompletionResult]::new('--page-size', '--page-size', [CompletionResultType]::ParameterName, 'The page size of the machine that wrote the checkpoint (4K, 16K or 64K), instead of the one inferred from its pages files')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'On error, also print the chain of causes')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'On error, also print the chain of causes')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notes and no progress bars: only the output, warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notes and no progress bars: only the output, warnings and errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'crit;mem;shmem' {
            [CompletionResult]::new('--container', '--container', [CompletionResultType]::ParameterName, 'The container of a pod checkpoint (its name, folder or id)')
            [CompletionResult]::new('--pid', '--pid', [CompletionResultType]::ParameterName, 'Task to read (default: the root task)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--max-temp', '--max-temp', [CompletionResultType]::ParameterName, 'Most bytes to write to temporary files, where a compressed archive''s memory is copied (mem read, diff, coredump): 4G by default, zero pages free; also CRIT_MAX_TEMP. SIZE is bytes, or with K, M, G or T')
            [CompletionResult]::new('--page-size', '--page-size', [CompletionResultType]::ParameterName, 'The page size of the machine that wrote the checkpoint (4K, 16K or 64K), instead of the one inferred from its pages files')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'On error, also print the chain of causes')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'On error, also print the chain of causes')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notes and no progress bars: only the output, warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notes and no progress bars: only the output, warnings and errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'crit;mem;help' {
            [CompletionResult]::new('args', 'args', [CompletionResultType]::ParameterValue, 'The command line (argv), one argument per line')
            [CompletionResult]::new('env', 'env', [CompletionResultType]::ParameterValue, 'The environment, one variable per line')
            [CompletionResult]::new('read', 'read', [CompletionResultType]::ParameterValue, 'A hexdump of LEN bytes at ADDR (decimal or 0x…)')
            [CompletionResult]::new('search', 'search', [CompletionResultType]::ParameterValue, 'Every match of PATTERN, with its address, mapping and context')
            [CompletionResult]::new('maps', 'maps', [CompletionResultType]::ParameterValue, 'The pagemap: address ranges, page counts, flags and where each run lives')
            [CompletionResult]::new('shmem', 'shmem', [CompletionResultType]::ParameterValue, 'The size of the task''s shared memory mappings')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'crit;mem;help;args' {
            break
        }
        'crit;mem;help;env' {
            break
        }
        'crit;mem;help;read' {
            break
        }
        'crit;mem;help;search' {
            break
        }
        'crit;mem;help;maps' {
            break
        }
        'crit;mem;help;shmem' {
            break
        }
        'crit;mem;help;help' {
            break
        }
        'crit;diff' {
            [CompletionResult]::new('--container', '--container', [CompletionResultType]::ParameterName, 'The container of each pod checkpoint (its name, folder or id); a side of one container ignores it')
            [CompletionResult]::new('--container-b', '--container-b', [CompletionResultType]::ParameterName, 'B''s container when it differs from A''s (default: --container)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour in tables')
            [CompletionResult]::new('--match', '--match', [CompletionResultType]::ParameterName, 'How to pair the tasks of A and B')
            [CompletionResult]::new('--hexdiff', '--hexdiff', [CompletionResultType]::ParameterName, 'Show LEN bytes at ADDR (decimal or 0x…) of both sides, instead of the report')
            [CompletionResult]::new('--pid', '--pid', [CompletionResultType]::ParameterName, 'The task (pid in A) whose memory --hexdiff shows (default: the root task)')
            [CompletionResult]::new('--max-temp', '--max-temp', [CompletionResultType]::ParameterName, 'Most bytes to write to temporary files, where a compressed archive''s memory is copied (mem read, diff, coredump): 4G by default, zero pages free; also CRIT_MAX_TEMP. SIZE is bytes, or with K, M, G or T')
            [CompletionResult]::new('--page-size', '--page-size', [CompletionResultType]::ParameterName, 'The page size of the machine that wrote the checkpoint (4K, 16K or 64K), instead of the one inferred from its pages files')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing: the exit status alone says equal (0) or different (1)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing: the exit status alone says equal (0) or different (1)')
            [CompletionResult]::new('--pages', '--pages', [CompletionResultType]::ParameterName, 'List every differing page, not only the first few of each mapping')
            [CompletionResult]::new('--images', '--images', [CompletionResultType]::ParameterName, 'Also compare the image files, entry by entry')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'On error, also print the chain of causes')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'On error, also print the chain of causes')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'crit;inspect' {
            [CompletionResult]::new('--container', '--container', [CompletionResultType]::ParameterName, 'Show only this container of a pod checkpoint (its name, folder or id)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour in tables')
            [CompletionResult]::new('--max-temp', '--max-temp', [CompletionResultType]::ParameterName, 'Most bytes to write to temporary files, where a compressed archive''s memory is copied (mem read, diff, coredump): 4G by default, zero pages free; also CRIT_MAX_TEMP. SIZE is bytes, or with K, M, G or T')
            [CompletionResult]::new('--page-size', '--page-size', [CompletionResultType]::ParameterName, 'The page size of the machine that wrote the checkpoint (4K, 16K or 64K), instead of the one inferred from its pages files')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'On error, also print the chain of causes')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'On error, also print the chain of causes')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notes and no progress bars: only the output, warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notes and no progress bars: only the output, warnings and errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'crit;coredump' {
            [CompletionResult]::new('--container', '--container', [CompletionResultType]::ParameterName, 'The container of a pod checkpoint (its name, folder or id)')
            [CompletionResult]::new('--pid', '--pid', [CompletionResultType]::ParameterName, 'Task to dump, by pid or thread id (default: the root task)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Where to write the core (default: core.PID in the current directory; ''-'': standard output)')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Where to write the core (default: core.PID in the current directory; ''-'': standard output)')
            [CompletionResult]::new('--out-dir', '--out-dir', [CompletionResultType]::ParameterName, 'Directory to write core.PID in')
            [CompletionResult]::new('--files', '--files', [CompletionResultType]::ParameterName, 'Read the file pages the checkpoint does not hold from the mapped files under ROOT (''/'' for a checkpoint of this machine, else the extracted root file system); without it they are left out, as the kernel does')
            [CompletionResult]::new('--max-temp', '--max-temp', [CompletionResultType]::ParameterName, 'Most bytes to write to temporary files, where a compressed archive''s memory is copied (mem read, diff, coredump): 4G by default, zero pages free; also CRIT_MAX_TEMP. SIZE is bytes, or with K, M, G or T')
            [CompletionResult]::new('--page-size', '--page-size', [CompletionResultType]::ParameterName, 'The page size of the machine that wrote the checkpoint (4K, 16K or 64K), instead of the one inferred from its pages files')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Dump every task (zombies are skipped: they have no memory)')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'With --files: read a mapped file even when its size or build-id differs from what the checkpoint recorded (else it is left out)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'On error, also print the chain of causes')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'On error, also print the chain of causes')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notes and no progress bars: only the output, warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notes and no progress bars: only the output, warnings and errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'crit;check' {
            [CompletionResult]::new('--container', '--container', [CompletionResultType]::ParameterName, 'The container of a pod checkpoint (its name, folder or id)')
            [CompletionResult]::new('--root', '--root', [CompletionResultType]::ParameterName, 'The root file system to look the checkpoint''s files up under: ''/'' for this machine, a container image''s root (`podman image mount`) for a container checkpoint, whose rootfs diff counts as applied on top')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour in tables')
            [CompletionResult]::new('--max-temp', '--max-temp', [CompletionResultType]::ParameterName, 'Most bytes to write to temporary files, where a compressed archive''s memory is copied (mem read, diff, coredump): 4G by default, zero pages free; also CRIT_MAX_TEMP. SIZE is bytes, or with K, M, G or T')
            [CompletionResult]::new('--page-size', '--page-size', [CompletionResultType]::ParameterName, 'The page size of the machine that wrote the checkpoint (4K, 16K or 64K), instead of the one inferred from its pages files')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'On error, also print the chain of causes')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'On error, also print the chain of causes')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notes and no progress bars: only the output, warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notes and no progress bars: only the output, warnings and errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'crit;help' {
            [CompletionResult]::new('decode', 'decode', [CompletionResultType]::ParameterValue, 'Convert an image from binary to JSON (the Python CRIT''s dialect)')
            [CompletionResult]::new('encode', 'encode', [CompletionResultType]::ParameterValue, 'Convert JSON (from this tool, the Python or the Go CRIT) back to a binary image')
            [CompletionResult]::new('info', 'info', [CompletionResultType]::ParameterValue, 'Show an image''s magic and entry count')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Decode an image to indented, human-readable JSON (`decode --pretty`)')
            [CompletionResult]::new('x', 'x', [CompletionResultType]::ParameterValue, 'Explore a checkpoint (directory or container archive): processes, files, memory, sockets, namespaces')
            [CompletionResult]::new('stats', 'stats', [CompletionResultType]::ParameterValue, 'Show the dump and restore statistics of a checkpoint')
            [CompletionResult]::new('mem', 'mem', [CompletionResultType]::ParameterValue, 'Read a process''s memory: argv, environment, any range, search')
            [CompletionResult]::new('diff', 'diff', [CompletionResultType]::ParameterValue, 'Compare two checkpoints: processes, files, sockets, memory maps, memory pages, images')
            [CompletionResult]::new('inspect', 'inspect', [CompletionResultType]::ParameterValue, 'Show container checkpoints: engine, image, processes, network, mounts, file changes')
            [CompletionResult]::new('coredump', 'coredump', [CompletionResultType]::ParameterValue, 'Write a checkpointed process as an ELF core file that gdb opens')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Will this checkpoint restore here? Files, pids, ports, CPU, CRIU and kernel: every blocker at once')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'crit;help;decode' {
            break
        }
        'crit;help;encode' {
            break
        }
        'crit;help;info' {
            break
        }
        'crit;help;show' {
            break
        }
        'crit;help;x' {
            break
        }
        'crit;help;stats' {
            break
        }
        'crit;help;mem' {
            [CompletionResult]::new('args', 'args', [CompletionResultType]::ParameterValue, 'The command line (argv), one argument per line')
            [CompletionResult]::new('env', 'env', [CompletionResultType]::ParameterValue, 'The environment, one variable per line')
            [CompletionResult]::new('read', 'read', [CompletionResultType]::ParameterValue, 'A hexdump of LEN bytes at ADDR (decimal or 0x…)')
            [CompletionResult]::new('search', 'search', [CompletionResultType]::ParameterValue, 'Every match of PATTERN, with its address, mapping and context')
            [CompletionResult]::new('maps', 'maps', [CompletionResultType]::ParameterValue, 'The pagemap: address ranges, page counts, flags and where each run lives')
            [CompletionResult]::new('shmem', 'shmem', [CompletionResultType]::ParameterValue, 'The size of the task''s shared memory mappings')
            break
        }
        'crit;help;mem;args' {
            break
        }
        'crit;help;mem;env' {
            break
        }
        'crit;help;mem;read' {
            break
        }
        'crit;help;mem;search' {
            break
        }
        'crit;help;mem;maps' {
            break
        }
        'crit;help;mem;shmem' {
            break
        }
        'crit;help;diff' {
            break
        }
        'crit;help;inspect' {
            break
        }
        'crit;help;coredump' {
            break
        }
        'crit;help;check' {
            break
        }
        'crit;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
