//! Where a checkpoint's images come from: a directory of images, an unpacked
//! container checkpoint (its `checkpoint/` folder), or a container archive
//! (`.tar`, `.tar.gz`, `.tar.zst`, told apart by content). Pod checkpoints
//! hold one container per `ID-NAME/` folder; one is picked by name.
//!
//! Everything that reads a checkpoint (explorers, memory, statistics,
//! inspect) goes through [`Source`]: images by name, raw memory by
//! positioned reads, and the container's metadata files beside the images.
//! Errors name the file as a person would find it:
//! `crit-sleep.tar.zst:checkpoint/core-1.img: …`.
//!
//! ```no_run
//! use crit::source::{OpenOptions, Source};
//!
//! let src = Source::open("crit-sleep.tar.zst", &OpenOptions::default())?;
//! for name in src.image_names()? {
//!     println!("{name}");
//! }
//! let cp = crit::checkpoint::Checkpoint::from_source(src)?;
//! println!("{} tasks", cp.tasks.len());
//! # Ok::<(), crit::Error>(())
//! ```

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::archive::{self, Archive, Compression, NestedEntry, Want};
use crate::error::{Error, Result};
use crate::image::ImageReader;

pub(crate) mod stream;

/// The raw memory [`Source::pages`] hands out, named here for the readers
/// above `source`, which do not reach into `archive`.
pub(crate) use crate::archive::Positioned;

/// A reader of one image or file, as [`Source`] hands them out.
pub(crate) type Reader = Box<dyn Read + Send>;

static OPENS: AtomicU64 = AtomicU64::new(0);
static OPENED_BYTES: AtomicU64 = AtomicU64::new(0);

/// How much reading every [`Source`] of this process has done so far: the
/// images and files opened whole (not raw memory), and their sizes added up.
/// A measure of work that does not depend on the machine: the scaling tests
/// check that it grows linearly with the number of tasks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Work {
    /// Images and files opened.
    pub opens: u64,
    /// Their sizes, added up.
    pub bytes: u64,
}

/// The [`Work`] done so far by this process, on every thread.
pub fn work() -> Work {
    Work {
        opens: OPENS.load(Ordering::Relaxed),
        bytes: OPENED_BYTES.load(Ordering::Relaxed),
    }
}

/// How to open a checkpoint.
#[derive(Debug, Clone, Default)]
pub struct OpenOptions {
    /// Memory will be read (`crit mem`): keep raw memory of a compressed archive.
    pub pages: bool,
    /// List nested tars on the way (rootfs diff, volumes), for `inspect`.
    pub listings: bool,
    /// The container of a pod checkpoint to open (its name, folder or id).
    pub container: Option<String>,
    /// The page size in bytes (`--page-size`), instead of the one inferred
    /// from the checkpoint ([`Source::page_size`]).
    pub page_size: Option<u64>,
}

#[derive(Debug, Clone)]
enum Store {
    Dir(PathBuf),
    Archive(Arc<Archive>),
}

/// One container of a pod checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodContainer {
    /// Its short name (from `pod.options`, or its folder's name after the id).
    pub name: String,
    /// Its folder, ending in `/`: `ID-NAME/`.
    pub folder: String,
}

/// What kind of checkpoint a [`Bundle`] is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Layout {
    /// A bare directory (or tar) of CRIU images.
    Images,
    /// One container: metadata beside a `checkpoint/` folder.
    Container,
    /// A pod: `pod.options`, and one folder per container.
    Pod(Vec<PodContainer>),
}

/// A checkpoint input as a whole: a directory or an archive, which may hold
/// a pod of several containers.
#[derive(Debug, Clone)]
pub struct Bundle {
    store: Store,
    label: String,
    layout: Layout,
    /// `OpenOptions::page_size`, given to each checkpoint of the bundle.
    page_size: Option<u64>,
}

/// The largest metadata file (`config.dump`, `pod.options`, …) read whole.
pub(crate) const FILE_LIMIT: u64 = 16 * 1024 * 1024;

impl Bundle {
    /// Opens `path`: a directory, or a file that is a tar archive.
    pub fn open(path: impl AsRef<Path>, opts: &OpenOptions) -> Result<Bundle> {
        let path = path.as_ref();
        let label = path.display().to_string();
        let meta = fs::metadata(path).map_err(|e| Error::io(&label, e))?;
        if meta.is_dir() {
            let layout = if path.join("pstree.img").exists() {
                Layout::Images
            } else if path.join("checkpoint").is_dir() {
                Layout::Container
            } else {
                let folders = dir_pod_folders(path, &label)?;
                if folders.is_empty() {
                    Layout::Images
                } else {
                    let options = read_opt(&path.join("pod.options"), &label)?;
                    Layout::Pod(pod_containers(folders, options.as_deref()))
                }
            };
            return Ok(Bundle {
                store: Store::Dir(path.to_path_buf()),
                label,
                layout,
                page_size: opts.page_size,
            });
        }
        let Some(kind) = archive::detect(path)? else {
            return Err(Error::NotACheckpoint {
                path: label,
                why: "not a checkpoint: neither a directory nor a tar archive (plain, gzip or zstd)".into(),
            });
        };
        let ar = Archive::open(
            path,
            kind,
            Want {
                pages: opts.pages,
                listings: opts.listings,
            },
        )?;
        let mut b = Bundle::from_archive(ar)?;
        b.page_size = opts.page_size;
        Ok(b)
    }

    /// The checkpoint an opened archive holds.
    pub(crate) fn from_archive(ar: Archive) -> Result<Bundle> {
        let label = ar.label().to_string();
        let layout = if ar.has_dir("checkpoint/") {
            Layout::Container
        } else {
            let mut folders: Vec<String> = ar
                .members()
                .iter()
                .filter_map(|m| {
                    let (top, rest) = m.name.split_once('/')?;
                    rest.starts_with("checkpoint/").then(|| format!("{top}/"))
                })
                .collect();
            folders.sort();
            folders.dedup();
            if !folders.is_empty() {
                let options = match ar.get("pod.options") {
                    Some(_) => Some(ar.read_member("pod.options", FILE_LIMIT)?),
                    None => None,
                };
                Layout::Pod(pod_containers(folders, options.as_deref()))
            } else if ar.get("pstree.img").is_some() {
                Layout::Images
            } else {
                return Err(Error::NotACheckpoint {
                    path: label,
                    why: "a tar archive, but not a checkpoint: no checkpoint/ folder, no pstree.img".into(),
                });
            }
        };
        Ok(Bundle {
            store: Store::Archive(Arc::new(ar)),
            label,
            layout,
            page_size: None,
        })
    }

    /// The path as given, for messages.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// What it holds.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// The archive's compression; `None` for a directory.
    pub fn compression(&self) -> Option<Compression> {
        match &self.store {
            Store::Archive(a) => Some(a.compression()),
            Store::Dir(_) => None,
        }
    }

    /// The archive's size on disk; `None` for a directory.
    pub(crate) fn stored_size(&self) -> Option<u64> {
        match &self.store {
            Store::Archive(a) => Some(a.stored_size()),
            Store::Dir(_) => None,
        }
    }

    /// The whole pod (or container) seen as a folder: for `pod.options`,
    /// `pod.dump`.
    pub fn top(&self) -> Source {
        Source {
            bundle: self.clone(),
            root: String::new(),
            images: match self.layout {
                Layout::Images => String::new(),
                _ => "checkpoint/".into(),
            },
            page_size: PageSizeCell::given(self.page_size),
        }
    }

    /// The checkpoint of one container: `name` picks one of a pod (required
    /// when it has several); `None` for a single container.
    pub fn container(&self, name: Option<&str>) -> Result<Source> {
        let pick = match (&self.layout, name) {
            (Layout::Pod(cs), Some(n)) => cs
                .iter()
                .find(|c| c.name == n || c.folder.trim_end_matches('/') == n || c.folder.starts_with(n))
                .ok_or_else(|| Error::ContainerNotFound {
                    checkpoint: self.label.clone(),
                    name: n.to_string(),
                    containers: names(cs),
                })?,
            (Layout::Pod(cs), None) if cs.len() == 1 => &cs[0],
            (Layout::Pod(cs), None) => {
                return Err(Error::ContainerNeeded {
                    checkpoint: self.label.clone(),
                    containers: names(cs),
                })
            }
            (_, Some(n)) => {
                return Err(Error::NotAPod {
                    checkpoint: self.label.clone(),
                    name: n.to_string(),
                })
            }
            (_, None) => return Ok(self.top()),
        };
        Ok(Source {
            bundle: self.clone(),
            root: pick.folder.clone(),
            images: format!("{}checkpoint/", pick.folder),
            page_size: PageSizeCell::given(self.page_size),
        })
    }
}

fn names(cs: &[PodContainer]) -> Vec<String> {
    cs.iter().map(|c| c.name.clone()).collect()
}

/// Subfolders of `dir` that hold a `checkpoint/` folder.
fn dir_pod_folders(dir: &Path, label: &str) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir).map_err(|e| Error::io(label, e))? {
        let e = e.map_err(|e| Error::io(label, e))?;
        if e.path().join("checkpoint").is_dir() {
            out.push(format!("{}/", e.file_name().to_string_lossy()));
        }
    }
    out.sort();
    Ok(out)
}

fn read_opt(path: &Path, label: &str) -> Result<Option<Vec<u8>>> {
    let read = |path: &Path| -> io::Result<Vec<u8>> {
        let mut b = Vec::new();
        io::Read::read_to_end(&mut crate::regular::open(path)?, &mut b)?;
        Ok(b)
    };
    match read(path) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(format!("{label}/pod.options"), e)),
    }
}

/// The containers of a pod: `pod.options` names them (`containers`: short
/// name → folder); a folder it does not name is called after its `ID-`.
fn pod_containers(folders: Vec<String>, options: Option<&[u8]>) -> Vec<PodContainer> {
    let named: BTreeMap<String, String> = options
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(b).ok())
        .and_then(|v| v.get("containers").cloned())
        .and_then(|c| serde_json::from_value(c).ok())
        .unwrap_or_default();
    folders
        .into_iter()
        .map(|folder| {
            let bare = folder.trim_end_matches('/');
            let name = named
                .iter()
                .find(|(_, f)| f.trim_end_matches('/') == bare)
                .map(|(n, _)| n.clone())
                .unwrap_or_else(|| bare.split_once('-').map_or(bare, |(_, n)| n).to_string());
            PodContainer { name, folder }
        })
        .collect()
}

/// One checkpoint: its images, its raw memory, and the container's files
/// beside them.
#[derive(Debug, Clone)]
pub struct Source {
    bundle: Bundle,
    /// The container's folder in the bundle (`""`, or `ID-NAME/` in a pod).
    root: String,
    /// The images' folder in the bundle (`""`, `checkpoint/`, `ID-NAME/checkpoint/`).
    images: String,
    /// The page size: given, or inferred once when first asked.
    page_size: PageSizeCell,
}

/// A page size given (`--page-size`) or inferred on first use, shared by
/// the clones of a [`Source`].
#[derive(Debug, Clone, Default)]
struct PageSizeCell {
    given: Option<u64>,
    inferred: Arc<std::sync::OnceLock<u64>>,
}

impl PageSizeCell {
    fn given(given: Option<u64>) -> Self {
        PageSizeCell {
            given,
            inferred: Arc::default(),
        }
    }
}

impl Source {
    /// Opens one checkpoint at `path` (with `opts.container` for a pod).
    pub fn open(path: impl AsRef<Path>, opts: &OpenOptions) -> Result<Source> {
        Bundle::open(path, opts)?.container(opts.container.as_deref())
    }

    /// Uses `page_size` bytes as the page size (`--page-size`) instead of
    /// inferring it; `None` goes back to inferring it.
    pub fn set_page_size(&mut self, page_size: Option<u64>) {
        self.page_size = PageSizeCell::given(page_size);
    }

    /// The page size given, else the one `infer` finds, inferred once and
    /// shared by the clones of this source. [`Source::page_size`] is defined
    /// in `mem`, beside the inference, which reads pagemaps: `source` stands
    /// below `mem` and does not import it.
    pub(crate) fn page_size_or(&self, infer: impl FnOnce(&Source) -> Result<u64>) -> Result<u64> {
        if let Some(p) = self.page_size.given {
            return Ok(p);
        }
        if let Some(p) = self.page_size.inferred.get() {
            return Ok(*p);
        }
        let p = infer(self)?;
        Ok(*self.page_size.inferred.get_or_init(|| p))
    }

    /// The images of folder `images` (`checkpoint/`, `ID-NAME/checkpoint/`,
    /// or `""`) of an archive that is still being read: what a search of a
    /// compressed archive sees when raw memory streams by.
    pub(crate) fn partial(ar: Arc<Archive>, images: &str, page_size: Option<u64>) -> Source {
        let root = images.strip_suffix("checkpoint/").unwrap_or("").to_string();
        Source {
            bundle: Bundle {
                label: ar.label().to_string(),
                store: Store::Archive(ar),
                layout: Layout::Images,
                page_size: None,
            },
            root,
            images: images.to_string(),
            page_size: PageSizeCell::given(page_size),
        }
    }

    /// The folder of the images in the bundle (`""`, `checkpoint/`, …).
    pub(crate) fn images_folder(&self) -> &str {
        &self.images
    }

    /// The checkpoint as messages name it: the path, and the pod's folder.
    pub fn label(&self) -> String {
        match self.root.is_empty() {
            true => self.bundle.label.clone(),
            false => self.name_of(self.root.trim_end_matches('/')),
        }
    }

    fn name_of(&self, inner: &str) -> String {
        match &self.bundle.store {
            Store::Dir(d) => d.join(inner).display().to_string(),
            Store::Archive(a) => format!("{}:{inner}", a.label()),
        }
    }

    /// How errors name image `name`: `DIR/core-1.img`, `ARCHIVE:checkpoint/core-1.img`.
    pub fn image_label(&self, name: &str) -> String {
        self.name_of(&format!("{}{name}", self.images))
    }

    /// How errors name the container's file `name` (e.g. `config.dump`).
    pub(crate) fn file_label(&self, name: &str) -> String {
        self.name_of(&format!("{}{name}", self.root))
    }

    /// Checks the checkpoint has `pstree.img`, the one image every checkpoint
    /// has, so that a path that holds none is named as such rather than by
    /// the image missing inside it.
    pub(crate) fn require_tree(&self) -> Result<()> {
        if self.has_image("pstree.img") {
            return Ok(());
        }
        Err(Error::NotACheckpoint {
            path: self.label().to_string(),
            why: "not a checkpoint directory: no pstree.img".into(),
        })
    }

    /// The images' names (`core-1.img`, `pages-1.img`, …), sorted.
    pub fn image_names(&self) -> Result<Vec<String>> {
        self.names_in(&self.images)
    }

    /// The names of the container's own files beside the images
    /// (`config.dump`, `volumes/crit-vol.tar`, …; folders end in `/`), sorted.
    pub(crate) fn file_names(&self) -> Result<Vec<String>> {
        match &self.bundle.store {
            Store::Archive(a) => {
                let mut v: Vec<String> = a
                    .members()
                    .iter()
                    .filter_map(|m| m.name.strip_prefix(&self.root).map(str::to_string))
                    .filter(|n| !n.is_empty())
                    .collect();
                v.sort();
                v.dedup();
                Ok(v)
            }
            Store::Dir(d) => {
                let mut v = Vec::new();
                walk(&d.join(&self.root), "", &mut v, 0).map_err(|e| Error::io(self.file_label(""), e))?;
                v.sort();
                Ok(v)
            }
        }
    }

    fn names_in(&self, folder: &str) -> Result<Vec<String>> {
        match &self.bundle.store {
            Store::Archive(a) => {
                let mut v: Vec<String> = a
                    .members()
                    .iter()
                    .filter(|m| m.kind == archive::EntryKind::File)
                    .filter_map(|m| m.name.strip_prefix(folder))
                    .filter(|n| !n.contains('/'))
                    .map(str::to_string)
                    .collect();
                v.sort();
                v.dedup();
                Ok(v)
            }
            Store::Dir(d) => {
                let dir = d.join(folder);
                let label = dir.display().to_string();
                let mut v = Vec::new();
                for e in fs::read_dir(&dir).map_err(|e| Error::io(&label, e))? {
                    let e = e.map_err(|e| Error::io(&label, e))?;
                    // The entry's type costs no system call; a symbolic
                    // link is followed, as `is_file` does.
                    let file = match e.file_type() {
                        Ok(t) if t.is_file() => true,
                        Ok(t) if !t.is_symlink() => false,
                        _ => e.path().is_file(),
                    };
                    if file {
                        v.push(e.file_name().to_string_lossy().into_owned());
                    }
                }
                v.sort();
                Ok(v)
            }
        }
    }

    fn exists(&self, inner: &str) -> bool {
        match &self.bundle.store {
            Store::Dir(d) => d.join(inner).is_file(),
            Store::Archive(a) => a.get(inner).is_some(),
        }
    }

    /// Whether image `name` exists (a regular file).
    pub fn has_image(&self, name: &str) -> bool {
        self.exists(&format!("{}{name}", self.images))
    }

    /// Whether the container has file `name` beside its images.
    pub(crate) fn has_file(&self, name: &str) -> bool {
        self.exists(&format!("{}{name}", self.root))
    }

    /// Whether folder `name` (e.g. `parent`) exists among the images.
    pub(crate) fn has_image_dir(&self, name: &str) -> bool {
        let inner = format!("{}{}/", self.images, name.trim_end_matches('/'));
        match &self.bundle.store {
            Store::Dir(d) => d.join(&inner).is_dir(),
            Store::Archive(a) => a.has_dir(&inner),
        }
    }

    fn open_inner(&self, inner: &str) -> Result<(Reader, u64)> {
        let opened = self.open_uncounted(inner)?;
        OPENS.fetch_add(1, Ordering::Relaxed);
        OPENED_BYTES.fetch_add(opened.1, Ordering::Relaxed);
        Ok(opened)
    }

    fn open_uncounted(&self, inner: &str) -> Result<(Reader, u64)> {
        match &self.bundle.store {
            Store::Dir(d) => {
                let path = d.join(inner);
                let label = path.display().to_string();
                let f = crate::regular::open(&path).map_err(|e| Error::io(&label, e))?;
                let len = f.metadata().map_err(|e| Error::io(&label, e))?.len();
                Ok((Box::new(f), len))
            }
            Store::Archive(a) => a.open_member(inner),
        }
    }

    /// A reader of image `name`'s bytes, and its length.
    pub fn open_image(&self, name: &str) -> Result<(Reader, u64)> {
        self.open_inner(&format!("{}{name}", self.images))
    }

    /// Image `name`, ready to read entry by entry.
    pub(crate) fn image_reader(&self, name: &str) -> Result<ImageReader<Reader>> {
        let (r, len) = self.open_image(name)?;
        ImageReader::new(r, self.image_label(name), Some(len))
    }

    /// Every entry of plain entry-list image `name`.
    pub fn read_all<T: prost::Message + Default>(&self, name: &str) -> Result<Vec<T>> {
        let mut r = self.image_reader(name)?;
        let mut buf = Vec::new();
        let mut out = Vec::new();
        while let Some(m) = r.next_message::<T>(&mut buf)? {
            out.push(m);
        }
        Ok(out)
    }

    /// The first entry of image `name` (core, mm, ids, fs: one-entry images).
    pub fn read_first<T: prost::Message + Default>(&self, name: &str) -> Result<T> {
        let mut r = self.image_reader(name)?;
        let mut buf = Vec::new();
        r.next_message::<T>(&mut buf)?
            .ok_or_else(|| Error::no_entries(self.image_label(name)))
    }

    /// Image `name` (raw memory: `pages-1.img`, `parent/pages-1.img`) for
    /// positioned reads.
    pub(crate) fn pages(&self, name: &str) -> Result<Positioned> {
        let inner = format!("{}{name}", self.images);
        match &self.bundle.store {
            Store::Dir(d) => Positioned::whole_file(&d.join(&inner), self.image_label(name)),
            Store::Archive(a) => a.positioned(&inner),
        }
    }

    /// The container's file `name` whole (`config.dump`, `spec.dump`,
    /// `stats-dump`…), or `None` when it has none.
    pub fn file(&self, name: &str) -> Result<Option<Vec<u8>>> {
        if !self.has_file(name) {
            return Ok(None);
        }
        let (mut r, len) = self.open_inner(&format!("{}{name}", self.root))?;
        if len > FILE_LIMIT {
            return Err(Error::limit(
                self.file_label(name),
                crate::error::Limit::MetadataFile {
                    size: len,
                    max: FILE_LIMIT,
                },
            ));
        }
        let mut out = Vec::with_capacity(len as usize);
        r.read_to_end(&mut out)
            .map_err(|e| Error::io(self.file_label(name), e))?;
        Ok(Some(out))
    }

    /// The size of regular file (or archive member) `inner`, if it exists.
    fn size(&self, inner: &str) -> Option<u64> {
        match &self.bundle.store {
            Store::Dir(d) => fs::metadata(d.join(inner))
                .ok()
                .filter(|m| m.is_file())
                .map(|m| m.len()),
            Store::Archive(a) => a.get(inner).map(|m| m.size),
        }
    }

    /// The size of the container's file `name`, if it has it.
    pub(crate) fn file_size(&self, name: &str) -> Option<u64> {
        self.size(&format!("{}{name}", self.root))
    }

    /// The size of image `name`, if it exists.
    pub(crate) fn image_size(&self, name: &str) -> Option<u64> {
        self.size(&format!("{}{name}", self.images))
    }

    /// Why image `name` is there but cannot be one (`a FIFO, not a regular
    /// file`): the size of such a file is no answer.
    pub(crate) fn image_not_regular(&self, name: &str) -> Option<String> {
        match &self.bundle.store {
            Store::Dir(d) => crate::regular::not_regular(&d.join(format!("{}{name}", self.images))),
            Store::Archive(_) => None,
        }
    }

    /// The modification time (seconds since the epoch) of image `name`.
    pub(crate) fn image_mtime(&self, name: &str) -> Option<u64> {
        let inner = format!("{}{name}", self.images);
        match &self.bundle.store {
            Store::Dir(d) => fs::metadata(d.join(inner))
                .ok()?
                .modified()
                .ok()?
                .duration_since(std::time::UNIX_EPOCH)
                .ok()
                .map(|d| d.as_secs()),
            Store::Archive(a) => a.get(&inner).map(|m| m.mtime),
        }
    }

    /// The entries of the container's nested tar `name` (`rootfs-diff.tar`),
    /// or `None` when it has none.
    pub fn listing(&self, name: &str) -> Result<Option<Vec<NestedEntry>>> {
        if !self.has_file(name) {
            return Ok(None);
        }
        let inner = format!("{}{name}", self.root);
        match &self.bundle.store {
            Store::Dir(_) => {
                let (r, _) = self.open_inner(&inner)?;
                archive::list_tar(r, &self.file_label(name)).map(Some)
            }
            Store::Archive(a) => a.listing(&inner).map(Some),
        }
    }
}

/// Collects the regular files (and folders, with a `/`) under `dir`.
fn walk(dir: &Path, prefix: &str, out: &mut Vec<String>, depth: usize) -> io::Result<()> {
    if depth > 8 {
        return Ok(());
    }
    for e in fs::read_dir(dir)? {
        let e = e?;
        let name = format!("{prefix}{}", e.file_name().to_string_lossy());
        let t = e.file_type()?;
        if t.is_dir() {
            out.push(format!("{name}/"));
            walk(&e.path(), &format!("{name}/"), out, depth + 1)?;
        } else if t.is_file() {
            out.push(name);
        }
    }
    Ok(())
}

/// `ARCHIVE:MEMBER` as `decode -i`, `info` and `show` take it: when `spec`
/// is not itself a file but a prefix up to a `:` is an archive, a reader of
/// that member, its label and length. `None` otherwise.
///
/// # Errors
///
/// Besides a member that cannot be read: `spec` is a whole checkpoint
/// archive (`archive::checkpoint_archive`), which is no image; the error
/// says how to name one in it.
pub fn open_archive_member(spec: &Path) -> Result<Option<(Reader, String, u64)>> {
    if spec.exists() {
        if spec.is_file() {
            if let Some(whole) = archive::checkpoint_archive(spec)? {
                return Err(archive::not_one_image(&spec.display().to_string(), &whole));
            }
        }
        return Ok(None);
    }
    let s = spec.to_string_lossy();
    for (i, _) in s.match_indices(':') {
        let (path, member) = (Path::new(&s[..i]), &s[i + 1..]);
        if !path.is_file() {
            continue;
        }
        let Some(kind) = archive::detect(path)? else { continue };
        let ar = Archive::open(path, kind, Want::default())?;
        let member = member.trim_start_matches("./");
        if crate::archive::is_pages_name(member) {
            return Err(Error::Unsupported {
                file: format!("{}:{member}", ar.label()),
                what: "a raw memory image, which has no magic; read process memory with `crit mem ARCHIVE`".into(),
            });
        }
        let (r, len) = ar.open_member(member)?;
        return Ok(Some((r, format!("{}:{member}", ar.label()), len)));
    }
    Ok(None)
}
