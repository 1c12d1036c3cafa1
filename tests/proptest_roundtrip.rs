//! Property tests: random messages of several image kinds, built as typed
//! prost structs and framed as CRIU writes them, survive binary → JSON (plain
//! and `--pretty`) → binary byte-identically.

use crate::common;

use crit::image::{write_entry, write_header};
use crit::image_json::encode_image;
use crit::message_json::decode::write_message;
use crit::message_json::encode::encode_message;
use crit::message_json::writer::JsonWriter;
use crit::proto;
use crit::schema::{Field, Kind, MessageId, Schema};
use crit::wire::{put_tag, put_varint, zigzag32, zigzag64, I32, I64, VARINT};
use proptest::collection::vec;
use proptest::prelude::*;
use prost::Message;

/// A whole image: the magic, then each entry's payload and the raw bytes after it.
fn image(magic: &str, entries: &[(Vec<u8>, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    write_header(&mut out, magic).unwrap();
    for (payload, extra) in entries {
        write_entry(&mut out, payload).unwrap();
        out.extend_from_slice(extra);
    }
    out
}

fn plain<M: Message>(msgs: &[M]) -> Vec<(Vec<u8>, Vec<u8>)> {
    msgs.iter().map(|m| (m.encode_to_vec(), Vec::new())).collect()
}

fn round_trip(image: &[u8]) -> Result<(), TestCaseError> {
    for pretty in [false, true] {
        let json = common::decode_bytes(image, pretty).map_err(|e| TestCaseError::fail(format!("decode: {e}")))?;
        let mut again = Vec::new();
        encode_image(json.as_slice(), "prop.json", &mut again)
            .map_err(|e| TestCaseError::fail(format!("encode: {e}\n{}", String::from_utf8_lossy(&json))))?;
        prop_assert!(
            again == image,
            "pretty {}: bytes differ\n{}",
            pretty,
            String::from_utf8_lossy(&json)
        );
    }
    Ok(())
}

fn pstree() -> impl Strategy<Value = proto::PstreeEntry> {
    (
        any::<u32>(),
        any::<u32>(),
        any::<u32>(),
        any::<u32>(),
        vec(any::<u32>(), 0..5),
    )
        .prop_map(|(pid, ppid, pgid, sid, threads)| proto::PstreeEntry {
            pid,
            ppid,
            pgid,
            sid,
            threads,
        })
}

fn pagemap_entry() -> impl Strategy<Value = proto::PagemapEntry> {
    (
        any::<u64>(),
        any::<u32>(),
        any::<Option<bool>>(),
        any::<Option<u32>>(),
        any::<Option<u64>>(),
    )
        .prop_map(
            |(vaddr, compat_nr_pages, in_parent, flags, nr_pages)| proto::PagemapEntry {
                vaddr,
                compat_nr_pages,
                in_parent,
                flags,
                nr_pages,
            },
        )
}

fn task_core() -> impl Strategy<Value = proto::TaskCoreEntry> {
    (
        (any::<u32>(), any::<u32>(), any::<u32>(), any::<u32>(), any::<u64>()),
        ".{0,16}",
        (
            any::<Option<u32>>(),
            any::<Option<i32>>(),
            any::<Option<bool>>(),
            any::<Option<u64>>(),
        ),
    )
        .prop_map(
            |((task_state, exit_code, personality, flags, blk_sigset), comm, (loginuid, oom, subreaper, ext))| {
                proto::TaskCoreEntry {
                    task_state,
                    exit_code,
                    personality,
                    flags,
                    blk_sigset,
                    comm,
                    loginuid,
                    oom_score_adj: oom,
                    child_subreaper: subreaper,
                    blk_sigset_extended: ext,
                    ..Default::default()
                }
            },
        )
}

fn core() -> impl Strategy<Value = proto::CoreEntry> {
    (0..8i32, proptest::option::of(task_core())).prop_map(|(mtype, tc)| proto::CoreEntry {
        mtype,
        tc,
        ..Default::default()
    })
}

fn fdinfo() -> impl Strategy<Value = proto::FdinfoEntry> {
    (
        any::<u32>(),
        any::<u32>(),
        any::<i32>(),
        any::<u32>(),
        proptest::option::of(".{0,8}"),
    )
        .prop_map(|(id, flags, r#type, fd, xattr_security_selinux)| proto::FdinfoEntry {
            id,
            flags,
            r#type,
            fd,
            xattr_security_selinux,
        })
}

/// Inet sockets, addresses of any length (1 word for IPv4, 4 for IPv6, and odd ones).
fn inet_sk() -> impl Strategy<Value = proto::InetSkEntry> {
    (
        (
            any::<u32>(),
            any::<u32>(),
            prop_oneof![Just(2u32), Just(10u32), any::<u32>()],
            any::<u32>(),
            any::<u32>(),
        ),
        (0..65536u32, 0..65536u32, any::<u32>(), any::<u32>()),
        (vec(any::<u32>(), 0..6), vec(any::<u32>(), 0..6)),
        (
            any::<u32>(),
            any::<u32>(),
            any::<Option<bool>>(),
            proptest::option::of("[a-z0-9]{0,8}"),
        ),
    )
        .prop_map(
            |(
                (id, ino, family, proto_, state),
                (sport, dport, flags, backlog),
                (src, dst),
                (sndbuf, rcvbuf, v6only, ifname),
            )| {
                proto::InetSkEntry {
                    id,
                    ino,
                    family,
                    proto: proto_,
                    state,
                    src_port: sport,
                    dst_port: dport,
                    flags,
                    backlog,
                    src_addr: src,
                    dst_addr: dst,
                    fown: proto::FownEntry {
                        uid: id,
                        euid: ino,
                        signum: 0,
                        pid_type: 0,
                        pid: 0,
                    },
                    opts: proto::SkOptsEntry {
                        so_sndbuf: sndbuf,
                        so_rcvbuf: rcvbuf,
                        ..Default::default()
                    },
                    v6only,
                    ifname,
                    ..Default::default()
                }
            },
        )
}

fn ipc_desc() -> impl Strategy<Value = proto::IpcDescEntry> {
    (
        any::<u32>(),
        any::<u32>(),
        any::<u32>(),
        any::<u32>(),
        any::<u32>(),
        any::<u32>(),
        any::<u32>(),
    )
        .prop_map(|(key, uid, gid, cuid, cgid, mode, id)| proto::IpcDescEntry {
            key,
            uid,
            gid,
            cuid,
            cgid,
            mode,
            id,
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn pstree_round_trips(entries in vec(pstree(), 0..6)) {
        round_trip(&image("PSTREE", &plain(&entries)))?;
    }

    #[test]
    fn pagemap_round_trips(pages_id in any::<u32>(), entries in vec(pagemap_entry(), 0..8)) {
        let mut all = plain(&[proto::PagemapHead { pages_id }]);
        all.extend(plain(&entries));
        round_trip(&image("PAGEMAP", &all))?;
    }

    #[test]
    fn core_round_trips(entry in core()) {
        round_trip(&image("CORE", &plain(&[entry])))?;
    }

    #[test]
    fn fdinfo_round_trips(entries in vec(fdinfo(), 0..6)) {
        round_trip(&image("FDINFO", &plain(&entries)))?;
    }

    #[test]
    fn inet_sockets_round_trip(entries in vec(inet_sk(), 0..4)) {
        round_trip(&image("INETSK", &plain(&entries)))?;
    }

    #[test]
    fn pipe_data_round_trips(pipes in vec((any::<u32>(), vec(any::<u8>(), 0..300), any::<Option<u32>>()), 0..4)) {
        let entries: Vec<_> = pipes
            .into_iter()
            .map(|(pipe_id, data, size)| {
                let e = proto::PipeDataEntry { pipe_id, bytes: data.len() as u32, size };
                (e.encode_to_vec(), data)
            })
            .collect();
        round_trip(&image("PIPES_DATA", &entries))?;
    }

    #[test]
    fn ipc_sem_round_trips(sets in vec((ipc_desc(), vec(any::<u16>(), 0..10)), 0..4)) {
        let entries: Vec<_> = sets
            .into_iter()
            .map(|(desc, values)| {
                let e = proto::IpcSemEntry { desc, nsems: values.len() as u32 };
                // u16 values, padded to 8 bytes, as CRIU writes them.
                let mut extra: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
                extra.resize(extra.len().div_ceil(8) * 8, 0);
                (e.encode_to_vec(), extra)
            })
            .collect();
        round_trip(&image("IPCNS_SEM", &entries))?;
    }
}

/// Every scalar field of every message in the schema, with the `(criu)` options
/// `--pretty` applies (hex, flags, devices, dicts, addresses).
fn scalar_fields() -> Vec<(MessageId, usize)> {
    let schema = Schema::get();
    let mut out = Vec::new();
    for (m, msg) in schema.messages.iter().enumerate() {
        for (f, field) in msg.fields.iter().enumerate() {
            if field.kind.is_integer() || matches!(field.kind, Kind::Enum(_) | Kind::Bool) {
                out.push((m, f));
            }
        }
    }
    out
}

/// One occurrence of `field` on the wire holding `bits`, made valid for its kind.
fn wire_value(field: &Field, bits: u64, out: &mut Vec<u8>) {
    let (wire_type, v) = match field.kind {
        Kind::Fixed32 | Kind::Sfixed32 => (I32, bits as u32 as u64),
        Kind::Fixed64 | Kind::Sfixed64 => (I64, bits),
        Kind::Uint32 => (VARINT, bits as u32 as u64),
        Kind::Int32 | Kind::Enum(_) => (VARINT, bits as i32 as i64 as u64),
        Kind::Sint32 => (VARINT, zigzag32(bits as i32)),
        Kind::Sint64 => (VARINT, zigzag64(bits as i64)),
        Kind::Bool => (VARINT, bits & 1),
        _ => (VARINT, bits),
    };
    put_tag(out, field.number, wire_type);
    match wire_type {
        I32 => out.extend_from_slice(&(v as u32).to_le_bytes()),
        I64 => out.extend_from_slice(&v.to_le_bytes()),
        _ => put_varint(out, v),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4096, ..ProptestConfig::default() })]

    /// A field's value survives `--pretty` and back, whatever its bits: flag
    /// names, hex, `major:minor`, dict names and addresses all parse back.
    #[test]
    fn every_scalar_field_round_trips_pretty(pick in any::<prop::sample::Index>(), values in vec(any::<u64>(), 1..6), small in any::<bool>()) {
        let fields = scalar_fields();
        let (m, f) = fields[pick.index(fields.len())];
        let field = &Schema::get().messages[m].fields[f];
        let count = if field.repeated { values.len() } else { 1 };
        let mut payload = Vec::new();
        for &bits in &values[..count] {
            // Small values hit the names in flag and dict tables.
            wire_value(field, if small { bits % 64 } else { bits }, &mut payload);
        }
        for pretty in [false, true] {
            let mut json = Vec::new();
            let mut w = JsonWriter::new(&mut json, pretty);
            write_message(&mut w, m, &payload, pretty).unwrap();
            w.flush().unwrap();
            drop(w);
            let value: serde_json::Value = serde_json::from_slice(&json).unwrap();
            let mut again = Vec::new();
            encode_message(m, &value, &[], &mut again)
                .map_err(|e| TestCaseError::fail(format!("{}.{}: {e}", Schema::get().messages[m].name, field.name)))?;
            prop_assert!(
                again == payload,
                "{}.{} (pretty {}): {}",
                Schema::get().messages[m].name,
                field.name,
                pretty,
                String::from_utf8_lossy(&json)
            );
        }
    }
}
