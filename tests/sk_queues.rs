//! `crit x DIR sk` shows queues as the image records them: a unix or
//! netlink socket's receive queue (`sk-queues.img`), an established TCP
//! socket's two (`tcp-stream-INO.img`); where CRIU records none (UDP, a
//! listening TCP socket, a packet socket) the queue is unknown: `-` in the
//! table, `null` in JSON, never 0.

use crate::common;

use std::path::Path;

use serde_json::{json, Value};

use common::{crit_text, edit_image, fixtures};

/// `(fd, recv_queued, send_queued, recv_queued_packets)` of every socket.
fn queues(dir: &Path) -> Vec<Value> {
    let (out, err, ok) = crit_text(&["x", dir.to_str().unwrap(), "sk", "--format", "json"]);
    assert!(ok, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    v["tasks"][0]["sockets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| json!([s["fd"], s["recv_queued"], s["send_queued"], s["recv_queued_packets"]]))
        .collect()
}

/// The net fixture's sockets, fd 3 to 14, as CRIU recorded their queues.
fn net_queues() -> Vec<Value> {
    let n = Value::Null;
    vec![
        json!([3, n, n, n]),   // tcp LISTEN: its accept queue is not saved
        json!([4, 36, 0, n]),  // tcp ESTAB: tcp-stream-71cb.img, bytes only
        json!([5, 36, 0, n]),  // tcp ESTAB: tcp-stream-71cc.img
        json!([6, n, n, n]),   // udp: CRIU saves no datagram queue
        json!([7, n, n, n]),   // tcp6 LISTEN
        json!([8, 0, n, 0]),   // unix stream, nothing in sk-queues.img
        json!([9, 34, n, 1]),  // unix stream: one entry of 34 bytes
        json!([10, 0, n, 0]),  // unix dgram
        json!([11, 24, n, 2]), // unix dgram: two datagrams of 12
        json!([12, 0, n, 0]),  // unix LISTEN
        json!([13, 0, n, 0]),  // netlink: CRIU refuses one holding data
        json!([14, n, n, n]),  // packet
    ]
}

#[test]
fn the_net_fixtures_queues_as_recorded() {
    for corpus in ["corpus", "corpus-4.2.1"] {
        let dir = fixtures().join(corpus).join("net");
        assert_eq!(queues(&dir), net_queues(), "{corpus}");
        let (table, _, ok) = crit_text(&["x", dir.to_str().unwrap(), "sk"]);
        assert!(ok);
        let queued: Vec<(&str, &str)> = table
            .lines()
            .skip(2)
            .map(|l| {
                let cells: Vec<&str> = l.split_whitespace().collect();
                (cells[0], cells[3])
            })
            .collect();
        assert_eq!(
            queued,
            [
                ("3", "-"),
                ("4", "36"),
                ("5", "36"),
                ("6", "-"),
                ("7", "-"),
                ("8", "0"),
                ("9", "34"),
                ("10", "0"),
                ("11", "24"),
                ("12", "0"),
                ("13", "0"),
                ("14", "-"),
            ],
            "{corpus}:\n{table}"
        );
    }
}

/// What `sk-queues.img` lists is shown whatever the socket: a datagram
/// queued for the UDP socket (file id 8) in an edited copy is 5 bytes, one
/// packet, and `diff` says so, the unknown side as null.
#[test]
fn what_the_image_lists_is_shown_and_nothing_else() {
    let b = common::scratch_copy(&fixtures().join("corpus/net"));
    edit_image(&b.path().join("sk-queues.img"), |v| {
        v["entries"]
            .as_array_mut()
            .unwrap()
            .push(json!({"id_for": 8, "length": 5, "extra": "aGVsbG8=\n"}));
    });
    let mut want = net_queues();
    want[3] = json!([6, 5, null, 1]);
    assert_eq!(queues(b.path()), want);

    let a = fixtures().join("corpus/net");
    let (out, err, _) = crit_text(&[
        "diff",
        "--format",
        "json",
        a.to_str().unwrap(),
        b.path().to_str().unwrap(),
    ]);
    assert!(err.is_empty(), "{err}");
    let d: Value = serde_json::from_str(&out).unwrap();
    let changed = &d["tasks"][0]["files"]["changed"];
    let by_fd = |fd: u32| {
        changed
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["fd"] == fd)
            .map(|c| c["changes"].clone())
    };
    assert_eq!(changed.as_array().unwrap().len(), 1, "{changed}");
    assert_eq!(
        by_fd(6),
        Some(json!([
            {"field": "recv_queued", "a": null, "b": 5},
            {"field": "recv_queued_packets", "a": null, "b": 1},
        ]))
    );
}
