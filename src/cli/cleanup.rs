//! Nothing of ours is left behind when the process is interrupted.
//!
//! Files and directories written beside a destination before they are moved
//! into place (a `-o` file where `O_TMPFILE` is not available, an `--extract`
//! in progress) are registered here, and so are regular files written in
//! place (standard output redirected to a file), to be cut back to their
//! length at start. On SIGINT, SIGTERM or SIGHUP a small
//! handler only writes the signal's number to a pipe; a thread waiting on
//! that pipe removes what is registered, then ends the process by the same
//! signal, as if it had not been caught (the shell sees 130 for Ctrl-C).
//! A signal the process was started ignoring (`nohup`) stays ignored.
//!
//! A step that moves things into place ([`hold`]) runs to its end first: the
//! destination is either untouched or complete, never half-replaced.

use std::fs::{self, File};
use std::io::Read;
use std::os::fd::{FromRawFd, RawFd};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, Once};

/// The signals that end a command someone gave up on.
const SIGNALS: [libc::c_int; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];

/// The pipe's writing end, for the handler.
static PIPE: AtomicI32 = AtomicI32::new(-1);

/// What to undo.
enum Undo {
    /// Remove this file or directory (and all it holds).
    Remove(PathBuf),
    /// Cut the regular file open at this descriptor back to this length.
    CutBack(RawFd, u64),
}

struct State {
    /// What to undo, each under its id.
    paths: Vec<(u64, Undo)>,
    next: u64,
    /// Steps moving things into place now: removal waits for them.
    held: usize,
}

static STATE: Mutex<State> = Mutex::new(State {
    paths: Vec::new(),
    next: 0,
    held: 0,
});
static RELEASED: Condvar = Condvar::new();

fn state() -> MutexGuard<'static, State> {
    // A panic elsewhere does not make the list wrong.
    STATE.lock().unwrap_or_else(|e| e.into_inner())
}

/// A path removed (a directory with all it holds) if the process is
/// interrupted, until this is dropped.
#[derive(Debug)]
pub struct Registered(u64);

/// Removes `path` (recursively) should a signal end the process before the
/// returned value is dropped.
pub fn register(path: &Path) -> Registered {
    add(Undo::Remove(path.to_path_buf()))
}

/// Cuts the regular file open at `fd` back to `len` bytes should a signal
/// end the process before the returned value is dropped. The returned value
/// must be dropped before `fd` is closed.
pub fn register_cut_back(fd: RawFd, len: u64) -> Registered {
    add(Undo::CutBack(fd, len))
}

fn add(undo: Undo) -> Registered {
    install();
    let mut s = state();
    s.next += 1;
    let id = s.next;
    s.paths.push((id, undo));
    Registered(id)
}

impl Drop for Registered {
    fn drop(&mut self) {
        state().paths.retain(|(id, _)| *id != self.0);
    }
}

/// While this lives, an interruption waits: a move into place completes.
#[derive(Debug)]
pub struct Hold(());

/// Defers the handling of an interruption until the returned value is dropped.
pub fn hold() -> Hold {
    install();
    state().held += 1;
    Hold(())
}

impl Drop for Hold {
    fn drop(&mut self) {
        state().held -= 1;
        RELEASED.notify_all();
    }
}

/// The signal handler: async-signal-safe, it only writes to the pipe.
extern "C" fn on_signal(sig: libc::c_int) {
    let byte = sig as u8;
    // SAFETY: write(2) is async-signal-safe; `byte` lives on this stack for
    // the call; a failed write (pipe full: a signal already pending) is
    // harmless.
    unsafe { libc::write(PIPE.load(Ordering::Relaxed), (&raw const byte).cast(), 1) };
}

/// Installs the handler and its thread, once.
fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let mut fds = [-1; 2];
        // SAFETY: `fds` has room for the two descriptors pipe2 writes.
        if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
            return; // Without a pipe, signals keep their default action.
        }
        PIPE.store(fds[1], Ordering::Relaxed);
        // SAFETY: fds[0] is the new pipe's reading end, owned only here.
        let reader = unsafe { File::from_raw_fd(fds[0]) };
        if std::thread::Builder::new()
            .name("crit-signals".into())
            .spawn(move || wait_and_clean(reader))
            .is_err()
        {
            return;
        }
        for sig in SIGNALS {
            // SAFETY: sigaction reads and writes only the structs given;
            // `on_signal` is async-signal-safe.
            unsafe {
                let mut old: libc::sigaction = std::mem::zeroed();
                if libc::sigaction(sig, std::ptr::null(), &mut old) != 0 || old.sa_sigaction == libc::SIG_IGN {
                    continue;
                }
                let mut new: libc::sigaction = std::mem::zeroed();
                new.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
                new.sa_flags = libc::SA_RESTART;
                libc::sigemptyset(&mut new.sa_mask);
                libc::sigaction(sig, &new, std::ptr::null_mut());
            }
        }
    });
}

/// The thread: waits for a signal, removes what is registered (once no step
/// holds it off), then ends the process by that signal.
fn wait_and_clean(mut pipe: File) {
    let mut byte = [0u8; 1];
    if pipe.read_exact(&mut byte).is_err() {
        return;
    }
    let sig = libc::c_int::from(byte[0]);
    let mut s = state();
    while s.held > 0 {
        s = RELEASED.wait(s).unwrap_or_else(|e| e.into_inner());
    }
    let mut cut = Vec::new();
    for (_, undo) in &s.paths {
        match undo {
            Undo::Remove(p) => remove(p),
            Undo::CutBack(fd, len) => cut.extend(cut_back(*fd, *len)),
        }
    }
    // Once more: a write under way when the first cut was made may have
    // ended since.
    for (keep, len) in cut {
        shrink(keep, len);
    }
    // The lock stays taken: nothing new is registered or moved from here on.
    // SAFETY: restoring the default action and raising the signal in this
    // thread ends the process as the signal would have.
    unsafe {
        libc::signal(sig, libc::SIG_DFL);
        libc::raise(sig);
    }
    std::process::exit(128 + sig);
}

/// Cuts the regular file at `fd` back to `len` when it grew. The command
/// may still be writing: `fd` is first pointed at /dev/null, so what it
/// writes from then on goes nowhere. Returns our own descriptor of the file
/// (and `len`) to cut once more at the end. `fd` is open: its owner waits
/// for the lock this runs under before closing it.
fn cut_back(fd: RawFd, len: u64) -> Option<(RawFd, u64)> {
    // SAFETY: fcntl, open, dup2 and close act on descriptors we hold;
    // `c"/dev/null"` is NUL-terminated.
    let keep = unsafe {
        let keep = libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 0);
        if keep < 0 {
            return None;
        }
        let null = libc::open(c"/dev/null".as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC);
        if null >= 0 {
            libc::dup2(null, fd);
            libc::close(null);
        }
        keep
    };
    shrink(keep, len).then_some((keep, len))
}

/// Cuts the regular file at our descriptor `keep` back to `len` if it is
/// longer; false when it is no regular file.
fn shrink(keep: RawFd, len: u64) -> bool {
    // SAFETY: fstat and ftruncate act on our own open descriptor and the
    // struct given.
    unsafe {
        let mut st: libc::stat = std::mem::zeroed();
        if libc::fstat(keep, &mut st) != 0 || st.st_mode & libc::S_IFMT != libc::S_IFREG {
            return false;
        }
        if st.st_size as u64 > len {
            libc::ftruncate(keep, len as libc::off_t);
        }
        true
    }
}

/// Removes `p` and all it holds; the command may still be adding to it, so
/// a few tries.
fn remove(p: &Path) {
    for _ in 0..10 {
        let gone = match fs::symlink_metadata(p) {
            Ok(m) if m.is_dir() => fs::remove_dir_all(p),
            Ok(_) => fs::remove_file(p),
            Err(_) => return,
        };
        if gone.is_ok() {
            return;
        }
    }
}
