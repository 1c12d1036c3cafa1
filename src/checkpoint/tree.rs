//! One checkpoint directory: its process tree, and the per-task images the
//! explorers read, each opened on demand so errors name the file that failed.

use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;

use prost::Message;

use serde::Serialize;

use super::consistency::Problem;
use crate::error::{Error, Result};
use crate::image::ImageReader;
use crate::mem::MemReader;
use crate::proto::{CoreEntry, FdinfoEntry, FsEntry, MmEntry, PstreeEntry, TaskKobjIdsEntry};
use crate::source::{OpenOptions, Reader, Source};
use crate::wire::{FieldIter, WireField, WireValue};

/// A task's state as CRIU records it in `core-PID.img` (`task_state`).
///
/// CRIU writes 1 for a live task, 2 ("dead") for a zombie — a task that exited
/// and was never reaped, restored as a zombie again — and 3 for a stopped one.
/// (The Python CRIT's `--pretty` names these wrongly.) 6 is compel's own zombie
/// value; CRIU does not write it, but we name it the same should it appear.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskState {
    /// `task_state` 1: a running (or runnable/sleeping) task.
    Alive,
    /// `task_state` 3: a task stopped by a signal (e.g. `SIGSTOP`).
    Stopped,
    /// `task_state` 2 (CRIU's "dead"), or 6: an exited task never reaped; it
    /// has a core image only.
    Zombie,
    /// A task_state this tool does not know; the raw value is in `task_state`.
    Unknown,
}

impl TaskState {
    /// The state for a raw `task_state` value of `core-PID.img`: 1 alive,
    /// 2 or 6 zombie, 3 stopped, anything else [`TaskState::Unknown`].
    pub(crate) fn from_raw(raw: u32) -> Self {
        match raw {
            1 => TaskState::Alive,
            2 | 6 => TaskState::Zombie,
            3 => TaskState::Stopped,
            _ => TaskState::Unknown,
        }
    }

    /// Whether CRIU dumped the task's resources (mm, ids, fds, pagemap): only
    /// live and stopped tasks have them; a zombie has its core image only.
    pub fn has_resources(self) -> bool {
        matches!(self, TaskState::Alive | TaskState::Stopped)
    }

    /// The state's lowercase name, as in JSON: `alive`, `stopped`, `zombie`
    /// or `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskState::Alive => "alive",
            TaskState::Stopped => "stopped",
            TaskState::Zombie => "zombie",
            TaskState::Unknown => "unknown",
        }
    }
}

/// One task of `pstree.img`, with what its core image says about it.
#[derive(Debug, Clone)]
pub struct Task {
    /// The pid as seen inside the checkpoint (CRIU 4.1.1's `pstree_entry` has no
    /// `ns_pid`: `pid` already is the pid in the dumped pid namespace).
    pub pid: u32,
    /// The parent's pid (`pstree.img`); 0 for the root task.
    pub ppid: u32,
    /// The process group id (`pstree.img`).
    pub pgid: u32,
    /// The session id (`pstree.img`).
    pub sid: u32,
    /// The thread ids (`pstree.img`); the first is normally `pid` itself.
    pub threads: Vec<u32>,
    /// The task's name (`comm`, at most 15 bytes), from `core-PID.img`.
    pub comm: String,
    /// `task_state` of `core-PID.img`, decoded.
    pub state: TaskState,
    /// `task_state` as written in the core image.
    pub task_state: u32,
    /// The wait status of a zombie (`exit_code` of the core image).
    pub exit_code: u32,
    /// The architecture (`mtype` of the core image: `core_entry.march`).
    pub mtype: i32,
    /// An x86_64 task in 32-bit compat mode (its registers' `mode`).
    pub compat: bool,
}

impl Task {
    /// The task's architecture as `uname -m` names it (`x86_64`, `aarch64`,
    /// `ppc64le`…), with ` (32-bit compat)` for a compat-mode x86 task.
    pub(crate) fn arch(&self) -> String {
        let name = arch_name(self.mtype);
        match self.compat {
            true => format!("{name} (32-bit compat)"),
            false => name.to_string(),
        }
    }
}

/// The architecture of a core image's `mtype`, as `uname -m` names it
/// (CRIU's ppc64 port is little-endian only).
pub(crate) fn arch_name(mtype: i32) -> &'static str {
    match mtype {
        1 => "x86_64",
        2 => "armv7l",
        3 => "aarch64",
        4 => "ppc64le",
        5 => "s390x",
        6 => "mips64",
        7 => "loongarch64",
        8 => "riscv64",
        _ => "unknown",
    }
}

/// A checkpoint (a directory, an unpacked container checkpoint or an
/// archive: see [`crate::source`]) and its process tree.
#[derive(Debug, Clone)]
pub struct Checkpoint {
    src: Option<Source>,
    /// Tasks in `pstree.img` order.
    pub tasks: Vec<Task>,
    /// The consistency pass's findings, made on first asking.
    problems: OnceLock<Vec<Problem>>,
}

/// The tasks of `entries` with what their core images say. Thousands of
/// core images are read on two threads, each taking half, in order; the
/// error is the first failing task's, as one thread would find it.
fn read_tasks(src: &Source, entries: Vec<PstreeEntry>) -> Result<Vec<Task>> {
    const ALONE: usize = 64;
    let read =
        |entries: Vec<PstreeEntry>| -> Result<Vec<Task>> { entries.into_iter().map(|p| read_task(src, p)).collect() };
    if entries.len() < ALONE {
        return read(entries);
    }
    let mut first = entries;
    let second = first.split_off(first.len() / 2);
    std::thread::scope(|s| {
        let worker = s.spawn(|| read(second));
        let mut tasks = read(first)?;
        // A panic of the worker is passed on as such.
        let rest = worker.join().unwrap_or_else(|p| std::panic::resume_unwind(p))?;
        tasks.extend(rest);
        Ok(tasks)
    })
}

/// One task: its `pstree.img` entry and the task core (`tc`) of its
/// `core-PID.img`.
fn read_task(src: &Source, p: PstreeEntry) -> Result<Task> {
    let core_name = crate::image::name::core(p.pid);
    let tc = task_core(src, &core_name)?.ok_or_else(|| {
        Error::missing_field(
            src.image_label(&core_name),
            "tc",
            "the core entry has no task core (tc)",
        )
    })?;
    Ok(Task {
        pid: p.pid,
        ppid: p.ppid,
        pgid: p.pgid,
        sid: p.sid,
        threads: p.threads,
        comm: tc.comm,
        state: TaskState::from_raw(tc.task_state),
        task_state: tc.task_state,
        exit_code: tc.exit_code,
        mtype: tc.mtype,
        compat: tc.compat,
    })
}

/// `mtype` and `thread_info` (x86) of `core_entry`.
const MTYPE: u32 = 1;
const THREAD_INFO: u32 = 2;

/// Whether a decoded core entry is of a 32-bit compat-mode x86 task.
fn is_compat(c: &CoreEntry) -> bool {
    c.thread_info
        .as_ref()
        .is_some_and(|ti| ti.gpregs.mode == Some(crate::proto::UserX86RegsMode::Compat as i32))
}

/// Whether a `thread_info_x86` payload's registers (`gpregs`, field 2) have
/// `mode` (field 28) COMPAT (2); `None` when it does not walk cleanly.
fn x86_compat(ti: &[u8]) -> Option<bool> {
    let mut compat = false;
    for f in FieldIter::new(ti) {
        if let (2, WireValue::Len(regs)) = (f.as_ref().ok()?.number, f.ok()?.value) {
            for r in FieldIter::new(regs) {
                match r.ok()? {
                    WireField {
                        number: 28,
                        value: WireValue::Varint(v),
                        ..
                    } => compat = v == 2,
                    WireField { number: 28, .. } => return None,
                    _ => {}
                }
            }
        }
    }
    Some(compat)
}

/// What a task's core image tells about it: the fields of its task core
/// (`tc`) a [`Task`] keeps.
#[derive(Debug, Default, PartialEq)]
struct TaskCore {
    comm: String,
    task_state: u32,
    exit_code: u32,
    mtype: i32,
    compat: bool,
}

/// Field numbers, from the schema: `tc` of `core_entry`, and `task_state`,
/// `exit_code` and `comm` of `task_core_entry`.
struct TcFields {
    tc: u32,
    task_state: u32,
    exit_code: u32,
    comm: u32,
}

fn tc_fields() -> Option<&'static TcFields> {
    static FIELDS: OnceLock<Option<TcFields>> = OnceLock::new();
    FIELDS
        .get_or_init(|| {
            let field = |m, f| crate::schema::field_number(m, f);
            Some(TcFields {
                tc: field("core_entry", "tc")?,
                task_state: field("task_core_entry", "task_state")?,
                exit_code: field("task_core_entry", "exit_code")?,
                comm: field("task_core_entry", "comm")?,
            })
        })
        .as_ref()
}

/// The task core of core image `name`; `None` when the entry has no `tc`.
/// Only three fields are read: the registers, signal handlers and the rest
/// that make most of a core entry's bytes are skipped. Should the entry not
/// walk cleanly, it is decoded whole, for the error that gives.
fn task_core(src: &Source, name: &str) -> Result<Option<TaskCore>> {
    let mut r = src.image_reader(name)?;
    let mut buf = Vec::new();
    let start = r.offset();
    let picked = r.with_next_payload(&mut buf, |payload| {
        let whole = || {
            CoreEntry::decode(payload).map(|c| {
                let compat = is_compat(&c);
                c.tc.map(|tc| TaskCore {
                    comm: tc.comm,
                    task_state: tc.task_state,
                    exit_code: tc.exit_code,
                    mtype: c.mtype,
                    compat,
                })
            })
        };
        match tc_fields().and_then(|n| pick_task_core(payload, n)) {
            Some(tc) => Ok(tc),
            None => whole(),
        }
    })?;
    match picked {
        None => Err(Error::no_entries(src.image_label(name))),
        Some(tc) => tc.map_err(|e| r.malformed(start, e)),
    }
}

/// The task core's fields, as protobuf decoding would set them (occurrences
/// of `tc` merge, a field's last value wins); `None` for anything the walk
/// cannot take (a malformed field, a wrong wire type, a comm not UTF-8).
fn pick_task_core(payload: &[u8], n: &TcFields) -> Option<Option<TaskCore>> {
    let mut tc: Option<TaskCore> = None;
    let (mut mtype, mut compat) = (0, false);
    for f in FieldIter::new(payload) {
        let f = f.ok()?;
        match (f.number, f.value) {
            (MTYPE, WireValue::Varint(v)) => mtype = v as i32,
            (MTYPE, _) => return None,
            (THREAD_INFO, WireValue::Len(ti)) => compat = x86_compat(ti)?,
            (THREAD_INFO, _) => return None,
            _ => {}
        }
        if f.number != n.tc {
            continue;
        }
        let WireValue::Len(bytes) = f.value else { return None };
        let tc = tc.get_or_insert_with(TaskCore::default);
        for f in FieldIter::new(bytes) {
            match f.ok()? {
                WireField {
                    number,
                    value: WireValue::Varint(v),
                    ..
                } if number == n.task_state || number == n.exit_code => {
                    // uint32 fields keep a varint's low 32 bits, as prost does.
                    let slot = if number == n.task_state {
                        &mut tc.task_state
                    } else {
                        &mut tc.exit_code
                    };
                    *slot = v as u32;
                }
                WireField {
                    number,
                    value: WireValue::Len(s),
                    ..
                } if number == n.comm => tc.comm = std::str::from_utf8(s).ok()?.to_string(),
                WireField { number, .. } if [n.task_state, n.exit_code, n.comm].contains(&number) => return None,
                _ => {}
            }
        }
    }
    Some(tc.map(|t| TaskCore { mtype, compat, ..t }))
}

impl Checkpoint {
    /// Opens the checkpoint at `path` (a directory or an archive; one
    /// container) and reads its process tree.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        Checkpoint::from_source(Source::open(path, &OpenOptions::default())?)
    }

    /// Reads `pstree.img` and each task's `core-PID.img` from `src` (of a
    /// core image, only the task core fields [`Task`] keeps; a tree of
    /// many tasks on two threads).
    pub fn from_source(src: Source) -> Result<Self> {
        src.require_tree()?;
        let entries: Vec<PstreeEntry> = src.read_all("pstree.img")?;
        if entries.is_empty() {
            return Err(Error::bad_image(
                src.image_label("pstree.img"),
                "the process tree has no tasks",
            ));
        }
        let tasks = read_tasks(&src, entries)?;
        Ok(Checkpoint {
            src: Some(src),
            tasks,
            problems: OnceLock::new(),
        })
    }

    /// Where the images are read from.
    pub fn source(&self) -> &Source {
        self.src.as_ref().expect("a checkpoint opened from a source")
    }

    /// What is wrong with the checkpoint for its tasks (see [`crate::checkpoint::consistency`]):
    /// missing or cut images, pages files that disagree with their
    /// pagemaps, a broken parent chain. Found on first asking, for the
    /// tasks then in [`Checkpoint::tasks`] (after a selection, for those).
    pub fn problems(&self) -> &[Problem] {
        self.problems.get_or_init(|| match &self.src {
            Some(src) => super::consistency::check(src, &self.tasks),
            None => Vec::new(),
        })
    }

    /// The problems about task `pid`'s own data.
    pub(crate) fn task_problems(&self, pid: u32) -> impl Iterator<Item = &Problem> {
        self.problems().iter().filter(move |p| p.pid == Some(pid))
    }

    /// Whether task `pid`'s memory images (`mm`, `pagemap`, `pages`, and
    /// their parents') have problems: what its memory shows is unknown.
    pub(crate) fn memory_damaged(&self, pid: u32) -> bool {
        self.task_problems(pid).any(Problem::about_memory)
    }

    /// The checkpoint's page size in bytes ([`Source::page_size`]); 4 KiB
    /// for a checkpoint built in memory.
    ///
    /// # Errors
    ///
    /// The pages files and pagemaps disagree (a damaged checkpoint).
    pub fn page_size(&self) -> Result<u64> {
        self.src.as_ref().map_or(Ok(crate::mem::PAGE_SIZE), Source::page_size)
    }

    /// Whether image `name` exists in this checkpoint as a regular file.
    pub fn has(&self, name: &str) -> bool {
        self.source().has_image(name)
    }

    /// Image `name`, ready to read entry by entry.
    pub fn image(&self, name: &str) -> Result<ImageReader<Reader>> {
        self.source().image_reader(name)
    }

    /// Every entry of image `name`.
    pub fn read_all<T: prost::Message + Default>(&self, name: &str) -> Result<Vec<T>> {
        self.source().read_all(name)
    }

    /// The first entry of image `name`.
    pub fn read_first<T: prost::Message + Default>(&self, name: &str) -> Result<T> {
        self.source().read_first(name)
    }

    /// The kernel-object ids of a task: `ids-PID.img`, or the copy older CRIUs
    /// kept inside `core-PID.img` when that image is absent.
    pub fn ids(&self, pid: u32) -> Result<TaskKobjIdsEntry> {
        let name = crate::image::name::ids(pid);
        // Read first, look later: asking whether the image exists would cost
        // every task a system call, when nearly all have it.
        let e = match self.read_first(&name) {
            Ok(ids) => return Ok(ids),
            Err(e) => e,
        };
        if self.has(&name) {
            return Err(e);
        }
        let core: CoreEntry = self.read_first(&crate::image::name::core(pid))?;
        match core.ids {
            Some(ids) => Ok(ids),
            None => Err(e),
        }
    }

    /// The fd table `fdinfo-ID.img` of a files id (`files_id` of
    /// [`Checkpoint::ids`]), in image order.
    pub fn fdinfo(&self, files_id: u32) -> Result<Vec<FdinfoEntry>> {
        self.read_all(&crate::image::name::fdinfo(files_id))
    }

    /// The core image of a task or thread: `core-TID.img` (registers,
    /// signal state, credentials).
    pub fn core(&self, tid: u32) -> Result<CoreEntry> {
        self.read_first(&crate::image::name::core(tid))
    }

    /// A task's `fs-PID.img` (cwd and root).
    pub fn fs(&self, pid: u32) -> Result<FsEntry> {
        self.read_first(&crate::image::name::fs(pid))
    }

    /// A task's `mm-PID.img` (VMAs, exe).
    pub fn mm(&self, pid: u32) -> Result<MmEntry> {
        self.read_first(&crate::image::name::mm(pid))
    }

    /// The memory of task `pid` (a process of [`Checkpoint::tasks`], not a
    /// thread), from this checkpoint's source: unlike
    /// [`MemReader::from_source`] it does not read `pstree.img` again, so a
    /// walk over every task stays linear.
    pub fn memory(&self, pid: u32) -> Result<MemReader> {
        MemReader::of_task(self.source().clone(), pid)
    }

    /// The tasks in tree order (each parent before its children, children in
    /// `pstree.img` order), with their depth. Tasks whose parent is not in the
    /// tree are shown as roots, so nothing is ever left out.
    pub fn tree_order(&self) -> Vec<(usize, &Task)> {
        let n = self.tasks.len();
        let index: HashMap<u32, usize> = self.tasks.iter().enumerate().map(|(i, t)| (t.pid, i)).collect();
        let mut kids: HashMap<u32, Vec<usize>> = HashMap::new();
        let mut roots = Vec::new();
        for (i, t) in self.tasks.iter().enumerate() {
            if t.ppid == 0 || t.ppid == t.pid || !index.contains_key(&t.ppid) {
                roots.push(i);
            } else {
                kids.entry(t.ppid).or_default().push(i);
            }
        }
        let mut out = Vec::with_capacity(n);
        let mut seen = vec![false; n];
        // Where to look for the next task not yet shown: never before it.
        let mut unseen = 0;
        // Iterative depth-first walk; `seen` guards against cycles in corrupt trees.
        let mut stack: Vec<(usize, usize)> = roots.into_iter().rev().map(|i| (i, 0)).collect();
        loop {
            while let Some((i, depth)) = stack.pop() {
                if std::mem::replace(&mut seen[i], true) {
                    continue;
                }
                out.push((depth, &self.tasks[i]));
                if let Some(k) = kids.get(&self.tasks[i].pid) {
                    stack.extend(k.iter().rev().map(|&k| (k, depth + 1)));
                }
            }
            // Tasks only reachable through a cycle: show them as roots.
            while unseen < n && seen[unseen] {
                unseen += 1;
            }
            match unseen < n {
                true => stack.push((unseen, 0)),
                false => break,
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(pid: u32, ppid: u32) -> Task {
        Task {
            pid,
            ppid,
            pgid: pid,
            sid: pid,
            threads: vec![pid],
            comm: String::new(),
            state: TaskState::Alive,
            task_state: 1,
            exit_code: 0,
            mtype: 1,
            compat: false,
        }
    }

    fn order(tasks: Vec<Task>) -> Vec<(usize, u32)> {
        let cp = Checkpoint {
            src: None,
            tasks,
            problems: OnceLock::new(),
        };
        cp.tree_order().into_iter().map(|(d, t)| (d, t.pid)).collect()
    }

    #[test]
    fn depth_first_in_pstree_order() {
        let tasks = vec![task(1, 0), task(2, 1), task(3, 1), task(5, 3), task(4, 1)];
        assert_eq!(order(tasks), [(0, 1), (1, 2), (1, 3), (2, 5), (1, 4)]);
    }

    #[test]
    fn corrupt_trees_lose_no_task() {
        // A cycle (2 <-> 3) and an orphan whose parent is not in the tree.
        let tasks = vec![task(1, 0), task(2, 3), task(3, 2), task(9, 42)];
        let got = order(tasks);
        assert_eq!(got.len(), 4);
        assert_eq!(got[0], (0, 1));
        assert!(got.contains(&(0, 9)));
    }

    /// What decoding the whole core entry gives, for comparison.
    fn decoded(payload: &[u8]) -> Option<TaskCore> {
        let c = CoreEntry::decode(payload).unwrap();
        let compat = is_compat(&c);
        c.tc.map(|tc| TaskCore {
            comm: tc.comm,
            task_state: tc.task_state,
            exit_code: tc.exit_code,
            mtype: c.mtype,
            compat,
        })
    }

    fn core(tc: Option<crate::proto::TaskCoreEntry>) -> Vec<u8> {
        CoreEntry {
            tc,
            ..CoreEntry::default()
        }
        .encode_to_vec()
    }

    #[test]
    fn the_task_core_picked_is_the_one_decoding_gives() {
        let n = tc_fields().expect("the schema has the fields");
        let tc = crate::proto::TaskCoreEntry {
            task_state: 2,
            exit_code: 9,
            comm: "evil\u{1b}]0;x".into(),
            sigactions: vec![crate::proto::SaEntry::default(); 64],
            ..Default::default()
        };
        let whole = core(Some(tc.clone()));
        let got = pick_task_core(&whole, n).unwrap();
        assert_eq!(
            got.as_ref().map(|t| (t.comm.as_str(), t.task_state, t.exit_code)),
            Some(("evil\u{1b}]0;x", 2, 9))
        );
        assert_eq!(got, decoded(&whole));

        // Occurrences of tc merge: the second sets only the state.
        let later = crate::proto::TaskCoreEntry {
            task_state: 3,
            ..Default::default()
        };
        let mut twice = whole.clone();
        twice.extend(core(Some(later)));
        let got = pick_task_core(&twice, n).unwrap();
        assert_eq!(got, decoded(&twice));
        assert_eq!(got.unwrap().task_state, 3);

        // No tc at all.
        assert_eq!(pick_task_core(&core(None), n), Some(None));
    }

    #[test]
    fn what_the_walk_cannot_take_is_left_to_the_decoder() {
        let n = tc_fields().unwrap();
        let whole = core(Some(crate::proto::TaskCoreEntry {
            comm: "abc".into(),
            ..Default::default()
        }));
        // Cut short: the last field runs past the end.
        assert_eq!(pick_task_core(&whole[..whole.len() - 1], n), None);
        // A comm that is not UTF-8.
        let bad = whole.iter().position(|&b| b == b'a').unwrap();
        let mut not_utf8 = whole.clone();
        not_utf8[bad] = 0xff;
        assert_eq!(pick_task_core(&not_utf8, n), None);
        assert!(CoreEntry::decode(not_utf8.as_slice()).is_err());
    }

    #[test]
    fn task_states() {
        assert_eq!(TaskState::from_raw(1), TaskState::Alive);
        assert_eq!(TaskState::from_raw(2), TaskState::Zombie);
        assert_eq!(TaskState::from_raw(3), TaskState::Stopped);
        assert_eq!(TaskState::from_raw(77), TaskState::Unknown);
        assert!(TaskState::Stopped.has_resources() && !TaskState::Zombie.has_resources());
    }
}
