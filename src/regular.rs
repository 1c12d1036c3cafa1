//! Opening a file a checkpoint is made of (an image, an archive, a mapped
//! file under `--files ROOT`) without blocking: a FIFO in its place would
//! make the first read wait forever, and opening a device may act on it. The
//! path is looked at first, then opened with `O_NONBLOCK` and looked at again
//! (it may have changed in between): only a regular file is accepted.

use std::fs::{self, File, FileType};
use std::io;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;

/// What a file that is not a regular one is, for an error message.
fn kind(t: FileType) -> &'static str {
    if t.is_fifo() {
        "a FIFO"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_dir() {
        "a directory"
    } else {
        "a special file"
    }
}

fn refuse(t: FileType) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, format!("{}, not a regular file", kind(t)))
}

/// Why `path` is there but is no regular file (`a FIFO, not a regular
/// file`); `None` for a regular file or nothing at all.
pub(crate) fn not_regular(path: &Path) -> Option<String> {
    let t = fs::metadata(path).ok()?.file_type();
    (!t.is_file()).then(|| refuse(t).to_string())
}

/// Opens regular file `path` for reading (following symbolic links); a
/// FIFO, socket, device or directory is an error saying which.
pub fn open(path: &Path) -> io::Result<File> {
    let t = fs::metadata(path)?.file_type();
    if !t.is_file() {
        return Err(refuse(t));
    }
    let f = fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)?;
    let t = f.metadata()?.file_type();
    if !t.is_file() {
        return Err(refuse(t));
    }
    // O_NONBLOCK means nothing to a regular file's reads: left as it is.
    Ok(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_open() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let e = open(&fifo).unwrap_err();
        assert_eq!(e.to_string(), "a FIFO, not a regular file");
        assert!(open(dir.path()).unwrap_err().to_string().starts_with("a directory, "));
        assert!(open(Path::new("/dev/null"))
            .unwrap_err()
            .to_string()
            .starts_with("a character device, "));
        let file = dir.path().join("f");
        std::fs::write(&file, b"x").unwrap();
        assert_eq!(open(&file).unwrap().metadata().unwrap().len(), 1);
    }
}
