//! One checkpoint, opened: its process tree and each task's ids, files, mm
//! and core ([`Checkpoint`], [`Task`]), every file it names ([`FileTable`]),
//! whether its images agree with each other ([`consistency`]), and the
//! kernel's numbers as names ([`names`]). The explorers, memory readers'
//! users, `diff`, `coredump`, `inspect` and `check` all stand on this layer;
//! it stands on `source`, `mem` and the format below.

pub mod consistency;
pub mod files;
mod hex;
pub mod hostfs;
pub mod names;
mod tree;

pub use files::FileTable;
pub use hex::Hex;
pub use tree::{Checkpoint, Task, TaskState};
