//! Files: every regular-file object of the checkpoint (open files, each
//! task's executable and mapped files, working and root directories, the
//! paths of FIFOs and devices) looked up under ROOT and compared as CRIU's
//! `files-reg.c` compares them on restore (`open_path`, `validate_file`):
//! the mode (type and permission bits) when recorded, the size when
//! recorded, and the ELF build-id when one was recorded and the size
//! matches. Ghost files (kept in the images), link-remapped and external
//! files are not looked up, as CRIU does not. Bound unix sockets need their
//! folder. A container checkpoint's `rootfs-diff.tar` and `deleted.files`
//! count as applied on top of ROOT.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use crate::archive::{EntryKind, NestedEntry};
use crate::checkpoint::hostfs::build_id;
use crate::checkpoint::hostfs::{read_head, resolve};
use crate::checkpoint::Checkpoint;
use crate::error::{Error, Result};
use crate::hex;
use crate::proto::{FdTypes, FileEntry, MntEntry, RegFileEntry, RemapFilePathEntry, RemapType};

use super::{Area, Finding, Findings, Kind};

const S_IFMT: u32 = 0o170000;

/// What is at a path: its mode (type and permissions) and size, and for a
/// regular file under ROOT the file itself, to read its build-id from.
struct Found {
    mode: u32,
    size: u64,
    file: Option<std::path::PathBuf>,
    /// Where it comes from, for messages: `ROOT/usr/lib/…` or the rootfs diff.
    from_diff: bool,
}

/// The container's changes to its root file system, applied on top of ROOT.
#[derive(Default)]
struct Overlay {
    diff: HashMap<String, NestedEntry>,
    deleted: HashSet<String>,
}

impl Overlay {
    fn load(cp: &Checkpoint) -> Result<Self> {
        let src = cp.source();
        let mut o = Overlay::default();
        for e in src.listing("rootfs-diff.tar")?.unwrap_or_default() {
            o.diff.insert(e.path.trim_end_matches('/').to_string(), e);
        }
        if let Some(bytes) = src.file("deleted.files")? {
            let list: Vec<String> = serde_json::from_slice(&bytes).map_err(|e| {
                Error::bad_image_from(
                    src.file_label("deleted.files"),
                    format!("not a JSON list of paths: {e}"),
                    e,
                )
            })?;
            o.deleted = list.iter().map(|p| p.trim_start_matches('/').to_string()).collect();
        }
        Ok(o)
    }

    /// What the diff says of `rel` (a path without its leading `/`):
    /// `Some(Ok)` the diff supplies it, `Some(Err)` it was deleted, `None`
    /// look under ROOT.
    fn lookup(&self, rel: &str) -> Option<std::result::Result<Found, ()>> {
        if let Some(e) = self.diff.get(rel) {
            let ty = match e.kind {
                EntryKind::File | EntryKind::Hardlink => 0o100000,
                EntryKind::Dir => 0o040000,
                EntryKind::Symlink => 0o120000,
                EntryKind::Other => 0,
            };
            return Some(Ok(Found {
                mode: ty | e.mode,
                size: e.size,
                file: None,
                from_diff: true,
            }));
        }
        let mut p = rel;
        loop {
            if self.deleted.contains(p) {
                return Some(Err(()));
            }
            match p.rsplit_once('/') {
                Some((up, _)) => p = up,
                None => return None,
            }
        }
    }
}

/// The mounts of every mount namespace, by id: a file on a mount other than
/// `/` is not in the root file system.
fn mounts(cp: &Checkpoint) -> Result<HashMap<i32, String>> {
    let mut out = HashMap::new();
    for name in cp.source().image_names()? {
        if name.starts_with("mountpoints-") && name.ends_with(".img") {
            for m in cp.read_all::<MntEntry>(&name)? {
                let mp = m.mountpoint.trim_start_matches('.').to_string();
                out.insert(m.mnt_id as i32, if mp.is_empty() { "/".to_string() } else { mp });
            }
        }
    }
    Ok(out)
}

/// The regular-file objects of the checkpoint, in id order.
fn reg_files(cp: &Checkpoint) -> Result<Vec<RegFileEntry>> {
    let mut regs: Vec<RegFileEntry> = Vec::new();
    if cp.has("files.img") {
        regs.extend(
            cp.read_all::<FileEntry>("files.img")?
                .into_iter()
                .filter(|f| f.r#type == FdTypes::Reg as i32)
                .filter_map(|f| f.reg),
        );
    }
    if cp.has("reg-files.img") {
        let seen: HashSet<u32> = regs.iter().map(|r| r.id).collect();
        let legacy = cp.read_all::<RegFileEntry>("reg-files.img")?;
        regs.extend(legacy.into_iter().filter(|r| !seen.contains(&r.id)));
    }
    regs.sort_by_key(|r| r.id);
    Ok(regs)
}

/// How each task uses each file object, by file id: `3374 (mem)` with
/// `executable`, `mapped`, `cwd`, `root`, `fd N`. Images that cannot be read
/// leave a use out; they are not what this check is about.
fn uses(cp: &Checkpoint) -> HashMap<u32, Vec<(String, String)>> {
    use crate::explore::mems::status;
    let mut out: HashMap<u32, Vec<(String, String)>> = HashMap::new();
    for t in cp.tasks.iter().filter(|t| t.state.has_resources()) {
        let who = format!("{} ({})", t.pid, t.comm);
        let mut add = |id: u32, how: String| {
            let v = out.entry(id).or_default();
            if !v.iter().any(|(w, h)| *w == who && *h == how) {
                v.push((who.clone(), how));
            }
        };
        if let Ok(mm) = cp.mm(t.pid) {
            add(mm.exe_file_id, "executable".to_string());
            for v in &mm.vmas {
                let file = status::FILE_PRIVATE | status::FILE_SHARED;
                if v.status & file != 0 && v.status & (status::SYSVIPC | status::ANON_SHARED | status::SOCKET) == 0 {
                    if let Ok(id) = u32::try_from(v.shmid) {
                        add(id, "mapped".to_string());
                    }
                }
            }
        }
        if let Ok(fs) = cp.fs(t.pid) {
            add(fs.cwd_id, "cwd".to_string());
            add(fs.root_id, "root".to_string());
        }
        if let Some(fds) = cp.ids(t.pid).ok().and_then(|ids| cp.fdinfo(ids.files_id).ok()) {
            for fd in fds {
                add(fd.id, format!("fd {}", fd.fd));
            }
        }
    }
    out
}

/// `3374 (mem): executable, mapped` per task, for the file objects `ids`.
fn used_by(uses: &HashMap<u32, Vec<(String, String)>>, ids: &[u32]) -> Vec<String> {
    let mut per: Vec<(String, Vec<String>)> = Vec::new();
    for (who, how) in ids.iter().filter_map(|id| uses.get(id)).flatten() {
        match per.iter_mut().find(|(w, _)| w == who) {
            Some((_, v)) if !v.contains(how) => v.push(how.clone()),
            Some(_) => {}
            None => per.push((who.clone(), vec![how.clone()])),
        }
    }
    per.into_iter().map(|(w, v)| format!("{w}: {}", v.join(", "))).collect()
}

/// Checks the files of `cp` under `root`.
pub fn check(cp: &Checkpoint, root: &Path) -> Result<Findings> {
    let mut out = Findings::default();
    let remaps: HashMap<u32, RemapType> = if cp.has("remap-fpath.img") {
        cp.read_all::<RemapFilePathEntry>("remap-fpath.img")?
            .into_iter()
            .map(|r| {
                let t = RemapType::try_from(r.remap_type.unwrap_or(0)).unwrap_or(RemapType::Linked);
                (r.orig_id, t)
            })
            .collect()
    } else {
        HashMap::new()
    };
    let mounts = mounts(cp)?;
    let overlay = Overlay::load(cp)?;
    let regs = reg_files(cp)?;
    let uses = uses(cp);
    // Several objects for one path (each open): one verdict is enough,
    // unless what was recorded differs.
    let key = |r: &RegFileEntry| format!("{}\0{:?}\0{:?}\0{:?}", r.name, r.mode, r.size, r.build_id);
    let mut same: HashMap<String, Vec<u32>> = HashMap::new();
    for r in &regs {
        same.entry(key(r)).or_default().push(r.id);
    }
    let mut done: HashSet<String> = HashSet::new();
    for r in regs {
        if let Some(note) = not_looked_up(&r, &remaps, &mounts) {
            out.notes.push(note);
            continue;
        }
        let k = key(&r);
        if !done.insert(k.clone()) {
            continue;
        }
        let before = out.problems.len();
        check_one(&r, root, &overlay, &mut out);
        let users = used_by(&uses, &same[&k]);
        for p in &mut out.problems[before..] {
            p.used_by = users.clone();
        }
    }
    unix_folders(cp, root, &overlay, &mut out)?;
    Ok(out)
}

/// Why CRIU will not look `r` up, as a note; `None` when it will.
fn not_looked_up(r: &RegFileEntry, remaps: &HashMap<u32, RemapType>, mounts: &HashMap<i32, String>) -> Option<Finding> {
    let note = |kind, msg: String| Some(Finding::new(Area::Files, kind, msg).path(r.name.clone()));
    if r.ext == Some(true) {
        return note(
            Kind::External,
            format!("{}: external, to be passed to criu restore (--inherit-fd)", r.name),
        );
    }
    match remaps.get(&r.id) {
        Some(RemapType::Ghost) => {
            return note(
                Kind::Ghost,
                format!("{}: deleted while open; its contents are in the images", r.name),
            )
        }
        Some(RemapType::Linked) => {
            return note(
                Kind::LinkRemap,
                format!(
                    "{}: deleted while open; restored through the link CRIU made when dumping",
                    r.name
                ),
            )
        }
        Some(RemapType::Procfs) => {
            return note(
                Kind::ProcfsRemap,
                format!("{}: a dead process's /proc file, recreated by CRIU", r.name),
            )
        }
        None => {}
    }
    if !r.name.starts_with('/') {
        return note(Kind::External, format!("{}: not a path in the file system", r.name));
    }
    let mp = r.mnt_id.filter(|&m| m >= 0).and_then(|m| mounts.get(&m));
    match mp {
        Some(mp) if mp != "/" => note(
            Kind::OtherMount,
            format!(
                "{}: on the mount at {mp}, which the restore provides, not under ROOT",
                r.name
            ),
        ),
        _ => None,
    }
}

/// What is at `name` (absolute): through the overlay, then under `root`.
/// `Err(None)`: not there; `Err(Some(reason))`: could not look.
fn look(root: &Path, overlay: &Overlay, name: &str) -> std::result::Result<Found, Option<String>> {
    let rel = name.trim_start_matches('/');
    match overlay.lookup(rel) {
        Some(Ok(f)) => return Ok(f),
        Some(Err(())) => return Err(None),
        None => {}
    }
    // ENOENT, or ENOTDIR when a folder on the way is a file: not there.
    let path = resolve(root, name).map_err(|e| {
        if e.ends_with("(os error 2)") || e.ends_with("(os error 20)") {
            None
        } else {
            Some(e)
        }
    })?;
    let meta = fs::symlink_metadata(&path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => None,
        _ => Some(format!("{}: {e}", path.display())),
    })?;
    Ok(Found {
        mode: meta.mode(),
        size: meta.size(),
        file: meta.is_file().then_some(path),
        from_diff: false,
    })
}

/// Compares one regular-file object with what is at its path.
fn check_one(r: &RegFileEntry, root: &Path, overlay: &Overlay, out: &mut Findings) {
    let name = r.name.as_str();
    let problem = |kind, msg: String| Finding::new(Area::Files, kind, msg).path(name);
    let want_type = r.mode.map(|m| m & S_IFMT);
    let found = match look(root, overlay, name) {
        Ok(f) => f,
        Err(None) => {
            out.problems.push(
                problem(
                    Kind::Missing,
                    format!("{name}: missing under ROOT ({})", type_name(want_type)),
                )
                .fix(match want_type {
                    None | Some(0o100000) => format!("install {name}{}", wanted(r)),
                    t => format!("create {} at {name}{}", type_name(t), wanted(r)),
                }),
            );
            return;
        }
        Err(Some(why)) => {
            out.problems
                .push(problem(Kind::Unreadable, format!("{name}: cannot be looked at: {why}")));
            return;
        }
    };
    let got_type = found.mode & S_IFMT;
    if let Some(t) = want_type.filter(|&t| t != got_type) {
        out.problems.push(
            problem(
                Kind::WrongType,
                format!(
                    "{name}: is {}, the checkpoint needs {}",
                    type_name(Some(got_type)),
                    type_name(Some(t))
                ),
            )
            .differs(type_name(Some(t)), type_name(Some(got_type)))
            .fix(format!("replace it by {}{}", type_name(Some(t)), wanted(r))),
        );
        return;
    }
    if found.from_diff {
        out.notes.push(problem(
            Kind::FromRootfsDiff,
            format!("{name}: supplied by the container's rootfs-diff.tar"),
        ));
    }
    let size_ok = match r.size {
        Some(want) if want != found.size => {
            out.problems.push(
                problem(
                    Kind::Size,
                    format!("{name}: size {} (the checkpoint has {want})", found.size),
                )
                .differs(want.to_string(), found.size.to_string())
                .fix(format!("install the {name} the checkpoint ran with{}", wanted(r))),
            );
            false
        }
        _ => true,
    };
    if let Some(want) = r.mode.filter(|&m| m != found.mode) {
        let (w, g) = (format!("0{want:o}"), format!("0{:o}", found.mode));
        out.problems.push(
            problem(Kind::Mode, format!("{name}: mode {g} (the checkpoint has {w})"))
                .differs(w, g)
                .fix(format!(
                    "chmod {:o} {name} under ROOT (or criu restore --skip-file-rwx-check)",
                    want & 0o7777
                )),
        );
    }
    // validate_with_build_id: only when a size was recorded and matches.
    if size_ok && r.size.is_some() && !r.build_id.is_empty() {
        check_build_id(r, &found, out);
    }
}

/// Compares the recorded build-id with the file's, as CRIU's
/// `validate_with_build_id` does: none to read passes (size only).
fn check_build_id(r: &RegFileEntry, found: &Found, out: &mut Findings) {
    let name = r.name.as_str();
    let want: Vec<u8> = r.build_id.iter().flat_map(|w| w.to_le_bytes()).collect();
    let Some(path) = &found.file else {
        out.notes.push(
            Finding::new(
                Area::Files,
                Kind::BuildIdUnread,
                format!("{name}: build-id not compared (supplied by the rootfs diff); CRIU will compare it"),
            )
            .path(name),
        );
        return;
    };
    let head = match read_head(path) {
        Ok(h) => h,
        Err(e) => {
            out.problems
                .push(Finding::new(Area::Files, Kind::Unreadable, format!("{name}: {e}")).path(name));
            return;
        }
    };
    let Some(got) = build_id(&head) else {
        out.notes.push(
            Finding::new(
                Area::Files,
                Kind::BuildIdUnread,
                format!("{name}: has no build-id to compare; CRIU validates it by its size only"),
            )
            .path(name),
        );
        return;
    };
    let same = got.len().div_ceil(4) * 4 == want.len() && want[..got.len()] == got[..];
    if !same {
        let (w, g) = (hex::encode(&want), hex::encode(&got));
        out.problems.push(
            Finding::new(
                Area::Files,
                Kind::BuildId,
                format!("{name}: build-id {g} (the checkpoint has {w})"),
            )
            .path(name)
            .differs(w.clone(), g)
            .fix(format!("install the build of {name} with build-id {w}")),
        );
    }
}

/// What the checkpoint wants of a file, for a fix: ` (mode 0100755, 2014248 bytes)`.
fn wanted(r: &RegFileEntry) -> String {
    let mut parts = Vec::new();
    if let Some(m) = r.mode {
        parts.push(format!("mode 0{m:o}"));
    }
    if let Some(s) = r.size {
        parts.push(format!("{s} bytes"));
    }
    if !r.build_id.is_empty() {
        let b: Vec<u8> = r.build_id.iter().flat_map(|w| w.to_le_bytes()).collect();
        parts.push(format!("build-id {}", hex::encode(&b)));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join(", "))
    }
}

/// A file type, for people.
pub fn type_name(t: Option<u32>) -> &'static str {
    match t {
        Some(0o100000) => "a regular file",
        Some(0o040000) => "a directory",
        Some(0o120000) => "a symbolic link",
        Some(0o010000) => "a FIFO",
        Some(0o020000) => "a character device",
        Some(0o060000) => "a block device",
        Some(0o140000) => "a socket",
        Some(_) => "a file of unknown type",
        None => "a file",
    }
}

/// Bound unix sockets with a path: the restore binds them there, so the
/// folder must be there.
fn unix_folders(cp: &Checkpoint, root: &Path, overlay: &Overlay, out: &mut Findings) -> Result<()> {
    let mut seen = HashSet::new();
    for path in super::net::unix_paths(cp)? {
        let Some((dir, _)) = path.rsplit_once('/') else {
            continue;
        };
        let dir = if dir.is_empty() { "/" } else { dir };
        if !seen.insert(dir.to_string()) {
            continue;
        }
        match look(root, overlay, dir) {
            Ok(f) if f.mode & S_IFMT == 0o040000 => {}
            Ok(f) => out.problems.push(
                Finding::new(
                    Area::Files,
                    Kind::WrongType,
                    format!(
                        "{dir}: is {}, the unix socket {path} needs a directory",
                        type_name(Some(f.mode & S_IFMT))
                    ),
                )
                .path(dir)
                .fix(format!("make {dir} a directory under ROOT")),
            ),
            Err(None) => out.problems.push(
                Finding::new(
                    Area::Files,
                    Kind::Missing,
                    format!("{dir}: missing under ROOT; the unix socket {path} is bound in it"),
                )
                .path(dir)
                .fix(format!("mkdir -p {dir} under ROOT")),
            ),
            Err(Some(why)) => out
                .problems
                .push(Finding::new(Area::Files, Kind::Unreadable, format!("{dir}: {why}")).path(dir)),
        }
    }
    Ok(())
}
