//! `crit inspect`: a container checkpoint as a person wants to see it — the
//! engine, the container and its image, the processes with their command
//! lines, network, mounts, what changed in its files, the dump statistics,
//! and for Kubernetes the pod. A pod checkpoint gives the pod, then each of
//! its containers.
//!
//! ```no_run
//! let i = crit::inspect::inspect("crit-sleep.tar.zst")?;
//! for c in &i.containers {
//!     println!("{} ({}): {:?}", c.name.as_deref().unwrap_or("?"), c.engine.as_str(), c.command);
//! }
//! # Ok::<(), crit::Error>(())
//! ```

mod argv;
pub mod metadata;

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;
use serde_json::Value;

use crate::archive::NestedEntry;
use crate::checkpoint::Checkpoint;
use crate::error::Result;
use crate::proto::{InventoryEntry, MntEntry, NetDeviceEntry};
use crate::source::{Layout, Source, FILE_LIMIT};
use crate::stats::{dump_fields, Stats};
use metadata::{annotations, criu_version_in_log, engine, rfc3339, str_of, time_of, Engine};

/// One inspected checkpoint (an archive or a directory).
#[derive(Debug, Clone, Serialize)]
pub struct Inspection {
    /// The path given.
    pub path: String,
    /// `container`, `pod` or `images` (a bare directory of CRIU images).
    pub kind: &'static str,
    /// The archive's compression (`none`, `gzip`, `zstd`); absent for a directory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compression: Option<&'static str>,
    /// The archive's size on disk.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub archive_size: Option<u64>,
    /// For a pod checkpoint: the pod.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pod: Option<Pod>,
    /// The containers (one, unless a pod).
    pub containers: Vec<Container>,
}

/// A pod checkpoint's own metadata (`pod.options`, `pod.dump`).
#[derive(Debug, Clone, Serialize)]
pub struct Pod {
    /// The pod's name.
    pub name: Option<String>,
    /// Its Kubernetes namespace.
    pub namespace: Option<String>,
    /// Its uid.
    pub uid: Option<String>,
    /// `pod.options`' `version`.
    pub version: Option<Value>,
    /// Container short name to folder, as `pod.options` lists them.
    pub containers: BTreeMap<String, String>,
    /// The pod's annotations.
    pub annotations: BTreeMap<String, String>,
}

/// One container's checkpoint.
#[derive(Debug, Clone, Serialize)]
pub struct Container {
    /// Its folder in a pod checkpoint (`ID-NAME/`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub folder: Option<String>,
    /// The engine that wrote it.
    pub engine: Engine,
    /// The container's name.
    pub name: Option<String>,
    /// Its id.
    pub id: Option<String>,
    /// The image's name (`localhost/crit-busybox:latest`).
    pub image: Option<String>,
    /// The image's id or digest reference.
    pub image_ref: Option<String>,
    /// The OCI runtime (`crun`, `runc`).
    pub runtime: Option<String>,
    /// When the container was created.
    pub created: Option<String>,
    /// When it was checkpointed (the engine's record, else the time of the
    /// images in the archive).
    pub checkpointed: Option<String>,
    /// Whether `checkpointed` is a guess: the engine recorded no time, and
    /// it is the modification time of `inventory.img`.
    pub checkpointed_guessed: bool,
    /// The CRIU that dumped it.
    pub criu: Criu,
    /// The command the container runs (the spec's `process.args`).
    pub command: Vec<String>,
    /// Sizes in bytes.
    pub sizes: Sizes,
    /// The processes, in tree order.
    pub processes: Vec<Process>,
    /// Network.
    pub network: Network,
    /// Mounts from the spec.
    pub mounts: Vec<SpecMount>,
    /// Mounts from the `mountpoints` image.
    pub mountpoints: Vec<Mountpoint>,
    /// CRI-O's `bind.mounts`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bind_mounts: Option<Value>,
    /// Files deleted from the root filesystem (`deleted.files`).
    pub deleted_files: Vec<String>,
    /// Files added or changed in the root filesystem (`rootfs-diff.tar`).
    pub rootfs_diff: Vec<NestedEntry>,
    /// Named volumes (`volumes/NAME.tar`).
    pub volumes: Vec<Volume>,
    /// The files of `/dev/shm` (`devshm-checkpoint.tar`).
    pub devshm: Vec<NestedEntry>,
    /// CRIU's dump statistics (`stats-dump`), field name to value (µs, pages).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dump_stats: Option<BTreeMap<&'static str, u64>>,
    /// For Kubernetes: the pod the container ran in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kubernetes: Option<Kubernetes>,
    /// containerd's `status`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Value>,
    /// The spec's annotations.
    pub annotations: BTreeMap<String, String>,
    /// What could not be read, one line each (the rest is still shown).
    pub problems: Vec<String>,
}

/// The CRIU that dumped the container.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Criu {
    /// Its version, when recorded (CRI-O's `dump.log`).
    pub version: Option<String>,
    /// The image format version of `inventory.img`.
    pub image_version: Option<u32>,
    /// The page size in bytes of the machine that wrote it (given, or
    /// inferred from the pages files); `None` when they disagree (a problem).
    pub page_size: Option<u64>,
}

/// Sizes, in bytes.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Sizes {
    /// The CRIU images (all of `checkpoint/`).
    pub images: u64,
    /// Of which raw memory (`pages-*.img`).
    pub memory_pages: u64,
    /// `rootfs-diff.tar`.
    pub rootfs_diff: u64,
    /// `volumes/*.tar`.
    pub volumes: u64,
    /// `devshm-checkpoint.tar`.
    pub devshm: u64,
}

/// One process.
#[derive(Debug, Clone, Serialize)]
pub struct Process {
    /// Its pid in the container.
    pub pid: u32,
    /// Its parent's.
    pub ppid: u32,
    /// Depth in the tree (0: a root).
    pub depth: usize,
    /// `comm`.
    pub comm: String,
    /// `alive`, `zombie`, `stopped`.
    pub state: &'static str,
    /// Its architecture (`x86_64`, `aarch64`, `ppc64le`, `x86_64 (32-bit compat)`…).
    pub arch: String,
    /// Its command line, read from its memory (absent for a zombie, or when
    /// not held).
    pub args: Option<Vec<String>>,
}

/// The container's network.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Network {
    /// `network.status` as the engine wrote it (`null`: no network).
    pub status: Option<Value>,
    /// Addresses the engine recorded (`network.status`, CRI-O's `IP.N`).
    pub addresses: Vec<String>,
    /// The interfaces of the `netdev` images.
    pub interfaces: Vec<Interface>,
    /// The network images of the checkpoint (`ifaddr-N.img`, `route-N.img`…).
    pub images: Vec<String>,
}

/// A network interface of a `netdev` image.
#[derive(Debug, Clone, Serialize)]
pub struct Interface {
    /// Its name.
    pub name: String,
    /// `LOOPBACK`, `VETH`, …
    pub kind: String,
    /// Its MTU.
    pub mtu: u32,
}

/// A mount of the OCI spec.
#[derive(Debug, Clone, Serialize)]
pub struct SpecMount {
    /// Where it is mounted.
    pub destination: String,
    /// Its type (`bind`, `tmpfs`, …).
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// Its source.
    pub source: Option<String>,
}

/// A mount of the `mountpoints` image.
#[derive(Debug, Clone, Serialize)]
pub struct Mountpoint {
    /// The mount's id.
    pub mnt_id: u32,
    /// Its parent's.
    pub parent_mnt_id: u32,
    /// Where it is mounted.
    pub mountpoint: String,
    /// The filesystem type (CRIU's name, or the `fsname` it recorded).
    pub fstype: String,
    /// Its source.
    pub source: String,
    /// The root of the mount within its filesystem.
    pub root: String,
}

/// A named volume.
#[derive(Debug, Clone, Serialize)]
pub struct Volume {
    /// Its name.
    pub name: String,
    /// Where the spec mounts it (Podman's `namedVolumes`).
    pub destination: Option<String>,
    /// The size of its tar.
    pub size: u64,
    /// Its files.
    pub files: Vec<NestedEntry>,
}

/// Where a Kubernetes container ran.
#[derive(Debug, Clone, Serialize)]
pub struct Kubernetes {
    /// The pod's name.
    pub pod: Option<String>,
    /// Its namespace.
    pub namespace: Option<String>,
    /// Its uid.
    pub pod_uid: Option<String>,
    /// The container's name in the pod.
    pub container: Option<String>,
}

/// Inspects the checkpoint at `path` (an archive or a directory).
pub fn inspect(path: impl AsRef<Path>) -> Result<Inspection> {
    inspect_container(path, None)
}

/// Inspects the checkpoint at `path`; for a pod, only `container` (its
/// name, folder or id) when given.
pub(crate) fn inspect_container(path: impl AsRef<Path>, container: Option<&str>) -> Result<Inspection> {
    inspect_with(path, container, None)
}

/// `inspect_container`, with pages of `page_size` bytes (`--page-size`)
/// rather than the size inferred from the checkpoint.
pub fn inspect_with(path: impl AsRef<Path>, container: Option<&str>, page_size: Option<u64>) -> Result<Inspection> {
    let (bundle, argv) = argv::open(path.as_ref(), page_size)?;
    let mut out = Inspection {
        path: bundle.label().to_string(),
        kind: match bundle.layout() {
            Layout::Images => "images",
            Layout::Container => "container",
            Layout::Pod(_) => "pod",
        },
        compression: bundle.compression().map(|c| c.as_str()),
        archive_size: bundle.stored_size(),
        pod: None,
        containers: Vec::new(),
    };
    match bundle.layout().clone() {
        Layout::Pod(cs) => {
            out.pod = Some(pod(&bundle.top())?);
            let picked = match container {
                Some(name) => Some(bundle.container(Some(name))?.label()),
                None => None,
            };
            for c in cs {
                let src = bundle.container(Some(&c.folder))?;
                if picked.as_ref().is_some_and(|p| *p != src.label()) {
                    continue;
                }
                let mut k = self::container(&src, &argv)?;
                k.folder = Some(c.folder);
                out.containers.push(k);
            }
        }
        Layout::Images => {
            let src = bundle.container(container)?;
            // A directory with no image at all is no checkpoint: the error
            // alone, not an empty report above it.
            if src.image_names()?.iter().all(|n| !n.ends_with(".img")) {
                src.require_tree()?;
            }
            out.containers.push(self::container(&src, &argv)?)
        }
        _ => out
            .containers
            .push(self::container(&bundle.container(container)?, &argv)?),
    }
    Ok(out)
}

fn json_file(src: &Source, name: &str) -> Result<Option<Value>> {
    let Some(bytes) = src.file(name)? else { return Ok(None) };
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| crate::Error::bad_json_from(src.file_label(name), format!("not valid JSON: {e}"), e))
}

fn pod(top: &Source) -> Result<Pod> {
    let options = json_file(top, "pod.options")?.unwrap_or(Value::Null);
    let dump = json_file(top, "pod.dump")?.unwrap_or(Value::Null);
    let mut ann: BTreeMap<String, String> = options
        .get("annotations")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default();
    ann.extend(annotations(&dump));
    let meta = dump.get("metadata").cloned().unwrap_or(Value::Null);
    let pick = |keys: &[&str], meta_key: &str| {
        keys.iter()
            .find_map(|k| ann.get(*k).cloned())
            .or_else(|| str_of(&meta, meta_key))
    };
    Ok(Pod {
        name: pick(&["io.kubernetes.pod.name", "io.kubernetes.cri.sandbox-name"], "name"),
        namespace: pick(
            &["io.kubernetes.pod.namespace", "io.kubernetes.cri.sandbox-namespace"],
            "namespace",
        ),
        uid: pick(&["io.kubernetes.pod.uid", "io.kubernetes.cri.sandbox-uid"], "uid"),
        version: options.get("version").cloned(),
        containers: options
            .get("containers")
            .and_then(|c| serde_json::from_value(c.clone()).ok())
            .unwrap_or_default(),
        annotations: ann,
    })
}

fn container(src: &Source, argv: &argv::Argv) -> Result<Container> {
    let mut problems = Vec::new();
    let mut note = |r: Result<Option<Value>>| match r {
        Ok(v) => v,
        Err(e) => {
            problems.push(e.to_string());
            None
        }
    };
    let config = note(json_file(src, "config.dump")).unwrap_or(Value::Null);
    let spec = note(json_file(src, "spec.dump")).unwrap_or(Value::Null);
    let status = note(json_file(src, "status"));
    let bind_mounts = note(json_file(src, "bind.mounts"));
    let net_status = note(json_file(src, "network.status"));
    let deleted = note(json_file(src, "deleted.files"));
    let ann = annotations(&spec);
    let engine = engine(&ann);
    let id = Identity::of(src, &config, &ann, status.as_ref(), engine);
    let mut criu = criu_of(src, &mut problems);
    let saved = Saved::of(src, &config, &mut problems)?;
    criu.page_size = match src.page_size() {
        Ok(p) => Some(p),
        Err(e) => {
            problems.push(e.to_string());
            None
        }
    };
    let processes = match processes(src, argv, &mut problems) {
        Ok(p) => p,
        Err(e) => {
            problems.push(e.to_string());
            Vec::new()
        }
    };
    problems.extend(argv.take_problem());
    let (network, mountpoints) = network_of(src, net_status, &ann, &mut problems)?;
    let dump_stats = match Stats::from_source(src) {
        Ok(s) => s
            .dump
            .map(|d| dump_fields(&d).into_iter().map(|f| (f.name, f.value)).collect()),
        Err(e) => {
            problems.push(e.to_string());
            None
        }
    };
    Ok(Container {
        folder: None,
        engine,
        name: id.name,
        id: id.id,
        image: id.image,
        image_ref: id.image_ref,
        runtime: id.runtime,
        created: id.created,
        checkpointed: id.checkpointed,
        checkpointed_guessed: id.checkpointed_guessed,
        criu,
        command: spec
            .pointer("/process/args")
            .and_then(|a| serde_json::from_value(a.clone()).ok())
            .unwrap_or_default(),
        sizes: saved.sizes,
        processes,
        network,
        mounts: spec_mounts(&spec),
        mountpoints,
        bind_mounts,
        deleted_files: deleted.and_then(|d| serde_json::from_value(d).ok()).unwrap_or_default(),
        rootfs_diff: saved.rootfs_diff,
        volumes: saved.volumes,
        devshm: saved.devshm,
        dump_stats,
        kubernetes: id.kubernetes,
        status,
        annotations: ann,
        problems,
    })
}

/// Who the container is and when it was made and checkpointed, from the
/// engine's files and the spec's annotations.
struct Identity {
    name: Option<String>,
    id: Option<String>,
    image: Option<String>,
    image_ref: Option<String>,
    runtime: Option<String>,
    created: Option<String>,
    checkpointed: Option<String>,
    checkpointed_guessed: bool,
    kubernetes: Option<Kubernetes>,
}

impl Identity {
    fn of(
        src: &Source,
        config: &Value,
        ann: &BTreeMap<String, String>,
        status: Option<&Value>,
        engine: Engine,
    ) -> Identity {
        let a = |k: &str| ann.get(k).cloned();
        // CRI-O keeps the container's name in a JSON annotation.
        let crio_meta: Value = a("io.kubernetes.cri-o.Metadata")
            .and_then(|m| serde_json::from_str(&m).ok())
            .unwrap_or(Value::Null);
        let name = str_of(config, "name")
            .or_else(|| str_of(&crio_meta, "name"))
            .or_else(|| a("io.kubernetes.container.name"))
            .or_else(|| a("io.kubernetes.cri.container-name"));
        // containerd's config.dump is its container record: `ID`, `Image`, `Runtime.Name`.
        let id = str_of(config, "id")
            .or_else(|| str_of(config, "ID"))
            .or_else(|| a("io.kubernetes.cri-o.ContainerID"));
        let image = str_of(config, "rootfsImageName")
            .or_else(|| a("io.kubernetes.cri-o.ImageName"))
            .or_else(|| a("io.kubernetes.cri.image-name"))
            .or_else(|| str_of(config, "rootfsImage"))
            .or_else(|| str_of(config, "Image"));
        let image_ref = str_of(config, "rootfsImageRef")
            .or_else(|| str_of(config, "rootfsImageID"))
            .or_else(|| a("io.kubernetes.cri-o.ImageRef"))
            .or_else(|| str_of(config, "rootfsImage").filter(|r| Some(r) != image.as_ref()));
        let created = time_of(config.get("createdTime"))
            .or_else(|| a("io.kubernetes.cri-o.Created"))
            .or_else(|| status.and_then(|s| time_of(s.get("CreatedAt"))));
        let recorded = time_of(config.get("checkpointedTime"));
        let checkpointed_guessed = recorded.is_none();
        let checkpointed = recorded.or_else(|| src.image_mtime("inventory.img").map(|t| rfc3339(t as i64, 0)));
        let checkpointed_guessed = checkpointed_guessed && checkpointed.is_some();
        let kubernetes = match engine {
            Engine::CriO | Engine::Containerd => Some(Kubernetes {
                pod: a("io.kubernetes.pod.name").or_else(|| a("io.kubernetes.cri.sandbox-name")),
                namespace: a("io.kubernetes.pod.namespace").or_else(|| a("io.kubernetes.cri.sandbox-namespace")),
                pod_uid: a("io.kubernetes.pod.uid").or_else(|| a("io.kubernetes.cri.sandbox-uid")),
                container: a("io.kubernetes.container.name").or_else(|| a("io.kubernetes.cri.container-name")),
            }),
            _ => None,
        };
        let runtime = str_of(config, "runtime")
            .or_else(|| str_of(config, "ociRuntime"))
            .or_else(|| {
                config
                    .pointer("/Runtime/Name")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            });
        Identity {
            name,
            id,
            image,
            image_ref,
            runtime,
            created,
            checkpointed,
            checkpointed_guessed,
            kubernetes,
        }
    }
}

/// The image version from `inventory.img` and CRIU's version from its log.
fn criu_of(src: &Source, problems: &mut Vec<String>) -> Criu {
    let mut criu = Criu::default();
    match src.read_first::<InventoryEntry>("inventory.img") {
        Ok(inv) => criu.image_version = Some(inv.img_version),
        Err(e) if src.has_image("inventory.img") => problems.push(e.to_string()),
        Err(_) => {}
    }
    for log in ["dump.log", "checkpoint/dump.log"] {
        if criu.version.is_none() && src.file_size(log).is_some_and(|n| n <= FILE_LIMIT) {
            if let Ok(Some(b)) = src.file(log) {
                criu.version = criu_version_in_log(&b);
            }
        }
    }
    criu
}

/// What the checkpoint saved besides the images: sizes, and the files of the
/// root file system's changes, `/dev/shm` and each volume.
struct Saved {
    sizes: Sizes,
    rootfs_diff: Vec<NestedEntry>,
    devshm: Vec<NestedEntry>,
    volumes: Vec<Volume>,
}

impl Saved {
    fn of(src: &Source, config: &Value, problems: &mut Vec<String>) -> Result<Saved> {
        let mut sizes = Sizes::default();
        for n in src.image_names()? {
            let len = src.image_size(&n).unwrap_or(0);
            sizes.images += len;
            if crate::archive::is_pages_name(&n) {
                sizes.memory_pages += len;
            }
        }
        sizes.rootfs_diff = src.file_size("rootfs-diff.tar").unwrap_or(0);
        sizes.devshm = src.file_size("devshm-checkpoint.tar").unwrap_or(0);

        let mut listing = |name: &str| match src.listing(name) {
            Ok(l) => l.unwrap_or_default(),
            Err(e) => {
                problems.push(e.to_string());
                Vec::new()
            }
        };
        let rootfs_diff = listing("rootfs-diff.tar");
        let devshm = listing("devshm-checkpoint.tar");
        let named: Vec<(String, String)> = config
            .get("namedVolumes")
            .and_then(Value::as_array)
            .map(|v| {
                v.iter()
                    .filter_map(|x| Some((str_of(x, "volumeName")?, str_of(x, "dest")?)))
                    .collect()
            })
            .unwrap_or_default();
        let mut volumes = Vec::new();
        for f in src.file_names()? {
            let Some(vol) = f.strip_prefix("volumes/").and_then(|v| v.strip_suffix(".tar")) else {
                continue;
            };
            if vol.contains('/') {
                continue;
            }
            let size = src.file_size(&f).unwrap_or(0);
            sizes.volumes += size;
            volumes.push(Volume {
                name: vol.to_string(),
                destination: named.iter().find(|(n, _)| n == vol).map(|(_, d)| d.clone()),
                size,
                files: listing(&f),
            });
        }
        Ok(Saved {
            sizes,
            rootfs_diff,
            devshm,
            volumes,
        })
    }
}

/// The OCI spec's mounts.
fn spec_mounts(spec: &Value) -> Vec<SpecMount> {
    spec.get("mounts")
        .and_then(Value::as_array)
        .map(|ms| {
            ms.iter()
                .filter_map(|m| {
                    Some(SpecMount {
                        destination: str_of(m, "destination")?,
                        kind: str_of(m, "type"),
                        source: str_of(m, "source"),
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The network (the engine's `network.status`, CRI-O's addresses, the
/// network images and interfaces) and the mount points of the checkpoint.
fn network_of(
    src: &Source,
    net_status: Option<Value>,
    ann: &BTreeMap<String, String>,
    problems: &mut Vec<String>,
) -> Result<(Network, Vec<Mountpoint>)> {
    let mut network = Network {
        addresses: Vec::new(),
        ..Network::default()
    };
    if let Some(s) = net_status {
        collect_addresses(&s, &mut network.addresses);
        network.status = Some(s);
    }
    for i in 0.. {
        match ann.get(&format!("io.kubernetes.cri-o.IP.{i}")) {
            Some(ip) => network.addresses.push(ip.clone()),
            None => break,
        }
    }
    network.addresses.dedup();
    let mut mountpoints = Vec::new();
    for n in src.image_names()? {
        let stem = n.strip_suffix(".img").unwrap_or(&n);
        let Some((kind, num)) = stem.rsplit_once('-') else {
            continue;
        };
        if num.is_empty() || !num.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        match kind {
            "ifaddr" | "route" | "route6" | "rule" | "iptables" | "ip6tables" | "nftables" | "netns" => {
                network.images.push(n.clone())
            }
            "netdev" => {
                network.images.push(n.clone());
                match src.read_all::<NetDeviceEntry>(&n) {
                    Ok(devs) => network.interfaces.extend(devs.into_iter().map(|d| Interface {
                        kind: d.r#type().as_str_name().to_string(),
                        name: d.name,
                        mtu: d.mtu,
                    })),
                    Err(e) => problems.push(e.to_string()),
                }
            }
            "mountpoints" => match src.read_all::<MntEntry>(&n) {
                Ok(ms) => mountpoints.extend(ms.into_iter().map(mountpoint)),
                Err(e) => problems.push(e.to_string()),
            },
            _ => {}
        }
    }
    Ok((network, mountpoints))
}

fn mountpoint(m: MntEntry) -> Mountpoint {
    let fstype = match m.fsname.clone().filter(|s| !s.is_empty()) {
        Some(n) => n,
        None => crate::proto::Fstype::try_from(m.fstype as i32)
            .map(|t| t.as_str_name().to_lowercase())
            .unwrap_or_else(|_| format!("fstype {}", m.fstype)),
    };
    Mountpoint {
        mnt_id: m.mnt_id,
        parent_mnt_id: m.parent_mnt_id,
        mountpoint: m.mountpoint,
        fstype,
        source: m.source,
        root: m.root,
    }
}

/// IP addresses anywhere in `network.status` (CNI results list
/// `"address": "10.88.0.5/16"`, Podman's `"ipnet"`).
fn collect_addresses(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match (k.as_str(), x) {
                    ("address" | "ipnet" | "ip", Value::String(s))
                        if s.parse::<std::net::IpAddr>().is_ok() || s.contains('/') =>
                    {
                        out.push(s.clone())
                    }
                    _ => collect_addresses(x, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| collect_addresses(x, out)),
        _ => {}
    }
}

/// The process tree, with each live task's command line from its memory
/// (none for a task whose images are damaged); what the consistency pass
/// finds wrong is added to `problems`.
fn processes(src: &Source, argv: &argv::Argv, problems: &mut Vec<String>) -> Result<Vec<Process>> {
    let cp = Checkpoint::from_source(src.clone())?;
    problems.extend(cp.problems().iter().map(ToString::to_string));
    let mut out = Vec::with_capacity(cp.tasks.len());
    for (depth, t) in cp.tree_order() {
        out.push(Process {
            pid: t.pid,
            ppid: t.ppid,
            depth,
            comm: t.comm.clone(),
            state: t.state.as_str(),
            arch: t.arch(),
            args: (t.state.has_resources() && !cp.memory_damaged(t.pid))
                .then(|| argv.of(&cp, src, t.pid))
                .flatten(),
        });
    }
    Ok(out)
}
