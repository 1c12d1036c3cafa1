//! The library's error type. Every message names the file and, for image
//! contents, the entry and byte offset where reading went wrong.
//!
//! Each variant is one kind of failure a caller can match on; the message
//! ([`Display`](std::fmt::Display)) is the one line `crit` prints, and an
//! underlying error (I/O, tar, protobuf or JSON decoding) is also the
//! variant's [`source`](std::error::Error::source).

use std::io;
use std::path::PathBuf;

/// A boxed underlying error.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Anything that can go wrong reading or writing a checkpoint.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The operating system refused a read or write (a missing file of a
    /// checkpoint directory is this, with [`io::ErrorKind::NotFound`]).
    #[error("{file}: {source}")]
    Io {
        /// The file (or `<stdin>`, `<output>`) being read or written.
        file: String,
        #[source]
        /// What the operating system said.
        source: io::Error,
    },
    /// The file's bytes are not a valid image (wrong magic, bad sizes,
    /// contents that contradict themselves, a tmpfs tar that cannot be read, …).
    #[error("{file}: {what}")]
    BadImage {
        /// The image file.
        file: String,
        /// Where (entry, byte offset) and what is wrong.
        what: String,
        /// The underlying error, when there is one (the `tar` crate's
        /// [`io::Error`], the protobuf decoder's, serde_json's).
        #[source]
        source: Option<BoxError>,
    },
    /// A tar archive (a checkpoint archive, or a tar inside one) cannot be
    /// read: a hostile header, a member name refused, a corrupt compressed
    /// stream, too many members, an archive cut short.
    #[error("{file}: {what}")]
    BadArchive {
        /// The archive, or `ARCHIVE:MEMBER` when one member is to blame.
        file: String,
        /// Where (after which member) and what is wrong.
        what: String,
        /// The underlying error, when there is one: the `tar` crate's or the
        /// decompressor's [`io::Error`].
        #[source]
        source: Option<BoxError>,
    },
    /// An image that must hold an entry (a one-entry image: core, mm, ids,
    /// stats) holds none.
    #[error("{file}: the image has no entries")]
    NoEntries {
        /// The image file.
        file: String,
    },
    /// An entry lacks a part it needs (a core entry without its task core or
    /// its registers, a pagemap without its head entry).
    #[error("{file}: {what}")]
    MissingField {
        /// The image file.
        file: String,
        /// What is missing: the protobuf field's name (`tc`, `thread_info`,
        /// `ti_aarch64`, `dump`, `restore`), or `pagemap_head` for a
        /// pagemap's head entry.
        field: &'static str,
        /// The message: which entry lacks it.
        what: &'static str,
    },
    /// The image ends before what its framing announced: inside the magic,
    /// a size field, a payload or the raw bytes after an entry.
    #[error("{file}: {}{what}", place(*.entry, *.offset))]
    Truncated {
        /// The image file.
        file: String,
        /// The entry being read (`None`: the header, before any entry).
        entry: Option<usize>,
        /// The byte offset where the cut piece starts.
        offset: u64,
        /// What was cut and how many bytes were left.
        what: String,
    },
    /// An entry's payload is not valid protobuf for the image's message.
    #[error("{file}: entry {entry} at byte {offset}: malformed protobuf payload: {source}")]
    Malformed {
        /// The image file.
        file: String,
        /// The entry's index.
        entry: usize,
        /// The byte offset of the entry (its size field).
        offset: u64,
        /// The protobuf decoder's complaint.
        #[source]
        source: BoxError,
    },
    /// The JSON given to `encode` (or a container engine's JSON file) does
    /// not describe a valid image.
    #[error("{file}: {what}")]
    BadJson {
        /// The JSON input.
        file: String,
        /// Where (the JSON path) and what is wrong.
        what: String,
        /// The underlying error, when there is one: for JSON that is not well
        /// formed, the reader's [`SyntaxError`](crate::image_json::SyntaxError)
        /// or serde_json's error.
        #[source]
        source: Option<BoxError>,
    },
    /// The path is not a checkpoint: neither a directory with `pstree.img`
    /// nor a tar archive holding one.
    #[error("{path}: {why}")]
    NotACheckpoint {
        /// The path given.
        path: String,
        /// What it is instead.
        why: String,
    },
    /// No task (nor thread) of the checkpoint has this pid.
    #[error(
        "{checkpoint}: no task {}with pid {pid} in pstree.img",
        if *.threads { "nor thread " } else { "" }
    )]
    TaskNotFound {
        /// The checkpoint.
        checkpoint: String,
        /// The pid asked for.
        pid: u32,
        /// The message says "task nor thread" (the pid may name a thread).
        threads: bool,
    },
    /// The checkpoint's `pstree.img` lists no task.
    #[error("{checkpoint}: pstree.img has no tasks")]
    NoTasks {
        /// The checkpoint.
        checkpoint: String,
    },
    /// An image a task needs (its `mm-PID.img`, `pagemap-PID.img`) is not
    /// in the checkpoint.
    #[error("{checkpoint}: task {pid} has no {image}{}", missing_why(.image))]
    ImageMissing {
        /// The checkpoint.
        checkpoint: String,
        /// The task.
        pid: u32,
        /// The image's name.
        image: String,
    },
    /// An archive has no member of this name.
    #[error("{member}: no such member in the archive")]
    MemberMissing {
        /// `ARCHIVE:MEMBER`.
        member: String,
    },
    /// An archive member's bytes cannot be read again: a compressed
    /// archive's member that was not kept as it streamed by.
    #[error("{member}: {why}")]
    MemberUnavailable {
        /// `ARCHIVE:MEMBER`.
        member: String,
        /// Why it was not kept.
        why: String,
    },
    /// The task is a zombie (or in an unknown state): it has no memory.
    #[error(
        "{checkpoint}: task {pid} is {}: it has no memory to dump",
        if *.zombie { "a zombie" } else { "in an unknown state" }
    )]
    NoMemory {
        /// The checkpoint.
        checkpoint: String,
        /// The task.
        pid: u32,
        /// A zombie (else: a state crit does not know).
        zombie: bool,
    },
    /// Memory a task's images point at (its command line, its environment)
    /// is not in the checkpoint's pages.
    #[error("{checkpoint}: task {pid}: the {what} at {start:#x}-{end:#x} is not in the checkpoint")]
    MemoryMissing {
        /// The checkpoint.
        checkpoint: String,
        /// The task.
        pid: u32,
        /// What was read (`command line`, `environment`).
        what: &'static str,
        /// The first address missing.
        start: u64,
        /// The end of the range missing.
        end: u64,
    },
    /// A read of `len` bytes at `addr` would run past the end of the
    /// address space.
    #[error("{addr:#x} + {len} runs past the end of the address space")]
    AddressOverflow {
        /// Where the read starts.
        addr: u64,
        /// How many bytes were asked for.
        len: usize,
    },
    /// The images are each well framed but describe something impossible
    /// (an area larger than the kernel allows, mappings larger than a file).
    #[error("{what}")]
    Damaged {
        /// What is impossible, naming the checkpoint or task.
        what: String,
    },
    /// The task's architecture is not one the operation supports.
    #[error("{file}: the task's architecture is {arch}; crit coredump writes {supported} cores only")]
    UnsupportedArch {
        /// The task's `core-PID.img`.
        file: String,
        /// The architecture (`PPC64`, `unknown (9)`).
        arch: String,
        /// The architectures the operation supports (`x86_64 and aarch64`).
        supported: String,
    },
    /// The operation does not apply to this input (a 32-bit task for a
    /// core file, `--extract` of an image that is not a tmpfs tar).
    #[error("{file}: {what}")]
    Unsupported {
        /// The input.
        file: String,
        /// What is not supported.
        what: String,
    },
    /// A limit that keeps a hostile checkpoint from exhausting memory or
    /// disk was reached; [`Limit::how_to_raise`] says how to raise it.
    #[error("{file}: {limit}")]
    LimitExceeded {
        /// The file or checkpoint being read.
        file: String,
        /// Which limit, and its value.
        limit: Limit,
    },
    /// A pod checkpoint has no container of this name.
    #[error("{checkpoint}: the pod has no container \"{name}\" (it has {})", .containers.join(", "))]
    ContainerNotFound {
        /// The checkpoint.
        checkpoint: String,
        /// The name asked for.
        name: String,
        /// The containers it has.
        containers: Vec<String>,
    },
    /// A pod checkpoint holds several containers and none was named.
    #[error(
        "{checkpoint}: a pod checkpoint of {} containers ({}): pick one with --container NAME",
        .containers.len(),
        .containers.join(", ")
    )]
    ContainerNeeded {
        /// The checkpoint.
        checkpoint: String,
        /// The containers it has.
        containers: Vec<String>,
    },
    /// A container was named, but the checkpoint holds one container only.
    #[error("{checkpoint}: --container \"{name}\": not a pod checkpoint (it holds one container)")]
    NotAPod {
        /// The checkpoint.
        checkpoint: String,
        /// The name given.
        name: String,
    },
    /// A symbolic link crit would follow is one the kernel's
    /// `protected_symlinks` rule would not.
    #[error(
        "{file}: not following the symbolic link {}: it is in a sticky world-writable directory \
         and belongs to uid {owner}, neither the directory's owner nor us (the kernel's protected_symlinks rule)",
        .link.display()
    )]
    UnsafeSymlink {
        /// The name given.
        file: String,
        /// The link.
        link: PathBuf,
        /// The link's owner.
        owner: u32,
    },
    /// An argument the library was given cannot be used (an unknown VMA
    /// kind, an extraction target that is not an empty directory).
    #[error("{what}")]
    InvalidArgument {
        /// What is wrong with it.
        what: String,
    },
    /// A worker thread of the library failed (a bug: it panicked).
    #[error("{what}")]
    ThreadFailed {
        /// Which thread.
        what: &'static str,
    },
}

/// A limit [`Error::LimitExceeded`] names, with its value.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Limit {
    /// A container engine's metadata file (`config.dump`, `spec.dump`, …)
    /// of `size` bytes, larger than `max`.
    MetadataFile {
        /// The file's size.
        size: u64,
        /// The largest allowed.
        max: u64,
    },
    /// An archive member of `size` bytes, larger than `max`.
    MemberSize {
        /// The member's size.
        size: u64,
        /// The largest expected.
        max: u64,
    },
    /// `decode --extract`: member `member` of `size` bytes would take the
    /// files extracted past `max` (`--max-extract`).
    Extract {
        /// The tar member.
        member: String,
        /// Its size.
        size: u64,
        /// The limit.
        max: u64,
    },
    /// Raw memory copied to temporary files would pass `max`
    /// (`--max-temp`, `CRIT_MAX_TEMP`).
    TempFiles {
        /// The limit.
        max: u64,
    },
    /// A chain of parent checkpoints deeper than `max`.
    ParentChain {
        /// The deepest chain followed.
        max: usize,
    },
}

impl Limit {
    /// How a user raises this limit (`--max-temp SIZE or CRIT_MAX_TEMP=SIZE`),
    /// or `None` for a fixed one.
    pub fn how_to_raise(&self) -> Option<&'static str> {
        match self {
            Limit::Extract { .. } => Some("--max-extract SIZE"),
            Limit::TempFiles { .. } => Some("--max-temp SIZE or CRIT_MAX_TEMP=SIZE"),
            Limit::MetadataFile { .. } | Limit::MemberSize { .. } | Limit::ParentChain { .. } => None,
        }
    }
}

impl std::fmt::Display for Limit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Limit::MetadataFile { size, max } => {
                write!(
                    f,
                    "{size} bytes, more than the {} MiB a metadata file may have",
                    max >> 20
                )
            }
            Limit::MemberSize { size, max } => write!(f, "{size} bytes, more than the {max} expected"),
            Limit::Extract { member, size, max } => write!(
                f,
                "member {member:?} ({size} bytes) would take the files extracted past the limit of {}; \
                 raise it with --max-extract SIZE; nothing was extracted",
                crate::size::format_size(*max, crate::size::SizeForm::Exact)
            ),
            Limit::TempFiles { max } => write!(
                f,
                "copying raw memory to a temporary file would write more than the {} limit on \
                 temporary files (its memory holds more than that which is not zeros); raise it with \
                 --max-temp SIZE or CRIT_MAX_TEMP=SIZE",
                crate::size::format_size(*max, crate::size::SizeForm::Exact)
            ),
            Limit::ParentChain { max } => write!(f, "parent chain deeper than {max} checkpoints (a symlink loop?)"),
        }
    }
}

fn place(entry: Option<usize>, offset: u64) -> String {
    match entry {
        Some(e) => format!("entry {e} at byte {offset}: "),
        None => format!("at byte {offset}: "),
    }
}

fn missing_why(image: &str) -> &'static str {
    if image.starts_with("mm-") {
        ": its memory is not in the checkpoint (a zombie has none; a live task whose image is missing, a damaged checkpoint)"
    } else {
        ""
    }
}

impl Error {
    /// An I/O error on `file`.
    pub fn io(file: impl Into<String>, source: io::Error) -> Self {
        Error::Io {
            file: file.into(),
            source,
        }
    }

    /// A problem with an image's contents; `what` says where and what.
    pub(crate) fn bad_image(file: impl Into<String>, what: impl Into<String>) -> Self {
        Error::BadImage {
            file: file.into(),
            what: what.into(),
            source: None,
        }
    }

    /// [`bad_image`](Error::bad_image) caused by `source`.
    pub(crate) fn bad_image_from(
        file: impl Into<String>,
        what: impl Into<String>,
        source: impl Into<BoxError>,
    ) -> Self {
        Error::BadImage {
            file: file.into(),
            what: what.into(),
            source: Some(source.into()),
        }
    }

    /// A tar archive that cannot be read; `what` says where and what.
    pub(crate) fn bad_archive(file: impl Into<String>, what: impl Into<String>) -> Self {
        Error::BadArchive {
            file: file.into(),
            what: what.into(),
            source: None,
        }
    }

    /// [`bad_archive`](Error::bad_archive) caused by `source`.
    pub(crate) fn bad_archive_from(
        file: impl Into<String>,
        what: impl Into<String>,
        source: impl Into<BoxError>,
    ) -> Self {
        Error::BadArchive {
            file: file.into(),
            what: what.into(),
            source: Some(source.into()),
        }
    }

    /// A problem with JSON given to `encode`; `what` says where and what.
    pub(crate) fn bad_json(file: impl Into<String>, what: impl Into<String>) -> Self {
        Error::BadJson {
            file: file.into(),
            what: what.into(),
            source: None,
        }
    }

    /// [`bad_json`](Error::bad_json) caused by `source`.
    pub(crate) fn bad_json_from(file: impl Into<String>, what: impl Into<String>, source: impl Into<BoxError>) -> Self {
        Error::BadJson {
            file: file.into(),
            what: what.into(),
            source: Some(source.into()),
        }
    }

    /// Image `file` holds no entry where one is needed.
    pub(crate) fn no_entries(file: impl Into<String>) -> Self {
        Error::NoEntries { file: file.into() }
    }

    /// An entry of image `file` lacks `field`; `what` is the message.
    pub(crate) fn missing_field(file: impl Into<String>, field: &'static str, what: &'static str) -> Self {
        Error::MissingField {
            file: file.into(),
            field,
            what,
        }
    }

    /// A limit reached while reading `file`.
    pub fn limit(file: impl Into<String>, limit: Limit) -> Self {
        Error::LimitExceeded {
            file: file.into(),
            limit,
        }
    }

    /// For an error in an image's bytes ([`BadImage`](Error::BadImage),
    /// [`Truncated`](Error::Truncated), [`Malformed`](Error::Malformed),
    /// [`NoEntries`](Error::NoEntries), [`MissingField`](Error::MissingField))
    /// or an archive's ([`BadArchive`](Error::BadArchive)): the file, and what
    /// is wrong with it (the message after `FILE: `).
    pub fn image_problem(&self) -> Option<(&str, String)> {
        let file = match self {
            Error::BadImage { file, .. }
            | Error::BadArchive { file, .. }
            | Error::Truncated { file, .. }
            | Error::Malformed { file, .. }
            | Error::NoEntries { file }
            | Error::MissingField { file, .. } => file,
            _ => return None,
        };
        let text = self.to_string();
        let what = text.strip_prefix(file.as_str()).and_then(|t| t.strip_prefix(": "));
        Some((file, what.unwrap_or(&text).to_string()))
    }

    /// True when writing failed because the reader went away (`crit … | head`):
    /// not an error worth reporting.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Io { source, .. } if source.kind() == io::ErrorKind::BrokenPipe)
    }
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
