//! A process's memory as CRIU saved it (`crit mem`): pagemap runs resolved to
//! pages files, parent checkpoints (pre-dumps) and shared memory, read by
//! address, searched, and the command line and environment recovered.
//!
//! ```no_run
//! use crit::mem::{MemReader, Searcher};
//!
//! let mem = MemReader::open("checkpoint", Some(1234))?;
//! for var in mem.env()? {
//!     println!("{var}");
//! }
//! let s = Searcher::literal(b"BEGIN PRIVATE KEY", false).expect("a valid pattern");
//! for m in mem.search_all(&s, 32)? {
//!     println!("{:#x} in {:?}", m.addr, m.vma.map(|v| v.kind()));
//! }
//! # Ok::<(), crit::Error>(())
//! ```

mod filter;
mod gaps;
mod pagemap;
mod pages;
mod pagesize;
mod reader;
mod resolve;
mod search;
mod shmem;
mod streamed;
mod vma;

pub use filter::{parse_prot, parse_range, KindFilter, VmaFilter};
pub use gaps::{Gap, GapKind};
pub use pagemap::{Pagemap, Run, PAGE_SIZE, PE_LAZY, PE_PARENT, PE_PRESENT};
pub use pagesize::{page_size_label, parse_page_size, PageSize};
pub use reader::{MapRun, MemRead, MemReader, Piece};
pub use search::{printable, PatternError, SearchMatch, SearchStats, Searcher};
pub use shmem::{SharedKind, SharedMapping};
pub use streamed::{in_one_pass, PreparedSearch};
pub(crate) use streamed::{served, stream_tasks, Served};
pub use vma::Vma;
