//! The command line, as clap definitions only, kept apart from the commands'
//! code; `assets.rs` builds the completions and man pages from it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use super::examples as ex;

// The literal must equal `crit::CRIU_FORMAT_VERSION` (concat! takes literals only); tests/assets.rs checks it.
pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (CRIU image format 4.2.1)");

const EXIT_STATUS: &str = "\
Exit status:
  0  success
  1  bad input: a missing, truncated or corrupt image, malformed JSON, an I/O error
  2  usage: unknown command or option, missing argument, a value that does not parse
diff and mem search exit as cmp and grep do: 0 equal / found, 1 different / not found, 2 trouble";

/// Read, write and explore CRIU checkpoint images.
#[derive(Debug, Parser)]
#[command(name = "crit", version = VERSION, about, after_help = EXIT_STATUS, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// On error, also print the chain of causes
    #[arg(short, long, global = true)]
    pub verbose: bool,

    /// Most bytes to write to temporary files, where a compressed archive's
    /// memory is copied (mem read, diff, coredump): 4G by default, zero pages
    /// free; also CRIT_MAX_TEMP. SIZE is bytes, or with K, M, G or T
    #[arg(long, value_name = "SIZE", global = true, value_parser = parse_size)]
    pub max_temp: Option<u64>,
    /// No notes and no progress bars: only the output, warnings and errors
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// The page size of the machine that wrote the checkpoint (4K, 16K or 64K), instead of the one inferred from its pages files
    #[arg(long, global = true, value_name = "SIZE", value_parser = crit::mem::parse_page_size)]
    pub page_size: Option<u64>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Convert an image from binary to JSON (the Python CRIT's dialect)
    #[command(after_help = ex::DECODE)]
    Decode(DecodeArgs),
    /// Convert JSON (from this tool, the Python or the Go CRIT) back to a binary image
    #[command(after_help = ex::ENCODE)]
    Encode(EncodeArgs),
    /// Show an image's magic and entry count
    #[command(after_help = ex::INFO)]
    Info(InfoArgs),
    /// Decode an image to indented, human-readable JSON (`decode --pretty`)
    #[command(after_help = ex::SHOW)]
    Show(ShowArgs),
    /// Explore a checkpoint (directory or container archive): processes, files, memory, sockets, namespaces
    #[command(after_help = ex::X)]
    X(ExploreArgs),
    /// Show the dump and restore statistics of a checkpoint
    #[command(after_help = ex::STATS)]
    Stats(StatsArgs),
    /// Read a process's memory: argv, environment, any range, search
    #[command(after_help = ex::MEM)]
    Mem(MemArgs),
    /// Compare two checkpoints: processes, files, sockets, memory maps, memory pages, images
    #[command(after_help = ex::DIFF)]
    Diff(DiffArgs),
    /// Show container checkpoints: engine, image, processes, network, mounts, file changes
    #[command(after_help = ex::INSPECT)]
    Inspect(InspectArgs),
    /// Write a checkpointed process as an ELF core file that gdb opens
    #[command(after_help = ex::COREDUMP)]
    Coredump(CoredumpArgs),
    /// Will this checkpoint restore here? Files, pids, ports, CPU, CRIU and kernel: every blocker at once
    #[command(after_help = ex::CHECK)]
    Check(CheckArgs),
}

impl Command {
    /// Whether the command answers a question with its status, as cmp, diff
    /// and grep do (`diff`: do they differ; `mem search`: is it there;
    /// `check`: are there problems), so
    /// that 1 is an answer and trouble is 2.
    pub fn answers_a_question(&self) -> bool {
        match self {
            Command::Diff(_) | Command::Check(_) => true,
            Command::Mem(m) => matches!(m.command, MemCommand::Search { .. }),
            _ => false,
        }
    }
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// Container checkpoints: archives (.tar, .tar.gz, .tar.zst) or unpacked; several give one line each
    #[arg(required = true, value_name = "ARCHIVE")]
    pub paths: Vec<PathBuf>,
    /// Show only this container of a pod checkpoint (its name, folder or id)
    #[arg(long, value_name = "NAME")]
    pub container: Option<String>,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct DecodeArgs {
    /// Image to decode ('-' or absent: standard input; ARCHIVE:MEMBER for one inside an archive)
    #[arg(short, long = "in", value_name = "IN")]
    pub input: Option<PathBuf>,
    /// Where to write the JSON ('-' or absent: standard output)
    #[arg(short, long = "out", value_name = "OUT")]
    pub output: Option<PathBuf>,
    /// Indent, and show numbers in their field's form: hex, flag names, IP addresses, devices
    #[arg(long)]
    pub pretty: bool,
    /// Replace extra payloads (pipe data, socket queues, …) by their size
    #[arg(long)]
    pub nopl: bool,
    /// Also unpack a tmpfs-dev-N.tar.gz.img image into DIR (new, or empty: filled in place)
    #[arg(long, value_name = "DIR")]
    pub extract: Option<PathBuf>,
    /// Most bytes of file contents --extract writes (K, M, G, T: powers of 1024)
    #[arg(long, value_name = "SIZE", default_value = "1G", value_parser = parse_size, requires = "extract")]
    pub max_extract: u64,
}

#[derive(Debug, Args)]
pub struct EncodeArgs {
    /// JSON to encode ('-' or absent: standard input)
    #[arg(short, long = "in", value_name = "IN")]
    pub input: Option<PathBuf>,
    /// Where to write the image ('-' or absent: standard output)
    #[arg(short, long = "out", value_name = "OUT")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct InfoArgs {
    /// Image to inspect (ARCHIVE:MEMBER for one inside an archive)
    #[arg(value_name = "IN")]
    pub input: PathBuf,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Image to show (ARCHIVE:MEMBER for one inside an archive)
    #[arg(value_name = "IN")]
    pub input: PathBuf,
    /// Replace extra payloads by their size
    #[arg(long)]
    pub nopl: bool,
    /// Also unpack a tmpfs-dev-N.tar.gz.img image into DIR (new, or empty: filled in place)
    #[arg(long, value_name = "DIR")]
    pub extract: Option<PathBuf>,
    /// Most bytes of file contents --extract writes (K, M, G, T: powers of 1024)
    #[arg(long, value_name = "SIZE", default_value = "1G", value_parser = parse_size, requires = "extract")]
    pub max_extract: u64,
}

/// How explorers and other reports print.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    /// Aligned columns for people
    #[default]
    Table,
    /// One JSON document, for jq and programs
    Json,
}

/// When to colour table output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ColorChoice {
    /// When standard output is a terminal and NO_COLOR is unset
    #[default]
    Auto,
    Always,
    Never,
}

/// Output options shared by the reporting commands.
#[derive(Debug, Clone, Copy, Args)]
pub struct OutputArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// When to use colour in tables
    #[arg(long, value_enum, default_value_t)]
    pub color: ColorChoice,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Explorer {
    /// The process tree
    Ps,
    /// Open files of each task, then cwd and root
    Fds,
    /// Memory mappings of each task
    Mems,
    /// Resident pages of each task against its mappings
    Rss,
    /// Sockets of each task
    Sk,
    /// Network namespaces: interfaces, addresses, routes, rules, firewall
    Net,
    /// Mount namespaces: the mount tree with sources, types and options
    Mnt,
    /// Which namespaces the tasks share
    Ns,
    /// Cgroups of the tasks and the saved controller settings
    Cg,
}

/// What a checkpoint argument may be.
const CHECKPOINT_HELP: &str = "Checkpoint: a directory of images, an unpacked container checkpoint, or a container archive (.tar, .tar.gz, .tar.zst)";

#[derive(Debug, Args)]
pub struct ExploreArgs {
    #[arg(help = CHECKPOINT_HELP, value_name = "CHECKPOINT")]
    pub dir: PathBuf,
    /// What to show (absent: an overview of the tasks)
    #[arg(value_enum)]
    pub what: Option<Explorer>,
    /// The container of a pod checkpoint (its name, folder or id)
    #[arg(long, value_name = "NAME")]
    pub container: Option<String>,
    /// Only this task (a thread id names its process)
    #[arg(long)]
    pub pid: Option<u32>,
    /// With --pid: the task and all its descendants
    #[arg(long, requires = "pid")]
    pub tree: bool,
    #[command(flatten)]
    pub filter: FilterArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    /// Lay tables out for this many columns, as on a terminal that wide (0:
    /// never wrap); for tests, which have no terminal
    #[arg(long, hide = true, value_name = "COLUMNS")]
    pub width: Option<usize>,
}

/// Which mappings to show (`x mems|rss`, `mem maps|search`).
#[derive(Debug, Clone, Default, Args)]
pub struct FilterArgs {
    /// Only mappings with these permissions (any of r, w, x: `--prot rw`)
    #[arg(long, value_name = "rwx", value_parser = crit::mem::parse_prot)]
    pub prot: Option<u32>,
    /// Only mappings of this kind
    #[arg(long, value_enum)]
    pub kind: Option<KindArg>,
    /// Only mappings overlapping START-END (hexadecimal)
    #[arg(long, value_name = "START-END", value_parser = crit::mem::parse_range)]
    pub range: Option<std::ops::Range<u64>>,
}

/// `--kind`: a kind of mapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    /// Anonymous private memory (not heap, stack or vdso)
    Anon,
    /// A mapped file
    File,
    /// The heap
    Heap,
    /// A stack
    Stack,
    /// Shared mappings (files, shmem, SysV shm, memfd)
    Shared,
    /// vdso, vvar and vsyscall
    Vdso,
}

impl FilterArgs {
    /// The library's filter.
    pub fn filter(&self) -> crit::mem::VmaFilter {
        use crit::mem::KindFilter as K;
        crit::mem::VmaFilter {
            prot: self.prot.unwrap_or(0),
            kind: self.kind.map(|k| match k {
                KindArg::Anon => K::Anon,
                KindArg::File => K::File,
                KindArg::Heap => K::Heap,
                KindArg::Stack => K::Stack,
                KindArg::Shared => K::Shared,
                KindArg::Vdso => K::Vdso,
            }),
            range: self.range.clone(),
        }
    }
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    #[arg(help = CHECKPOINT_HELP, value_name = "CHECKPOINT")]
    pub dir: PathBuf,
    /// The container of a pod checkpoint (its name, folder or id)
    #[arg(long, value_name = "NAME")]
    pub container: Option<String>,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct MemArgs {
    #[arg(help = CHECKPOINT_HELP, value_name = "CHECKPOINT")]
    pub dir: PathBuf,
    /// The container of a pod checkpoint (its name, folder or id)
    #[arg(long, value_name = "NAME", global = true)]
    pub container: Option<String>,
    /// Task to read (default: the root task)
    #[arg(long, global = true)]
    pub pid: Option<u32>,
    /// Output format
    #[arg(long, value_enum, default_value_t, global = true)]
    pub format: Format,
    /// When to use colour
    #[arg(long, value_enum, default_value_t, global = true)]
    pub color: ColorChoice,
    #[command(subcommand)]
    pub command: MemCommand,
}

#[derive(Debug, Subcommand)]
pub enum MemCommand {
    /// The command line (argv), one argument per line
    #[command(after_help = ex::MEM_ARGS)]
    Args,
    /// The environment, one variable per line
    #[command(after_help = ex::MEM_ENV)]
    Env,
    /// A hexdump of LEN bytes at ADDR (decimal or 0x…)
    #[command(after_help = ex::MEM_READ)]
    Read {
        /// Start address
        #[arg(value_parser = parse_number)]
        addr: u64,
        /// Number of bytes
        #[arg(value_parser = parse_number)]
        len: u64,
        /// Write the raw bytes instead of a hexdump
        #[arg(long)]
        raw: bool,
        /// Read file-backed pages CRIU did not dump from the files under ROOT
        /// (each checked against the checkpoint's record: size, build-id)
        #[arg(long, value_name = "ROOT")]
        files: Option<PathBuf>,
        /// With --files: read a file even when its size or build-id differs
        /// from what the checkpoint recorded (else that is refused)
        #[arg(long, requires = "files")]
        force: bool,
        /// Where to write ('-' or absent: standard output)
        #[arg(short, long = "out", value_name = "OUT")]
        output: Option<PathBuf>,
    },
    /// Every match of PATTERN, with its address, mapping and context
    #[command(after_help = ex::MEM_SEARCH)]
    Search {
        /// Text (or regular expression with --regex) to find
        pattern: String,
        /// Treat PATTERN as a regular expression
        #[arg(long)]
        regex: bool,
        /// Bytes of context to show either side
        #[arg(long, default_value_t = 16)]
        context: usize,
        /// Match case-insensitively
        #[arg(short, long)]
        ignore_case: bool,
        /// Only in the mapping of this file (by path), or `[heap]`, `[stack]`
        #[arg(long = "in", value_name = "PATH")]
        within: Option<String>,
        #[command(flatten)]
        filter: FilterArgs,
    },
    /// The pagemap: address ranges, page counts, flags and where each run lives
    #[command(after_help = ex::MEM_MAPS)]
    Maps {
        #[command(flatten)]
        filter: FilterArgs,
    },
    /// The size of the task's shared memory mappings
    #[command(after_help = ex::MEM_SHMEM)]
    Shmem,
}

/// `ADDR` and `LEN`: decimal or `0x…` hexadecimal, `_` allowed between digits.
pub fn parse_number(s: &str) -> Result<u64, String> {
    let t = s.trim().replace('_', "");
    let r = match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        Some(h) => u64::from_str_radix(h, 16),
        None => t.parse(),
    };
    r.map_err(|e| format!("not a number (decimal or 0x…): {e}"))
}

/// A size: bytes, or a number with `K`, `M`, `G` or `T` (powers of 1024;
/// `KiB`, `MB`… are read the same).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let digits = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (n, unit) = t.split_at(digits);
    let n: u64 = n
        .parse()
        .map_err(|_| format!("not a size: {s:?} (bytes, or a number with K, M, G or T)"))?;
    let shift = match unit
        .trim()
        .to_ascii_uppercase()
        .trim_end_matches('B')
        .trim_end_matches('I')
    {
        "" => 0,
        "K" => 10,
        "M" => 20,
        "G" => 30,
        "T" => 40,
        _ => return Err(format!("not a size: {s:?} (bytes, or a number with K, M, G or T)")),
    };
    n.checked_mul(1 << shift)
        .ok_or_else(|| format!("too large a size: {s:?}"))
}

/// How `crit diff` pairs the tasks of A and B.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum MatchArg {
    /// The same pid
    #[default]
    Pid,
    /// The same command at the same place in the process tree (pids changed)
    Comm,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// Checkpoint A (before): a directory of images, an unpacked container checkpoint, or a container archive (.tar, .tar.gz, .tar.zst)
    pub a: PathBuf,
    /// Checkpoint B (after), any of the same kinds as A
    pub b: PathBuf,
    /// The container of each pod checkpoint (its name, folder or id); a side of one container ignores it
    #[arg(long, value_name = "NAME")]
    pub container: Option<String>,
    /// B's container when it differs from A's (default: --container)
    #[arg(long, value_name = "NAME")]
    pub container_b: Option<String>,
    #[command(flatten)]
    pub output: OutputArgs,
    /// Print nothing: the exit status alone says equal (0) or different (1)
    #[arg(short, long)]
    pub quiet: bool,
    /// How to pair the tasks of A and B
    #[arg(long = "match", value_enum, default_value_t)]
    pub match_by: MatchArg,
    /// List every differing page, not only the first few of each mapping
    #[arg(long)]
    pub pages: bool,
    /// Show LEN bytes at ADDR (decimal or 0x…) of both sides, instead of the report
    #[arg(long, num_args = 2, value_names = ["ADDR", "LEN"], value_parser = parse_number)]
    pub hexdiff: Option<Vec<u64>>,
    /// The task (pid in A) whose memory --hexdiff shows (default: the root task)
    #[arg(long, requires = "hexdiff")]
    pub pid: Option<u32>,
    /// Also compare the image files, entry by entry
    #[arg(long)]
    pub images: bool,
}

#[derive(Debug, Args)]
pub struct CoredumpArgs {
    #[arg(help = CHECKPOINT_HELP, value_name = "CHECKPOINT")]
    pub dir: PathBuf,
    /// The container of a pod checkpoint (its name, folder or id)
    #[arg(long, value_name = "NAME")]
    pub container: Option<String>,
    /// Task to dump, by pid or thread id (default: the root task)
    #[arg(long, conflicts_with = "all")]
    pub pid: Option<u32>,
    /// Dump every task (zombies are skipped: they have no memory)
    #[arg(long)]
    pub all: bool,
    /// Where to write the core (default: core.PID in the current directory; '-': standard output)
    #[arg(short, long = "out", value_name = "FILE", conflicts_with_all = ["out_dir", "all"])]
    pub output: Option<PathBuf>,
    /// Directory to write core.PID in
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
    /// Read the file pages the checkpoint does not hold from the mapped files
    /// under ROOT ('/' for a checkpoint of this machine, else the extracted
    /// root file system); without it they are left out, as the kernel does
    #[arg(long, value_name = "ROOT")]
    pub files: Option<PathBuf>,
    /// With --files: read a mapped file even when its size or build-id
    /// differs from what the checkpoint recorded (else it is left out)
    #[arg(long, requires = "files")]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[arg(help = CHECKPOINT_HELP, value_name = "CHECKPOINT")]
    pub dir: PathBuf,
    /// The container of a pod checkpoint (its name, folder or id)
    #[arg(long, value_name = "NAME")]
    pub container: Option<String>,
    /// The root file system to look the checkpoint's files up under: '/' for
    /// this machine, a container image's root (`podman image mount`) for a
    /// container checkpoint, whose rootfs diff counts as applied on top
    #[arg(long, value_name = "DIR", default_value = "/")]
    pub root: PathBuf,
    #[command(flatten)]
    pub output: OutputArgs,
}
