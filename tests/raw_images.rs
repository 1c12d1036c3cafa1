//! The raw images of container checkpoints (netlink dumps, ruleset text,
//! tmpfs tarballs) on the real Podman archives in `tests/fixtures/archives/`:
//! decoded as iproute2 prints them, listed and extracted safely; and the
//! archives' protobuf images decoded as the Python CRIT 4.2.1 does.

use crate::common;

use std::collections::BTreeMap;
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{crit, crit_text, fixtures, unpack_archive as unpack};
use serde_json::Value;

fn cp(tmp: &tempfile::TempDir) -> PathBuf {
    tmp.path().join("checkpoint")
}

fn decode_json(path: &Path) -> Value {
    let (out, err, ok) = crit_text(&["decode", "-i", path.to_str().unwrap()]);
    assert!(ok, "decode {}: {err}", path.display());
    serde_json::from_str(&out).unwrap()
}

/// Runs `ip ARGS < input`: its standard output.
fn ip(args: &[&str], input: &Path) -> String {
    common::need("ip", "iproute2");
    let out = Command::new("ip")
        .args(args)
        .stdin(fs::File::open(input).unwrap())
        .output()
        .expect("run ip");
    assert!(
        out.status.success(),
        "ip {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

// --- netlink dumps -------------------------------------------------------

/// The addresses of a decoded ifaddr image, as `ip -j addr showdump` names them.
fn our_addresses(json: &Value) -> Vec<BTreeMap<String, Value>> {
    json["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert_eq!(e["type"], "RTM_NEWADDR");
            let h = &e["header"];
            let a = &e["attributes"];
            let mut m = BTreeMap::new();
            m.insert("index".into(), h["index"].clone());
            m.insert("family".into(), h["family"].clone());
            m.insert("local".into(), a.get("IFA_LOCAL").unwrap_or(&a["IFA_ADDRESS"]).clone());
            m.insert("prefixlen".into(), h["prefixlen"].clone());
            m.insert("scope".into(), h["scope"].clone());
            if let Some(l) = a.get("IFA_LABEL") {
                m.insert("label".into(), l.clone());
            }
            if let Some(b) = a.get("IFA_BROADCAST") {
                m.insert("broadcast".into(), b.clone());
            }
            if let Some(c) = a.get("IFA_CACHEINFO") {
                m.insert("valid_life_time".into(), c["valid"].clone());
                m.insert("preferred_life_time".into(), c["preferred"].clone());
            }
            m
        })
        .collect()
}

fn ip_addresses(text: &str) -> Vec<BTreeMap<String, Value>> {
    let v: Value = serde_json::from_str(text).unwrap();
    let keep = [
        "index",
        "family",
        "local",
        "prefixlen",
        "scope",
        "label",
        "broadcast",
        "valid_life_time",
        "preferred_life_time",
    ];
    v.as_array()
        .unwrap()
        .iter()
        .flat_map(|x| x["addr_info"].as_array().unwrap().clone())
        .map(|a| {
            a.as_object()
                .unwrap()
                .iter()
                .filter(|(k, _)| keep.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .collect()
}

#[test]
#[ignore = "needs ip (Debian package iproute2; bash .ci/deps installs it)"]
fn ifaddr_decodes_to_what_ip_addr_showdump_prints() {
    for archive in ["crit-tree.tar.gz", "crit-httpd.tar.gz"] {
        let tmp = unpack(archive);
        let img = cp(&tmp).join("ifaddr-10.img");
        let json = decode_json(&img);
        assert_eq!(json["magic"], "IFADDR");
        let ours = our_addresses(&json);
        // What the container had: only the loopback, both families.
        assert_eq!(ours.len(), 2);
        assert_eq!(ours[0]["local"], "127.0.0.1");
        assert_eq!(ours[0]["prefixlen"], 8);
        assert_eq!(ours[0]["label"], "lo");
        assert_eq!(ours[1]["local"], "::1");
        assert_eq!(ours[1]["prefixlen"], 128);
        assert_eq!(
            json["entries"][0]["attributes"]["IFA_FLAGS"],
            serde_json::json!(["permanent"])
        );
        let text = ip(&["-j", "addr", "showdump"], &img);
        assert_eq!(ours, ip_addresses(&text), "{archive}");
    }
}

// Netlink messages built by hand, as the kernel lays them out.
fn nla(kind: u16, value: &[u8]) -> Vec<u8> {
    let len = 4 + value.len();
    let mut v = Vec::new();
    v.extend_from_slice(&(len as u16).to_le_bytes());
    v.extend_from_slice(&kind.to_le_bytes());
    v.extend_from_slice(value);
    v.resize(len.next_multiple_of(4), 0);
    v
}

fn nlmsg(kind: u16, payload: &[u8]) -> Vec<u8> {
    let mut v = Vec::new();
    v.extend_from_slice(&(16 + payload.len() as u32).to_le_bytes());
    v.extend_from_slice(&kind.to_le_bytes());
    v.extend_from_slice(&2u16.to_le_bytes()); // NLM_F_MULTI
    v.extend_from_slice(&7u32.to_le_bytes());
    v.extend_from_slice(&0u32.to_le_bytes());
    v.extend_from_slice(payload);
    v
}

/// `rtmsg` then attributes: table, dst, gateway, prefsrc, priority, oif, pref.
#[allow(clippy::too_many_arguments)]
fn route(
    family: u8,
    dst: Option<(&str, u8)>,
    table: u8,
    proto: u8,
    scope: u8,
    kind: u8,
    gw: Option<&str>,
    src: Option<&str>,
    metric: Option<u32>,
    pref: Option<u8>,
) -> Vec<u8> {
    let addr = |s: &str| -> Vec<u8> {
        match s.parse::<std::net::IpAddr>().unwrap() {
            std::net::IpAddr::V4(a) => a.octets().to_vec(),
            std::net::IpAddr::V6(a) => a.octets().to_vec(),
        }
    };
    let dst_len = dst.map_or(0, |(_, l)| l);
    let mut p = vec![family, dst_len, 0, 0, table, proto, scope, kind, 0, 0, 0, 0];
    p.extend(nla(15, &u32::from(table).to_le_bytes()));
    if let Some((d, _)) = dst {
        p.extend(nla(1, &addr(d)));
    }
    if let Some(m) = metric {
        p.extend(nla(6, &m.to_le_bytes()));
    }
    if let Some(g) = gw {
        p.extend(nla(5, &addr(g)));
    }
    if let Some(s) = src {
        p.extend(nla(7, &addr(s)));
    }
    // An ifindex no machine has, so `ip` prints it as `if4242`.
    p.extend(nla(4, &4242u32.to_le_bytes()));
    if let Some(x) = pref {
        p.extend(nla(20, &[x]));
    }
    nlmsg(24, &p)
}

fn image(magic: u32, msgs: &[Vec<u8>]) -> Vec<u8> {
    let mut v = magic.to_le_bytes().to_vec();
    for m in msgs {
        v.extend_from_slice(m);
    }
    v
}

/// One `ip route showdump` line as key → value (`dst`, `type`, `via`, …).
fn ip_route_fields(line: &str) -> BTreeMap<String, String> {
    const TYPES: [&str; 8] = [
        "local",
        "broadcast",
        "anycast",
        "multicast",
        "blackhole",
        "unreachable",
        "prohibit",
        "throw",
    ];
    let mut words = line.split_whitespace().peekable();
    let mut m = BTreeMap::new();
    if let Some(w) = words.peek().filter(|w| TYPES.contains(w)) {
        m.insert("type".into(), w.to_string());
        words.next();
    }
    m.insert("dst".into(), words.next().unwrap().to_string());
    while let Some(k) = words.next() {
        let v = words.next().unwrap_or_default();
        m.insert(k.to_string(), v.to_string());
    }
    m
}

/// Our decoded route in the same terms, leaving out what `ip` leaves out
/// (unicast type, main table, boot protocol, global scope).
fn our_route_fields(e: &Value) -> BTreeMap<String, String> {
    assert_eq!(e["type"], "RTM_NEWROUTE");
    let (h, a) = (&e["header"], &e["attributes"]);
    let full = if h["family"] == "inet" { 32 } else { 128 };
    let s = |v: &Value| v.as_str().map_or_else(|| v.to_string(), str::to_string);
    let mut m = BTreeMap::new();
    let dst = match a.get("RTA_DST") {
        None => "default".to_string(),
        Some(d) if h["dst_len"] == full => s(d),
        Some(d) => format!("{}/{}", s(d), h["dst_len"]),
    };
    m.insert("dst".into(), dst);
    if h["type"] != "unicast" {
        m.insert("type".into(), s(&h["type"]));
    }
    if let Some(g) = a.get("RTA_GATEWAY") {
        m.insert("via".into(), s(g));
    }
    m.insert("dev".into(), format!("if{}", a["RTA_OIF"]));
    let table = a.get("RTA_TABLE").unwrap_or(&h["table"]);
    match table.as_u64().unwrap() {
        254 => {}
        255 => drop(m.insert("table".into(), "local".into())),
        n => drop(m.insert("table".into(), n.to_string())),
    }
    if h["protocol"] != "boot" {
        m.insert("proto".into(), s(&h["protocol"]));
    }
    if h["scope"] != "global" {
        m.insert("scope".into(), s(&h["scope"]));
    }
    if let Some(x) = a.get("RTA_PREFSRC") {
        m.insert("src".into(), s(x));
    }
    if let Some(x) = a.get("RTA_PRIORITY") {
        m.insert("metric".into(), x.to_string());
    }
    if let Some(x) = a.get("RTA_PREF") {
        let p = match x.as_u64().unwrap() {
            0 => "medium",
            1 => "high",
            3 => "low",
            _ => "?",
        };
        m.insert("pref".into(), p.into());
    }
    m
}

#[test]
#[ignore = "needs ip (Debian package iproute2; bash .ci/deps installs it)"]
fn routes_decode_to_what_ip_route_showdump_prints() {
    let tmp = tempfile::tempdir().unwrap();
    let v4 = tmp.path().join("route-7.img");
    fs::write(
        &v4,
        image(
            0x4531_1224,
            &[
                route(2, None, 254, 4, 0, 1, Some("10.0.0.1"), None, Some(100), None),
                route(
                    2,
                    Some(("10.0.0.0", 24)),
                    254,
                    2,
                    253,
                    1,
                    None,
                    Some("10.0.0.5"),
                    None,
                    None,
                ),
                route(
                    2,
                    Some(("10.0.0.5", 32)),
                    255,
                    2,
                    254,
                    2,
                    None,
                    Some("10.0.0.5"),
                    None,
                    None,
                ),
            ],
        ),
    )
    .unwrap();
    let v6 = tmp.path().join("route6-7.img");
    fs::write(
        &v6,
        image(
            0x4531_1224,
            &[
                route(10, Some(("fd00::", 64)), 254, 2, 0, 1, None, None, Some(256), Some(0)),
                route(10, None, 254, 3, 0, 1, Some("fe80::1"), None, Some(1024), None),
            ],
        ),
    )
    .unwrap();
    for (img, magic, n) in [(&v4, "ROUTE", 3), (&v6, "ROUTE6", 2)] {
        let json = decode_json(img);
        assert_eq!(json["magic"], magic);
        let ours: Vec<_> = json["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(our_route_fields)
            .collect();
        assert_eq!(ours.len(), n);
        let text = ip(&["route", "showdump"], img);
        let theirs: Vec<_> = text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(ip_route_fields)
            .collect();
        assert_eq!(ours, theirs, "{}", img.display());
    }
    // Exact values, whatever `ip` says.
    let json = decode_json(&v4);
    let e = &json["entries"][0];
    assert_eq!(e["header"]["protocol"], "static");
    assert_eq!(e["attributes"]["RTA_GATEWAY"], "10.0.0.1");
    assert_eq!(e["attributes"]["RTA_PRIORITY"], 100);
    assert_eq!(json["entries"][1]["attributes"]["RTA_DST"], "10.0.0.0");
    assert_eq!(json["entries"][1]["header"]["scope"], "link");
}

#[test]
#[ignore = "needs ip (Debian package iproute2; bash .ci/deps installs it)"]
fn the_archives_route_images_are_empty_and_rules_are_the_defaults() {
    let tmp = unpack("crit-tree.tar.gz");
    for img in ["route-10.img", "route6-10.img"] {
        let path = cp(&tmp).join(img);
        assert_eq!(decode_json(&path)["entries"], serde_json::json!([]));
        assert_eq!(ip(&["route", "showdump"], &path), "");
    }
    // `ip rule` has no showdump: these are the three rules every namespace starts with.
    let json = decode_json(&cp(&tmp).join("rule-10.img"));
    let rules: Vec<(u64, u64, &str)> = json["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert_eq!(e["type"], "RTM_NEWRULE");
            assert_eq!(e["header"]["action"], "to_tbl");
            assert_eq!(e["attributes"]["FRA_PROTOCOL"], "kernel");
            (
                e["attributes"].get("FRA_PRIORITY").map_or(0, |p| p.as_u64().unwrap()),
                e["attributes"]["FRA_TABLE"].as_u64().unwrap(),
                e["header"]["family"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(rules, [(0, 255, "inet"), (32766, 254, "inet"), (32767, 253, "inet")]);
}

#[test]
fn broken_netlink_images_fail_in_one_line() {
    let tmp = unpack("crit-tree.tar.gz");
    let good = fs::read(cp(&tmp).join("ifaddr-10.img")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (good[..good.len() - 10].to_vec(), "runs past the end of the file"),
        (good[..10].to_vec(), "file ends inside a message header"),
        (
            [&good[..4], &[8, 0, 0, 0, 20, 0][..], &[0; 10][..]].concat(),
            "shorter than its 16-byte header",
        ),
        (
            [&good[..4], &nlmsg(20, &[2, 8])[..]].concat(),
            "malformed RTM_NEWADDR payload",
        ),
    ];
    for (bytes, want) in cases {
        let path = dir.path().join("ifaddr-3.img");
        fs::write(&path, &bytes).unwrap();
        let out = crit(&["decode", "-i", path.to_str().unwrap()]);
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains("ifaddr-3.img") && err.contains(want), "{err}");
    }
    // A netlink name with a magic that is no netlink dump's.
    let path = dir.path().join("rule-3.img");
    fs::write(&path, [&[0xef, 0xbe, 0xad, 0xde][..], &good[4..]].concat()).unwrap();
    let (_, err, ok) = crit_text(&["decode", "-i", path.to_str().unwrap()]);
    assert!(!ok && err.contains("not RULE's"), "{err}");
}

// --- ruleset text ----------------------------------------------------------

#[test]
fn rulesets_decode_as_text_and_empty_ones_do_not_fail() {
    let tmp = unpack("crit-tree.tar.gz");
    let nft = cp(&tmp).join("nftables-10.img");
    let json = decode_json(&nft);
    assert_eq!(json["magic"], "NFTABLES");
    let text = json["text"].as_str().unwrap();
    assert_eq!(text.as_bytes(), fs::read(&nft).unwrap());
    assert_eq!(text.lines().count(), 32);
    assert!(text
        .starts_with("table ip filter {\n\tchain CRIU {\n\t\tmeta mark 0x0000c114 counter packets 0 bytes 0 accept\n"));
    assert!(text.contains("table ip6 filter {\n"));
    for (img, magic) in [("iptables-10.img", "IPTABLES"), ("ip6tables-10.img", "IP6TABLES")] {
        let path = cp(&tmp).join(img);
        assert_eq!(fs::metadata(&path).unwrap().len(), 0);
        let (out, err, ok) = crit_text(&["decode", "-i", path.to_str().unwrap()]);
        assert!(ok, "{err}");
        assert_eq!(out, format!("{{\"magic\": \"{magic}\", \"text\": \"\"}}\n"));
    }
}

#[test]
fn info_recognises_every_raw_image() {
    let tmp = unpack("crit-tree.tar.gz");
    let info = |img: &str| -> Value {
        let (out, err, ok) = crit_text(&["info", cp(&tmp).join(img).to_str().unwrap()]);
        assert!(ok, "{img}: {err}");
        serde_json::from_str(&out).unwrap()
    };
    let want = [
        ("ifaddr-10.img", "IFADDR", 2, 156),
        ("route-10.img", "ROUTE", 0, 0),
        ("route6-10.img", "ROUTE6", 0, 0),
        ("rule-10.img", "RULE", 3, 172),
        ("iptables-10.img", "IPTABLES", 0, 0),
        ("ip6tables-10.img", "IP6TABLES", 0, 0),
        ("nftables-10.img", "NFTABLES", 32, 713),
        ("tmpfs-dev-81.tar.gz.img", "TMPFS_DEV", 2, 16),
        ("tmpfs-dev-83.tar.gz.img", "TMPFS_DEV", 16, 0),
    ];
    for (img, magic, count, size) in want {
        assert_eq!(
            info(img),
            serde_json::json!({"magic": magic, "count": count, "size": size}),
            "{img}"
        );
    }
}

#[test]
fn encoding_a_raw_image_is_refused_in_one_line() {
    let tmp = unpack("crit-tree.tar.gz");
    for img in ["rule-10.img", "nftables-10.img", "tmpfs-dev-81.tar.gz.img"] {
        let out = crit(&["decode", "-i", cp(&tmp).join(img).to_str().unwrap()]);
        assert!(out.status.success());
        let back = common::crit_stdin(&["encode"], &out.stdout);
        let err = String::from_utf8(back.stderr).unwrap();
        assert_eq!(back.status.code(), Some(1));
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.contains("is a raw image") && err.contains("does not encode it back"),
            "{err}"
        );
    }
}

#[test]
fn raw_images_are_recognised_on_standard_input_by_magic_or_gzip() {
    let tmp = unpack("crit-tree.tar.gz");
    for (img, magic) in [("rule-10.img", "RULE"), ("tmpfs-dev-81.tar.gz.img", "TMPFS_DEV")] {
        let bytes = fs::read(cp(&tmp).join(img)).unwrap();
        let out = common::crit_stdin(&["decode"], &bytes);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["magic"], magic);
        let file = decode_json(&cp(&tmp).join(img));
        assert_eq!(v, file);
    }
}

// --- tmpfs tarballs -------------------------------------------------------

fn members(json: &Value) -> Vec<(String, String, u64, u64)> {
    json["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["path"].as_str().unwrap().to_string(),
                e["type"].as_str().unwrap().to_string(),
                e["size"].as_u64().unwrap(),
                e["mode"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn tmpfs_images_list_their_files() {
    let tmp = unpack("crit-tree.tar.gz");
    // The container's `--tmpfs /scratch` (root_dev 0:81 in mountpoints-13.img) held one file.
    let scratch = decode_json(&cp(&tmp).join("tmpfs-dev-81.tar.gz.img"));
    assert_eq!(scratch["magic"], "TMPFS_DEV");
    assert_eq!(
        members(&scratch),
        [
            ("./".to_string(), "dir".to_string(), 0, 0o1777),
            ("./s".to_string(), "file".to_string(), 16, 0o644)
        ]
    );
    assert_eq!(scratch["entries"][1]["uid"], 0);
    assert!(scratch["entries"][1]["mtime"].as_u64().unwrap() > 1_700_000_000);
    // Its /dev: links and device nodes.
    let dev = decode_json(&cp(&tmp).join("tmpfs-dev-83.tar.gz.img"));
    let e = &dev["entries"].as_array().unwrap();
    assert_eq!(e.len(), 16);
    let by_path = |p: &str| e.iter().find(|x| x["path"] == p).unwrap().clone();
    assert_eq!(by_path("./ptmx")["target"], "pts/ptmx");
    assert_eq!(by_path("./null")["type"], "char");
    assert_eq!(by_path("./null")["device"], "1:3");
    assert_eq!(by_path("./shm/")["type"], "dir");
    // `--pretty` shows modes in octal.
    let (out, _, ok) = crit_text(&["show", cp(&tmp).join("tmpfs-dev-81.tar.gz.img").to_str().unwrap()]);
    assert!(
        ok && out.contains("\"mode\": \"1777\"") && out.contains("\"mode\": \"0644\""),
        "{out}"
    );
    // The same list as `tar` prints (tar is in every Debian system).
    let o = Command::new("tar")
        .args(["-tzf", cp(&tmp).join("tmpfs-dev-83.tar.gz.img").to_str().unwrap()])
        .output()
        .expect("run tar");
    let listed: Vec<String> = String::from_utf8(o.stdout).unwrap().lines().map(String::from).collect();
    let ours: Vec<String> = members(&dev).into_iter().map(|m| m.0).collect();
    assert_eq!(ours, listed);
}

/// `crit decode -i IMG --extract DEST`.
fn decode_extract(img: &Path, dest: &Path) -> (String, String, bool) {
    crit_text(&[
        "decode",
        "-i",
        img.to_str().unwrap(),
        "--extract",
        dest.to_str().unwrap(),
    ])
}

#[test]
fn extract_unpacks_into_the_named_directory() {
    let tmp = unpack("crit-tree.tar.gz");
    let out_dir = tempfile::tempdir().unwrap();
    let dest = out_dir.path().join("scratch");
    let img = cp(&tmp).join("tmpfs-dev-81.tar.gz.img");
    let (json, err, ok) = decode_extract(&img, &dest);
    assert!(ok, "{err}");
    assert_eq!(serde_json::from_str::<Value>(&json).unwrap(), decode_json(&img));
    // The file's bytes are the archive's.
    let mut want = Vec::new();
    let mut a = tar::Archive::new(flate2::read::GzDecoder::new(fs::File::open(&img).unwrap()));
    for e in a.entries().unwrap() {
        let mut e = e.unwrap();
        if e.path().unwrap().ends_with("s") {
            e.read_to_end(&mut want).unwrap();
        }
    }
    assert_eq!(want.len(), 16);
    assert_eq!(fs::read(dest.join("s")).unwrap(), want);
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        fs::metadata(dest.join("s")).unwrap().permissions().mode() & 0o7777,
        0o644
    );
    // A new directory takes the archive root's 1777 less the umask, as `tar -x` gives it.
    assert_eq!(
        fs::metadata(&dest).unwrap().permissions().mode() & 0o7777,
        0o1777 & !common::umask()
    );
    // Nothing else was left beside it (no temporary directory).
    assert_eq!(fs::read_dir(out_dir.path()).unwrap().count(), 1);

    // /dev: the inner link is made, links out and device nodes are listed as skipped.
    let dest = out_dir.path().join("dev");
    let img = cp(&tmp).join("tmpfs-dev-83.tar.gz.img");
    let (_, err, ok) = crit_text(&["show", img.to_str().unwrap(), "--extract", dest.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert_eq!(fs::read_link(dest.join("ptmx")).unwrap(), Path::new("pts/ptmx"));
    assert!(fs::symlink_metadata(dest.join("core")).is_err());
    assert!(fs::symlink_metadata(dest.join("null")).is_err());
    assert!(dest.join("shm").is_dir());
    assert!(
        err.contains(r#""./core" -> "/proc/kcore" (a symbolic link out of the directory)"#),
        "{err}"
    );
    assert!(err.contains(r#""./null" (char: listed, not created)"#), "{err}");
    // Not into a directory that has something in it, and only for tmpfs images.
    let (_, err, ok) = crit_text(&[
        "show",
        img.to_str().unwrap(),
        "--extract",
        out_dir.path().to_str().unwrap(),
    ]);
    assert!(!ok && err.contains("not empty"), "{err}");
    let nft = cp(&tmp).join("nftables-10.img");
    let (_, err, ok) = crit_text(&[
        "show",
        nft.to_str().unwrap(),
        "--extract",
        dest.join("x").to_str().unwrap(),
    ]);
    assert!(
        !ok && err.contains("--extract unpacks tmpfs-dev-N.tar.gz.img images"),
        "{err}"
    );
}

/// A tar member: path, type, link target, contents.
type Member<'a> = (&'a str, tar::EntryType, &'a str, &'a [u8]);

/// A gzip'd tar with members written header by header, so hostile names
/// (which the `tar` crate's builder refuses) can be made.
fn hostile_tar(members: &[Member]) -> Vec<u8> {
    let mut raw = Vec::new();
    for (path, kind, link, data) in members {
        let mut h = tar::Header::new_gnu();
        {
            let name = &mut h.as_old_mut().name;
            name.fill(0);
            name[..path.len()].copy_from_slice(path.as_bytes());
            let ln = &mut h.as_old_mut().linkname;
            ln.fill(0);
            ln[..link.len()].copy_from_slice(link.as_bytes());
        }
        h.set_entry_type(*kind);
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_uid(0);
        h.set_gid(0);
        h.set_mtime(1_700_000_000);
        h.set_cksum();
        raw.extend_from_slice(h.as_bytes());
        raw.extend_from_slice(data);
        raw.resize(raw.len().next_multiple_of(512), 0);
    }
    raw.extend_from_slice(&[0; 1024]);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&raw).unwrap();
    gz.finish().unwrap()
}

#[test]
fn extract_refuses_hostile_members() {
    use tar::EntryType::{Directory, Link, Regular, Symlink};
    let area = tempfile::tempdir().unwrap();
    let outside = area.path().join("outside");
    fs::create_dir(&outside).unwrap();
    let cases: Vec<(&str, Vec<Member>, &str)> = vec![
        (
            "dotdot",
            vec![("./ok", Regular, "", b"fine"), ("../evil", Regular, "", b"x")],
            "`..`",
        ),
        ("deep-dotdot", vec![("./a/../../evil", Regular, "", b"x")], "`..`"),
        ("absolute", vec![("/tmp/crit-evil-abs", Regular, "", b"x")], "absolute"),
        ("hardlink-out", vec![("./pw", Link, "/etc/passwd", b"")], "hard link"),
        (
            "hardlink-up",
            vec![("./pw", Link, "../outside/secret", b"")],
            "hard link",
        ),
        (
            "through-link",
            vec![
                ("./d/", Directory, "", b""),
                ("./l", Symlink, "d", b""),
                ("./l/x", Regular, "", b"x"),
            ],
            "through a symbolic link",
        ),
        (
            "twice",
            vec![("./f", Regular, "", b"1"), ("./f", Regular, "", b"2")],
            "given twice",
        ),
    ];
    fs::write(outside.join("secret"), b"secret").unwrap();
    for (name, members, want) in cases {
        let img = area.path().join(format!("tmpfs-dev-{}.tar.gz.img", name.len()));
        fs::write(&img, hostile_tar(&members)).unwrap();
        let work = area.path().join("work");
        fs::create_dir_all(&work).unwrap();
        let dest = work.join("dest");
        let out = crit(&[
            "decode",
            "-i",
            img.to_str().unwrap(),
            "--extract",
            dest.to_str().unwrap(),
        ]);
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(1), "{name}: {err}");
        assert_eq!(err.lines().count(), 1, "{name}: {err}");
        assert!(
            err.contains(want) && err.contains("nothing was extracted"),
            "{name}: {err}"
        );
        // Nothing anywhere: no DIR, no temporary directory, nothing outside.
        assert_eq!(fs::read_dir(&work).unwrap().count(), 0, "{name}");
        assert!(!area.path().join("evil").exists() && !Path::new("/tmp/crit-evil-abs").exists());
        assert_eq!(fs::read_dir(&outside).unwrap().count(), 1, "{name}");
        // Listing the same image is fine: it is only refused as something to write.
        assert!(
            crit(&["decode", "-i", img.to_str().unwrap()]).status.success(),
            "{name}"
        );
    }
    // A link out is not made, and a later member of that name is a plain directory inside.
    let img = area.path().join("tmpfs-dev-1.tar.gz.img");
    fs::write(
        &img,
        hostile_tar(&[
            ("./esc", Symlink, "../outside", b""),
            ("./esc/x", Regular, "", b"inside"),
        ]),
    )
    .unwrap();
    let dest = area.path().join("dest2");
    let (_, err, ok) = decode_extract(&img, &dest);
    assert!(ok, "{err}");
    assert!(err.contains("\"./esc\" -> \"../outside\""), "{err}");
    assert!(fs::symlink_metadata(dest.join("esc")).unwrap().is_dir());
    assert_eq!(fs::read(dest.join("esc/x")).unwrap(), b"inside");
    assert_eq!(fs::read_dir(&outside).unwrap().count(), 1);
}

#[test]
fn broken_tmpfs_images_fail_in_one_line() {
    let tmp = unpack("crit-tree.tar.gz");
    let good = fs::read(cp(&tmp).join("tmpfs-dev-83.tar.gz.img")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut corrupt = good.clone();
    corrupt[40] ^= 0xff;
    for bytes in [good[..good.len() / 2].to_vec(), corrupt, b"\x1f\x8bnot gzip".to_vec()] {
        let path = dir.path().join("tmpfs-dev-5.tar.gz.img");
        fs::write(&path, &bytes).unwrap();
        let out = crit(&["decode", "-i", path.to_str().unwrap()]);
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains("tmpfs-dev-5.tar.gz.img"), "{err}");
    }
}

// --- the archives' protobuf images against the Python CRIT 4.2.1 ---------

/// `tests/fixtures/peers-4.2.1-archives.tar.gz`: the Python CRIT 4.2.1's
/// decode, `--pretty` decode and info of each image, by `ARCHIVE/IMAGE.SUFFIX`.
fn python_crit_421() -> BTreeMap<String, String> {
    let f = fs::File::open(fixtures().join("peers-4.2.1-archives.tar.gz")).unwrap();
    let mut a = tar::Archive::new(flate2::read::GzDecoder::new(f));
    let mut out = BTreeMap::new();
    for e in a.entries().unwrap() {
        let mut e = e.unwrap();
        let name = e.path().unwrap().to_str().unwrap().to_string();
        let mut s = String::new();
        e.read_to_string(&mut s).unwrap();
        out.insert(name, s);
    }
    out
}

#[test]
fn archive_images_decode_as_the_python_crit_421_does() {
    let refs = python_crit_421();
    let mut checked = 0;
    for (archive, dir) in [
        ("crit-tree.tar.gz", "crit-tree-gz"),
        ("crit-httpd.tar.gz", "crit-httpd-gz"),
    ] {
        let tmp = unpack(archive);
        let images: Vec<String> = refs
            .keys()
            .filter_map(|k| k.strip_prefix(&format!("{dir}/")))
            .filter_map(|k| k.strip_suffix(".info.json"))
            .map(String::from)
            .collect();
        let want = if dir == "crit-tree-gz" { 41 } else { 17 };
        assert_eq!(images.len(), want, "{dir}: {images:?}");
        for img in images {
            let path = cp(&tmp).join(&img);
            let p = path.to_str().unwrap();
            for (args, suffix) in [
                (vec!["decode", "-i", p], "json"),
                (vec!["decode", "--pretty", "-i", p], "pretty.json"),
                (vec!["info", p], "info.json"),
            ] {
                let want = &refs[&format!("{dir}/{img}.{suffix}")];
                let (got, err, ok) = crit_text(&args);
                assert!(ok, "{args:?}: {err}");
                // The Python CRIT's decode ends without a newline; ours adds one.
                assert_eq!(
                    got.trim_end_matches('\n'),
                    want.trim_end_matches('\n'),
                    "{dir}/{img} {suffix}"
                );
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 3 * (41 + 17));
}
