//! Shared mappings: their contents are not in the task's pagemap but in the
//! shared object's — `pagemap-shmem-ID.img` for anonymous shared memory and
//! memfds, `ipcns-shm-N.img` (inline or through `pagemap-shmem-ID.img`) for
//! SysV shm — placed into the address space at the mapping's offset.

use std::collections::HashMap;

use serde::Serialize;

use super::pagemap::{Run, PE_PRESENT};
use super::resolve::{clip, overlapping, Extent, Resolver};
use super::vma::{Vma, VMA_ANON_SHARED, VMA_AREA_MEMFD, VMA_AREA_SYSVIPC};
use super::{MapRun, Piece};
use crate::error::Result;
use crate::proto::{FileEntry, IpcShmEntry, MemfdInodeEntry, TaskKobjIdsEntry};
use crate::source::Source;

/// What backs a shared mapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SharedKind {
    /// Anonymous shared memory (`MAP_SHARED | MAP_ANONYMOUS`).
    Anon,
    /// A SysV shared memory segment (`shmat`).
    Sysv,
    /// A memfd (anonymous shared memory may show as a `/dev/zero` memfd too).
    Memfd,
    /// A regular file: its contents are on disk, not in the checkpoint.
    File,
}

/// One shared mapping of a task, with what the checkpoint holds of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SharedMapping {
    /// The mapping.
    pub vma: Vma,
    /// What is shared.
    pub kind: SharedKind,
    /// The shared object's id: the shmem/memfd inode, or the SysV shm id.
    pub object: Option<u64>,
    /// The image with the contents, when the checkpoint has one.
    pub image: Option<String>,
    /// Bytes of the mapping the checkpoint holds.
    pub held: u64,
}

/// A SysV segment of `ipcns-shm-N.img`.
struct SysvShm {
    size: u64,
    in_pagemaps: bool,
    /// Where its inline contents start in the image.
    data_offset: u64,
}

/// The metadata of a checkpoint that names shared objects, read on first use.
pub(crate) struct SharedIndex<'a> {
    src: &'a Source,
    pid: u32,
    sysv: Option<(String, HashMap<u32, SysvShm>)>,
    memfd: Option<HashMap<u64, u64>>,
}

impl<'a> SharedIndex<'a> {
    pub fn new(src: &'a Source, pid: u32) -> Self {
        SharedIndex {
            src,
            pid,
            sysv: None,
            memfd: None,
        }
    }

    /// The task's `ipcns-shm` image and its segments.
    fn sysv(&mut self) -> Result<&(String, HashMap<u32, SysvShm>)> {
        if self.sysv.is_none() {
            // The task's IPC namespace names the image; without ids, no segments.
            let ids = crate::image::name::ids(self.pid);
            let ns = match self.src.has_image(&ids) {
                true => self.src.read_first::<TaskKobjIdsEntry>(&ids)?.ipc_ns_id,
                false => None,
            };
            let path = crate::image::name::ipcns_shm(ns.unwrap_or(0));
            let mut map = HashMap::new();
            if self.src.has_image(&path) {
                let mut r = self.src.image_reader(&path)?;
                let mut buf = Vec::new();
                while let Some(e) = r.next_message::<IpcShmEntry>(&mut buf)? {
                    let inline = if e.in_pagemaps() { 0 } else { e.size };
                    let shm = SysvShm {
                        size: e.size,
                        in_pagemaps: e.in_pagemaps(),
                        data_offset: r.offset(),
                    };
                    // Inline contents are padded to 4 bytes (saturating: a size near
                    // u64::MAX is then more than the file holds, a clean error).
                    r.skip(inline.div_ceil(4).saturating_mul(4), "shared memory")?;
                    map.insert(e.desc.id, shm);
                }
            }
            self.sysv = Some((path, map));
        }
        Ok(self.sysv.as_ref().expect("just set"))
    }

    /// Memfd file id (a VMA's `shmid`) to the memfd inode's shmem id.
    fn memfd(&mut self) -> Result<&HashMap<u64, u64>> {
        if self.memfd.is_none() {
            let mut map = HashMap::new();
            let (files, inodes) = ("files.img", "memfd.img");
            if self.src.has_image(files) && self.src.has_image(inodes) {
                let inodes: HashMap<u64, u64> = self
                    .src
                    .read_all::<MemfdInodeEntry>(inodes)?
                    .into_iter()
                    .map(|i| (i.inode_id, u64::from(i.shmid)))
                    .collect();
                for f in self.src.read_all::<FileEntry>(files)? {
                    if let Some(m) = f.memfd {
                        if let Some(&shmid) = inodes.get(&u64::from(m.inode_id)) {
                            map.insert(u64::from(f.id), shmid);
                        }
                    }
                }
            }
            self.memfd = Some(map);
        }
        Ok(self.memfd.as_ref().expect("just set"))
    }
}

/// What a shared mapping resolves to: its summary, the extents backing it in
/// the address space, and its runs for `maps`.
pub(crate) struct SharedResolved {
    pub mapping: SharedMapping,
    pub extents: Vec<Extent>,
    pub runs: Vec<MapRun>,
}

/// Resolves one shared `vma`.
pub(crate) fn resolve(resolver: &mut Resolver<'_>, index: &mut SharedIndex<'_>, vma: &Vma) -> Result<SharedResolved> {
    let mut out = SharedResolved {
        mapping: SharedMapping {
            vma: *vma,
            kind: SharedKind::File,
            object: None,
            image: None,
            held: 0,
        },
        extents: Vec::new(),
        runs: Vec::new(),
    };
    let pagemap_of = crate::image::name::pagemap_shmem::<u64>;
    let image = if vma.status & VMA_AREA_SYSVIPC != 0 {
        out.mapping.kind = SharedKind::Sysv;
        out.mapping.object = Some(vma.shmid);
        let (path, segs) = index.sysv()?;
        match u32::try_from(vma.shmid).ok().and_then(|id| segs.get(&id)) {
            Some(seg) if !seg.in_pagemaps => {
                let label = path.clone();
                let file = resolver.files.open(resolver.src, &label)?;
                let run = Run {
                    vaddr: 0,
                    nr_pages: seg.size.div_ceil(resolver.page_size),
                    flags: PE_PRESENT,
                    page_size: resolver.page_size,
                };
                let obj = [Extent {
                    start: 0,
                    len: seg.size,
                    file,
                    offset: seg.data_offset,
                }];
                place(&mut out, vma, &label, &[run], &obj, resolver);
                return Ok(out);
            }
            // In pagemaps, or unknown to ipcns-shm: its pagemap if there is one.
            _ => Some(pagemap_of(vma.shmid)),
        }
    } else if vma.status & VMA_AREA_MEMFD != 0 {
        out.mapping.kind = SharedKind::Memfd;
        let shmid = index.memfd()?.get(&vma.shmid).copied();
        out.mapping.object = shmid;
        shmid.map(pagemap_of)
    } else if vma.status & VMA_ANON_SHARED != 0 {
        out.mapping.kind = SharedKind::Anon;
        out.mapping.object = Some(vma.shmid);
        Some(pagemap_of(vma.shmid))
    } else {
        None
    };
    if let Some(name) = image {
        // No image: CRIU had no pages of the object to save.
        if let Some(res) = resolver.resolve(0, &name)? {
            place(&mut out, vma, &name, &res.runs, &res.extents, resolver);
        }
    }
    Ok(out)
}

/// Moves the object's runs and extents that the mapping shows (object
/// offsets `pgoff..pgoff+len`) to their addresses.
fn place(out: &mut SharedResolved, vma: &Vma, image: &str, runs: &[Run], obj: &[Extent], resolver: &Resolver<'_>) {
    // Saturating: a corrupt offset may put the mapping's end past the last object offset.
    let (lo, hi) = (vma.pgoff, vma.pgoff.saturating_add(vma.len()));
    let to_va = |e: Extent| Extent {
        start: e.start - lo + vma.start,
        ..e
    };
    for e in overlapping(obj, lo, hi) {
        let e = to_va(clip(e, lo, hi));
        out.mapping.held += e.len;
        out.extents.push(e);
    }
    for r in runs.iter().filter(|r| r.vaddr < hi && r.end() > lo) {
        let (s, t) = (r.vaddr.max(lo), r.end().min(hi));
        let pieces = overlapping(obj, s, t)
            .map(|e| {
                let e = clip(e, s, t);
                Piece {
                    start: to_va(e).start,
                    len: e.len,
                    file: resolver.files.label(e.file).to_string(),
                    offset: e.offset,
                }
            })
            .collect();
        out.runs.push(MapRun {
            start: s - lo + vma.start,
            end: t - lo + vma.start,
            nr_pages: (t - s).div_ceil(resolver.page_size),
            flags: r.flags,
            image: image.to_string(),
            pieces,
        });
    }
    out.mapping.image = Some(image.to_string());
}
