//! The command line, as clap definitions only. Kept free of the commands'
//! code so `gen-assets` can build completions and man pages from it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (CRIU image format 4.1.1)");

const EXIT_STATUS: &str = "\
Exit status:
  0  success
  1  bad input: a missing, truncated or corrupt image, malformed JSON, an I/O error
  2  usage: unknown command or option, missing argument";

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
    Decode(DecodeArgs),
    /// Convert JSON (from this tool, the Python or the Go CRIT) back to a binary image
    Encode(EncodeArgs),
    /// Show an image's magic and entry count
    Info(InfoArgs),
    /// Decode an image to indented, human-readable JSON (`decode --pretty`)
    Show(ShowArgs),
    /// Explore a checkpoint directory: processes, files, memory, sockets
    X(ExploreArgs),
    /// Show the dump and restore statistics of a checkpoint
    Stats(StatsArgs),
    /// Read a process's memory: argv, environment, any range, search
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
    /// What to show
    #[arg(value_enum)]
    pub what: Explorer,
    #[command(flatten)]
    pub output: OutputArgs,
    /// Lay tables out for this many columns, as on a terminal that wide (0:
    /// never wrap); for tests, which have no terminal
    #[arg(long, hide = true, value_name = "COLUMNS")]
    pub width: Option<usize>,
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
    Args,
    /// The environment, one variable per line
    Env,
    /// A hexdump of LEN bytes at ADDR (decimal or 0x…)
    Read {
        /// Start address
        addr: String,
        /// Number of bytes
        len: String,
        /// Write the raw bytes instead of a hexdump
        #[arg(long)]
        raw: bool,
    },
    /// Every match of PATTERN, with its address, mapping and context
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
    },
    /// The pagemap: address ranges, page counts, flags and where each run lives
    Maps,
    /// The size of the task's shared memory mappings
    Shmem,
}
