//! The container explorers `x DIR net|mnt|ns|cg`: tables against committed
//! snapshots (`tests/snapshots/containers/`, laid out for 80 columns), JSON values against what the
//! Podman archives' containers held (and their own `config.dump`), and the
//! plain corpus checkpoints, which lack the container images.
//!
//! After an intended change, rewrite the snapshots with
//! `UPDATE_SNAPSHOTS=1 cargo test --test integration explore_containers::` and review the diff.

use crate::common;

use std::fs;
use std::path::{Path, PathBuf};

use common::{crit_text, fixtures, unpack_archive as unpack, Snapshots};
use serde_json::{json, Value};

const WHAT: [&str; 4] = ["net", "mnt", "ns", "cg"];

fn x(dir: &Path, what: &str, json: bool) -> String {
    let d = dir.to_str().unwrap();
    let mut args = vec!["x", d, what];
    // Tables as an 80-column terminal lays them out (piped, they never wrap).
    args.extend(if json {
        &["--format", "json"][..]
    } else {
        &["--color", "never", "--width", "80"][..]
    });
    let (out, err, ok) = crit_text(&args);
    assert!(ok, "x {d} {what}: {err}");
    out
}

fn x_json(dir: &Path, what: &str) -> Value {
    serde_json::from_str(&x(dir, what, true)).unwrap()
}

fn snapshot_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots/containers")
        .join(format!("{name}.txt"))
}

fn check_snapshots(cases: &[(String, PathBuf)]) {
    let mut snapshots = Snapshots::from_env();
    for (name, dir) in cases {
        for what in WHAT {
            let got = x(dir, what, false);
            for line in got.lines() {
                assert!(line.chars().count() <= 80, "{name} {what}: too wide: {line}");
            }
            let name = format!("{name}-{what}");
            snapshots.check(name.clone(), &snapshot_path(&name), &got);
        }
    }
    snapshots.finish("tables");
}

#[test]
fn archive_tables_match_snapshots() {
    let tree = unpack("crit-tree.tar.gz");
    let httpd = unpack("crit-httpd.tar.gz");
    check_snapshots(&[
        ("tree".into(), tree.path().join("checkpoint")),
        ("httpd".into(), httpd.path().join("checkpoint")),
    ]);
}

#[test]
fn corpus_tables_match_snapshots() {
    let cases: Vec<(String, PathBuf)> = common::corpus_dirs()
        .into_iter()
        .map(|d| (format!("corpus-{}", d.file_name().unwrap().to_str().unwrap()), d))
        .collect();
    check_snapshots(&cases);
}

fn container_id(archive: &Path) -> String {
    let config: Value = serde_json::from_slice(&fs::read(archive.join("config.dump")).unwrap()).unwrap();
    config["id"].as_str().unwrap().to_string()
}

#[test]
fn net_shows_the_containers_network() {
    for (archive, tasks) in [
        ("crit-tree.tar.gz", json!([1, 5, 6, 7, 8])),
        ("crit-httpd.tar.gz", json!([1])),
    ] {
        let tmp = unpack(archive);
        let cp = tmp.path().join("checkpoint");
        let v = x_json(&cp, "net");
        let ns = &v["namespaces"];
        assert_eq!(ns.as_array().unwrap().len(), 1);
        let ns = &ns[0];
        assert_eq!(ns["id"], 10);
        assert_eq!(ns["tasks"], tasks);
        assert_eq!(ns["dumped"], true);
        // `--network none`: only the loopback.
        assert_eq!(
            ns["interfaces"],
            json!([{"ifindex": 1, "name": "lo", "type": "loopback", "mtu": 65536,
                    "flags": ["UP", "LOOPBACK", "RUNNING", "LOWER_UP"]}])
        );
        let addrs: Vec<(String, String, String, u64, String)> = ns["addresses"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                (
                    a["dev"].as_str().unwrap().into(),
                    a["family"].as_str().unwrap().into(),
                    a["address"].as_str().unwrap().into(),
                    a["prefixlen"].as_u64().unwrap(),
                    a["scope"].as_str().unwrap().into(),
                )
            })
            .collect();
        assert_eq!(
            addrs,
            [
                ("lo".into(), "inet".into(), "127.0.0.1".into(), 8, "host".into()),
                ("lo".into(), "inet6".into(), "::1".into(), 128, "host".into())
            ]
        );
        assert_eq!(ns["addresses"][0]["label"], "lo");
        assert_eq!(ns["routes"], json!([]));
        let rules: Vec<(u64, &str, &str)> = ns["rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                assert_eq!(r["from"], "all");
                (
                    r["priority"].as_u64().unwrap(),
                    r["action"].as_str().unwrap(),
                    r["table"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            rules,
            [
                (0, "to_tbl", "local"),
                (32766, "to_tbl", "main"),
                (32767, "to_tbl", "default")
            ]
        );
        assert_eq!(ns["firewall"]["iptables"], "");
        assert_eq!(ns["firewall"]["ip6tables"], "");
        let nft = fs::read_to_string(cp.join("nftables-10.img")).unwrap();
        assert_eq!(ns["firewall"]["nftables"], nft.as_str());
        assert!(nft.contains("table ip filter {"));
        let listening = if archive == "crit-httpd.tar.gz" {
            // `httpd -f -p 8080`: busybox binds the IPv6 wildcard.
            json!([{"protocol": "tcp6", "local": "[::]:8080", "pid": 1, "fd": 3}])
        } else {
            json!([])
        };
        assert_eq!(ns["listening"], listening, "{archive}");
    }
}

#[test]
fn mnt_shows_the_containers_mount_tree() {
    let tmp = unpack("crit-tree.tar.gz");
    let cp = tmp.path().join("checkpoint");
    let v = x_json(&cp, "mnt");
    let ns = &v["namespaces"][0];
    assert_eq!(ns["id"], 13);
    assert_eq!(ns["image"], "mountpoints-13.img");
    let mounts = ns["mounts"].as_array().unwrap();
    assert_eq!(mounts.len(), 30);
    let at = |p: &str| {
        mounts
            .iter()
            .find(|m| m["mountpoint"] == p)
            .unwrap_or_else(|| panic!("{p}"))
    };
    // The root first, every other mount below it.
    assert_eq!(mounts[0]["mountpoint"], "/");
    assert_eq!(mounts[0]["depth"], 0);
    assert!(mounts[1..].iter().all(|m| m["depth"].as_u64().unwrap() >= 1));
    assert_eq!(at("/dev/pts")["depth"], 2);
    assert_eq!(at("/dev/pts")["parent_mnt_id"], at("/dev")["mnt_id"]);
    // The `--tmpfs /scratch` and the one file in it.
    let scratch = at("/scratch");
    assert_eq!(scratch["fstype"], "tmpfs");
    assert_eq!(scratch["source"], "tmpfs");
    assert_eq!(scratch["flags"], json!(["rw", "nosuid", "nodev", "relatime"]));
    assert_eq!(
        scratch["contents"],
        json!({"image": "tmpfs-dev-81.tar.gz.img", "files": 1, "bytes": 16})
    );
    // The named volume `crit-vol` at /data, bind-mounted by the runtime.
    let data = at("/data");
    assert!(
        data["root"].as_str().unwrap().ends_with("/volumes/crit-vol/_data"),
        "{data}"
    );
    assert_eq!(data["external"], "/data");
    // /dev/shm is provided by the runtime too (Podman saves it in devshm-checkpoint.tar).
    let shm = at("/dev/shm");
    assert_eq!(shm["source"], "shm");
    assert_eq!(shm["external"], "/dev/shm");
    assert_eq!(shm["options"], "size=64000k");
    assert!(shm.get("contents").is_none());
    assert_eq!(at("/proc")["fstype"], "proc");
    assert_eq!(at("/sys/fs/cgroup/cpu")["fstype"], "cgroup");
    assert_eq!(at("/sys/fs/cgroup/cpu")["options"], "cpu");
    assert_eq!(
        at("/sys/fs/cgroup/cpu")["flags"],
        json!(["ro", "nosuid", "nodev", "noexec", "relatime"])
    );
    let id = container_id(tmp.path());
    assert!(at("/etc/hostname")["root"].as_str().unwrap().contains(&id));
}

#[test]
fn ns_shows_which_namespaces_the_tasks_share() {
    for (archive, tasks) in [
        ("crit-tree.tar.gz", json!([1, 5, 6, 7, 8])),
        ("crit-httpd.tar.gz", json!([1])),
    ] {
        let tmp = unpack(archive);
        let v = x_json(&tmp.path().join("checkpoint"), "ns");
        let got: Vec<(String, u64, bool)> = v["namespaces"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| {
                assert_eq!(n["tasks"], tasks);
                (
                    n["type"].as_str().unwrap().into(),
                    n["id"].as_u64().unwrap(),
                    n["host"].as_bool().unwrap(),
                )
            })
            .collect();
        // The container has its own pid, net, ipc, uts and mount namespaces;
        // user, cgroup and time are the host's.
        let want: Vec<(String, u64, bool)> = [
            ("pid", 9, false),
            ("net", 10, false),
            ("ipc", 11, false),
            ("uts", 12, false),
            ("mnt", 13, false),
            ("user", 7, true),
            ("cgroup", 8, true),
            ("time", 5, true),
        ]
        .map(|(k, i, h)| (k.to_string(), i, h))
        .into();
        assert_eq!(got, want, "{archive}");
        // Podman names the container's host after the first 12 digits of its id.
        let uts = &v["namespaces"][3];
        assert_eq!(uts["image"], "utsns-12.img");
        assert_eq!(uts["hostname"], &container_id(tmp.path())[..12]);
        let first = &v["tasks"][0];
        assert_eq!(first["pid"], 1);
        assert_eq!(first["ids"]["net"], 10);
    }
}

#[test]
fn cg_shows_the_cgroups_and_their_settings() {
    for archive in ["crit-tree.tar.gz", "crit-httpd.tar.gz"] {
        let tmp = unpack(archive);
        let v = x_json(&tmp.path().join("checkpoint"), "cg");
        assert_eq!(v["dumped"], true);
        let sets = v["sets"].as_array().unwrap();
        assert_eq!(sets.len(), 1);
        assert_eq!(sets[0]["id"], 2);
        assert_eq!(sets[0]["criu"], false);
        let path = format!(
            "/machine.slice/crit-host/crit-podman/libpod-{}",
            container_id(tmp.path())
        );
        let cgroups = sets[0]["cgroups"].as_array().unwrap();
        let names: Vec<&str> = cgroups.iter().map(|c| c["controller"].as_str().unwrap()).collect();
        assert_eq!(
            names,
            [
                "",
                "blkio",
                "cpu",
                "cpuacct",
                "cpuset",
                "devices",
                "freezer",
                "memory",
                "name=systemd",
                "pids"
            ]
        );
        assert_eq!(cgroups[0]["path"], "/");
        for c in &cgroups[1..] {
            assert_eq!(c["path"], path.as_str(), "{archive}");
        }
        let prop = |ctl: &str, name: &str| -> String {
            let c = cgroups.iter().find(|c| c["controller"] == ctl).unwrap();
            let p = c["properties"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["name"] == name)
                .unwrap();
            p["value"].as_str().unwrap().to_string()
        };
        assert_eq!(prop("pids", "pids.max"), "2048");
        assert_eq!(prop("cpu", "cpu.shares"), "1024");
        assert_eq!(prop("cpuset", "cpuset.cpus"), "0-1");
        assert_eq!(prop("freezer", "freezer.state"), "THAWED");
        assert!(prop("devices", "devices.list").starts_with("c *:* m\nb *:* m\n"));
        let n = v["tasks"].as_array().unwrap().len();
        assert!(v["tasks"].as_array().unwrap().iter().all(|t| t["cg_set"] == 2));
        assert_eq!(sets[0]["tasks"].as_array().unwrap().len(), n);
        assert_eq!(v["controllers"].as_array().unwrap().len(), 10);
    }
}

#[test]
fn corpus_checkpoints_say_what_was_not_dumped() {
    for dir in common::corpus_dirs() {
        let name = dir.file_name().unwrap().to_str().unwrap().to_string();
        let net = x_json(&dir, "net");
        for ns in net["namespaces"].as_array().unwrap() {
            assert_eq!(ns["dumped"], false, "{name}");
            assert!(
                ns["note"].as_str().unwrap().starts_with("not dumped: no netdev-"),
                "{name}"
            );
            assert_eq!(ns["interfaces"], json!([]));
        }
        let mnt = x_json(&dir, "mnt");
        for ns in mnt["namespaces"].as_array().unwrap() {
            assert_eq!(ns["image"], Value::Null, "{name}");
            assert_eq!(ns["mounts"], json!([]));
        }
        let cg = x_json(&dir, "cg");
        assert_eq!(cg["dumped"], false);
        assert!(cg["note"].as_str().unwrap().starts_with("no cgroup.img"));
        let ns = x_json(&dir, "ns");
        assert_eq!(ns["namespaces"].as_array().unwrap().len(), 8, "{name}");
    }
    // The `net` checkpoint's listeners, found through `x sk`.
    let net = x_json(&fixtures().join("corpus/net"), "net");
    let locals: Vec<&str> = net["namespaces"][0]["listening"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["local"].as_str().unwrap())
        .collect();
    assert_eq!(locals, ["127.0.0.1:47101", "127.0.0.1:47102", "[::1]:47103"]);
    // `ipc` ran as pid 1 of fresh ipc, uts and pid namespaces, hostname crit-uts-host.
    let ns = x_json(&fixtures().join("corpus/ipc"), "ns");
    let own: Vec<&str> = ns["namespaces"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["host"] == false)
        .map(|n| n["type"].as_str().unwrap())
        .collect();
    assert_eq!(own, ["pid", "ipc", "uts"]);
    let uts = ns["namespaces"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["type"] == "uts")
        .unwrap();
    assert_eq!(uts["hostname"], "crit-uts-host");
    // The zombie of `tree` has no ids: listed with none.
    let ns = x_json(&fixtures().join("corpus/tree"), "ns");
    let zombie = ns["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["state"] == "zombie")
        .unwrap();
    assert_eq!(zombie["ids"], json!({}));
}

#[test]
fn broken_container_images_fail_in_one_line_or_not_at_all() {
    let tmp = unpack("crit-tree.tar.gz");
    let cp = tmp.path().join("checkpoint");
    let images = [
        "cgroup.img",
        "mountpoints-13.img",
        "netdev-10.img",
        "ifaddr-10.img",
        "rule-10.img",
        "utsns-12.img",
        "ids-5.img",
        "core-1.img",
        "inventory.img",
        "tmpfs-dev-81.tar.gz.img",
    ];
    let mut failures = 0;
    for img in images {
        let path = cp.join(img);
        let good = fs::read(&path).unwrap();
        let mut flipped = good.clone();
        let mid = flipped.len() / 2;
        flipped[mid] ^= 0x5a;
        for bad in [good[..good.len() / 2].to_vec(), flipped] {
            fs::write(&path, &bad).unwrap();
            for what in WHAT {
                let out = common::crit(&["x", cp.to_str().unwrap(), what]);
                let err = String::from_utf8_lossy(&out.stderr);
                match out.status.code() {
                    Some(0) => {}
                    Some(1) => {
                        failures += 1;
                        assert_eq!(err.lines().count(), 1, "{img} {what}: {err}");
                        assert!(err.starts_with("crit: "), "{img} {what}: {err}");
                    }
                    other => panic!("{img} {what}: exit {other:?}: {err}"),
                }
            }
        }
        fs::write(&path, &good).unwrap();
    }
    // Cutting an image in half breaks at least the explorer that reads it.
    assert!(failures >= images.len(), "{failures}");
}
