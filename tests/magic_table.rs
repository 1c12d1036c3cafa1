//! The `Magic` enum and the image-name functions `build.rs` generates from
//! `proto/magic.proto` (issue 23.4), checked against the facts of CRIU's
//! format (magic.h of 4.1.1 and 4.2.1) and the names of real checkpoints.

use crate::common;

use std::fs;

use common::{corpus_dirs_of, fixtures, images_of, CORPORA};
use crit::image::{name, ImageReader};
use crit::raw_image::RawKind;
use crit::schema::magic::{self, Layout, Magic};
use crit::schema::Schema;
use serde_json::Value;

/// `(name, value)` of every magic of a facts file.
fn facts(file: &str) -> Vec<(String, u32)> {
    let v: Value = serde_json::from_str(&fs::read_to_string(fixtures().join(file)).unwrap()).unwrap();
    v["magic"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(n, v)| (n.clone(), u32::try_from(v.as_u64().unwrap()).unwrap()))
        .collect()
}

#[test]
fn the_enum_is_criu_magic_h_of_both_releases() {
    for file in ["criu-magic-4.1.1.json", "criu-format-4.2.1.json"] {
        let facts = facts(file);
        assert_eq!(facts.len(), 72, "{file}");
        assert_eq!(Magic::ALL.len(), facts.len(), "{file}");
        for (n, v) in &facts {
            let m = Magic::from_name(n).unwrap_or_else(|| panic!("{file}: {n} missing"));
            assert_eq!((m.name(), m.value()), (n.as_str(), *v), "{file}");
            assert_eq!(Magic::from_u32(*v), Some(m), "{file}: {n}");
        }
    }
    // The old table's view of it, kept for callers.
    assert_eq!(magic::MAGICS.len(), 72);
    assert_eq!(magic::name_of(0x5505_3847), Some("CORE"));
    assert_eq!(magic::value_of("PSTREE"), Some(0x5027_3030));
    assert_eq!(Magic::from_u32(0xdead_beef), None);
    assert_eq!(Magic::from_name("CORES"), None);
}

#[test]
fn every_magic_round_trips_and_names_a_real_message() {
    let mut names: Vec<&str> = Vec::new();
    for (i, &m) in Magic::ALL.iter().enumerate() {
        assert_eq!(m as usize, i, "{m:?}: ALL is in declaration order");
        assert_eq!(Magic::from_u32(m.value()), Some(m));
        assert_eq!(Magic::from_name(m.name()), Some(m));
        assert_eq!(magic::MAGICS[i], (m.name(), m.value()));
        names.push(m.name());
        match (m.layout(), m.message()) {
            (Some(Layout::Entries { message, .. }), Some(entry)) => assert_eq!(message, entry, "{m:?}"),
            (Some(Layout::Pagemap), Some(entry)) => assert_eq!(entry, "pagemap_entry"),
            (Some(Layout::GhostFile), Some(entry)) => assert_eq!(entry, "ghost_file_entry"),
            (None, None) => assert!(
                ["CRTOOLS_IMAGES_V1_1", "IMG_COMMON", "IMG_SERVICE", "KDAT"].contains(&m.name()),
                "{m:?}"
            ),
            other => panic!("{m:?}: {other:?}"),
        }
        if let Some(entry) = m.message() {
            assert!(Schema::get().message(entry).is_some(), "{m:?}: {entry}");
        }
    }
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(names, sorted, "by name");
    assert_eq!(Magic::Inventory.leading(), None);
    assert_eq!(Magic::Stats.leading(), Some(magic::IMG_SERVICE));
    assert_eq!(Magic::IrmapCache.leading(), Some(magic::IMG_SERVICE));
    assert_eq!(Magic::Core.leading(), Some(magic::IMG_COMMON));
    assert_eq!(Magic::Core.message(), Some("core_entry"));
    assert_eq!(Magic::PipesData.layout(), magic::layout("PIPES_DATA"));
}

#[test]
fn the_name_functions_build_criu_names() {
    assert_eq!(name::core(20931), "core-20931.img");
    assert_eq!(name::mm(1u32), "mm-1.img");
    assert_eq!(name::pagemap(7), "pagemap-7.img");
    assert_eq!(name::pagemap_shmem(4_294_967_296u64), "pagemap-shmem-4294967296.img");
    assert_eq!(name::pages(3), "pages-3.img");
    assert_eq!(name::fdinfo(2), "fdinfo-2.img");
    assert_eq!(name::tcp_stream(0x1c3cu32), "tcp-stream-1c3c.img");
    assert_eq!(name::ghost_file(255u32), "ghost-file-ff.img");
    assert_eq!(name::pidns(4026531836u32), "pidns-4026531836.img");
    assert_eq!(name::ipcns_var(5), "ipcns-var-5.img");
    assert_eq!(name::mountpoints(9), "mountpoints-9.img");
    assert_eq!(name::tmpfs_dev(81), "tmpfs-dev-81.tar.gz.img");
    assert_eq!(name::pstree(), "pstree.img");
    assert_eq!(name::stats_dump(), "stats-dump");
    assert_eq!(name::stats_restore(), "stats-restore");
    assert_eq!(Magic::Pagemap.files(), ["pagemap-{pid}.img", "pagemap-shmem-{id}.img"]);
    // The raw images' names are the ones `RawKind` recognises.
    for (image, kind) in [
        (name::ifaddr(1), RawKind::Ifaddr),
        (name::route(1), RawKind::Route),
        (name::route6(1), RawKind::Route6),
        (name::rule(1), RawKind::Rule),
        (name::iptables(1), RawKind::Iptables),
        (name::ip6tables(1), RawKind::Ip6tables),
        (name::nftables(1), RawKind::Nftables),
        (name::tmpfs_dev(1), RawKind::TmpfsDev),
    ] {
        assert_eq!(RawKind::from_file_name(&image), Some(kind), "{image}");
    }
}

/// Whether file name `file` fits pattern `pattern` (`{pid}`, `{id}`: decimal;
/// `{id:x}`: hexadecimal).
fn fits(pattern: &str, file: &str) -> bool {
    let Some(open) = pattern.find('{') else {
        return pattern == file;
    };
    let close = pattern.find('}').unwrap();
    let (head, tail) = (&pattern[..open], &pattern[close + 1..]);
    let hex = pattern[open..close].ends_with(":x");
    file.strip_prefix(head)
        .and_then(|r| r.strip_suffix(tail))
        .is_some_and(|n| {
            !n.is_empty()
                && n.bytes()
                    .all(|b| if hex { b.is_ascii_hexdigit() } else { b.is_ascii_digit() })
        })
}

#[test]
fn every_image_of_the_corpora_is_named_as_its_magic_says() {
    let mut checked = 0;
    for (corpus, _) in CORPORA {
        for dir in corpus_dirs_of(corpus) {
            for path in images_of(&dir) {
                let file = path.file_name().unwrap().to_str().unwrap();
                let r = ImageReader::open(&path).unwrap();
                let m = Magic::from_name(r.magic()).unwrap();
                assert!(
                    m.files().iter().any(|p| fits(p, file)),
                    "{}: a {m:?} image, whose names are {:?}",
                    path.display(),
                    m.files()
                );
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 288, "every protobuf image of the two corpora");
}
