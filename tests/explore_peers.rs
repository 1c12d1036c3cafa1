//! The explorers' JSON against what the two peer tools print for every corpus
//! checkpoint: the Python CRIT (`x-*.txt`) and the Go CRIT (`x-*.go.json`);
//! for CRIU 4.2.1's checkpoints (`corpus-4.2.1`), the Python CRIT 4.2.1's.
//! Everything a peer lists must be in our JSON with the same value, except
//! where the peer is known to be wrong; there the right value is asserted.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

const DIRS: &[&str] = &["tree", "threads", "mem", "net", "files", "ipc", "pty", "restored"];

/// Each corpus with the Python CRIT's output for it.
const CORPORA: &[(&str, &str)] = &[("corpus", "peers"), ("corpus-4.2.1", "peers-4.2.1")];

/// Every checkpoint of both corpora: (corpus, peers folder, checkpoint).
fn python_cases() -> impl Iterator<Item = (&'static str, &'static str, &'static &'static str)> {
    CORPORA
        .iter()
        .flat_map(|&(corpus, peers)| DIRS.iter().map(move |d| (corpus, peers, d)))
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Runs `crit x DIR WHAT --format json` and parses its one document.
fn explore(dir: &str, what: &str) -> Value {
    explore_in("corpus", dir, what)
}

fn explore_in(corpus: &str, dir: &str, what: &str) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_crit"))
        .arg("x")
        .arg(fixtures().join(corpus).join(dir))
        .args([what, "--format", "json"])
        .output()
        .expect("run crit");
    assert!(
        out.status.success(),
        "crit x {dir} {what}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON document")
}

fn peer_text(dir: &str, name: &str) -> Option<String> {
    peer_text_in("peers", dir, name)
}

fn peer_text_in(peers: &str, dir: &str, name: &str) -> Option<String> {
    std::fs::read_to_string(fixtures().join(peers).join(dir).join(name)).ok()
}

fn peer_json(dir: &str, name: &str) -> Option<Value> {
    peer_text(dir, name).map(|t| serde_json::from_str(&t).expect("peer JSON"))
}

fn task(doc: &Value, pid: u64) -> &Value {
    doc["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["pid"] == pid)
        .unwrap_or_else(|| panic!("no task {pid}"))
}

/// Our hex strings are `0x…`; the peers print bare hex.
fn bare(hex: &Value) -> String {
    hex.as_str().unwrap().trim_start_matches("0x").to_string()
}

// ---------------------------------------------------------------- ps

#[test]
fn ps_matches_python() {
    for (corpus, peers, dir) in python_cases() {
        let ours = explore_in(corpus, dir, "ps");
        let text = peer_text_in(peers, dir, "x-ps.txt").expect("the Python CRIT has ps for every checkpoint");
        let mut seen = 0;
        for line in text.lines().skip(1) {
            let nums: Vec<u64> = line[..21].split_whitespace().map(|n| n.parse().unwrap()).collect();
            let rest = &line[24..];
            let comm = rest.trim_start();
            let depth = (rest.len() - comm.len()) / 4;
            let t = task(&ours, nums[0]);
            assert_eq!(
                (t["pgid"].as_u64(), t["sid"].as_u64()),
                (Some(nums[1]), Some(nums[2])),
                "{dir} {line}"
            );
            assert_eq!(t["comm"], comm, "{dir}");
            assert_eq!(t["depth"], depth, "{dir} {line}");
            seen += 1;
        }
        assert_eq!(seen, ours["tasks"].as_array().unwrap().len(), "{dir}: same task count");
        // Tree order: the Python CRIT prints depth-first too.
        let pids: Vec<u64> = text.lines().skip(1).map(|l| l[..7].trim().parse().unwrap()).collect();
        let our_pids: Vec<u64> = ours["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["pid"].as_u64().unwrap())
            .collect();
        assert_eq!(pids, our_pids, "{dir}");
    }
}

#[test]
fn ps_matches_go() {
    fn walk(node: &Value, parent: u64, depth: u64, ours: &Value, count: &mut usize) {
        let pid = node["pid"].as_u64().unwrap();
        let t = task(ours, pid);
        for k in ["pgid", "sid", "comm"] {
            assert_eq!(t[k], node[k], "{pid} {k}");
        }
        assert_eq!(t["ppid"], parent);
        assert_eq!(t["depth"], depth);
        *count += 1;
        for kid in node["children"].as_array().into_iter().flatten() {
            walk(kid, pid, depth + 1, ours, count);
        }
    }
    for dir in DIRS {
        let ours = explore(dir, "ps");
        let go = peer_json(dir, "x-ps.go.json").unwrap();
        let mut count = 0;
        walk(&go, 0, 0, &ours, &mut count);
        assert_eq!(count, ours["tasks"].as_array().unwrap().len(), "{dir}");
    }
}

// ---------------------------------------------------------------- fds

/// The right string where the peer prints a wrong one; `None` when the peer
/// prints a placeholder (`TYPE.ID`) that only says the type and id.
fn fds_expected(dir: &str, fd: &str, peer: &str) -> Option<String> {
    // Both peers print the NUL the kernel counts in a unix name (Python as
    // `=00`, Go raw) and Go adds a space when there is no name.
    if peer.starts_with("unix[") {
        let fixed = peer.replace("=00]", "]").replace("\0]", "]").replace(") ]", ")]");
        return Some(fixed);
    }
    // Neither peer marks the ghost file (deleted while open) as deleted.
    if (dir, fd, peer) == ("files", "5", "/tmp/crit-files/ghost.txt") {
        return Some(format!("{peer} (deleted)"));
    }
    let placeholder = peer
        .rsplit_once('.')
        .is_some_and(|(t, id)| t.chars().all(|c| c.is_ascii_uppercase()) && id.chars().all(|c| c.is_ascii_digit()));
    (!placeholder).then(|| peer.to_string())
}

fn check_fd(dir: &str, t: &Value, fd: &str, peer: &str) {
    let got = match fd {
        "cwd" | "root" => t[fd].as_str().unwrap().to_string(),
        _ => {
            let n: u64 = fd.parse().unwrap();
            let f = t["fds"]
                .as_array()
                .unwrap()
                .iter()
                .find(|f| f["fd"] == n)
                .unwrap_or_else(|| panic!("{dir}: no fd {n}"));
            if let Some((kind, id)) = peer.rsplit_once('.').filter(|_| fds_expected(dir, fd, peer).is_none()) {
                assert_eq!(f["type"], kind, "{dir} fd {fd}");
                assert_eq!(f["id"].to_string(), id, "{dir} fd {fd}");
                return;
            }
            f["object"].as_str().unwrap().to_string()
        }
    };
    assert_eq!(Some(got), fds_expected(dir, fd, peer), "{dir} fd {fd}");
}

#[test]
fn fds_match_python() {
    let mut checked = 0;
    for (corpus, peers, dir) in python_cases() {
        let ours = explore_in(corpus, dir, "fds");
        let Some(text) = peer_text_in(peers, dir, "x-fds.txt") else {
            assert_eq!(*dir, "tree", "only tree makes the Python CRIT fail");
            continue;
        };
        let mut pid = 0;
        let mut fds = 0;
        for line in text.lines() {
            if let Some(entry) = line.strip_prefix('\t') {
                let (fd, what) = entry.split_once(": ").unwrap();
                check_fd(dir, task(&ours, pid), fd.trim(), what);
                fds += 1;
                checked += 1;
            } else {
                pid = line.parse().unwrap();
            }
        }
        // Ours lists nothing the peer does not (fds plus cwd and root).
        let total: usize = ours["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["fds"].as_array().unwrap().len() + 2)
            .sum();
        assert_eq!(fds, total, "{dir}");
    }
    assert!(checked > 50);
}

#[test]
fn fds_match_go() {
    for dir in DIRS {
        let ours = explore(dir, "fds");
        let Some(go) = peer_json(dir, "x-fds.go.json") else {
            assert_eq!(*dir, "tree");
            continue;
        };
        for gt in go.as_array().unwrap() {
            let t = task(&ours, gt["pid"].as_u64().unwrap());
            for f in gt["files"].as_array().unwrap() {
                let fd = f["fd"].as_str().unwrap();
                check_fd(dir, t, fd, f["path"].as_str().unwrap());
                if let Some(kind) = f["type"].as_str() {
                    let n: u64 = fd.parse().unwrap();
                    let ours = t["fds"].as_array().unwrap().iter().find(|o| o["fd"] == n).unwrap();
                    assert_eq!(ours["type"], kind, "{dir} fd {fd}");
                }
            }
        }
    }
}

// ---------------------------------------------------------------- mems

/// The right resource where the peer's is wrong or vaguer. `ours` is our value.
fn mems_expected(dir: &str, peer: &str, ours: &str) -> String {
    match (dir, peer, ours) {
        // The peers call the main stack `[stack?]`; it holds the saved stack pointer.
        (_, "[stack?]", "[stack]") => ours.into(),
        // The peers leave the heap and vvar unnamed.
        (_, "", "[heap]" | "[vvar]") => ours.into(),
        // CRIU 4.2's guard ranges: the Python CRIT 4.2.1 shows only its "not
        // regular" mark.
        (_, "*", "[guard]") => ours.into(),
        // Anonymous shared memory CRIU saved as a memfd: Python finds no
        // regular file ("unknown path"), Go prints nothing.
        ("files", "unknown path (s)" | "/dev/zero (shmem) (s)", "/dev/zero (shmem) (s)") => ours.into(),
        // System V shm: the peers renumber it (from 1 or 0); we show its shmid, 0.
        ("ipc" | "restored", "ips[1]" | "ips[0]", "sysvipc[0]") => ours.into(),
        _ => peer.into(),
    }
}

#[test]
fn mems_match_python() {
    let mut checked = 0;
    for (corpus, peers, dir) in python_cases() {
        let ours = explore_in(corpus, dir, "mems");
        let Some(text) = peer_text_in(peers, dir, "x-mems.txt") else {
            assert_eq!(*dir, "tree");
            continue;
        };
        let mut pid = 0;
        let mut index = 0;
        for line in text.lines() {
            let Some(entry) = line.strip_prefix('\t') else {
                pid = line.parse().unwrap();
                index = 0;
                continue;
            };
            let t = task(&ours, pid);
            if let Some(exe) = entry.strip_prefix("exe") {
                assert_eq!(t["exe"], exe.trim(), "{dir}");
                continue;
            }
            let (range, rest) = entry.split_at(36);
            let (start, end) = range.trim().split_once('-').unwrap();
            let (prot, res) = rest.split_at(3);
            let v = &t["vmas"][index];
            index += 1;
            assert_eq!(
                (bare(&v["start"]), bare(&v["end"])),
                (start.to_string(), end.to_string()),
                "{dir}"
            );
            assert_eq!(v["prot"], prot, "{dir} {start}");
            let got = v["resource"].as_str().unwrap();
            assert_eq!(got, mems_expected(dir, res.trim_start(), got), "{dir} {start}");
            checked += 1;
        }
        assert_eq!(index, t_len(&ours, pid, "vmas"), "{dir}: same VMA count");
    }
    assert!(checked > 100);
}

fn t_len(doc: &Value, pid: u64, key: &str) -> usize {
    task(doc, pid)[key].as_array().unwrap().len()
}

#[test]
fn mems_match_go() {
    for dir in DIRS {
        let ours = explore(dir, "mems");
        let Some(go) = peer_json(dir, "x-mems.go.json") else {
            assert_eq!(*dir, "tree");
            continue;
        };
        for gt in go.as_array().unwrap() {
            let pid = gt["pid"].as_u64().unwrap();
            let t = task(&ours, pid);
            assert_eq!(t["exe"], gt["exe"]);
            let mems = gt["mems"].as_array().unwrap();
            assert_eq!(mems.len(), t_len(&ours, pid, "vmas"), "{dir}");
            for (m, v) in mems.iter().zip(t["vmas"].as_array().unwrap()) {
                assert_eq!(
                    (bare(&v["start"]), bare(&v["end"])),
                    (m["start"].as_str().unwrap().into(), m["end"].as_str().unwrap().into())
                );
                assert_eq!(v["prot"], m["protection"]);
                let got = v["resource"].as_str().unwrap();
                let mut peer = m["resource"].as_str().unwrap_or("").to_string();
                // Go drops the path of a file mapped at offset 0 (keeping a
                // ` (s)`); the Python check above has those paths.
                if let (Some(path), "0x0") = (v["path"].as_str(), v["pgoff"].as_str().unwrap()) {
                    if peer.is_empty() || peer == " (s)" {
                        peer = format!("{path}{}", peer);
                    }
                }
                assert_eq!(got, mems_expected(dir, &peer, got), "{dir} {}", m["start"]);
            }
        }
    }
}

// ---------------------------------------------------------------- rss

/// One run as the peers show it: start, pages, and its VMAs as
/// (start or `~`, pages, path).
type PeerRun = (String, u64, Vec<(String, u64, String)>);

fn python_rss(text: &str) -> Vec<(u64, Vec<PeerRun>)> {
    let mut out: Vec<(u64, Vec<PeerRun>)> = Vec::new();
    for line in text.lines() {
        let Some(entry) = line.strip_prefix('\t') else {
            out.push((line.parse().unwrap(), Vec::new()));
            continue;
        };
        let runs = &mut out.last_mut().unwrap().1;
        let mut tok = entry.split_whitespace().peekable();
        if !entry.starts_with(' ') {
            let start = tok.next().unwrap().to_string();
            tok.next(); // "/"
            runs.push((start, tok.next().unwrap().parse().unwrap(), Vec::new()));
        }
        match tok.next() {
            None => {}
            Some("~") => runs.last_mut().unwrap().2.push(("~".into(), 0, String::new())),
            Some(vma) => {
                tok.next();
                let pages = tok.next().unwrap().parse().unwrap();
                let path = tok.collect::<Vec<_>>().join(" ");
                runs.last_mut().unwrap().2.push((vma.into(), pages, path));
            }
        }
    }
    out
}

fn check_rss(dir: &str, t: &Value, runs: &[PeerRun], go: bool) {
    let ours = t["runs"].as_array().unwrap();
    assert_eq!(ours.len(), runs.len(), "{dir}: same run count");
    for (r, (start, pages, vmas)) in ours.iter().zip(runs) {
        assert_eq!(
            (&bare(&r["start"]), r["pages"].as_u64().unwrap()),
            (start, *pages),
            "{dir}"
        );
        let our_vmas = r["vmas"].as_array().unwrap();
        assert_eq!(our_vmas.len(), vmas.len(), "{dir} run {start}");
        for (v, (vstart, vpages, path)) in our_vmas.iter().zip(vmas) {
            if vstart == "~" {
                assert_eq!(v["same_as_previous"], true, "{dir} run {start}");
                continue;
            }
            assert_eq!(v["same_as_previous"], false);
            assert_eq!(
                (&bare(&v["start"]), v["pages"].as_u64().unwrap()),
                (vstart, *vpages),
                "{dir}"
            );
            let got = v["path"].as_str().unwrap_or("");
            // Go names the resource per run, not per VMA (checked by the caller).
            if !go {
                let want = if path == "unknown path" && got == "/dev/zero (shmem)" {
                    got
                } else {
                    path.as_str()
                };
                assert_eq!(got, want, "{dir} vma {vstart}");
            }
        }
    }
}

#[test]
fn rss_matches_python() {
    for (corpus, peers, dir) in python_cases() {
        let ours = explore_in(corpus, dir, "rss");
        let Some(text) = peer_text_in(peers, dir, "x-rss.txt") else {
            assert_eq!(*dir, "tree");
            continue;
        };
        for (pid, runs) in python_rss(&text) {
            let t = task(&ours, pid);
            check_rss(dir, t, &runs, false);
            let total: u64 = runs.iter().map(|r| r.1).sum();
            assert_eq!(t["present_pages"], total);
        }
    }
}

#[test]
fn rss_matches_go() {
    for dir in DIRS {
        let ours = explore(dir, "rss");
        let Some(go) = peer_json(dir, "x-rss.go.json") else {
            assert_eq!(*dir, "tree");
            continue;
        };
        for gt in go.as_array().unwrap() {
            let t = task(&ours, gt["pid"].as_u64().unwrap());
            let runs: Vec<PeerRun> = gt["rss"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    let vmas = r["vmas"].as_array().unwrap().iter().map(|v| {
                        (
                            v["addr"].as_str().unwrap().to_string(),
                            v["pages"].as_u64().unwrap_or(0),
                            String::new(),
                        )
                    });
                    (
                        r["phy_addr"].as_str().unwrap().to_string(),
                        r["phy_pages"].as_u64().unwrap(),
                        vmas.collect(),
                    )
                })
                .collect();
            check_rss(dir, t, &runs, true);
            for (r, g) in t["runs"].as_array().unwrap().iter().zip(gt["rss"].as_array().unwrap()) {
                if let Some(res) = g["resource"].as_str() {
                    let paths: Vec<&str> = r["vmas"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .filter_map(|v| v["path"].as_str())
                        .collect();
                    assert!(paths.contains(&res), "{dir}: {res} in {paths:?}");
                }
            }
        }
    }
}

// ---------------------------------------------------------------- sk

/// The Go CRIT's buffer sizes: `16.0 KB`, `3.8 MB`.
fn go_size(n: u64) -> String {
    let mut v = n as f64;
    let mut unit = "B";
    for u in ["KB", "MB", "GB"] {
        if v < 1024.0 {
            break;
        }
        v /= 1024.0;
        unit = u;
    }
    format!("{v:.1} {unit}")
}

#[test]
fn sk_matches_go() {
    let mut checked = 0;
    for dir in DIRS {
        let ours = explore(dir, "sk");
        let Some(go) = peer_json(dir, "x-sk.go.json") else {
            assert_eq!(*dir, "tree", "only tree makes the Go CRIT fail");
            continue;
        };
        let go_pids: Vec<u64> = go
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["pid"].as_u64().unwrap())
            .collect();
        for gt in go.as_array().unwrap() {
            let t = task(&ours, gt["pid"].as_u64().unwrap());
            let socks = t["sockets"].as_array().unwrap();
            assert_eq!(socks.len(), gt["sockets"].as_array().unwrap().len(), "{dir}");
            for (s, g) in socks.iter().zip(gt["sockets"].as_array().unwrap()) {
                assert_eq!(s["fd"], g["fd"]);
                let family = match g["family"].as_str() {
                    Some("IPV4") => "inet",
                    Some("IPV6") => "inet6",
                    _ => match g["fd_type"].as_str().unwrap() {
                        "UNIXSK" => "unix",
                        "NETLINKSK" => "netlink",
                        "PACKETSK" => "packet",
                        other => panic!("unknown fd_type {other}"),
                    },
                };
                assert_eq!(s["family"], family);
                if let Some(p) = g["protocol"].as_str() {
                    assert_eq!(s["protocol"], p.to_lowercase());
                }
                if let Some(k) = g["type"].as_str() {
                    assert_eq!(s["type"], k.to_lowercase());
                }
                assert_eq!(s["state"].as_str(), g["state"].as_str(), "{dir} fd {}", g["fd"]);
                match (family, g["src_addr"].as_str()) {
                    // Go prints ::1 as 0:1::.
                    ("inet6", Some("0:1::")) => assert_eq!(s["src_addr"], "::1"),
                    // Go leaves the kernel's trailing NUL in unix names.
                    ("unix", Some(name)) => assert_eq!(s["name"], name.trim_end_matches('\0')),
                    (_, Some(addr)) => assert_eq!(s["src_addr"], addr),
                    (_, None) => assert!(s["src_addr"].is_null() && s["name"].is_null()),
                }
                if let Some(p) = g.get("src_port") {
                    assert_eq!(&s["src_port"], p);
                }
                match (g["dest_addr"].as_str(), g.get("dest_port")) {
                    (Some(a), Some(p)) => {
                        assert_eq!((&s["dst_addr"], &s["dst_port"]), (&Value::from(a), p))
                    }
                    // Go prints the unspecified address of an unconnected socket; we leave it out.
                    (Some("0.0.0.0" | "::"), None) => assert!(s["dst_addr"].is_null()),
                    (None, None) => assert!(s["dst_addr"].is_null()),
                    other => panic!("{dir}: unexpected Go destination {other:?}"),
                }
                assert_eq!(
                    go_size(s["send_buf"].as_u64().unwrap()),
                    g["send_buf"].as_str().unwrap()
                );
                assert_eq!(
                    go_size(s["recv_buf"].as_u64().unwrap()),
                    g["recv_buf"].as_str().unwrap()
                );
                checked += 1;
            }
        }
        for t in ours["tasks"].as_array().unwrap() {
            if !go_pids.contains(&t["pid"].as_u64().unwrap()) {
                assert!(
                    t["sockets"].as_array().unwrap().is_empty(),
                    "{dir}: Go lists every task with sockets"
                );
            }
        }
    }
    assert_eq!(checked, 12, "the sockets of the net checkpoint");
}
