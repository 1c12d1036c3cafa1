//! The edited checkpoints of the README's `crit diff` tour, made from the
//! corpus with crit's own encoder (an image decoded to JSON, edited, encoded
//! back) and by rewriting bytes of `pages-*.img`: `mem-edited` and
//! `net-edited`. `cargo run --example edited` writes them into the current
//! directory; tests/examples.rs makes them where it runs the tour.

use std::fs;
use std::io;
use std::os::unix::fs::FileExt;
use std::path::Path;

use crit::image::ImageReader;
use crit::image_json::{decode_image, encode_image, DecodeOptions};
use crit::mem::MemReader;
use serde_json::{json, Value};

/// A copy of checkpoint directory `from` at `to` (created).
pub fn copy_dir(from: &Path, to: &Path) -> io::Result<()> {
    fs::create_dir_all(to)?;
    for e in fs::read_dir(from)? {
        let e = e?;
        if e.file_type()?.is_file() {
            let dest = to.join(e.file_name());
            fs::copy(e.path(), &dest)?;
            // Writable, to edit (the fixtures may be read-only).
            let mut perm = fs::metadata(&dest)?.permissions();
            #[allow(clippy::permissions_set_readonly_false)]
            perm.set_readonly(false);
            fs::set_permissions(&dest, perm)?;
        }
    }
    Ok(())
}

/// Decodes image `path` to JSON, lets `edit` change it, encodes it back.
pub fn edit_image(path: &Path, edit: impl FnOnce(&mut Value)) -> crit::Result<()> {
    let mut r = ImageReader::open(path)?;
    let mut text = Vec::new();
    decode_image(&mut r, &mut text, DecodeOptions::default())?;
    let mut v: Value = serde_json::from_slice(&text).expect("crit's own JSON");
    edit(&mut v);
    let mut out = Vec::new();
    encode_image(&serde_json::to_vec(&v).expect("JSON")[..], "edited", &mut out)?;
    fs::write(path, out).map_err(|e| crit::Error::io(path.display().to_string(), e))
}

/// Overwrites memory of the root task of checkpoint `dir` at `addr`, in its
/// pages file (the address must be held there).
pub fn poke(dir: &Path, addr: u64, bytes: &[u8]) -> crit::Result<()> {
    let m = MemReader::open(dir, None)?;
    let (file, off) = m
        .maps()
        .iter()
        .flat_map(|r| &r.pieces)
        .find(|p| (p.start..p.start + p.len).contains(&addr))
        .map(|p| (p.file.clone(), p.offset + (addr - p.start)))
        .expect("a held address");
    let path = dir.join(file);
    let f = fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .map_err(|e| crit::Error::io(path.display().to_string(), e))?;
    f.write_all_at(bytes, off)
        .map_err(|e| crit::Error::io(path.display().to_string(), e))
}

/// Flips every bit of the byte at `addr` of the root task of `dir`.
fn flip(dir: &Path, addr: u64) -> crit::Result<()> {
    let old = MemReader::open(dir, None)?.read(addr, 1)?.data[0];
    poke(dir, addr, &[!old])
}

/// `mem-edited`: corpus `mem` (at `corpus`) with its heap made read-only in
/// `mm-20931.img`, argv's `argv-marker-91c2` made `…-ABCD`, the variable
/// `CRIT_ENV_SECRET` made `env-marker-beef`, and a byte changed in three
/// pages of the 1 MiB buffer (at 0x7f6388d13000, 0x7f6388d18000 and
/// 0x7f6388d19064).
pub fn mem_edited(corpus: &Path, to: &Path) -> crit::Result<()> {
    copy_dir(&corpus.join("mem"), to).map_err(|e| crit::Error::io(to.display().to_string(), e))?;
    edit_image(&to.join("mm-20931.img"), |v| {
        for vma in v["entries"][0]["vmas"].as_array_mut().expect("vmas") {
            if vma["start"] == json!(0x560627c76000u64) {
                vma["prot"] = json!(1);
            }
        }
    })?;
    // argv and the environment, on the stack.
    poke(
        to,
        0x7ffc3ea2c000 + find_on_stack(to, b"argv-marker-91c2")?,
        b"argv-marker-ABCD",
    )?;
    poke(
        to,
        0x7ffc3ea2c000 + find_on_stack(to, b"env-marker-7f3a")?,
        b"env-marker-beef",
    )?;
    for addr in [0x7f6388d13000, 0x7f6388d18000, 0x7f6388d19064] {
        flip(to, addr)?;
    }
    Ok(())
}

/// Where `text` is in the stack page 0x7ffc3ea2c000 of `dir`'s root task.
fn find_on_stack(dir: &Path, text: &[u8]) -> crit::Result<u64> {
    let page = MemReader::open(dir, None)?.read(0x7ffc3ea2c000, 4096)?.data;
    let at = page
        .windows(text.len())
        .position(|w| w == text)
        .expect("on the stack page");
    Ok(at as u64)
}

/// `net-edited`: corpus `net` with fd 6 closed (gone from `fdinfo-2.img`)
/// and the socket of fd 3 (file id 5) in state CLOSE (7) instead of LISTEN.
pub fn net_edited(corpus: &Path, to: &Path) -> crit::Result<()> {
    copy_dir(&corpus.join("net"), to).map_err(|e| crit::Error::io(to.display().to_string(), e))?;
    edit_image(&to.join("fdinfo-2.img"), |v| {
        v["entries"].as_array_mut().expect("entries").retain(|e| e["fd"] != 6);
    })?;
    edit_image(&to.join("files.img"), |v| {
        for e in v["entries"].as_array_mut().expect("entries") {
            if e["id"] == 5 {
                e["isk"]["state"] = json!(7);
            }
        }
    })
}

/// The checkpoint of the README's `crit mem DIR args` refusal: CRIU 4.2.1's
/// `mem` (at `corpus_4_2`) whose pagemap entry 3 holds a field 6 (varint 1),
/// as a newer CRIU's compressed pages might.
pub fn newer_pagemap(corpus_4_2: &Path, to: &Path) -> crit::Result<()> {
    copy_dir(&corpus_4_2.join("mem"), to).map_err(|e| crit::Error::io(to.display().to_string(), e))?;
    edit_image(&to.join("pagemap-3374.img"), |v| {
        // Field 6, varint 1: the bytes 0x30 0x01, in base64.
        v["entries"][3]["_unknown_fields"] = json!("MAE=");
    })
}
