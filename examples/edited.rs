//! Writes the edited checkpoints of the README's `crit diff` tour,
//! `mem-edited` and `net-edited`, into the current directory (run it from
//! the repository's root: it reads `tests/fixtures/corpus`).
//!
//!     cargo run --example edited

#[path = "../tests/common/edited.rs"]
#[allow(dead_code)] // newer_pagemap is for tests/examples.rs
mod edited;

use std::path::Path;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let corpus = Path::new("tests/fixtures/corpus");
    for (name, make) in [
        ("mem-edited", edited::mem_edited as fn(&Path, &Path) -> crit::Result<()>),
        ("net-edited", edited::net_edited),
    ] {
        if Path::new(name).exists() {
            return Err(format!("{name} exists: remove it first").into());
        }
        make(corpus, Path::new(name))?;
        println!("{name}");
    }
    Ok(())
}
