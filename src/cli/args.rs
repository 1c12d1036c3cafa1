//! The command line, as clap definitions only. Kept free of the commands'
//! code so `gen-assets` can build completions and man pages from it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use super::examples as ex;

pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (CRIU image format 4.1.1)");

const EXIT_STATUS: &str = "\
Exit status:
  0  success
  1  bad input: a missing, truncated or corrupt image, malformed JSON, an I/O error
  2  usage: unknown command or option, missing argument, a value that does not parse";

/// Read, write and explore CRIU checkpoint images.
#[derive(Debug, Parser)]
#[command(name = "crit", version = VERSION, about, after_help = EXIT_STATUS, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// On error, also print the chain of causes
    #[arg(short, long, global = true)]
    pub verbose: bool,
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
    /// Explore a checkpoint directory: processes, files, memory, sockets
    #[command(after_help = ex::X)]
    X(ExploreArgs),
    /// Show the dump and restore statistics of a checkpoint
    #[command(after_help = ex::STATS)]
    Stats(StatsArgs),
    /// Read a process's memory: argv, environment, any range, search
    #[command(after_help = ex::MEM)]
    Mem(MemArgs),
}

#[derive(Debug, Args)]
pub struct DecodeArgs {
    /// Image to decode ('-' or absent: standard input)
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
    /// Image to inspect
    #[arg(value_name = "IN")]
    pub input: PathBuf,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Image to show
    #[arg(value_name = "IN")]
    pub input: PathBuf,
    /// Replace extra payloads by their size
    #[arg(long)]
    pub nopl: bool,
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
}

#[derive(Debug, Args)]
pub struct ExploreArgs {
    /// Checkpoint directory
    pub dir: PathBuf,
    /// What to show (absent: an overview of the tasks)
    #[arg(value_enum)]
    pub what: Option<Explorer>,
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
    /// Checkpoint directory
    pub dir: PathBuf,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct MemArgs {
    /// Checkpoint directory
    pub dir: PathBuf,
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
        #[arg(long, value_name = "ROOT")]
        files: Option<PathBuf>,
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
