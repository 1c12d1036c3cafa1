//! `crit inspect`: what `../shared/README.md` says each Podman container
//! held, and CRI-O, containerd and pod checkpoints built here from the same
//! images with the metadata those engines write.

use crate::common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::{crit, fixtures, ok_stdout, raw_tar, three_compressions};
use serde_json::{json, Value};

fn inspect_json(p: &Path) -> Value {
    serde_json::from_str(&ok_stdout(&["inspect", p.to_str().unwrap(), "--format", "json"])).unwrap()
}

fn archive(name: &str) -> PathBuf {
    fixtures().join("archives").join(name)
}

fn names(list: &Value) -> Vec<(String, u64)> {
    list.as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "file")
        .map(|e| (e["path"].as_str().unwrap().to_string(), e["size"].as_u64().unwrap()))
        .collect()
}

#[test]
fn the_tree_container() {
    let v = inspect_json(&archive("crit-tree.tar.gz"));
    assert_eq!(v["kind"], "container");
    assert_eq!(v["compression"], "gzip");
    let c = &v["containers"][0];
    assert_eq!(c["engine"], "podman");
    assert_eq!(c["name"], "crit-tree");
    assert_eq!(
        c["id"],
        "69bc2c32d186650679f6d16603e1fc0851eddc41e447267cfaeeb437f85775fb"
    );
    assert_eq!(c["image"], "localhost/crit-busybox:latest");
    assert_eq!(c["runtime"], "crun");
    assert_eq!(c["created"], "2026-11-28T05:22:57.89726629Z");
    assert_eq!(c["criu"]["image_version"], 2);
    // Its command, and the marker it builds.
    assert_eq!(c["command"][0], "sh");
    assert!(c["command"][2].as_str().unwrap().contains("M=crit-tree-heap-marker.;"));
    // The volume crit-vol at /data, with the file the command wrote.
    assert_eq!(c["volumes"][0]["name"], "crit-vol");
    assert_eq!(c["volumes"][0]["destination"], "/data");
    assert_eq!(names(&c["volumes"][0]["files"]), [("v".to_string(), 17)]);
    // The tmpfs at /scratch.
    let mounts = c["mounts"].as_array().unwrap();
    assert!(mounts.contains(&json!({"destination": "/scratch", "type": "tmpfs", "source": "tmpfs"})));
    assert!(c["mountpoints"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["mountpoint"] == "/scratch" && m["fstype"] == "tmpfs"));
    // The file in /dev/shm, the deleted and the added file.
    assert_eq!(names(&c["devshm"]), [("s".to_string(), 14)]);
    assert_eq!(c["deleted_files"], json!(["/www/index.html"]));
    assert_eq!(names(&c["rootfs_diff"]), [("root/new/blob".to_string(), 65536)]);
    // Five processes, with their command lines from memory.
    let procs: Vec<(u64, u64, Value)> = c["processes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["pid"].as_u64().unwrap(),
                p["depth"].as_u64().unwrap(),
                p["args"].clone(),
            )
        })
        .collect();
    assert_eq!(procs.len(), 5);
    assert_eq!(procs[1], (5, 1, json!(["sleep", "100001"])));
    assert_eq!(
        procs[2],
        (6, 1, json!(["sh", "-c", "sleep 100002 & sleep 100003 & wait"]))
    );
    assert_eq!(procs[3], (7, 2, json!(["sleep", "100002"])));
    assert_eq!(procs[4], (8, 2, json!(["sleep", "100003"])));
    assert_eq!(c["sizes"]["memory_pages"], 409600);
    assert_eq!(c["sizes"]["rootfs_diff"], 68096);
    assert_eq!(c["sizes"]["volumes"], 2560);
    assert_eq!(c["sizes"]["devshm"], 2560);
    assert_eq!(c["dump_stats"]["pages_written"], 100);
    assert_eq!(c["dump_stats"]["frozen_time"], 285343);
    assert_eq!(c["network"]["status"], Value::Null);
    assert_eq!(
        c["network"]["interfaces"],
        json!([{"name": "lo", "kind": "LOOPBACK", "mtu": 65536}])
    );
    assert_eq!(c["annotations"]["io.container.manager"], "libpod");
    assert!(c.get("kubernetes").is_none());
    assert_eq!(c["problems"], json!([]));

    let text = ok_stdout(&["inspect", archive("crit-tree.tar.gz").to_str().unwrap()]);
    for want in [
        "crit-tree Podman container 69bc2c32d186\n",
        "deleted                   /www/index.html",
        "added/changed             /root/new/blob   64K",
        "volume crit-vol at /data",
        "/dev/shm                  /s               14",
        "  5     1  alive      sleep 100001\n",
        "/scratch            tmpfs   tmpfs\n",
    ] {
        assert!(text.contains(want), "{want:?} not in\n{text}");
    }
}

#[test]
fn the_other_podman_containers() {
    let httpd = inspect_json(&archive("crit-httpd.tar.gz"));
    assert_eq!(
        httpd["containers"][0]["command"],
        json!(["httpd", "-f", "-p", "8080", "-h", "/www"])
    );
    assert_eq!(
        httpd["containers"][0]["processes"][0]["args"],
        json!(["httpd", "-f", "-p", "8080", "-h", "/www"])
    );
    for (name, container, compression) in [
        ("crit-sleep.tar", "crit-sleep-none", "none"),
        ("crit-sleep.tar.gz", "crit-sleep", "gzip"),
        ("crit-sleep.tar.zst", "crit-sleep-zstd", "zstd"),
    ] {
        let v = inspect_json(&archive(name));
        assert_eq!(v["compression"], compression);
        let c = &v["containers"][0];
        assert_eq!(c["name"], container);
        assert_eq!(
            c["command"],
            json!(["sh", "-c", "echo crit-container-marker > /tmp/m; exec sleep 100000"])
        );
        assert_eq!(c["processes"][0]["args"], json!(["sleep", "100000"]));
        assert_eq!(c["deleted_files"], json!([]));
    }
}

/// The members of a plain tar, by name (directories end in `/`).
fn members(tar: &[u8]) -> Vec<(String, tar::Header, Vec<u8>)> {
    use std::io::Read;
    let mut out = Vec::new();
    let mut a = tar::Archive::new(tar);
    for e in a.entries().unwrap() {
        let mut e = e.unwrap();
        let name = String::from_utf8(e.path_bytes().to_vec()).unwrap();
        let h = e.header().clone();
        let mut data = Vec::new();
        e.read_to_end(&mut data).unwrap();
        out.push((name, h, data));
    }
    out
}

/// A tar of `files` (name, bytes): `prefix` before each name.
fn build(b: &mut tar::Builder<Vec<u8>>, prefix: &str, files: &[(String, tar::Header, Vec<u8>)]) {
    for (name, h, data) in files {
        let mut h = h.clone();
        b.append_data(&mut h, format!("{prefix}{name}"), &data[..]).unwrap();
    }
}

fn plain(name: &str, data: Vec<u8>) -> (String, tar::Header, Vec<u8>) {
    let mut h = tar::Header::new_ustar();
    h.set_mode(0o644);
    h.set_size(data.len() as u64);
    (name.to_string(), h, data)
}

/// `crit-sleep.tar`'s members with the spec's annotations replaced, the
/// config replaced, and `extra` files added.
fn as_engine(
    src: &str,
    annotations: Value,
    config: Value,
    extra: Vec<(String, tar::Header, Vec<u8>)>,
) -> Vec<(String, tar::Header, Vec<u8>)> {
    let mut files = members(&raw_tar(&archive(src)));
    for (name, h, data) in files.iter_mut() {
        if name == "spec.dump" {
            let mut spec: Value = serde_json::from_slice(data).unwrap();
            spec["annotations"] = annotations.clone();
            *data = serde_json::to_vec(&spec).unwrap();
        } else if name == "config.dump" {
            *data = serde_json::to_vec(&config).unwrap();
        } else {
            continue;
        }
        h.set_size(data.len() as u64);
    }
    files.retain(|(n, _, _)| n != "network.status");
    files.extend(extra);
    files
}

fn crio(src: &str, container: &str, pod: &str, id: &str) -> Vec<(String, tar::Header, Vec<u8>)> {
    as_engine(
        src,
        json!({
            "io.container.manager": "cri-o",
            "io.kubernetes.cri-o.Metadata": format!("{{\"name\":\"{container}\",\"attempt\":0}}"),
            "io.kubernetes.cri-o.Created": "2026-11-28T05:22:56.5Z",
            "io.kubernetes.cri-o.IP.0": "10.85.0.7",
            "io.kubernetes.cri-o.ImageName": "docker.io/library/busybox:latest",
            "io.kubernetes.pod.name": pod,
            "io.kubernetes.pod.namespace": "prod",
            "io.kubernetes.pod.uid": "4d3c2b1a",
            "io.kubernetes.container.name": container,
        }),
        json!({
            "id": id,
            "name": format!("k8s_{container}_{pod}_prod_4d3c2b1a_0"),
            "rootfsImage": "docker.io/library/busybox:latest",
            "rootfsImageRef": "sha256:0123abcd",
            "rootfsImageName": "docker.io/library/busybox:latest",
            "runtime": "runc",
            "createdTime": "2026-11-28T05:22:56.5Z",
            "checkpointedTime": "2026-11-28T06:00:00Z",
            "restoredTime": "0001-01-01T00:00:00Z",
            "restored": false
        }),
        vec![
            plain(
                "bind.mounts",
                serde_json::to_vec(&json!([{"source": "/var/lib/kubelet/pods/4d3c2b1a/etc-hosts",
                    "destination": "/etc/hosts", "file_type": "file", "permissions": 420}]))
                .unwrap(),
            ),
            plain(
                "dump.log",
                b"(00.000000) Version: 4.1.1 (gitid 0)\n(00.000100) Dumping\n".to_vec(),
            ),
        ],
    )
}

fn containerd() -> Vec<(String, tar::Header, Vec<u8>)> {
    as_engine(
        "crit-sleep.tar",
        json!({
            "io.kubernetes.cri.container-type": "container",
            "io.kubernetes.cri.container-name": "sleeper",
            "io.kubernetes.cri.sandbox-name": "batch-1",
            "io.kubernetes.cri.sandbox-namespace": "jobs",
            "io.kubernetes.cri.sandbox-uid": "9f8e7d6c",
            "io.kubernetes.cri.image-name": "docker.io/library/busybox:1.36",
        }),
        json!({"ID": "feedc0de", "Image": "docker.io/library/busybox:1.36",
               "Runtime": {"Name": "io.containerd.runc.v2"}}),
        vec![plain(
            "status",
            serde_json::to_vec(&json!({"CreatedAt": 1_795_843_376_000_000_000i64,
                "StartedAt": 1_795_843_377_000_000_000i64, "FinishedAt": 0, "ExitCode": 0,
                "Pid": 4242, "Reason": "", "Message": ""}))
            .unwrap(),
        )],
    )
}

fn tar_of(files: &[(String, tar::Header, Vec<u8>)], prefix: &str) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    build(&mut b, prefix, files);
    b.into_inner().unwrap()
}

#[test]
fn a_crio_checkpoint() {
    let tmp = tempfile::tempdir().unwrap();
    let tar = tar_of(&crio("crit-sleep.tar", "sleeper", "web-0", "c0ffee00"), "");
    for p in three_compressions(&tar, tmp.path(), "crio") {
        let v = inspect_json(&p);
        let c = &v["containers"][0];
        assert_eq!(c["engine"], "cri-o", "{}", p.display());
        assert_eq!(c["name"], "k8s_sleeper_web-0_prod_4d3c2b1a_0");
        assert_eq!(c["id"], "c0ffee00");
        assert_eq!(c["image"], "docker.io/library/busybox:latest");
        assert_eq!(c["image_ref"], "sha256:0123abcd");
        assert_eq!(c["runtime"], "runc");
        assert_eq!(c["created"], "2026-11-28T05:22:56.5Z");
        assert_eq!(c["checkpointed"], "2026-11-28T06:00:00Z");
        assert_eq!(c["criu"]["version"], "4.1.1");
        assert_eq!(c["network"]["addresses"], json!(["10.85.0.7"]));
        assert_eq!(c["bind_mounts"][0]["destination"], "/etc/hosts");
        assert_eq!(
            c["kubernetes"],
            json!({"pod": "web-0", "namespace": "prod", "pod_uid": "4d3c2b1a", "container": "sleeper"})
        );
        assert_eq!(c["processes"][0]["args"], json!(["sleep", "100000"]));
    }
}

#[test]
fn a_containerd_checkpoint() {
    let tmp = tempfile::tempdir().unwrap();
    let tar = tar_of(&containerd(), "");
    for p in three_compressions(&tar, tmp.path(), "containerd") {
        let v = inspect_json(&p);
        let c = &v["containers"][0];
        assert_eq!(c["engine"], "containerd");
        assert_eq!(c["name"], "sleeper");
        assert_eq!(c["id"], "feedc0de");
        assert_eq!(c["image"], "docker.io/library/busybox:1.36");
        assert_eq!(c["runtime"], "io.containerd.runc.v2");
        assert_eq!(c["created"], "2026-11-28T05:22:56Z");
        assert_eq!(c["status"]["Pid"], 4242);
        assert_eq!(
            c["kubernetes"],
            json!({"pod": "batch-1", "namespace": "jobs", "pod_uid": "9f8e7d6c", "container": "sleeper"})
        );
        let text = ok_stdout(&["inspect", p.to_str().unwrap()]);
        assert!(text.starts_with("sleeper containerd container feedc0de\n"), "{text}");
        assert!(
            text.contains("pod batch-1 in namespace jobs (uid 9f8e7d6c), container sleeper"),
            "{text}"
        );
    }
}

fn pod_tar() -> Vec<u8> {
    let (a, b) = ("a1b2c3d4-sleeper", "e5f6a7b8-web");
    let options = json!({
        "version": 1,
        "containers": {"sleeper": a, "web": b},
        "annotations": {"io.kubernetes.pod.name": "web-0", "io.kubernetes.pod.namespace": "prod",
                        "io.kubernetes.pod.uid": "4d3c2b1a"}
    });
    let dump = json!({"metadata": {"name": "web-0", "namespace": "prod", "uid": "4d3c2b1a"}});
    let mut bld = tar::Builder::new(Vec::new());
    build(
        &mut bld,
        "",
        &[
            plain("pod.options", serde_json::to_vec(&options).unwrap()),
            plain("pod.dump", serde_json::to_vec(&dump).unwrap()),
        ],
    );
    build(
        &mut bld,
        &format!("{a}/"),
        &crio("crit-sleep.tar", "sleeper", "web-0", "a1b2c3d4"),
    );
    build(
        &mut bld,
        &format!("{b}/"),
        &crio("crit-httpd.tar.gz", "web", "web-0", "e5f6a7b8"),
    );
    bld.into_inner().unwrap()
}

#[test]
fn a_pod_checkpoint() {
    let tmp = tempfile::tempdir().unwrap();
    let tar = pod_tar();
    let httpd = archive("crit-httpd.tar.gz");
    let httpd = httpd.to_str().unwrap();
    for p in three_compressions(&tar, tmp.path(), "pod") {
        let ps = p.to_str().unwrap();
        let v = inspect_json(&p);
        assert_eq!(v["kind"], "pod");
        assert_eq!(v["pod"]["name"], "web-0");
        assert_eq!(v["pod"]["namespace"], "prod");
        assert_eq!(
            v["pod"]["containers"],
            json!({"sleeper": "a1b2c3d4-sleeper", "web": "e5f6a7b8-web"})
        );
        let cs = v["containers"].as_array().unwrap();
        assert_eq!(cs.len(), 2);
        assert_eq!(cs[0]["folder"], "a1b2c3d4-sleeper/");
        assert_eq!(cs[0]["kubernetes"]["container"], "sleeper");
        assert_eq!(cs[1]["kubernetes"]["container"], "web");
        assert_eq!(cs[1]["command"], json!(["httpd", "-f", "-p", "8080", "-h", "/www"]));

        // Without --container, a clear error listing them.
        let out = crit(&["x", ps, "ps"]);
        assert_eq!(out.status.code(), Some(1));
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            format!("crit: {ps}: a pod checkpoint of 2 containers (sleeper, web): pick one with --container NAME\n")
        );
        // With it, the container's answers are those of its own archive.
        for cmd in [
            &["x", "{}", "sk"][..],
            &["mem", "{}", "args"],
            &["stats", "{}"],
            &["x", "{}", "fds"],
        ] {
            let on = |at: &str| -> Vec<String> { cmd.iter().map(|a| a.replace("{}", at)).collect() };
            let mut with: Vec<String> = on(ps);
            with.extend(["--container".to_string(), "web".to_string()]);
            let with: Vec<&str> = with.iter().map(String::as_str).collect();
            let want: Vec<String> = on(httpd);
            let want: Vec<&str> = want.iter().map(String::as_str).collect();
            assert_eq!(ok_stdout(&with), ok_stdout(&want), "{cmd:?} on {ps}");
        }
        let out = crit(&["x", ps, "ps", "--container", "db"]);
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            format!("crit: {ps}: the pod has no container \"db\" (it has sleeper, web)\n")
        );
        let text = ok_stdout(&["inspect", ps]);
        assert!(text.starts_with("Pod web-0\n"), "{text}");
        assert!(
            text.contains("\nk8s_web_web-0_prod_4d3c2b1a_0 CRI-O container e5f6a7b8\n"),
            "{text}"
        );
        let only: Value =
            serde_json::from_str(&ok_stdout(&["inspect", ps, "--container", "web", "--format", "json"])).unwrap();
        assert_eq!(only["containers"].as_array().unwrap().len(), 1);
    }
}

#[test]
fn an_unpacked_pod_and_a_bare_image_directory() {
    let tmp = tempfile::tempdir().unwrap();
    common::unpack(&pod_tar(), tmp.path());
    let dir = tmp.path().to_str().unwrap();
    let httpd = archive("crit-httpd.tar.gz");
    assert_eq!(
        ok_stdout(&["x", dir, "sk", "--container", "web"]),
        ok_stdout(&["x", httpd.to_str().unwrap(), "sk"])
    );
    let v = inspect_json(tmp.path());
    assert_eq!(v["kind"], "pod");
    assert_eq!(v["containers"].as_array().unwrap().len(), 2);
    // A bare CRIU checkpoint: no container metadata, the processes all the same.
    let v = inspect_json(&fixtures().join("corpus/mem"));
    assert_eq!(v["kind"], "images");
    let c = &v["containers"][0];
    assert_eq!(c["engine"], "unknown");
    assert_eq!(
        c["processes"][0]["args"],
        json!(["/usr/local/bin/cwork", "mem", "--token", "argv-marker-91c2"])
    );
    assert!(c["dump_stats"]["pages_written"].as_u64().is_some());
}

#[test]
fn several_archives_one_line_each() {
    let tmp = tempfile::tempdir().unwrap();
    let crio_p = tmp.path().join("crio.tar");
    std::fs::write(
        &crio_p,
        tar_of(&crio("crit-sleep.tar", "sleeper", "web-0", "c0ffee00"), ""),
    )
    .unwrap();
    let ctrd = tmp.path().join("containerd.tar");
    std::fs::write(&ctrd, tar_of(&containerd(), "")).unwrap();
    let pod = tmp.path().join("pod.tar");
    std::fs::write(&pod, pod_tar()).unwrap();
    let tree = archive("crit-tree.tar.gz");
    let paths = [&tree, &crio_p, &ctrd, &pod];
    let args: Vec<&str> = ["inspect"]
        .into_iter()
        .chain(paths.iter().map(|p| p.to_str().unwrap()))
        .collect();
    let text = ok_stdout(&args);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 5, "{text}");
    assert!(lines[0].starts_with("ARCHIVE"));
    let by: BTreeMap<usize, [&str; 3]> = BTreeMap::from([
        (1, ["Podman", "crit-tree", "5"]),
        (2, ["CRI-O", "k8s_sleeper_web-0_prod_4d3c2b1a_0", "1"]),
        (3, ["containerd", "sleeper", "1"]),
        (4, ["CRI-O", "pod web-0 (2 containers)", "2"]),
    ]);
    for (i, words) in by {
        for w in words {
            assert!(lines[i].contains(w), "{w:?} not in {:?}", lines[i]);
        }
    }
    let mut json_args = args.clone();
    json_args.extend(["--format", "json"]);
    let v: Value = serde_json::from_str(&ok_stdout(&json_args)).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 4);
}

/// A checkpoint with a truncated image, or a directory that is no checkpoint:
/// what could be read is still shown, and the exit status is 1 with one line
/// naming the image, as for every other command given bad input.
#[test]
fn unreadable_parts_make_the_status_1() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("tree");
    std::fs::create_dir(&dir).unwrap();
    for f in std::fs::read_dir(fixtures().join("corpus/tree")).unwrap() {
        let f = f.unwrap().path();
        // Written, not copied: the fixtures may be read-only.
        let mut bytes = std::fs::read(&f).unwrap();
        if f.ends_with("pstree.img") {
            bytes.truncate(85);
        }
        std::fs::write(dir.join(f.file_name().unwrap()), bytes).unwrap();
    }
    let d = dir.to_str().unwrap();
    let out = crit(&["inspect", d, "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let why =
        format!("{d}/pstree.img: entry 3 at byte 78: payload of 20 bytes runs past the end of the file (3 bytes left)");
    assert_eq!(v["containers"][0]["problems"], json!([why]));
    assert_eq!(String::from_utf8(out.stderr).unwrap(), format!("crit: {why}\n"));

    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let e = empty.to_str().unwrap();
    let out = crit(&["inspect", e]);
    assert_eq!(out.status.code(), Some(1));
    // The error alone: no empty report above it.
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "");
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        format!("crit: {e}: not a checkpoint directory: no pstree.img\n")
    );
}

/// A zombie has no memory, so no command line: `[comm]`, as `crit x` shows it.
#[test]
fn a_zombie_shows_its_comm_in_brackets() {
    let tree = fixtures().join("corpus/tree");
    let text = ok_stdout(&["inspect", tree.to_str().unwrap()]);
    let zombie: Vec<&str> = text.lines().filter(|l| l.contains("zombie")).collect();
    assert_eq!(zombie, ["20887  20884  zombie      [tree-root]"]);
    let x = ok_stdout(&["x", tree.to_str().unwrap()]);
    assert!(
        x.lines()
            .any(|l| l.ends_with("zombie       0    0        0    [tree-root]")),
        "{x}"
    );
}
