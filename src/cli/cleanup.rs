//! Nothing of ours is left behind when the process is interrupted.
//!
//! Files and directories written beside a destination before they are moved
//! into place (a `-o` file where `O_TMPFILE` is not available, an `--extract`
//! in progress) are registered here. On SIGINT, SIGTERM or SIGHUP a small
//! handler only writes the signal's number to a pipe; a thread waiting on
//! that pipe removes what is registered, then ends the process by the same
//! signal, as if it had not been caught (the shell sees 130 for Ctrl-C).
//! A signal the process was started ignoring (`nohup`) stays ignored.
//!
//! A step that moves things into place ([`hold`]) runs to its end first: the
//! destination is either untouched or complete, never half-replaced.

use std::fs::{self, File};
use std::io::Read;
use std::os::fd::FromRawFd;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, Once};

/// The signals that end a command someone gave up on.
const SIGNALS: [libc::c_int; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];

/// The pipe's writing end, for the handler.
static PIPE: AtomicI32 = AtomicI32::new(-1);

#[derive(Default)]
struct State {
    /// What to remove, each under its id.
    paths: Vec<(u64, PathBuf)>,
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
    install();
    let mut s = state();
    s.next += 1;
    let id = s.next;
    s.paths.push((id, path.to_path_buf()));
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
    for (_, p) in &s.paths {
        remove(p);
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
