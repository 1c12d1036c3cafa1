//! A checkpointed process as an x86_64 or arm64 ELF core file (`crit
//! coredump`), laid out as the Linux kernel writes one, so that gdb opens it:
//!
//! - a `PT_NOTE` segment: `NT_PRSTATUS` per thread (registers, signals),
//!   `NT_PRPSINFO`, `NT_SIGINFO`, `NT_AUXV`, `NT_FILE`, and per thread
//!   `NT_FPREGSET` and `NT_X86_XSTATE` (x86_64) or `NT_ARM_TLS` (arm64), in
//!   the kernel's order (each architecture's part in its own module, behind
//!   `arch::Arch`);
//! - one `PT_LOAD` per mapping, aligned to the checkpoint's page size
//!   (`[vvar]` and guard ranges left out), its bytes from the checkpoint's
//!   pages, zeros for anonymous pages it does not hold, and for file pages
//!   it does not hold the mapped file itself when [`Options::files_root`]
//!   names a root to find it under (else the segment has no bytes, as the
//!   kernel writes unmodified file pages). A file mapping only partly
//!   available is split into segments at the boundaries, so that no unknown
//!   byte reads as a zero; `PROT_NONE` reservations and `[vsyscall]` get
//!   segments without bytes.
//!
//! The file is written front to back with memory bounded by a fixed chunk.
//!
//! ```no_run
//! use crit::coredump::{Coredump, Options};
//!
//! let opts = Options { files_root: Some("/".into()), ..Options::default() };
//! let core = Coredump::open("checkpoint", None, &opts)?; // the root task
//! let file = std::fs::File::create(format!("core.{}", core.pid()))?;
//! core.write(std::io::BufWriter::new(file))?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod aarch64;
mod arch;
mod elf;
mod notes;
pub(crate) mod rootfs;
mod segments;
mod x86;

use std::io::{Seek, Write};
use std::path::{Path, PathBuf};

use crate::checkpoint::files::FileTable;
use crate::checkpoint::{Checkpoint, Task, TaskState};
use crate::error::{Error, Result};
use crate::explore::mems::{file_path, status};
use crate::mem::{MemReader, Vma};
use crate::proto::CoreEntry;
use crate::source::{OpenOptions, Source};

use arch::ThreadRegs;
use elf::{Phdr, EHDR_SIZE, PHDR_SIZE, PT_LOAD, PT_NOTE};
use notes::{FileMapping, Note, PrStatus, PsInfo};
use rootfs::MappedFiles;
pub use segments::LeftOut;
use segments::{Mapping, Segment, Sink};

/// How to write a core.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// A directory to read mapped files under (as if it were `/`), for the
    /// file pages the checkpoint does not hold. `None`: leave them out.
    pub files_root: Option<PathBuf>,
    /// Read mapped files under the root even when their size or build-id
    /// differs from what the checkpoint recorded (else they are left out,
    /// with the reason).
    pub force: bool,
    /// Without `files_root`: where the ELF header page of each mapped file
    /// is read from when the file there is the one recorded (`None`: `/`).
    pub headers_root: Option<PathBuf>,
}

/// `VMA_AREA_GUARD` alone: a guard-page range of CRIU 4.2 (it overlaps a
/// real mapping and holds nothing).
const VMA_GUARD_ONLY: u32 = 1 << 16;
const SIGSTOP: u32 = 19;

/// One task of a checkpoint, ready to be written as a core file.
pub struct Coredump {
    pid: u32,
    comm: String,
    threads: usize,
    /// `e_machine`.
    machine: u16,
    /// The checkpoint's page size: segments' alignment, as the kernel's.
    page_size: u64,
    mem: MemReader,
    files: MappedFiles,
    notes: Vec<u8>,
    segments: Vec<Segment>,
    left_out: Vec<LeftOut>,
}

impl Coredump {
    /// Prepares the core of task `pid` (or of a thread of it; `None`: the
    /// root task) of the checkpoint in `dir`.
    /// `dir` may also be a container checkpoint or archive.
    pub fn open(dir: impl AsRef<Path>, pid: Option<u32>, opts: &Options) -> Result<Self> {
        let with_pages = OpenOptions {
            pages: true,
            ..OpenOptions::default()
        };
        Self::new(&Checkpoint::from_source(Source::open(dir, &with_pages)?)?, pid, opts)
    }

    /// [`Coredump::open`] on a checkpoint already open.
    ///
    /// # Errors
    ///
    /// No such task, a zombie (it has no memory), an architecture other than
    /// x86_64 and aarch64, or a missing or corrupt image.
    pub fn new(cp: &Checkpoint, pid: Option<u32>, opts: &Options) -> Result<Self> {
        let dir = cp.source().label();
        let task = match pid {
            None => cp.tasks.first(),
            Some(p) => cp.tasks.iter().find(|t| t.pid == p || t.threads.contains(&p)),
        }
        .ok_or_else(|| match pid {
            Some(pid) => Error::TaskNotFound {
                checkpoint: dir.to_string(),
                pid,
                threads: false,
            },
            None => Error::NoTasks {
                checkpoint: dir.to_string(),
            },
        })?;
        if !task.state.has_resources() {
            return Err(Error::NoMemory {
                checkpoint: dir.to_string(),
                pid: task.pid,
                zombie: task.state == TaskState::Zombie,
            });
        }
        // The main thread first, as the kernel puts the dumping thread first.
        let mut tids = vec![task.pid];
        tids.extend(task.threads.iter().copied().filter(|&t| t != task.pid));
        let cores = tids
            .iter()
            .map(|&tid| Ok((tid, cp.core(tid)?)))
            .collect::<Result<Vec<_>>>()?;
        let arch = arch::of(&cores)?;
        let regs = (arch.threads)(&cores)?;

        let mem = cp.memory(task.pid)?;
        let page_size = mem.page_size();
        let table = FileTable::load(cp)?;
        let mut vmas: Vec<_> = mem.mm().vmas.iter().collect();
        vmas.sort_by_key(|v| v.start);
        let mut maps = Vec::with_capacity(vmas.len());
        let mut file_maps = Vec::new();
        let mut files = MappedFiles::new(opts.files_root.clone());
        files.headers_from(opts.headers_root.clone());
        for v in vmas {
            if v.status == VMA_GUARD_ONLY || v.status & status::VVAR != 0 {
                continue;
            }
            let path = file_path(&table, v)?;
            if let Some(reg) = path
                .as_ref()
                .and_then(|_| table.get(u32::try_from(v.shmid).ok()?).ok()?.reg.clone())
            {
                files.expect(&reg.name.clone(), reg, opts.force);
            }
            if let Some(p) = &path {
                file_maps.push(FileMapping {
                    start: v.start,
                    end: v.end,
                    pgoff: v.pgoff / page_size,
                    path: p.as_bytes().to_vec(),
                });
            }
            let vma = Vma::from(v);
            maps.push(Mapping {
                vma,
                // A memfd's pages are shared memory the checkpoint holds in
                // full, as CRIU restores it: the ones missing are zeros.
                path: path.filter(|_| vma.kind() != "memfd"),
                no_contents: v.status & status::VSYSCALL != 0,
            });
        }

        let notes = build_notes(task, &cores, &regs, &mem, &file_maps)?;
        let (segments, left_out) = segments::plan(&mem, &maps, &mut files);
        // Bounded here so that writing needs no overflow checks.
        let total = segments.iter().try_fold(0u64, |n, s| n.checked_add(s.filesz()));
        if total.is_none_or(|n| n > i64::MAX as u64 / 2) {
            return Err(Error::Damaged {
                what: format!(
                    "{dir}: the mappings of task {} add up to more than a file can hold (a corrupt mm-{}.img?)",
                    task.pid, task.pid
                ),
            });
        }
        Ok(Coredump {
            pid: task.pid,
            comm: task.comm.clone(),
            threads: tids.len(),
            machine: arch.machine,
            page_size,
            mem,
            files,
            notes,
            segments,
            left_out,
        })
    }

    /// The task's pid.
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// The task's name (`comm`), as the checkpoint has it.
    pub fn comm(&self) -> &str {
        &self.comm
    }

    /// Its number of threads (one `NT_PRSTATUS` each).
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// The number of `PT_LOAD` segments.
    pub fn segments(&self) -> usize {
        self.segments.len()
    }

    /// File-backed ranges whose bytes the core leaves out (the checkpoint
    /// does not hold them and the file was not found under the root).
    pub fn left_out(&self) -> &[LeftOut] {
        &self.left_out
    }

    /// Where the segments' bytes start, and the core file's size.
    fn layout(&self) -> (u64, u64) {
        let phnum = 1 + self.segments.len() as u64;
        let notes_end = EHDR_SIZE + phnum * PHDR_SIZE + self.notes.len() as u64;
        let data = notes_end.next_multiple_of(self.page_size);
        let end = data + self.segments.iter().map(Segment::filesz).sum::<u64>();
        (data, end)
    }

    /// The size of the core file in bytes.
    pub fn size(&self) -> u64 {
        let (_, end) = self.layout();
        let extended = 1 + self.segments.len() as u64 >= u64::from(elf::PN_XNUM);
        end + if extended { elf::SHDR_SIZE } else { 0 }
    }

    /// Writes the core file front to back: headers, notes, then each
    /// segment's bytes (runs of zeros as holes when `out` is a file).
    /// Returns the number of bytes written.
    pub fn write<W: Write + Seek>(&self, out: W) -> Result<u64> {
        let phnum = 1 + self.segments.len() as u64;
        let (data, end) = self.layout();
        let extended = phnum >= u64::from(elf::PN_XNUM);
        let mut sink = Sink::new(out);
        sink.write(&elf::ehdr(self.machine, phnum, if extended { end } else { 0 }))?;
        let notes_off = EHDR_SIZE + phnum * PHDR_SIZE;
        let note = Phdr {
            p_type: PT_NOTE,
            flags: 0,
            offset: notes_off,
            vaddr: 0,
            filesz: self.notes.len() as u64,
            memsz: 0,
            align: 4,
        };
        let mut headers = Vec::with_capacity(phnum as usize * PHDR_SIZE as usize);
        headers.extend_from_slice(&note.to_bytes());
        let mut offset = data;
        for s in &self.segments {
            let filesz = s.filesz();
            let ph = Phdr {
                p_type: PT_LOAD,
                flags: s.flags,
                offset,
                vaddr: s.vaddr,
                filesz,
                memsz: s.memsz,
                align: self.page_size,
            };
            headers.extend_from_slice(&ph.to_bytes());
            offset += filesz;
        }
        sink.write(&headers)?;
        sink.write(&self.notes)?;
        sink.zeros(data - sink.pos());
        let mut buf = Vec::new();
        let mut meter = crate::progress::Meter::start("writing the core", end - data);
        for s in &self.segments {
            segments::write_segment(&mut sink, s, &self.mem, &self.files, &mut buf, &mut meter)?;
        }
        drop(meter);
        debug_assert_eq!(sink.pos(), end);
        if extended {
            sink.write(&elf::xnum_shdr(phnum))?;
        }
        let written = sink.pos();
        sink.finish()?;
        Ok(written)
    }
}

/// Bit `n-1` for every signal `n` queued in `signals`.
fn pending(q: Option<&crate::proto::SignalQueueEntry>) -> u64 {
    q.map_or(0, |q| {
        q.signals
            .iter()
            .filter_map(|s| s.siginfo.get(..4))
            .map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")))
            .filter(|&n| (1..=64).contains(&n))
            .fold(0, |m, n| m | 1 << (n - 1))
    })
}

/// The notes, in the order the kernel writes them: the first thread's
/// status, the process's info, signal, auxv and files, the first thread's
/// register notes, then each other thread's status and register notes.
fn build_notes(
    task: &Task,
    cores: &[(u32, CoreEntry)],
    regs: &[ThreadRegs],
    mem: &MemReader,
    files: &[FileMapping],
) -> Result<Vec<u8>> {
    let (_, main) = &cores[0];
    let main_file = crate::image::name::core(task.pid);
    let tc = main
        .tc
        .as_ref()
        .ok_or_else(|| Error::missing_field(&main_file, "tc", "the core entry has no task core (tc)"))?;
    let stopped = task.state == TaskState::Stopped;
    let cursig = if stopped { tc.stop_signo.unwrap_or(SIGSTOP) } else { 0 };
    let creds = main.thread_core.as_ref().and_then(|t| t.creds.as_ref());
    let mm = mem.mm();
    let args_len = mm.mm_arg_end.saturating_sub(mm.mm_arg_start).min(4096) as usize;
    // The kernel reads the argument area the same way; missing bytes read as zeros.
    let args = mem.read(mm.mm_arg_start, args_len)?.data;
    let psinfo = PsInfo {
        // A checkpointed task is frozen: sleeping, or stopped when it was.
        state: if stopped { 3 } else { 1 },
        nice: main
            .thread_core
            .as_ref()
            .and_then(|t| t.sched_nice)
            .unwrap_or(0)
            .clamp(-20, 19) as i8,
        flag: u64::from(tc.flags),
        uid: creds.map_or(0, |c| c.uid),
        gid: creds.map_or(0, |c| c.gid),
        pid: task.pid,
        ppid: task.ppid,
        pgrp: task.pgid,
        sid: task.sid,
        comm: tc.comm.as_bytes().to_vec(),
        args,
    };

    let mut out = Vec::new();
    for (i, ((tid, core), regs)) in cores.iter().zip(regs).enumerate() {
        let thread = core.thread_core.as_ref();
        let status = PrStatus {
            tid: *tid,
            ppid: task.ppid,
            pgrp: task.pgid,
            sid: task.sid,
            cursig,
            sigpend: pending(thread.and_then(|t| t.signals_p.as_ref())),
            sighold: thread
                .and_then(|t| t.blk_sigset)
                .or_else(|| core.tc.as_ref().map(|tc| tc.blk_sigset))
                .unwrap_or(0),
            regs: regs.gpregs.clone(),
        };
        Note::core(notes::NT_PRSTATUS, status.to_bytes()).encode(&mut out);
        if i == 0 {
            Note::core(notes::NT_PRPSINFO, psinfo.to_bytes()).encode(&mut out);
            Note::core(notes::NT_SIGINFO, notes::siginfo(cursig)).encode(&mut out);
            Note::core(notes::NT_AUXV, notes::auxv(&mm.mm_saved_auxv)).encode(&mut out);
            Note::core(notes::NT_FILE, notes::file_note(files, mem.page_size())).encode(&mut out);
        }
        for n in &regs.notes {
            n.encode(&mut out);
        }
    }
    Ok(out)
}
