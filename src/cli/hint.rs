//! Hints for the likely slips of a first use: the arguments of `x` or `mem` swapped,
//! a checkpoint directory given where one image is meant, `decode` waiting
//! on a terminal for an image it will never be typed.

use std::io::{self, IsTerminal};
use std::path::Path;

use clap::ValueEnum;

use super::args::Explorer;

/// After a usage error: `crit x ps DIR` meant `crit x DIR ps`. The hint for
/// the words of the command line `argv` (program name first), if any.
pub fn for_usage_error(argv: &[String]) -> Option<String> {
    let explorer = |s: &str| Explorer::from_str(s, false).is_ok();
    match argv.get(1..)? {
        [x, what, dir, rest @ ..] if x == "x" && explorer(what) && !explorer(dir) => {
            let rest: String = rest.iter().map(|r| format!(" {r}")).collect();
            Some(format!(
                "the checkpoint comes first, then what to show: crit x {dir} {what}{rest}"
            ))
        }
        [mem, sub, dir, rest @ ..] if mem == "mem" && mem_command(sub) && !mem_command(dir) => {
            let rest: String = rest.iter().map(|r| format!(" {r}")).collect();
            Some(format!(
                "the checkpoint comes first, then what to read: crit mem {dir} {sub}{rest}"
            ))
        }
        _ => None,
    }
}

/// Whether `s` names a `crit mem` subcommand.
fn mem_command(s: &str) -> bool {
    use clap::CommandFactory;
    let cli = super::args::Cli::command();
    cli.find_subcommand("mem")
        .is_some_and(|m| m.get_subcommands().any(|c| c.get_name() == s))
}

/// `info`, `decode` and `show` read one image: a directory (a checkpoint)
/// is refused with a pointer to what reads one.
pub fn image_not_directory(path: &Path) -> anyhow::Result<()> {
    if path.is_dir() {
        anyhow::bail!(
            "{}: is a directory: this command reads one image ({}/NAME.img); \
             for a whole checkpoint, see crit inspect or crit x",
            path.display(),
            path.display()
        );
    }
    Ok(())
}

/// `decode` with no `-i` reads standard input: on a terminal it would wait
/// silently for a binary image nobody can type, so it is refused.
pub fn image_not_from_terminal(command: &str) {
    if io::stdin().is_terminal() {
        use clap::CommandFactory;
        let mut cli = super::args::Cli::command();
        cli.build();
        let cmd = cli.find_subcommand_mut(command).expect("the command");
        cmd.error(
            clap::error::ErrorKind::MissingRequiredArgument,
            format!(
                "{command} reads an image from standard input, which is a terminal: \
                 give -i IMAGE, or redirect: crit {command} < IMAGE"
            ),
        )
        .exit()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(s: &str) -> Vec<String> {
        s.split(' ').map(str::to_string).collect()
    }

    #[test]
    fn swapped_explorer_arguments_get_a_hint() {
        assert_eq!(
            for_usage_error(&argv("crit x ps DIR --pid 1")).as_deref(),
            Some("the checkpoint comes first, then what to show: crit x DIR ps --pid 1")
        );
        assert_eq!(for_usage_error(&argv("crit x DIR pss")), None);
        assert_eq!(for_usage_error(&argv("crit x ps sk")), None);
        assert_eq!(for_usage_error(&argv("crit mem ps DIR")), None);
        assert_eq!(
            for_usage_error(&argv("crit mem args DIR --pid 5")).as_deref(),
            Some("the checkpoint comes first, then what to read: crit mem DIR args --pid 5")
        );
        assert_eq!(for_usage_error(&argv("crit mem DIR argz")), None);
    }
}
