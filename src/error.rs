//! The library's error type. Every message names the file and, for image
//! contents, the entry and byte offset where reading went wrong.

use std::io;

/// Anything that can go wrong reading or writing a checkpoint.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The operating system refused a read or write.
    #[error("{file}: {source}")]
    Io {
        /// The file (or `<stdin>`, `<output>`) being read or written.
        file: String,
        #[source]
        /// What the operating system said.
        source: io::Error,
    },
    /// The file's bytes are not a valid image (truncated, wrong magic, bad sizes, …).
    #[error("{file}: {what}")]
    BadImage {
        /// The image file.
        file: String,
        /// Where (entry, byte offset) and what is wrong.
        what: String,
    },
    /// The JSON given to `encode` does not describe a valid image.
    #[error("{file}: {what}")]
    BadJson {
        /// The JSON input.
        file: String,
        /// Where (the JSON path) and what is wrong.
        what: String,
    },
    /// A checkpoint directory lacks what was asked of it (a task, an image).
    #[error("{0}")]
    Checkpoint(String),
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
        }
    }

    /// A problem with JSON given to `encode`; `what` says where and what.
    pub(crate) fn bad_json(file: impl Into<String>, what: impl Into<String>) -> Self {
        Error::BadJson {
            file: file.into(),
            what: what.into(),
        }
    }

    /// True when writing failed because the reader went away (`crit … | head`):
    /// not an error worth reporting.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Io { source, .. } if source.kind() == io::ErrorKind::BrokenPipe)
    }
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
