//! Issue 12: what a person investigating a checkpoint needs. `--pid` on the
//! explorers, folded hexdumps, memory gaps that say what they are, memory
//! filters, the overview, richer fds. Exact values from the corpus.

use crate::common;

use common::{crit_text, fixtures};

fn cp(name: &str) -> String {
    fixtures().join("corpus").join(name).display().to_string()
}

fn ok(args: &[&str]) -> (String, String) {
    let (out, err, success) = crit_text(args);
    assert!(success, "crit {args:?} failed: {err}");
    (out, err)
}

fn pids(json: &str) -> Vec<u64> {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    v["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["pid"].as_u64().unwrap())
        .collect()
}

#[test]
fn pid_selects_one_task_on_every_explorer() {
    let tree = cp("tree");
    for what in ["ps", "fds", "mems", "rss", "sk"] {
        let (out, err) = ok(&["x", &tree, what, "--pid", "20886", "--format", "json"]);
        assert_eq!(pids(&out), [20886], "x {what} --pid");
        assert_eq!(err, "");
    }
}

#[test]
fn pid_with_tree_keeps_the_subtree_in_tree_order() {
    let tree = cp("tree");
    let (out, _) = ok(&["x", &tree, "ps", "--pid", "20886", "--tree", "--format", "json"]);
    assert_eq!(pids(&out), [20886, 20888]);
    let (out, _) = ok(&["x", &tree, "fds", "--pid", "20884", "--tree", "--format", "json"]);
    assert_eq!(pids(&out), [20884, 20885, 20886, 20888, 20887]);
    let (out, _) = ok(&["x", &tree, "ps", "--pid", "20886", "--tree"]);
    assert_eq!(
        out,
        "  PID   PPID   PGID    SID  THR  STATE  COMM\n\
         20886  20884  20886  20884    1  alive  tree-kid1\n\
         20888  20886  20886  20884    1  alive      tree-grandkid\n"
    );
}

#[test]
fn a_thread_id_names_its_process() {
    let threads = cp("threads");
    let (out, err) = ok(&["x", &threads, "mems", "--pid", "20916", "--format", "json"]);
    assert_eq!(pids(&out), [20914]);
    assert_eq!(err, "crit: note: 20916 is a thread of process 20914; showing 20914\n");
    let (out, err) = ok(&["mem", &threads, "--pid", "20916", "args"]);
    assert_eq!(out, "/usr/local/bin/cwork\nthreads\n");
    assert_eq!(err, "crit: note: 20916 is a thread of process 20914; reading 20914\n");
}

#[test]
fn pid_errors() {
    let tree = cp("tree");
    let (_, err, success) = crit_text(&["x", &tree, "ps", "--pid", "1"]);
    assert!(!success);
    assert!(
        err.ends_with("tree: no task nor thread with pid 1 in pstree.img\n"),
        "{err}"
    );
    let out = common::crit(&["x", &tree, "ps", "--tree"]);
    assert_eq!(out.status.code(), Some(2), "--tree without --pid is a usage error");
}

#[test]
fn hexdump_folds_repeated_lines() {
    let mem = cp("mem");
    // 64 KiB of the anonymous mapping, mostly never touched: a few lines.
    let (out, err) = ok(&["mem", &mem, "read", "0x7f6388c14000", "0x10000"]);
    let mut want = String::from("7f6388c14000: 0000 0000 0000 0000 0000 0000 0000 0000  ................\n*\n");
    for (page, n) in [
        ("7f6388c17", "04"),
        ("7f6388c1b", "08"),
        ("7f6388c1f", "0c"),
        ("7f6388c23", "10"),
    ] {
        want += &format!("{page}000: {n}00 0000 4547 4150 0000 0000 0000 0000  ....EGAP........\n");
        want += &format!("{page}010: 0000 0000 0000 0000 0000 0000 0000 0000  ................\n*\n");
    }
    want += "7f6388c23ff0: 0000 0000 0000 0000 0000 0000 0000 0000  ................\n";
    assert_eq!(out, want);
    assert_eq!(err.lines().count(), 4, "{err}");
    // 64 MiB that runs off the end of memory into unmapped space: still a few lines.
    let (out, _) = ok(&["mem", &mem, "read", "0x7f6389100000", "0x4000000"]);
    assert_eq!(
        out,
        "7f6389100000: 0000 0000 0000 0000 0000 0000 0000 0000  ................\n*\n\
         7f638d0ffff0: 0000 0000 0000 0000 0000 0000 0000 0000  ................\n"
    );
}

#[test]
fn raw_with_json_is_a_usage_error() {
    let out = common::crit(&["mem", &cp("mem"), "read", "0x1000", "16", "--raw", "--format", "json"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.starts_with("error: --raw writes the bytes themselves: it cannot be --format json\n"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn file_backed_gaps_name_the_file_and_read_it_under_files_root() {
    let mem = cp("mem");
    // libc's second mapping starts at file offset 0x28000.
    let (out, err) = ok(&["mem", &mem, "read", "0x7f6388e3f010", "8"]);
    assert_eq!(out, "7f6388e3f010: 0000 0000 0000 0000                      ........\n");
    assert_eq!(
        err,
        "crit: note: 0x7f6388e3f010-0x7f6388e3f018 (8 bytes) is file-backed and not dumped: \
         /usr/lib/x86_64-linux-gnu/libc.so.6 at offset 0x28010; read as zeros (--files ROOT reads the file)\n"
    );
    let root = tempfile::tempdir().unwrap();
    let lib = root.path().join("usr/lib/x86_64-linux-gnu");
    std::fs::create_dir_all(&lib).unwrap();
    let mut bytes = vec![0u8; 0x28010];
    bytes.extend_from_slice(b"FROMFILE-and-more");
    std::fs::write(lib.join("libc.so.6"), &bytes).unwrap();
    let r = root.path().to_str().unwrap();
    // Not the libc the process mapped (the checkpoint recorded 1995216
    // bytes): refused, never read silently.
    let (out, err, success) = common::crit_text(&["mem", &mem, "read", "0x7f6388e3f010", "8", "--files", r]);
    assert!(!success);
    assert_eq!(out, "");
    assert_eq!(
        err,
        format!(
            "crit: {r}/usr/lib/x86_64-linux-gnu/libc.so.6: size 163873, the checkpoint has 1995216: \
             not the file the checkpoint mapped, refusing to read it (--force reads it anyway)\n"
        )
    );
    let (out, err) = ok(&["mem", &mem, "read", "0x7f6388e3f010", "8", "--files", r, "--force"]);
    assert_eq!(out, "7f6388e3f010: 4652 4f4d 4649 4c45                      FROMFILE\n");
    assert_eq!(
        err,
        format!(
            "crit: note: 0x7f6388e3f010-0x7f6388e3f018 (8 bytes) is file-backed and not dumped: \
             /usr/lib/x86_64-linux-gnu/libc.so.6 at offset 0x28010; read from {r}/usr/lib/x86_64-linux-gnu/libc.so.6\n"
        )
    );
    let (out, _) = ok(&[
        "mem",
        &mem,
        "read",
        "0x7f6388e3f010",
        "8",
        "--files",
        r,
        "--force",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["hex"], "46524f4d46494c45");
    assert_eq!(
        v["gaps"],
        serde_json::json!([{
            "start": "0x7f6388e3f010", "end": "0x7f6388e3f018", "kind": "file",
            "file": "/usr/lib/x86_64-linux-gnu/libc.so.6", "offset": "0x28010",
            "read_from": format!("{r}/usr/lib/x86_64-linux-gnu/libc.so.6"),
        }])
    );
}

#[test]
fn unmapped_gaps_say_the_process_would_have_faulted() {
    let (_, err) = ok(&["mem", &cp("mem"), "read", "0x1000", "16"]);
    assert_eq!(
        err,
        "crit: note: 0x1000-0x1010 (16 bytes) is unmapped (no mapping: the process would have faulted); read as zeros\n"
    );
    let (out, _) = ok(&["mem", &cp("mem"), "read", "0x1000", "16", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["gaps"],
        serde_json::json!([{"start": "0x1000", "end": "0x1010", "kind": "unmapped"}])
    );
}

/// A copy of the `mem` checkpoint whose pagemap says the run at
/// 0x560605f4b000 (2 pages) lives in a parent checkpoint, and no parent.
fn predump_without_parent() -> tempfile::TempDir {
    let tmp = common::scratch_copy(&common::corpus("mem"));
    let pm = tmp.path().join("pagemap-20931.img");
    let (json, _) = ok(&["decode", "-i", pm.to_str().unwrap()]);
    let mut v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["entries"][2]["vaddr"], 0x560605f4b000u64);
    v["entries"][2]["flags"] = 1.into(); // PE_PARENT
    let out = common::crit_stdin(&["encode", "-o", pm.to_str().unwrap()], v.to_string().as_bytes());
    assert!(out.status.success());
    // The run's two pages leave pages-1.img (after the first run's page),
    // as in a real pre-dump: the pages file holds the present pages only.
    assert_eq!(v["entries"][1]["compat_nr_pages"], 1);
    let pages = tmp.path().join("pages-1.img");
    let mut bytes = std::fs::read(&pages).unwrap();
    bytes.drain(4096..3 * 4096);
    std::fs::write(&pages, bytes).unwrap();
    tmp
}

/// `crit ARGS` on a damaged checkpoint: exit status 1, stdout and stderr.
fn damaged(args: &[&str]) -> (String, String) {
    let out = common::crit(args);
    assert_eq!(out.status.code(), Some(1), "crit {args:?}");
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn rss_marks_runs_in_a_missing_parent() {
    let tmp = predump_without_parent();
    let d = tmp.path().to_str().unwrap();
    let lost = format!(
        "crit: warning: {d}/pagemap-20931.img: 2 pages are in the parent checkpoint, but there is no parent/\n"
    );
    let (out, err) = damaged(&["x", d, "rss"]);
    assert_eq!(err, lost);
    let head: Vec<&str> = out.lines().take(4).collect();
    assert_eq!(
        head,
        [
            "20931 mem: - pages present (its images are damaged), 2 in a parent checkpoint that is MISSING",
            "         RUN     PAGES        IN VMA  PAGES  FILE",
            "560605f48000         1  560605f48000      2  /usr/local/bin/cwork",
            "560605f4b000  2 parent  560605f4b000      1  /usr/local/bin/cwork",
        ]
    );
    let (out, _) = damaged(&["x", d, "rss", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["tasks"][0]["present_pages"], serde_json::Value::Null);
    assert_eq!(v["tasks"][0]["parent_pages"], 2);
    assert_eq!(v["tasks"][0]["parent_missing"], true);
    assert_eq!(v["tasks"][0]["runs"][1]["in_parent"], true);
    assert_eq!(v["problems"][0]["image"], format!("{d}/pagemap-20931.img"));
    let (_, err) = damaged(&["mem", d, "read", "0x560605f4b000", "16"]);
    assert_eq!(
        err,
        format!(
            "crit: warning: 0x560605f4b000-0x560605f4b010 (16 bytes) lives in a parent checkpoint that is missing \
             (a pre-dump chain copied without its parent?); read as zeros\n{lost}"
        )
    );
    // With a parent there, the run is marked; a parent without the task's
    // pagemap is named.
    std::fs::create_dir(tmp.path().join("parent")).unwrap();
    let (out, err) = damaged(&["x", d, "rss"]);
    assert!(
        out.starts_with("20931 mem: - pages present (its images are damaged), 2 in the parent checkpoint\n"),
        "{out}"
    );
    assert_eq!(
        err,
        format!(
            "crit: warning: {d}/parent/pagemap-20931.img: missing: pagemap-20931.img says 2 of its pages are in it\n"
        )
    );
}

fn column(out: &str, n: usize) -> Vec<String> {
    out.lines()
        .skip(1)
        .map(|l| l.split_whitespace().nth(n).unwrap_or("").to_string())
        .collect()
}

#[test]
fn filters_on_mem_maps() {
    let mem = cp("mem");
    let (out, _) = ok(&["mem", &mem, "maps", "--kind", "heap"]);
    assert_eq!(column(&out, 0), ["560627c76000"]);
    let (out, _) = ok(&[
        "mem",
        &mem,
        "maps",
        "--prot",
        "rw",
        "--range",
        "7f6388ff0000-7f6389020000",
    ]);
    assert_eq!(
        column(&out, 0),
        // The first run spans libc's r-- and rw- mappings: kept for the second.
        [
            "7f6388ff8000",
            "7f6388ffe000",
            "7f6389002000",
            "7f638900a000",
            "7f638900e000"
        ]
    );
    let (out, _) = ok(&["mem", &mem, "maps", "--kind", "stack", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 1);
    assert_eq!(v[0]["start"], "0x7ffc3ea2a000");
    let (out, _) = ok(&["mem", &mem, "maps", "--kind", "vdso"]);
    assert_eq!(column(&out, 0), ["7f6389016000"]);
}

#[test]
fn filters_on_mem_search() {
    let mem = cp("mem");
    let (out, err) = ok(&[
        "mem",
        &mem,
        "search",
        "CRIT-SECRET",
        "--color",
        "never",
        "--kind",
        "anon",
        "--prot",
        "rw",
    ]);
    assert_eq!(
        column(&format!("\n{out}"), 0),
        ["0x7f6388d16049", "0x7f6388d5c3f7", "0x7f6388e12010"]
    );
    assert_eq!(
        err,
        "crit: 3 matches in the mappings asked for (3 in all 1433600 held bytes)\n"
    );
    let (out, _) = ok(&[
        "mem",
        &mem,
        "search",
        "CRIT-SECRET",
        "--range",
        "7f6388d5c000-7f6388e13000",
    ]);
    assert_eq!(out.lines().count(), 2);
    // No match: exit status 1, as grep's.
    let none = common::crit(&["mem", &mem, "search", "CRIT-SECRET", "--in", "[heap]"]);
    assert_eq!(none.status.code(), Some(1));
    assert_eq!(
        (
            String::from_utf8(none.stdout).unwrap(),
            String::from_utf8(none.stderr).unwrap()
        ),
        (
            String::new(),
            "crit: 0 matches in the mappings asked for (3 in all 1433600 held bytes)\n".to_string()
        )
    );
    let (out, _) = ok(&["mem", &mem, "search", "cwork", "--color", "never", "--in", "[stack]"]);
    assert_eq!(column(&format!("\n{out}"), 0), ["0x7ffc3ea2cf55", "0x7ffc3ea2cff2"]);
    // A mapping named by path: searched (its held pages do not hold the
    // name), so no match, status 1, rather than an error.
    let (_, err, ok_) = crit_text(&["mem", &mem, "search", "cwork", "--in", "/usr/local/bin/cwork"]);
    assert!(!ok_);
    assert_eq!(
        err,
        "crit: 0 matches in the mappings asked for (2 in all 1433600 held bytes)\n"
    );
    let (_, err, ok_) = crit_text(&["mem", &mem, "search", "x", "--in", "/nope"]);
    assert!(!ok_);
    assert_eq!(err, "crit: task 20931 has no mapping of \"/nope\"\n");
    let out = common::crit(&["mem", &mem, "search", "x", "--prot", "q"]);
    assert_eq!(out.status.code(), Some(2));
    let out = common::crit(&["mem", &mem, "maps", "--range", "2000-1000"]);
    assert_eq!(out.status.code(), Some(2));
}

/// The mappings' starts in `x mems --format json` output.
fn vma_starts(json: &str) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    v["tasks"][0]["vmas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["start"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn filters_on_x_mems_and_rss() {
    let mem = cp("mem");
    let (out, _) = ok(&["x", &mem, "mems", "--prot", "x", "--format", "json"]);
    let starts = vma_starts(&out);
    assert_eq!(
        starts,
        [
            "0x560605f48000",
            "0x7f6388e3f000",
            "0x7f6389016000",
            "0x7f6389019000",
            "0xffffffffff600000"
        ]
    );
    let (out, _) = ok(&["x", &mem, "mems", "--kind", "file", "--prot", "rw", "--format", "json"]);
    let starts = vma_starts(&out);
    assert_eq!(starts, ["0x560605f4c000", "0x7f6388ffc000", "0x7f638904e000"]);
    let (out, _) = ok(&["x", &mem, "rss", "--kind", "stack"]);
    assert_eq!(
        out,
        "20931 mem: 3 pages present (12K)\n         RUN  PAGES        IN VMA  PAGES  FILE\n\
         7ffc3ea2a000      3  7ffc3ea0c000     33\n"
    );
    let (out, _) = ok(&[
        "x",
        &mem,
        "rss",
        "--range",
        "7f6388dd0000-7f6388dd2000",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["tasks"][0]["present_pages"], 259);
    let out = common::crit(&["x", &mem, "fds", "--prot", "r"]);
    assert_eq!(out.status.code(), Some(2));
}

/// A copy of the `mem` checkpoint whose argv area holds `title` and NULs.
fn with_title(title: &[u8]) -> tempfile::TempDir {
    let tmp = common::scratch_copy(&common::corpus("mem"));
    let pages = tmp.path().join("pages-1.img");
    let mut bytes = std::fs::read(&pages).unwrap();
    let argv = b"/usr/local/bin/cwork\0mem\0--token\0argv-marker-91c2\0";
    let at = bytes.windows(argv.len()).position(|w| w == argv).unwrap();
    let mut title = title.to_vec();
    title.resize(argv.len(), 0);
    bytes[at..at + argv.len()].copy_from_slice(&title);
    std::fs::write(&pages, bytes).unwrap();
    tmp
}

#[test]
fn a_command_line_with_control_characters_is_shown_safely() {
    let tmp = with_title(b"evil\x1b]0;pwned\x07");
    let (out, _) = ok(&["x", tmp.path().to_str().unwrap(), "--color", "never"]);
    assert!(out.ends_with("  evil\\x1b]0;pwned\\a\n"), "{out}");
    assert!(!out.contains('\x1b'));
}

#[test]
fn a_rewritten_argv_shows_as_ps_shows_it() {
    // The mem checkpoint's argv, rewritten as redis and nginx do: a title,
    // then NULs to the end of the area.
    let tmp = with_title(b"cwork: serving *:6379");
    let d = tmp.path().to_str().unwrap();
    let (out, _) = ok(&["mem", d, "args"]);
    assert_eq!(out, "cwork: serving *:6379\n");
    let (out, _) = ok(&["mem", d, "args", "--format", "json"]);
    assert_eq!(out, "[\n  \"cwork: serving *:6379\"\n]\n");
    let (out, _) = ok(&["x", d, "--color", "never"]);
    assert_eq!(
        out,
        "x86_64, 4 KiB pages\n  PID  PPID  THR  STATE  MEMORY  FDS  SOCKETS  COMMAND\n\
         20931     0    1  alive    1.4M    3        0  cwork: serving *:6379\n"
    );
}

#[test]
fn overview_takes_pid_and_tree() {
    let (out, _) = ok(&["x", &cp("tree"), "--pid", "20886", "--tree", "--format", "json"]);
    assert_eq!(pids(&out), [20886, 20888]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["tasks"][1]["depth"], 1);
    assert_eq!(
        v["tasks"][1]["argv"],
        serde_json::json!(["/usr/local/bin/cwork", "tree"])
    );
    let (out, _) = ok(&["x", &cp("net"), "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (v["tasks"][0]["fds"].as_u64(), v["tasks"][0]["sockets"].as_u64()),
        (Some(15), Some(12))
    );
    let out = common::crit(&["x", &cp("mem"), "--kind", "heap"]);
    assert_eq!(out.status.code(), Some(2));
}

/// The keys of a JSON object, in document order.
fn keys(json: &str) -> Vec<String> {
    // serde_json's Value sorts keys: read the order off the text instead.
    let mut out = Vec::new();
    let mut depth = 0;
    let mut chars = json.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '{' | '[' => depth += 1,
            '}' | ']' => depth -= 1,
            '"' => {
                let rest = &json[i + 1..];
                let end = rest.find('"').unwrap();
                let after = rest[end + 1..].trim_start();
                if depth == 2 && after.starts_with(':') {
                    out.push(rest[..end].to_string());
                }
                for _ in 0..end + 1 {
                    chars.next();
                }
            }
            _ => {}
        }
    }
    out
}

#[test]
fn mem_json_fields_come_in_documented_order() {
    let (out, _) = ok(&["mem", &cp("files"), "shmem", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["mappings"][1]["path"], "/tmp/crit-files/mapped");
    assert_eq!(v["mappings"][1]["kind"], "file");
    assert!(
        out.starts_with("{\n  \"pid\": 20975,\n  \"size\": 20480,\n  \"held\": 4096,\n  \"mappings\": ["),
        "{out}"
    );
    let first = &out[out.find("    {").unwrap()..];
    assert_eq!(
        keys(&format!("[{}", &first[..first.find('}').unwrap() + 1])),
        ["start", "end", "size", "perms", "kind", "object", "path", "image", "held"]
    );
    let (out, _) = ok(&["mem", &cp("mem"), "maps", "--format", "json"]);
    assert_eq!(
        keys(&out[..out.find("\"pieces\"").unwrap() + 20]),
        ["start", "end", "nr_pages", "flags", "image", "pieces"]
    );
    let (out, _) = ok(&["mem", &cp("mem"), "search", "CRIT-SECRET", "--format", "json"]);
    assert!(
        out.starts_with("[\n  {\"address\":\"0x7f6388d16049\",\"length\":11,\"vma\":{\"start\":\"0x7f6388c13000\",\"end\":\"0x7f6388e17000\",\"perms\":\"rw-p\",\"kind\":\"anon\"},\"before\":\"-HEAP-FILLER CRI\",\"match\":\"CRIT-SECRET\",\"after\":\"-MARKER-0xC0FFEE\"},\n"),
        "{out}"
    );
}

#[test]
fn shmem_names_file_mappings_by_path() {
    let (out, _) = ok(&["mem", &cp("files"), "shmem"]);
    assert_eq!(
        out.lines().nth(2).unwrap(),
        "7f6a9eee1000  7f6a9eee3000    8K  rw-s   file   /tmp/crit-files/mapped  -                          0"
    );
}
