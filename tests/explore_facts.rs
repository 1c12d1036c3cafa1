//! What we know the corpus checkpoints hold (see the corpus README), checked
//! through the library's explorers: exact values, including those the peers
//! get wrong or cannot show.

use crate::common;

use common::corpus;
use crit::explore::{fds, mems, ps, rss, sk, Checkpoint, TaskState};

fn open(dir: &str) -> Checkpoint {
    Checkpoint::open(corpus(dir)).unwrap()
}

fn objects(dir: &str) -> Vec<(u32, String, String)> {
    let r = fds::explore(&open(dir)).unwrap();
    assert_eq!(r.tasks.len(), 1);
    r.tasks[0]
        .fds
        .iter()
        .map(|f| (f.fd, f.kind.clone(), f.object.clone()))
        .collect()
}

fn object(list: &[(u32, String, String)], fd: u32) -> (&str, &str) {
    let (_, kind, obj) = list
        .iter()
        .find(|(n, ..)| *n == fd)
        .unwrap_or_else(|| panic!("no fd {fd}"));
    (kind, obj)
}

#[test]
fn tree_lists_the_zombie_and_every_explorer_survives_it() {
    let cp = open("tree");
    let r = ps::explore(&cp);
    let names: Vec<(u32, usize, &str)> = r.tasks.iter().map(|t| (t.pid, t.depth, t.comm.as_str())).collect();
    assert_eq!(
        names,
        [
            (20884, 0, "tree-root"),
            (20885, 1, "tree-kid0"),
            (20886, 1, "tree-kid1"),
            (20888, 2, "tree-grandkid"),
            (20887, 1, "tree-root")
        ]
    );
    let zombie = r.tasks.iter().find(|t| t.pid == 20887).unwrap();
    assert_eq!(zombie.state, TaskState::Zombie);
    assert_eq!(zombie.task_state, 2);
    assert_eq!(zombie.exit_status, Some(7));
    assert_eq!(zombie.ppid, 20884);
    assert!(r
        .tasks
        .iter()
        .filter(|t| t.pid != 20887)
        .all(|t| t.state == TaskState::Alive));
    let kid1 = r.tasks.iter().find(|t| t.pid == 20886).unwrap();
    assert_eq!(
        (kid1.pgid, kid1.sid),
        (20886, 20884),
        "tree-kid1 leads its own process group"
    );

    // Both peers fail here; we list the zombie with nothing.
    let f = fds::explore(&cp).unwrap();
    assert_eq!(f.tasks.len(), 5);
    let z = f.tasks.iter().find(|t| t.task.pid == 20887).unwrap();
    assert!(z.fds.is_empty() && z.cwd.is_none() && z.root.is_none());
    assert_eq!(z.task.state, TaskState::Zombie);
    assert!(f
        .tasks
        .iter()
        .filter(|t| t.task.pid != 20887)
        .all(|t| t.fds.len() == 3 && t.cwd.as_deref() == Some("/")));

    let m = mems::explore(&cp).unwrap();
    let z = m.tasks.iter().find(|t| t.task.pid == 20887).unwrap();
    assert!(z.vmas.is_empty() && z.exe.is_none());
    assert!(m
        .tasks
        .iter()
        .filter(|t| t.task.pid != 20887)
        .all(|t| t.exe.as_deref() == Some("/usr/local/bin/cwork")));

    let r = rss::explore(&cp).unwrap();
    let z = r.tasks.iter().find(|t| t.task.pid == 20887).unwrap();
    assert!(z.runs.is_empty() && z.present_pages == Some(0));
    assert!(r
        .tasks
        .iter()
        .filter(|t| t.task.pid != 20887)
        .all(|t| t.present_pages > Some(0)));

    let s = sk::explore(&cp).unwrap();
    assert_eq!(s.tasks.len(), 5);
    assert!(s.tasks.iter().all(|t| t.sockets.is_empty()));
}

#[test]
fn threads_has_four_threads() {
    let r = ps::explore(&open("threads"));
    assert_eq!(r.tasks.len(), 1);
    assert_eq!((r.tasks[0].pid, r.tasks[0].threads), (20914, 4));
}

#[test]
fn ipc_task_is_pid_1_of_its_namespace() {
    for dir in ["ipc", "restored"] {
        let r = ps::explore(&open(dir));
        assert_eq!(
            (r.tasks[0].pid, r.tasks[0].ppid, r.tasks[0].comm.as_str()),
            (1, 0, "ipc")
        );
        let m = mems::explore(&open(dir)).unwrap();
        let shm: Vec<_> = m.tasks[0]
            .vmas
            .iter()
            .filter(|v| v.resource.starts_with("sysvipc"))
            .collect();
        assert_eq!(shm.len(), 1, "{dir}: one System V shm mapping");
        assert_eq!(
            (shm[0].resource.as_str(), shm[0].end.0 - shm[0].start.0),
            ("sysvipc[0]", 8192)
        );
        assert!(shm[0].shared);
    }
}

#[test]
fn net_sockets() {
    let r = sk::explore(&open("net")).unwrap();
    let s = &r.tasks[0].sockets;
    assert_eq!(s.len(), 12);
    let by_fd = |fd: u32| s.iter().find(|x| x.fd == fd).unwrap();

    let l = by_fd(3);
    assert_eq!(
        (l.family.as_str(), l.protocol.as_deref(), l.state.as_deref()),
        ("inet", Some("tcp"), Some("LISTEN"))
    );
    assert_eq!(
        (l.src_addr.as_deref(), l.src_port, l.dst_addr.as_deref()),
        (Some("127.0.0.1"), Some(47101), None)
    );
    assert_eq!((l.send_buf, l.recv_buf), (16384, 131072));

    // The established pair, each end with 36 unread bytes (tcp-stream-*.img).
    for (fd, src, dst, ino) in [(4, 46580, 47101, 29131), (5, 47101, 46580, 29132)] {
        let c = by_fd(fd);
        assert_eq!(c.state.as_deref(), Some("ESTABLISHED"));
        assert_eq!(
            (c.src_port, c.dst_port, c.dst_addr.as_deref()),
            (Some(src), Some(dst), Some("127.0.0.1"))
        );
        assert_eq!((c.ino, c.recv_queued, c.send_queued), (Some(ino), Some(36), Some(0)));
    }

    let u = by_fd(6);
    assert_eq!(
        (u.protocol.as_deref(), u.kind.as_deref(), u.src_port),
        (Some("udp"), Some("dgram"), Some(47102))
    );

    let v6 = by_fd(7);
    assert_eq!(
        (v6.family.as_str(), v6.src_addr.as_deref(), v6.src_port),
        ("inet6", Some("::1"), Some(47103))
    );
    assert_eq!(v6.state.as_deref(), Some("LISTEN"));

    // Unix stream pair: 34 bytes queued for 29136; datagram pair: two datagrams for 29138.
    assert_eq!(
        (by_fd(8).ino, by_fd(8).peer, by_fd(8).recv_queued),
        (Some(29135), Some(29136), Some(0))
    );
    assert_eq!(
        (by_fd(9).ino, by_fd(9).recv_queued, by_fd(9).recv_queued_packets),
        (Some(29136), Some(34), Some(1))
    );
    assert_eq!(
        (
            by_fd(11).kind.as_deref(),
            by_fd(11).recv_queued,
            by_fd(11).recv_queued_packets
        ),
        (Some("dgram"), Some(24), Some(2))
    );

    let listener = by_fd(12);
    assert_eq!(listener.name.as_deref(), Some("/tmp/crit-net.sock"), "no trailing NUL");
    assert_eq!((listener.state.as_deref(), listener.peer), (Some("LISTEN"), Some(0)));

    assert_eq!(
        (by_fd(13).family.as_str(), by_fd(13).protocol.as_deref()),
        ("netlink", Some("route"))
    );
    assert_eq!(
        (by_fd(14).family.as_str(), by_fd(14).kind.as_deref()),
        ("packet", Some("raw"))
    );
}

#[test]
fn net_fds() {
    let o = objects("net");
    assert_eq!(object(&o, 3), ("INETSK", "tcp 127.0.0.1:47101 LISTEN"));
    assert_eq!(
        object(&o, 4),
        ("INETSK", "tcp 127.0.0.1:46580 -> 127.0.0.1:47101 ESTABLISHED")
    );
    assert_eq!(object(&o, 6), ("INETSK", "udp 127.0.0.1:47102"));
    assert_eq!(object(&o, 7), ("INETSK", "tcp6 [::1]:47103 LISTEN"));
    assert_eq!(object(&o, 8), ("UNIXSK", "unix[29135 (29136)]"));
    assert_eq!(object(&o, 12), ("UNIXSK", "unix[29139 (0) /tmp/crit-net.sock]"));
    assert_eq!(object(&o, 13), ("NETLINKSK", "netlink (route)"));
    assert_eq!(object(&o, 14), ("PACKETSK", "packet (raw, all)"));
}

#[test]
fn files_fds() {
    let o = objects("files");
    assert_eq!(object(&o, 3), ("REG", "/tmp/crit-files/data.txt"));
    assert_eq!(object(&o, 5), ("REG", "/tmp/crit-files/ghost.txt (deleted)"));
    assert_eq!(object(&o, 6), ("MEMFD", "memfd:crit-memfd"));
    assert_eq!(object(&o, 7), ("PIPE", "pipe[29145]"));
    assert_eq!(object(&o, 8), ("PIPE", "pipe[29145]"));
    assert_eq!(object(&o, 9), ("FIFO", "fifo /tmp/crit-files/fifo"));
    assert_eq!(object(&o, 10), ("EVENTFD", "eventfd (count 5)"));
    assert_eq!(object(&o, 11), ("EVENTPOLL", "eventpoll (2 targets)"));
    assert_eq!(object(&o, 12), ("SIGNALFD", "signalfd (SIGUSR1, SIGUSR2)"));
    assert_eq!(object(&o, 13), ("TIMERFD", "timerfd (monotonic, every 60s)"));
    assert_eq!(object(&o, 14), ("INOTIFY", "inotify (1 watch)"));
    let r = fds::explore(&open("files")).unwrap();
    assert_eq!(r.tasks[0].cwd.as_deref(), Some("/tmp/crit-files"));
    assert_eq!(r.tasks[0].root.as_deref(), Some("/"));
    let ghost = r.tasks[0].fds.iter().find(|f| f.fd == 5).unwrap();
    assert_eq!(ghost.path.as_deref(), Some("/tmp/crit-files/ghost.txt (deleted)"));
    // Open flags and positions, pipe ends, inotify watches, epoll targets.
    let fd = |n: u32| r.tasks[0].fds.iter().find(|f| f.fd == n).unwrap();
    assert_eq!(
        (fd(3).flags.as_deref(), fd(3).pos),
        (Some("O_RDWR|O_LARGEFILE"), Some(5))
    );
    assert_eq!(
        (fd(4).flags.as_deref(), fd(4).pos),
        (Some("O_WRONLY|O_APPEND|O_LARGEFILE"), Some(54))
    );
    assert_eq!(
        (fd(7).pipe_end, fd(8).pipe_end, fd(9).pipe_end),
        (Some("read"), Some("write"), Some("read-write"))
    );
    assert_eq!(fd(7).flags.as_deref(), Some("O_RDONLY"));
    assert_eq!(fd(14).watches, Some(vec!["/tmp/crit-files".to_string()]));
    assert_eq!(fd(11).targets, Some(vec![7, 10]));
    assert_eq!(fd(7).detail(), " (read end)");
    assert_eq!(fd(9).detail(), " (read-write)");
    assert_eq!(fd(11).detail(), ": fd 7, 10");
    assert_eq!(fd(14).detail(), ": /tmp/crit-files");
    assert_eq!(fd(3).detail(), "");
    assert_eq!(
        (fd(10).flags.as_deref(), fd(10).pos, fd(10).targets.as_ref()),
        (None, None, None)
    );
}

#[test]
fn files_mems_shared_and_private_mappings() {
    let m = mems::explore(&open("files")).unwrap();
    let vmas = &m.tasks[0].vmas;
    let mapped: Vec<(&str, bool)> = vmas
        .iter()
        .filter(|v| v.path.as_deref() == Some("/tmp/crit-files/mapped"))
        .map(|v| (v.resource.as_str(), v.shared))
        .collect();
    assert_eq!(
        mapped,
        [
            ("/tmp/crit-files/mapped + 0x1000", false),
            ("/tmp/crit-files/mapped (s)", true)
        ]
    );
    let names: Vec<&str> = vmas
        .iter()
        .map(|v| v.resource.as_str())
        .filter(|r| r.starts_with('['))
        .collect();
    assert_eq!(names, ["[heap]", "[vvar]", "[vdso]", "[stack]", "[vsyscall] *"]);
    let vsyscall = vmas.last().unwrap();
    assert_eq!(
        (vsyscall.start.0, vsyscall.prot.as_str(), vsyscall.regular),
        (0xffff_ffff_ff60_0000, "--x", false)
    );
}

#[test]
fn pty_fds() {
    let o = objects("pty");
    assert_eq!(object(&o, 3), ("TTY", "pty master /dev/pts/ptmx"));
    assert_eq!(object(&o, 4), ("TTY", "pty slave /dev/pts/0"));
}

#[test]
fn mem_sparse_mapping_shows_every_fourth_page() {
    let r = rss::explore(&open("mem")).unwrap();
    let t = &r.tasks[0];
    // The 256-page mapping (merged by the kernel with the heap's mapping after
    // it): 64 runs of one page, 4 pages apart, all in the same VMA.
    let base = 0x7f63_88c1_3000u64;
    let sparse: Vec<_> = t
        .runs
        .iter()
        .filter(|run| (base..base + 256 * 4096).contains(&run.start.0))
        .collect();
    assert_eq!(sparse.len(), 64);
    for (i, run) in sparse.iter().enumerate() {
        assert_eq!((run.start.0, run.pages), (base + 4 * 4096 * i as u64, 1));
        assert_eq!(run.vmas.len(), 1);
        assert_eq!(run.vmas[0].same_as_previous, i > 0);
    }
    assert_eq!(t.present_pages, Some(t.runs.iter().map(|r| r.pages).sum::<u64>()));
}
