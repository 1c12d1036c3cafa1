//! Page sizes and architectures: arm64 and ppc64le checkpoints with 64 KiB
//! pages, rendered from a real x86_64 fixture by `common::paged`, read at
//! the addresses their markers were written to; a 4 KiB and a 64 KiB
//! rendering of the same memory give the same bytes and byte figures.

use crate::common;

use std::path::Path;

use common::paged::{self, Arch, Rendered};
use common::{corpus, crit, crit_text};

fn render(arch: Arch, page_size: u64) -> (tempfile::TempDir, Rendered) {
    let dir = tempfile::tempdir().unwrap();
    let r = paged::render(&corpus("mem"), dir.path(), arch, page_size);
    (dir, r)
}

fn run(args: &[&str]) -> String {
    let (out, err, ok) = crit_text(args);
    assert!(ok, "crit {args:?} failed: {err}");
    out
}

fn mem(dir: &Path, args: &[&str]) -> Vec<u8> {
    let mut all = vec!["mem", dir.to_str().unwrap()];
    all.extend_from_slice(args);
    let o = crit(&all);
    assert!(
        o.status.success(),
        "crit {all:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o.stdout
}

#[test]
fn overview_and_inspect_say_the_architecture_and_page_size() {
    for (arch, name) in [(Arch::Aarch64, "aarch64"), (Arch::Ppc64le, "ppc64le")] {
        let (dir, _) = render(arch, 0x10000);
        let x = run(&["x", dir.path().to_str().unwrap()]);
        assert_eq!(x.lines().next().unwrap(), format!("{name}, 64 KiB pages"));
        let i = run(&["inspect", dir.path().to_str().unwrap()]);
        assert!(i.contains(&format!("architecture  {name}, 64 KiB pages\n")), "{i}");
    }
    let x = run(&["x", corpus("mem").to_str().unwrap()]);
    assert_eq!(x.lines().next().unwrap(), "x86_64, 4 KiB pages");
}

#[test]
fn markers_are_read_and_found_at_their_addresses() {
    for arch in [Arch::Aarch64, Arch::Ppc64le] {
        let (dir, r) = render(arch, 0x10000);
        for m in &r.markers {
            let addr = format!("{:#x}", m.addr);
            let len = m.bytes.len().to_string();
            assert_eq!(mem(dir.path(), &["read", &addr, &len, "--raw"]), m.bytes, "{addr}");
            let found =
                String::from_utf8(mem(dir.path(), &["search", std::str::from_utf8(&m.bytes).unwrap()])).unwrap();
            assert!(found.starts_with(&format!("{addr} ")), "{found}");
        }
        // The command line and environment moved with their mappings.
        assert_eq!(mem(dir.path(), &["args"]), mem(&corpus("mem"), &["args"]));
        assert_eq!(mem(dir.path(), &["env"]), mem(&corpus("mem"), &["env"]));
    }
}

#[test]
fn four_and_sixty_four_kib_renderings_agree() {
    let (a, ra) = render(Arch::Aarch64, 0x1000);
    let (b, rb) = render(Arch::Aarch64, 0x10000);
    assert_eq!(ra.pages, rb.pages * 16);
    let x = run(&["x", a.path().to_str().unwrap()]);
    assert_eq!(x.lines().next().unwrap(), "aarch64, 4 KiB pages");
    for m in &ra.markers {
        let (addr, len) = (format!("{:#x}", m.addr - 40), (m.bytes.len() + 80).to_string());
        assert_eq!(
            mem(a.path(), &["read", &addr, &len]),
            mem(b.path(), &["read", &addr, &len])
        );
        let pat = std::str::from_utf8(&m.bytes).unwrap();
        assert_eq!(mem(a.path(), &["search", pat]), mem(b.path(), &["search", pat]));
    }
    let bytes = |d: &Path| {
        let j: serde_json::Value =
            serde_json::from_str(&run(&["x", d.to_str().unwrap(), "rss", "--format", "json"])).unwrap();
        let t = &j["tasks"][0];
        t["present_pages"].as_u64().unwrap() * t["page_size"].as_u64().unwrap()
    };
    assert_eq!(bytes(a.path()), rb.pages * 0x10000);
    assert_eq!(bytes(a.path()), bytes(b.path()));
    // The table's figure too: "N pages present (SIZE)".
    let size = |d: &Path| {
        let t = run(&["x", d.to_str().unwrap(), "rss"]);
        let first = t.lines().next().unwrap().to_string();
        first[first.find("present (").unwrap()..].to_string()
    };
    assert_eq!(size(a.path()), size(b.path()));
}

#[test]
fn a_pages_file_one_page_short_is_a_damaged_checkpoint() {
    let (dir, _) = render(Arch::Aarch64, 0x10000);
    common::truncate_by(&dir.path().join("pages-1.img"), 0x10000);
    let d = dir.path().to_str().unwrap();
    let damaged = format!("crit: warning: {d}/pages-1.img: holds 51 pages, pagemap-20931.img says 52 are present");
    for args in [vec!["mem", d, "args"], vec!["x", d, "rss"], vec!["x", d]] {
        let (out, err, ok) = crit_text(&args);
        assert!(!ok, "{args:?}: {out}");
        assert!(err.lines().any(|l| l == damaged), "{args:?}: {err}");
    }
    // The page size is still the one the damaged file is nearest: the
    // overview says it, and that its task's memory is unknown.
    let (out, _, _) = crit_text(&["x", d]);
    assert_eq!(out.lines().next().unwrap(), "aarch64, 64 KiB pages", "{out}");
    assert!(out.lines().nth(2).unwrap().contains("  alive       -  "), "{out}");
}

#[test]
fn page_size_given_overrides_the_inferred_one() {
    // x86_64 mappings are not all 64 KiB aligned: said, not misread.
    let d = corpus("mem");
    let (_, err, ok) = crit_text(&["--page-size", "64K", "mem", d.to_str().unwrap(), "args"]);
    assert!(!ok);
    assert!(err.contains("is not aligned to the checkpoint's 64 KiB pages"), "{err}");
    let (_, err, ok) = crit_text(&["mem", d.to_str().unwrap(), "args", "--page-size", "8K"]);
    assert!(!ok);
    assert!(err.contains("\"8K\" is not a page size"), "{err}");
    let (dir, _) = render(Arch::Aarch64, 0x10000);
    let x = run(&["x", dir.path().to_str().unwrap(), "--page-size", "64KiB"]);
    assert_eq!(x.lines().next().unwrap(), "aarch64, 64 KiB pages");
}

#[test]
fn the_cores_hold_the_registers_as_written_and_coredump_refuses_in_one_line() {
    let (dir, _) = render(Arch::Aarch64, 0x10000);
    let core = dir.path().join("core-20931.img");
    let c: crit::proto::CoreEntry = crit::image::read_first(&core).unwrap();
    let regs = c.ti_aarch64.unwrap().gpregs;
    assert_eq!(regs.regs[7], paged::reg(7));
    assert_eq!(regs.pc, paged::reg(32));
    // coredump writes aarch64 cores (tests/coredump_arm64.rs), not ppc64le ones.
    let (ppc, _) = render(Arch::Ppc64le, 0x10000);
    let (_, err, ok) = crit_text(&[
        "coredump",
        ppc.path().to_str().unwrap(),
        "-o",
        ppc.path().join("core").to_str().unwrap(),
    ]);
    assert!(!ok);
    assert!(
        err.contains("the task's architecture is PPC64; crit coredump writes x86_64 and aarch64 cores only"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(!ppc.path().join("core").exists());
    // The explorers and stats read it.
    for what in ["ps", "fds", "mems", "rss", "sk", "net", "mnt", "ns", "cg"] {
        run(&["x", dir.path().to_str().unwrap(), what]);
    }
    run(&["stats", dir.path().to_str().unwrap()]);
}

#[test]
fn diff_counts_the_same_memory_at_two_page_sizes_as_equal() {
    let (a, _) = render(Arch::Aarch64, 0x1000);
    let (b, rb) = render(Arch::Aarch64, 0x10000);
    let (c, _) = render(Arch::Aarch64, 0x10000);
    // c: one marker's bytes changed.
    let m = &rb.markers[1];
    let pages = c.path().join("pages-1.img");
    let mut bytes = std::fs::read(&pages).unwrap();
    let at = bytes.windows(m.bytes.len()).position(|w| w == m.bytes).unwrap();
    bytes[at] ^= 0xff;
    std::fs::write(&pages, bytes).unwrap();
    let summary = |x: &Path, y: &Path| {
        let o = crit(&["diff", x.to_str().unwrap(), y.to_str().unwrap(), "--format", "json"]);
        let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        j["memory"].clone()
    };
    let ab = summary(a.path(), b.path());
    assert_eq!(ab["changed"], 0);
    assert_eq!(ab["only_a"], 0);
    assert_eq!(ab["only_b"], 0);
    assert_eq!(ab["equal"].as_u64().unwrap(), rb.pages);
    let bc = summary(b.path(), c.path());
    assert_eq!(bc["changed"], 1);
    assert_eq!(bc["equal"].as_u64().unwrap(), rb.pages - 1);
}
