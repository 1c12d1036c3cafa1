//! Explorers: answers about the processes of one checkpoint directory
//! (`crit x DIR [ps|fds|mems|rss|sk|net|mnt|ns|cg]`; no explorer: [`overview`]),
//! as plain data for tables or JSON. [`select`] narrows a checkpoint to one
//! task or subtree (`--pid PID [--tree]`) before an explorer runs.
//!
//! Each explorer returns a serde-serializable report whose JSON form is
//! documented in `docs/explore-json.md`. Tasks without resources (zombies)
//! are listed with their state and empty lists, never skipped silently.
//!
//! Open a checkpoint directory (reads `pstree.img` and every `core-PID.img`),
//! then run an explorer on it — here `ps`, which prints the process tree:
//!
//! ```no_run
//! use crit::explore::{ps, Checkpoint};
//!
//! let dir = "/tmp/checkpoint"; // a directory written by `criu dump`
//! let cp = Checkpoint::open(dir)?;
//! for task in ps::explore(&cp).tasks {
//!     let indent = "  ".repeat(task.depth);
//!     println!("{indent}{} {} ({})", task.pid, task.comm, task.state.as_str());
//! }
//! // The same report as JSON, as `crit x DIR ps --format json` prints it.
//! let json = serde_json::to_string(&ps::explore(&cp))?;
//! # let _ = json;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod ahead;
pub mod cg;
pub(crate) mod checkpoint;
pub mod fds;
pub mod files;
pub mod mems;
pub mod mnt;
pub mod names;
pub mod net;
pub mod ns;
pub mod overview;
pub mod ps;
pub mod queues;
pub mod rss;
pub mod select;
pub mod sk;

pub use checkpoint::{Checkpoint, Task, TaskState};

use std::cell::RefCell;

use serde::ser::{Error as _, SerializeSeq};
use serde::{Serialize, Serializer};

/// A sequence serialized as it is produced, for reports too large to hold:
/// each item is made, written and dropped in turn. The first error ends the
/// output, as a serializer error that carries its message. It can be
/// serialized once.
///
/// ```
/// use crit::explore::Lazy;
///
/// let items = (1..=3).map(Ok::<u32, crit::Error>);
/// assert_eq!(serde_json::to_string(&Lazy::new(items)).unwrap(), "[1,2,3]");
/// ```
pub struct Lazy<I>(RefCell<Option<I>>);

impl<I> Lazy<I> {
    /// The sequence of what `items` yields.
    pub fn new(items: I) -> Self {
        Lazy(RefCell::new(Some(items)))
    }
}

impl<I, T> Serialize for Lazy<I>
where
    I: Iterator<Item = crate::Result<T>>,
    T: Serialize,
{
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let items = self.0.borrow_mut().take();
        let items = items.ok_or_else(|| S::Error::custom("a lazy sequence was serialized twice"))?;
        let mut seq = s.serialize_seq(None)?;
        for item in items {
            seq.serialize_element(&item.map_err(S::Error::custom)?)?;
        }
        seq.end()
    }
}

/// An address or offset, serialized (and displayed) as a `0x…` lowercase hex
/// string such as `"0x7f6a9ece6000"`, since 64-bit values do not fit a JSON
/// number (a double).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hex(
    /// The raw value.
    pub u64,
);

impl Serialize for Hex {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // Written by hand into a stack buffer: `collect_str` goes through
        // `fmt`, and a report of 200,000 runs has hundreds of thousands.
        let mut buf = [0u8; 18];
        s.serialize_str(hex_str(self.0, &mut buf))
    }
}

/// `v` as `0x…` lowercase hex (`{:#x}`), in `buf`.
fn hex_str(mut v: u64, buf: &mut [u8; 18]) -> &str {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = DIGITS[(v & 0xf) as usize];
        v >>= 4;
        if v == 0 {
            break;
        }
    }
    buf[i - 2..i].copy_from_slice(b"0x");
    std::str::from_utf8(&buf[i - 2..]).expect("ASCII hex digits")
}

impl std::fmt::Display for Hex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:#x}", self.0)
    }
}

/// The fields every per-task report starts with.
#[derive(Debug, Clone, Serialize)]
pub struct TaskHead {
    /// The pid inside the checkpoint (in the dumped pid namespace), from `pstree.img`.
    pub pid: u32,
    /// The task's name (`comm`, at most 15 bytes), from `core-PID.img`.
    pub comm: String,
    /// The task's state, from `task_state` in `core-PID.img`.
    pub state: TaskState,
}

impl From<&Task> for TaskHead {
    fn from(t: &Task) -> Self {
        TaskHead {
            pid: t.pid,
            comm: t.comm.clone(),
            state: t.state,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_is_fmts_alternate_hex() {
        for v in [0, 1, 0xf, 0x10, 0x7f6a_9ece_6000, u64::MAX] {
            assert_eq!(hex_str(v, &mut [0; 18]), format!("{v:#x}"));
            assert_eq!(serde_json::to_string(&Hex(v)).unwrap(), format!("\"{v:#x}\""));
        }
    }
}
