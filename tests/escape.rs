//! A checkpoint is untrusted: a task name, a path, a socket name, argv or the
//! environment may hold ESC, BEL or a newline. This copies the `net` corpus
//! checkpoint, rewrites its images with our own encoder so those strings hold
//! control characters (and argv/env an invalid UTF-8 byte), and checks that
//! every explorer's table and task heading, `mem args`/`env`/`search`, wrapped
//! or not, show them escaped and never raw, while JSON keeps them exact.

use crate::common;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use crit::image::{read_all, read_first, write_entry, write_header};
use crit::proto::{CoreEntry, FileEntry};
use prost::Message;

const COMM: &str = "n\x1b[31mt\x07\nX";
const COMM_SHOWN: &str = "n\\x1b[31mt\\a\\nX";
const DEV_NULL: &str = "/dev/\x1b]0;pwned\x07null\nfake";
const DEV_NULL_SHOWN: &str = "/dev/\\x1b]0;pwned\\anull\\nfake";
const EXE: &str = "/usr/local/bin/cw\x1b[2Jork";
const EXE_SHOWN: &str = "/usr/local/bin/cw\\x1b[2Jork";
const SOCK: &[u8] = b"/tmp/\x1bsock\n\\";
const SOCK_SHOWN: &str = "/tmp/\\x1bsock\\n\\\\";

fn rewrite<M: Message>(path: &Path, magic: &str, entries: &[M]) {
    let mut out = BufWriter::new(File::create(path).unwrap());
    write_header(&mut out, magic).unwrap();
    for e in entries {
        write_entry(&mut out, &e.encode_to_vec()).unwrap();
    }
    out.flush().unwrap();
}

/// Replaces `from` by `to` (same length) in a file of raw pages.
fn patch(path: &Path, from: &[u8], to: &[u8]) {
    assert_eq!(from.len(), to.len());
    let mut data = std::fs::read(path).unwrap();
    let at = data
        .windows(from.len())
        .position(|w| w == from)
        .unwrap_or_else(|| panic!("{} lacks {:?}", path.display(), String::from_utf8_lossy(from)));
    data[at..at + to.len()].copy_from_slice(to);
    std::fs::write(path, data).unwrap();
}

/// The `net` checkpoint with control characters in its strings.
fn hostile_checkpoint() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let src = common::fixtures().join("corpus/net");
    for e in std::fs::read_dir(&src).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), tmp.path().join(e.file_name())).unwrap();
    }
    let d = tmp.path();
    let mut core: CoreEntry = read_first(d.join("core-20955.img")).unwrap();
    core.tc.as_mut().unwrap().comm = COMM.into();
    rewrite(&d.join("core-20955.img"), "CORE", &[core]);

    let mut files: Vec<FileEntry> = read_all(d.join("files.img")).unwrap();
    for f in &mut files {
        if let Some(reg) = f.reg.as_mut() {
            match reg.name.as_str() {
                "/dev/null" => reg.name = DEV_NULL.into(),
                "/usr/local/bin/cwork" => reg.name = EXE.into(),
                _ => {}
            }
        }
        if let Some(u) = f.usk.as_mut() {
            if u.name.starts_with(b"/tmp/crit-net.sock") {
                u.name = SOCK.to_vec();
            }
        }
    }
    rewrite(&d.join("files.img"), "FILES", &files);

    // argv[1] and two environment variables, in the pages themselves.
    let pages = d.join("pages-1.img");
    patch(
        &pages,
        b"/usr/local/bin/cwork\0net\0",
        b"/usr/local/bin/cwork\0\x1b\x07\n\0",
    );
    patch(&pages, b"HOME=/root\0", b"HOME=\x07\x1b\n\xfft\0");
    tmp
}

fn run(args: &[&str]) -> String {
    let out = common::crit(args);
    assert!(
        out.status.success(),
        "crit {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap_or_else(|e| panic!("crit {args:?}: not UTF-8: {e}"))
}

/// No control character but the line ends.
fn assert_no_raw_controls(what: &str, text: &str) {
    for (n, line) in text.lines().enumerate() {
        assert!(
            !line.chars().any(|c| c.is_control()),
            "{what}: line {}: raw control character in {line:?}",
            n + 1
        );
    }
}

#[test]
fn explorers_escape_control_characters() {
    let tmp = hostile_checkpoint();
    let dir = tmp.path().to_str().unwrap();
    let heading = format!("20955 {COMM_SHOWN}");
    for width in [None, Some("80"), Some("40")] {
        let x = |what: &str| {
            let mut args = vec!["x", dir, what, "--color", "never"];
            if let Some(w) = width {
                args.extend(["--width", w]);
            }
            let out = run(&args);
            assert_no_raw_controls(&format!("x {what} (width {width:?})"), &out);
            out
        };
        let ps = x("ps");
        assert!(ps.lines().nth(1).unwrap().ends_with(COMM_SHOWN), "{ps}");
        let fds = x("fds");
        assert_eq!(fds.lines().next(), Some(heading.as_str()), "{fds}");
        let mems = x("mems");
        assert_eq!(
            mems.lines().next(),
            Some(format!("{heading}: exe {EXE_SHOWN}").as_str()),
            "{mems}"
        );
        let rss = x("rss");
        assert!(rss.starts_with(&format!("{heading}: ")), "{rss}");
        let sk = x("sk");
        assert_eq!(sk.lines().next(), Some(heading.as_str()), "{sk}");
        if width.is_none() {
            // Unwrapped, each record is whole on its line.
            assert_eq!(fds.matches(DEV_NULL_SHOWN).count(), 3, "{fds}");
            assert!(fds.contains(&format!("unix[29139 (0) {SOCK_SHOWN}]")), "{fds}");
            assert!(mems.contains(EXE_SHOWN), "{mems}");
            assert!(rss.contains(EXE_SHOWN), "{rss}");
            assert!(sk.contains(SOCK_SHOWN), "{sk}");
        }
    }
}

#[test]
fn colour_does_not_let_control_characters_through() {
    let tmp = hostile_checkpoint();
    let dir = tmp.path().to_str().unwrap();
    for what in ["ps", "fds", "mems", "rss", "sk"] {
        let out = run(&["x", dir, what, "--color", "always"]);
        // Colour adds ESC, always as the start of an SGR sequence (ESC [ … m);
        // the comm's own ESC would be followed by "[31m" too, so look for
        // its BEL and newline, and for the escaped form.
        assert!(!out.contains('\x07'), "x {what}: raw BEL: {out:?}");
        assert!(out.contains(COMM_SHOWN), "x {what}: {out:?}");
    }
}

#[test]
fn json_keeps_the_strings_exact() {
    let tmp = hostile_checkpoint();
    let dir = tmp.path().to_str().unwrap();
    let ps: serde_json::Value = serde_json::from_str(&run(&["x", dir, "ps", "--format", "json"])).unwrap();
    assert_eq!(ps["tasks"][0]["comm"], COMM);
    let fds: serde_json::Value = serde_json::from_str(&run(&["x", dir, "fds", "--format", "json"])).unwrap();
    assert_eq!(fds["tasks"][0]["fds"][0]["path"], DEV_NULL);
    let mems: serde_json::Value = serde_json::from_str(&run(&["x", dir, "mems", "--format", "json"])).unwrap();
    assert_eq!(mems["tasks"][0]["exe"], EXE);
    let sk: serde_json::Value = serde_json::from_str(&run(&["x", dir, "sk", "--format", "json"])).unwrap();
    let names: Vec<&str> = sk["tasks"][0]["sockets"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["name"].as_str())
        .collect();
    assert_eq!(names, ["/tmp/\x1bsock\n\\"]);
    let args: Vec<String> = serde_json::from_str(&run(&["mem", dir, "args", "--format", "json"])).unwrap();
    assert_eq!(args, ["/usr/local/bin/cwork", "\x1b\x07\n"]);
}

#[test]
fn memory_text_is_escaped() {
    let tmp = hostile_checkpoint();
    let dir = tmp.path().to_str().unwrap();
    let args = run(&["mem", dir, "args"]);
    assert_eq!(args, "/usr/local/bin/cwork\n\\x1b\\a\\n\n");
    let env = run(&["mem", dir, "env"]);
    assert_no_raw_controls("mem env", &env);
    assert!(env.lines().any(|l| l == "HOME=\\a\\x1b\\n\\xfft"), "{env}");
    for color in ["never", "always"] {
        let found = run(&["mem", dir, "search", "HOME=", "--color", color]);
        assert!(!found.contains('\x07') && !found.contains("\n\u{ff}"), "{found:?}");
        assert_eq!(found.lines().count(), 1, "{found:?}");
    }
}

#[test]
fn overview_and_inspect_escape_control_characters() {
    let tmp = hostile_checkpoint();
    let dir = tmp.path().to_str().unwrap();
    // argv[1] is ESC BEL newline; the overview's COMMAND is the command line.
    let command = "/usr/local/bin/cwork \\x1b\\a\\n";
    for width in [None, Some("80")] {
        let mut args = vec!["x", dir, "--color", "never"];
        if let Some(w) = width {
            args.extend(["--width", w]);
        }
        let out = run(&args);
        assert_no_raw_controls(&format!("x (width {width:?})"), &out);
        assert!(out.lines().nth(2).unwrap().ends_with(command), "{out}");
    }
    for color in ["never", "always"] {
        let out = run(&["inspect", dir, "--color", color]);
        assert!(!out.contains('\x07') && !out.contains("\nX"), "{out:?}");
        if color == "never" {
            assert_no_raw_controls("inspect", &out);
            assert!(
                out.contains("20955     0  alive  /usr/local/bin/cwork \"\\x1b\\a\\n\"\n"),
                "{out}"
            );
        }
    }
}
