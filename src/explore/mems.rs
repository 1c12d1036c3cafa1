//! `mems`: each task's executable and memory mappings (VMAs), like the Python
//! CRIT's `x mems`, with the heap, vvar and main stack named too.

use serde::Serialize;

use crate::mem::VmaFilter;

use crate::error::Result;
use crate::proto::{MmEntry, VmaEntry};

use super::ahead::{weight_of, Ahead};
use super::{tasks_of, with_tasks_of, Filtered, Weighed};
use super::{Hex, Lazy, TaskHead};
use crate::checkpoint::files::FileTable;
use crate::checkpoint::{Checkpoint, Task};

/// `status` bits of a VMA (CRIU's `VMA_*`).
pub(crate) mod status {
    /// `VMA_AREA_REGULAR`: an area CRIU dumps and restores.
    pub const REGULAR: u32 = 1 << 0;
    /// `VMA_AREA_STACK`: the main thread's stack.
    pub(crate) const STACK: u32 = 1 << 1;
    /// `VMA_AREA_VSYSCALL`: the `[vsyscall]` page.
    pub(crate) const VSYSCALL: u32 = 1 << 2;
    /// `VMA_AREA_VDSO`: the `[vdso]` area.
    pub(crate) const VDSO: u32 = 1 << 3;
    /// `VMA_AREA_HEAP`: the `[heap]` (brk) area.
    pub const HEAP: u32 = 1 << 5;
    /// `VMA_FILE_PRIVATE`: a private file mapping (`shmid` is a file id).
    pub(crate) const FILE_PRIVATE: u32 = 1 << 6;
    /// `VMA_FILE_SHARED`: a shared file mapping (`shmid` is a file id).
    pub(crate) const FILE_SHARED: u32 = 1 << 7;
    /// `VMA_ANON_SHARED`: shared anonymous memory (`shmid` is its shmem id).
    pub const ANON_SHARED: u32 = 1 << 8;
    /// `VMA_AREA_SYSVIPC`: a System V shared memory segment (`shmid` is its id).
    pub const SYSVIPC: u32 = 1 << 10;
    /// `VMA_AREA_SOCKET`: a mapped socket (e.g. a packet ring).
    pub(crate) const SOCKET: u32 = 1 << 11;
    /// `VMA_AREA_VVAR`: the `[vvar]` area.
    pub(crate) const VVAR: u32 = 1 << 12;
    /// `VMA_AREA_AIORING`: an AIO ring.
    pub(crate) const AIORING: u32 = 1 << 13;
    /// `VMA_AREA_SHSTK`: a shadow stack (x86 CET).
    pub(crate) const SHSTK: u32 = 1 << 15;
    /// `VMA_AREA_GUARD` (CRIU 4.2), alone in `status`: a range of guard pages
    /// (`MADV_GUARD_INSTALL`) inside another mapping, listed after the
    /// mappings; it holds no pages.
    pub(crate) const GUARD: u32 = 1 << 16;
    /// `VMA_AREA_UPROBES`: the uprobes `[uprobes]` area.
    pub(crate) const UPROBES: u32 = 1 << 17;
}

const MAP_GROWSDOWN: u32 = 0x0100;

/// The report of `crit x DIR mems`: every task's executable and mappings.
#[derive(Debug, Clone, Serialize)]
pub struct MemsReport {
    /// One entry per task, in `pstree.img` order.
    pub tasks: Vec<MemsTask>,
}

/// One task's executable and memory mappings, from `mm-PID.img`.
#[derive(Debug, Clone, Serialize)]
pub struct MemsTask {
    /// The task (`pid`, `comm`, `state`; flattened into this object in JSON).
    #[serde(flatten)]
    pub task: TaskHead,
    /// The executable's path (`exe_file_id` of `mm-PID.img`, named through
    /// the file table); `None` (`null`) for a task without resources (a zombie).
    pub exe: Option<String>,
    /// Mappings in address order; empty for a task without resources.
    pub vmas: Vec<Vma>,
}

/// One memory mapping (a `vma_entry` of `mm-PID.img`).
#[derive(Debug, Clone, Serialize)]
pub struct Vma {
    /// The first address of the mapping (`0x…` hex in JSON).
    pub start: Hex,
    /// The address just past the mapping's end, exclusive (`0x…` hex in JSON).
    pub end: Hex,
    /// The protection as three characters, `rwx`, with `-` for what is not
    /// allowed (e.g. `r-x`).
    pub prot: String,
    /// What is mapped, as the Python CRIT writes it: a path with ` + 0xOFFSET`
    /// and ` (s)` when shared, `[heap]`, `[stack]`, `shmem[ID]`, …, then ` *`
    /// when CRIU did not count the VMA as regular. Empty for anonymous memory.
    /// A guard range (CRIU 4.2) is `[guard]`, without the ` *`: it is not a
    /// mapping of its own but guard pages inside the mapping around it.
    pub resource: String,
    /// The mapped file's path, for file mappings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Offset in the mapped file, in bytes (`0x…` hex in JSON); 0 for
    /// anonymous memory.
    pub pgoff: Hex,
    /// A shared mapping: `MAP_SHARED`, or shared file or anonymous memory.
    pub shared: bool,
    /// CRIU's `VMA_AREA_REGULAR`: false for areas like `[vsyscall]` it does not restore.
    pub regular: bool,
}

/// Lists each task's executable and mappings, in the order of `mm-PID.img`.
///
/// # Errors
///
/// A missing or corrupt image (`mm-PID.img`, `files.img`, …), named in the error.
pub fn explore(cp: &Checkpoint) -> Result<MemsReport> {
    explore_filtered(cp, &VmaFilter::default())
}

/// [`explore`], keeping only the mappings `filter` matches (`--prot`,
/// `--kind`, `--range`).
///
/// # Errors
///
/// As [`explore`].
pub(crate) fn explore_filtered(cp: &Checkpoint, filter: &VmaFilter) -> Result<MemsReport> {
    let table = FileTable::load(cp)?;
    let tasks = with_tasks(cp, &table, filter, |tasks| {
        tasks.map(|t| t?.into_task()).collect::<Result<_>>()
    })?;
    Ok(MemsReport { tasks })
}

/// The tasks one at a time, in `pstree.img` order, each read when it is
/// reached: what a report of thousands of tasks needs to stay small. Only
/// the mappings `filter` matches are described. ([`with_tasks`] reads them
/// on a second thread.)
pub fn tasks<'a>(
    cp: &'a Checkpoint,
    table: &'a FileTable,
    filter: &'a VmaFilter,
) -> impl Iterator<Item = Result<LazyTask<'a>>> + 'a {
    tasks_of(cp, Filtered { table, filter, load })
}

/// Hands `f` the tasks of [`tasks`], read and parsed on a second thread a
/// bounded way ahead of `f` (see [`ahead`](super::ahead)); returns what `f` does.
pub fn with_tasks<'a, R>(
    cp: &'a Checkpoint,
    table: &'a FileTable,
    filter: &'a VmaFilter,
    f: impl FnOnce(Ahead<'_, LazyTask<'a>>) -> R,
) -> R {
    with_tasks_of(cp, Filtered { table, filter, load }, f)
}

/// One task of `cp`, as [`tasks`] reads it: for a caller that needs the
/// tasks in another order (`diff`, task by task).
///
/// # Errors
///
/// As [`explore`].
pub(crate) fn task<'a>(cp: &Checkpoint, table: &'a FileTable, filter: &'a VmaFilter, t: &Task) -> Result<LazyTask<'a>> {
    load(cp, table, filter, t)
}

/// Reads one task's `mm-PID.img` and names its executable.
fn load<'a>(cp: &Checkpoint, table: &'a FileTable, filter: &'a VmaFilter, t: &Task) -> Result<LazyTask<'a>> {
    let mm = match t.state.has_resources() {
        true => Some(cp.mm(t.pid)?),
        false => None,
    };
    with_mm(table, filter, t, mm)
}

/// One task whose `mm-PID.img` entry was read already (`diff` has it from
/// the task's memory); `None` for a task without resources.
pub(crate) fn with_mm<'a>(
    table: &'a FileTable,
    filter: &'a VmaFilter,
    t: &Task,
    mm: Option<MmEntry>,
) -> Result<LazyTask<'a>> {
    let mut out = LazyTask {
        task: t.into(),
        exe: None,
        mm: None,
        table,
        filter,
    };
    if let Some(mm) = mm {
        out.exe = Some(table.path(mm.exe_file_id)?);
        out.mm = Some(mm);
    }
    Ok(out)
}

/// One task's executable and its `mm-PID.img`, whose mappings are described
/// as they are asked for ([`LazyTask::vmas`]), never held as a list: a task
/// may have 100,000. Serializes as [`MemsTask`] does.
#[derive(Debug)]
pub struct LazyTask<'a> {
    /// The task (`pid`, `comm`, `state`).
    pub task: TaskHead,
    /// The executable's path; `None` for a task without resources.
    pub exe: Option<String>,
    mm: Option<MmEntry>,
    table: &'a FileTable,
    filter: &'a VmaFilter,
}

impl Weighed for LazyTask<'_> {
    fn weight(&self) -> usize {
        let vmas = self.mm.as_ref().map_or(0, |mm| mm.vmas.capacity());
        vmas * std::mem::size_of::<VmaEntry>() + weight_of(self.exe.as_ref()) + weight_of(Some(&self.task.comm))
    }
}

impl LazyTask<'_> {
    /// The mappings in the order of `mm-PID.img`, described one by one; none
    /// for a task without resources.
    pub fn vmas(&self) -> impl Iterator<Item = Result<Vma>> + '_ {
        self.mm.iter().flat_map(move |mm| {
            mm.vmas
                .iter()
                .filter(|v| self.filter.matches(&(*v).into()))
                .map(move |v| vma(self.table, mm, v))
        })
    }

    /// The task with its mappings in a list.
    ///
    /// # Errors
    ///
    /// A mapping names a file that is not in the file table.
    pub(crate) fn into_task(self) -> Result<MemsTask> {
        let vmas = self.vmas().collect::<Result<_>>()?;
        Ok(MemsTask {
            task: self.task,
            exe: self.exe,
            vmas,
        })
    }
}

impl Serialize for LazyTask<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Fields<'b, V> {
            #[serde(flatten)]
            task: &'b TaskHead,
            exe: &'b Option<String>,
            vmas: V,
        }
        Fields {
            task: &self.task,
            exe: &self.exe,
            vmas: Lazy::new(self.vmas()),
        }
        .serialize(s)
    }
}

/// The `rwx` string of a `PROT_*` bit set, `-` for a bit that is clear:
/// 5 (`PROT_READ | PROT_EXEC`) is `r-x`.
pub(crate) fn prot(p: u32) -> String {
    [(1, 'r'), (2, 'w'), (4, 'x')]
        .iter()
        .map(|&(bit, c)| if p & bit != 0 { c } else { '-' })
        .collect()
}

/// The path of a file-backed VMA (`shmid` is then a file id), else `None`.
///
/// # Errors
///
/// The file id is not in the file table.
pub(crate) fn file_path(table: &FileTable, v: &VmaEntry) -> Result<Option<String>> {
    let special = status::SYSVIPC | status::ANON_SHARED | status::SOCKET;
    if v.status & special == 0 && v.status & (status::FILE_PRIVATE | status::FILE_SHARED) != 0 {
        // shmid is a u64 in the image but file ids are u32: a larger one cannot exist.
        let id = u32::try_from(v.shmid).unwrap_or(u32::MAX);
        return table.path(id).map(Some);
    }
    Ok(None)
}

fn vma(table: &FileTable, mm: &MmEntry, v: &VmaEntry) -> Result<Vma> {
    let st = v.status;
    let path = file_path(table, v)?;
    let guard = st == status::GUARD;
    let mut resource = if guard {
        "[guard]".to_string()
    } else if st & status::SYSVIPC != 0 {
        format!("sysvipc[{}]", v.shmid)
    } else if st & status::ANON_SHARED != 0 {
        format!("shmem[{}]", v.shmid)
    } else if st & status::SOCKET != 0 {
        format!("socket[{}]", v.shmid)
    } else if let Some(p) = &path {
        let mut s = p.clone();
        if v.pgoff != 0 {
            s += &format!(" + {:#x}", v.pgoff);
        }
        if st & status::FILE_SHARED != 0 {
            s += " (s)";
        }
        s
    } else if st & status::STACK != 0 || (v.start..v.end).contains(&mm.mm_start_stack) {
        "[stack]".to_string()
    } else if st & status::VSYSCALL != 0 {
        "[vsyscall]".to_string()
    } else if st & status::VDSO != 0 {
        "[vdso]".to_string()
    } else if st & status::VVAR != 0 {
        "[vvar]".to_string()
    } else if st & status::HEAP != 0 {
        "[heap]".to_string()
    } else if st & status::AIORING != 0 {
        "[aio]".to_string()
    } else if st & status::SHSTK != 0 {
        "[shadow stack]".to_string()
    } else if st & status::UPROBES != 0 {
        "[uprobes]".to_string()
    } else if v.flags & MAP_GROWSDOWN != 0 {
        // Grows down but holds no saved stack pointer: a thread's stack, maybe.
        "[stack?]".to_string()
    } else {
        String::new()
    };
    let regular = st & status::REGULAR != 0;
    if !regular && !guard {
        resource = if resource.is_empty() {
            "*".to_string()
        } else {
            resource + " *"
        };
    }
    Ok(Vma {
        start: Hex(v.start),
        end: Hex(v.end),
        prot: prot(v.prot),
        resource,
        path,
        pgoff: Hex(v.pgoff),
        shared: st & (status::FILE_SHARED | status::ANON_SHARED) != 0 || v.flags & 1 != 0,
        regular,
    })
}
