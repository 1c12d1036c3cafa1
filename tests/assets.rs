//! The committed shell completions and man pages are what `crit
//! generate-assets` writes from the clap definitions today; and `crit --version` names the CRIU image
//! format it knows.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Command;

/// Where the generated files live, relative to the repository root.
const DIRS: [&str; 2] = ["completions", "man"];

const REGENERATE: &str = "run `cargo run -- generate-assets` and commit completions/ and man/";

/// Every file under `root`'s asset directories: relative path → contents.
fn assets(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    for dir in DIRS {
        let Ok(entries) = fs::read_dir(root.join(dir)) else {
            continue;
        };
        for entry in entries {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_file() {
                let name = format!("{dir}/{}", entry.file_name().to_string_lossy());
                files.insert(name, fs::read(entry.path()).unwrap());
            }
        }
    }
    files
}

/// Run `crit generate-assets` into a fresh directory and read back what it wrote.
fn generate() -> BTreeMap<String, Vec<u8>> {
    let out = tempfile::tempdir().unwrap();
    let run = Command::new(env!("CARGO_BIN_EXE_crit"))
        .arg("generate-assets")
        .arg(out.path())
        .output()
        .expect("run crit");
    assert!(run.status.success(), "crit generate-assets: {run:?}");
    let files = assets(out.path());
    // It lists what it wrote, one path a line.
    let listed = String::from_utf8(run.stdout).unwrap();
    assert_eq!(listed.lines().count(), files.len(), "{listed}");
    files
}

#[test]
fn committed_assets_are_up_to_date() {
    let generated = generate();
    let committed = assets(Path::new(env!("CARGO_MANIFEST_DIR")));

    let mut problems = Vec::new();
    for (name, bytes) in &generated {
        match committed.get(name) {
            None => problems.push(format!("{name}: missing from the repository")),
            Some(c) if c != bytes => problems.push(format!("{name}: differs from what generate-assets writes")),
            Some(_) => {}
        }
    }
    for name in committed.keys().filter(|n| !generated.contains_key(*n)) {
        problems.push(format!("{name}: committed, but generate-assets no longer writes it"));
    }
    assert!(
        problems.is_empty(),
        "stale completions or man pages ({REGENERATE}):\n  {}",
        problems.join("\n  ")
    );
}

#[test]
fn generator_writes_every_shell_and_every_page() {
    let files = generate();
    let names: Vec<&str> = files.keys().map(String::as_str).collect();
    for want in [
        "completions/crit.bash",
        "completions/_crit",
        "completions/crit.fish",
        "completions/crit.elv",
        "completions/_crit.ps1",
        "man/crit.1",
        "man/crit-decode.1",
        "man/crit-encode.1",
        "man/crit-info.1",
        "man/crit-show.1",
        "man/crit-x.1",
        "man/crit-stats.1",
        "man/crit-mem.1",
        "man/crit-mem-search.1",
    ] {
        assert!(
            names.contains(&want),
            "generate-assets did not write {want}; it wrote {names:?}"
        );
    }
    // No `help` pseudo-command pages.
    assert!(!names.iter().any(|n| n.contains("help")), "{names:?}");

    let text = |name: &str| String::from_utf8(files[name].clone()).unwrap();
    let bash = text("completions/crit.bash");
    for word in ["decode", "encode", "--pretty", "--nopl", "search", "--format"] {
        assert!(bash.contains(word), "bash completion lacks {word}");
    }
    assert!(text("completions/_crit").starts_with("#compdef crit"));
    assert!(text("completions/crit.fish").contains("complete -c crit"));
    // The explorers are offered by name (fish completes no positional values).
    assert!(bash.contains("ps fds mems rss sk"));
    assert!(text("completions/_crit").contains("fds\\:\"Open files"));

    let man = text("man/crit.1");
    assert!(man.starts_with(".TH CRIT 1 \"\" \"crit "), "{man}");
    for want in [
        ".SH SYNOPSIS",
        ".SH \"EXIT STATUS\"",
        "bad input",
        "usage: unknown command",
        "crit\\-decode",
        crit::CRIU_FORMAT_VERSION,
    ] {
        assert!(man.contains(want), "man/crit.1 lacks {want:?}");
    }
    let search = text("man/crit-mem-search.1");
    assert!(
        search.contains("\\-\\-ignore\\-case") && search.contains(".BR crit\\-mem (1)"),
        "{search}"
    );
    // Plain ASCII: `groff -man` without preconv rejects raw UTF-8.
    for (name, bytes) in files.iter().filter(|(n, _)| n.starts_with("man/")) {
        assert!(bytes.is_ascii(), "{name} is not ASCII");
    }
}

#[test]
fn version_names_the_image_format() {
    // The release whose JSON the output follows: the library's constant, spelled out.
    assert_eq!(crit::CRIU_FORMAT_VERSION, "4.2.1");
    let version = format!(
        "{} (CRIU image format {})\n",
        env!("CARGO_PKG_VERSION"),
        crit::CRIU_FORMAT_VERSION
    );
    // Subcommands answer too (`propagate_version`), under their own name.
    for (args, name) in [
        (&["--version"][..], "crit"),
        (&["-V"], "crit"),
        (&["decode", "--version"], "crit-decode"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_crit"))
            .args(args)
            .output()
            .expect("run crit");
        assert!(out.status.success(), "crit {args:?}: {out:?}");
        assert_eq!(
            String::from_utf8(out.stdout).unwrap(),
            format!("{name} {version}"),
            "crit {args:?}"
        );
    }
}
