//! What `Cargo.toml` promises about the build: the declared minimum Rust
//! version holds for every crate in `Cargo.lock` that this platform builds
//! (clippy's `incompatible_msrv` holds our own code to it), and the library
//! without its default `cli` feature builds none of the command line's crates;
//! the integration tests are one binary with every file of `tests/` in it.

use std::process::Command;

/// `cargo ARGS`, offline and locked, in the repository; its standard output.
fn cargo(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO"))
        .args(args)
        .args(["--offline", "--locked"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run cargo");
    assert!(
        out.status.success(),
        "cargo {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// `1.88` or `1.85.0` as numbers, for comparison.
fn version(v: &str) -> Vec<u64> {
    v.split('.').map(|n| n.parse().unwrap()).collect()
}

#[test]
fn every_locked_crate_builds_with_the_declared_rust_version() {
    let declared = env!("CARGO_PKG_RUST_VERSION");
    let meta: serde_json::Value = serde_json::from_str(&cargo(&[
        "metadata",
        "--format-version",
        "1",
        "--filter-platform",
        "x86_64-unknown-linux-gnu",
    ]))
    .unwrap();
    let resolved: Vec<&str> = meta["resolve"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    let mut checked = 0;
    let mut newer = Vec::new();
    for p in meta["packages"].as_array().unwrap() {
        if !resolved.contains(&p["id"].as_str().unwrap()) {
            continue;
        }
        checked += 1;
        if let Some(rv) = p["rust_version"].as_str() {
            if version(rv) > version(declared) {
                newer.push(format!("{} {} needs Rust {rv}", p["name"], p["version"]));
            }
        }
    }
    assert!(checked > 50, "only {checked} packages resolved");
    assert!(
        newer.is_empty(),
        "Cargo.toml declares rust-version {declared}, but:\n{}",
        newer.join("\n")
    );
    // The README says the same figure.
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    assert!(
        readme.contains(&format!("Rust toolchain ({declared} or newer")),
        "README names another minimum"
    );
}

#[test]
fn the_library_alone_builds_no_command_line_crate() {
    let lib = cargo(&[
        "tree",
        "-p",
        "crit",
        "--no-default-features",
        "-e",
        "normal,no-proc-macro",
        "--prefix",
        "none",
    ]);
    let crates: Vec<&str> = lib.lines().filter_map(|l| l.split_whitespace().next()).collect();
    assert!(crates.contains(&"prost"), "{lib}");
    for cli in [
        "clap",
        "anyhow",
        "owo-colors",
        "terminal_size",
        "unicode-width",
        "clap_complete",
        "clap_mangen",
        "indicatif",
    ] {
        assert!(
            !crates.contains(&cli),
            "the library without `cli` depends on {cli}:\n{lib}"
        );
    }
    // With the default features, the binary's crates are there.
    let all = cargo(&["tree", "-p", "crit", "-e", "normal", "--prefix", "none"]);
    assert!(all.lines().any(|l| l.starts_with("clap ")), "{all}");
}

/// The integration tests are one binary, `tests/tests.rs`, with a module per
/// file of `tests/` (`autotests = false`): a file missing from its `mod` list
/// would never be built nor run, so each must be there, and nothing else.
#[test]
fn every_test_file_is_a_module_of_the_one_test_binary() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let main = std::fs::read_to_string(dir.join("tests.rs")).unwrap();
    let declared: std::collections::BTreeSet<String> = main
        .lines()
        .filter_map(|l| l.strip_prefix("mod ")?.strip_suffix(';'))
        .map(String::from)
        .collect();
    let mut files = std::collections::BTreeSet::from(["common".to_string()]);
    for e in std::fs::read_dir(&dir).unwrap() {
        let name = e.unwrap().file_name().into_string().unwrap();
        if let Some(stem) = name.strip_suffix(".rs").filter(|s| *s != "tests") {
            files.insert(stem.to_string());
        }
    }
    assert!(files.len() > 40, "{files:?}");
    let unlisted: Vec<_> = files.difference(&declared).collect();
    let stale: Vec<_> = declared.difference(&files).collect();
    assert!(
        unlisted.is_empty() && stale.is_empty(),
        "tests/tests.rs: add `mod NAME;` for {unlisted:?}, remove it for {stale:?}"
    );
    // Cargo builds that one test target and no other.
    let meta: serde_json::Value =
        serde_json::from_str(&cargo(&["metadata", "--format-version", "1", "--no-deps"])).unwrap();
    let tests: Vec<(&str, &str)> = meta["packages"][0]["targets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["kind"][0] == "test")
        .map(|t| (t["name"].as_str().unwrap(), t["src_path"].as_str().unwrap()))
        .collect();
    let path = dir.join("tests.rs");
    assert_eq!(tests, [("integration", path.to_str().unwrap())]);
}
