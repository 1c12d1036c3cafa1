//! Explorers: answers about the processes of one checkpoint directory
//! (`crit x DIR ps|fds|mems|rss|sk`), as plain data for tables or JSON.
//!
//! Each explorer returns a serde-serializable report whose JSON form is
//! documented in `docs/explore-json.md`. Tasks without resources (zombies)
//! are listed with their state and empty lists, never skipped silently.
//!
//! ```no_run
//! let cp = crit::explore::Checkpoint::open("checkpoint")?;
//! for task in crit::explore::ps::explore(&cp).tasks {
//!     println!("{} {}", task.pid, task.comm);
//! }
//! # Ok::<(), crit::Error>(())
//! ```

pub mod checkpoint;
pub mod fds;
pub mod files;
pub mod mems;
pub mod names;
pub mod ps;
pub mod queues;
pub mod rss;
pub mod sk;

pub use checkpoint::{Checkpoint, Task, TaskState};

use serde::{Serialize, Serializer};

/// An address, shown as a `0x…` hex string in JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hex(pub u64);

impl Serialize for Hex {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&format_args!("{:#x}", self.0))
    }
}

impl std::fmt::Display for Hex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:#x}", self.0)
    }
}

/// The fields every per-task report starts with.
#[derive(Debug, Clone, Serialize)]
pub struct TaskHead {
    pub pid: u32,
    pub comm: String,
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
