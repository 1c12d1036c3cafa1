
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
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'On error, also print the chain of causes')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'On error, also print the chain of causes')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('decode', 'decode', [CompletionResultType]::ParameterValue, 'Convert an image from binary to JSON (the Python CRIT''s dialect)')
            [CompletionResult]::new('encode', 'encode', [CompletionResultType]::ParameterValue, 'Convert JSON (from this tool, the Python or the Go CRIT) back to a binary image')
            [CompletionResult]::new('info', 'info', [CompletionResultType]::ParameterValue, 'Show an image''s magic and entry count')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Decode an image to indented, human-readable JSON (`decode --pretty`)')
            [CompletionResult]::new('x', 'x', [CompletionResultType]::ParameterValue, 'Explore a checkpoint directory: processes, files, memory, sockets')
            [CompletionResult]::new('stats', 'stats', [CompletionResultType]::ParameterValue, 'Show the dump and restore statistics of a checkpoint')
            [CompletionResult]::new('mem', 'mem', [CompletionResultType]::ParameterValue, 'Read a process''s memory: argv, environment, any range, search')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'crit;decode' {
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Image to decode (''-'' or absent: standard input)')
            [CompletionResult]::new('--in', '--in', [CompletionResultType]::ParameterName, 'Image to decode (''-'' or absent: standard input)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Where to write the JSON (''-'' or absent: standard output)')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Where to write the JSON (''-'' or absent: standard output)')
            [CompletionResult]::new('--pretty', '--pretty', [CompletionResultType]::ParameterName, 'Indent, and show numbers in their field''s form: hex, flag names, IP addresses, devices')
            [CompletionResult]::new('--nopl', '--nopl', [CompletionResultType]::ParameterName, 'Replace extra payloads (pipe data, socket queues, …) by their size')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'On error, also print the chain of causes')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'On error, also print the chain of causes')
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
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'On error, also print the chain of causes')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'On error, also print the chain of causes')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'crit;info' {
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'On error, also print the chain of causes')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'On error, also print the chain of causes')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'crit;show' {
            [CompletionResult]::new('--nopl', '--nopl', [CompletionResultType]::ParameterName, 'Replace extra payloads by their size')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'On error, also print the chain of causes')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'On error, also print the chain of causes')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'crit;x' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour in tables')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Lay tables out for this many columns, as on a terminal that wide (0: never wrap); for tests, which have no terminal')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'On error, also print the chain of causes')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'On error, also print the chain of causes')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'crit;stats' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour in tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'On error, also print the chain of causes')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'On error, also print the chain of causes')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'crit;mem' {
            [CompletionResult]::new('--pid', '--pid', [CompletionResultType]::ParameterName, 'Task to read (default: the root task)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'On error, also print the chain of causes')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'On error, also print the chain of causes')
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
            [CompletionResult]::new('--pid', '--pid', [CompletionResultType]::ParameterName, 'Task to read (default: the root task)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'On error, also print the chain of causes')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'On error, also print the chain of causes')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'crit;mem;env' {
            [CompletionResult]::new('--pid', '--pid', [CompletionResultType]::ParameterName, 'Task to read (default: the root task)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'On error, also print the chain of causes')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'On error, also print the chain of causes')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'crit;mem;read' {
            [CompletionResult]::new('--pid', '--pid', [CompletionResultType]::ParameterName, 'Task to read (default: the root task)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--raw', '--raw', [CompletionResultType]::ParameterName, 'Write the raw bytes instead of a hexdump')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'On error, also print the chain of causes')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'On error, also print the chain of causes')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'crit;mem;search' {
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Bytes of context to show either side')
            [CompletionResult]::new('--pid', '--pid', [CompletionResultType]::ParameterName, 'Task to read (default: the root task)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--regex', '--regex', [CompletionResultType]::ParameterName, 'Treat PATTERN as a regular expression')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Match case-insensitively')
            [CompletionResult]::new('--ignore-case', '--ignore-case', [CompletionResultType]::ParameterName, 'Match case-insensitively')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'On error, also print the chain of causes')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'On error, also print the chain of causes')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'crit;mem;maps' {
            [CompletionResult]::new('--pid', '--pid', [CompletionResultType]::ParameterName, 'Task to read (default: the root task)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'On error, also print the chain of causes')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'On error, also print the chain of causes')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'crit;mem;shmem' {
            [CompletionResult]::new('--pid', '--pid', [CompletionResultType]::ParameterName, 'Task to read (default: the root task)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'On error, also print the chain of causes')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'On error, also print the chain of causes')
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
        'crit;help' {
            [CompletionResult]::new('decode', 'decode', [CompletionResultType]::ParameterValue, 'Convert an image from binary to JSON (the Python CRIT''s dialect)')
            [CompletionResult]::new('encode', 'encode', [CompletionResultType]::ParameterValue, 'Convert JSON (from this tool, the Python or the Go CRIT) back to a binary image')
            [CompletionResult]::new('info', 'info', [CompletionResultType]::ParameterValue, 'Show an image''s magic and entry count')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Decode an image to indented, human-readable JSON (`decode --pretty`)')
            [CompletionResult]::new('x', 'x', [CompletionResultType]::ParameterValue, 'Explore a checkpoint directory: processes, files, memory, sockets')
            [CompletionResult]::new('stats', 'stats', [CompletionResultType]::ParameterValue, 'Show the dump and restore statistics of a checkpoint')
            [CompletionResult]::new('mem', 'mem', [CompletionResultType]::ParameterValue, 'Read a process''s memory: argv, environment, any range, search')
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
        'crit;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
