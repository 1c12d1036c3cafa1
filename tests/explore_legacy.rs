//! Checkpoints of older CRIUs keep each file type in an image of its own
//! (`reg-files.img`, `inetsk.img`, …) instead of `files.img`. Rewrite corpus
//! checkpoints that way and check the explorers say exactly the same.

use crate::common;

use std::fs::{self, File};
use std::io::Write;
use std::path::Path;

use common::corpus;
use crit::explore::{fds, mems, sk, Checkpoint};
use crit::image::{read_all, write_entry, write_header};
use crit::proto::FileEntry;
use prost::Message;

fn write_image<M: Message>(path: &Path, magic: &str, entries: impl IntoIterator<Item = M>) {
    let mut f = File::create(path).unwrap();
    write_header(&mut f, magic).unwrap();
    for e in entries {
        write_entry(&mut f, &e.encode_to_vec()).unwrap();
    }
    f.flush().unwrap();
}

/// A copy of `dir` with its files split into per-type images; files of the
/// types in `keep` stay in `files.img` (none: no `files.img` at all).
fn legacy_copy(dir: &str, keep: &[i32]) -> tempfile::TempDir {
    let tmp = common::scratch_copy(&corpus(dir));
    let files: Vec<FileEntry> = read_all(corpus(dir).join("files.img")).unwrap();
    let p = tmp.path();
    let of = |f: &FileEntry| f.clone();
    write_image(
        &p.join("reg-files.img"),
        "REG_FILES",
        files.iter().filter_map(|f| of(f).reg),
    );
    write_image(&p.join("inetsk.img"), "INETSK", files.iter().filter_map(|f| of(f).isk));
    write_image(&p.join("unixsk.img"), "UNIXSK", files.iter().filter_map(|f| of(f).usk));
    write_image(
        &p.join("netlinksk.img"),
        "NETLINK_SK",
        files.iter().filter_map(|f| of(f).nlsk),
    );
    write_image(
        &p.join("packetsk.img"),
        "PACKETSK",
        files.iter().filter_map(|f| of(f).psk),
    );
    write_image(&p.join("pipes.img"), "PIPES", files.iter().filter_map(|f| of(f).pipe));
    write_image(&p.join("fifo.img"), "FIFO", files.iter().filter_map(|f| of(f).fifo));
    write_image(
        &p.join("eventfd.img"),
        "EVENTFD_FILE",
        files.iter().filter_map(|f| of(f).efd),
    );
    write_image(
        &p.join("signalfd.img"),
        "SIGNALFD",
        files.iter().filter_map(|f| of(f).sgfd),
    );
    write_image(
        &p.join("timerfd.img"),
        "TIMERFD",
        files.iter().filter_map(|f| of(f).tfd),
    );
    // Epoll targets and inotify watches had images of their own too.
    let epolls: Vec<_> = files.iter().filter_map(|f| of(f).epfd).collect();
    write_image(
        &p.join("eventpoll-tfd.img"),
        "EVENTPOLL_TFD",
        epolls.iter().flat_map(|e| {
            e.tfd
                .iter()
                .map(|t| crit::proto::EventpollTfdEntry { id: e.id, ..*t })
                .collect::<Vec<_>>()
        }),
    );
    write_image(
        &p.join("eventpoll.img"),
        "EVENTPOLL_FILE",
        epolls
            .into_iter()
            .map(|e| crit::proto::EventpollFileEntry { tfd: Vec::new(), ..e }),
    );
    let inotifies: Vec<_> = files.iter().filter_map(|f| of(f).ify).collect();
    write_image(
        &p.join("inotify-wd.img"),
        "INOTIFY_WD",
        inotifies.iter().flat_map(|i| {
            i.wd.iter()
                .map(|w| crit::proto::InotifyWdEntry { id: i.id, ..w.clone() })
                .collect::<Vec<_>>()
        }),
    );
    write_image(
        &p.join("inotify.img"),
        "INOTIFY_FILE",
        inotifies
            .into_iter()
            .map(|i| crit::proto::InotifyFileEntry { wd: Vec::new(), ..i }),
    );
    write_image(&p.join("tty.img"), "TTY_FILES", files.iter().filter_map(|f| of(f).tty));
    if keep.is_empty() {
        fs::remove_file(p.join("files.img")).unwrap();
    } else {
        write_image(
            &p.join("files.img"),
            "FILES",
            files.into_iter().filter(|f| keep.contains(&f.r#type)),
        );
    }
    tmp
}

fn same(dir: &str, keep: &[i32]) {
    let a = Checkpoint::open(corpus(dir)).unwrap();
    let tmp = legacy_copy(dir, keep);
    let b = Checkpoint::open(tmp.path()).unwrap();
    let json = |v: serde_json::Result<String>| v.unwrap();
    assert_eq!(
        json(serde_json::to_string(&fds::explore(&a).unwrap())),
        json(serde_json::to_string(&fds::explore(&b).unwrap())),
        "{dir}: fds"
    );
    assert_eq!(
        json(serde_json::to_string(&mems::explore(&a).unwrap())),
        json(serde_json::to_string(&mems::explore(&b).unwrap())),
        "{dir}: mems"
    );
    assert_eq!(
        json(serde_json::to_string(&sk::explore(&a).unwrap())),
        json(serde_json::to_string(&sk::explore(&b).unwrap())),
        "{dir}: sk"
    );
    // Without files.img, the per-type images are no damage.
    assert_eq!(b.problems(), [], "{dir}");
}

#[test]
fn per_type_images_without_files_img() {
    for dir in ["net", "pty", "tree"] {
        same(dir, &[]);
    }
}

#[test]
fn per_type_images_beside_a_partial_files_img() {
    // memfds have no per-type image: they stay in files.img.
    same("files", &[crit::proto::FdTypes::Memfd as i32]);
}
