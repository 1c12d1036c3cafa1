//! The per-magic rules for the raw bytes after an entry — how many, and their
//! padding — that decode, encode and info all follow.

use prost::Message as _;

use crate::proto;

/// The raw bytes after an entry of a `Blob` image (`SK_QUEUES`, `BPFMAP_DATA`,
/// pipe and fifo data): how many its entry says there are, what they are, and
/// which of its fields says so. Decode and encode both go by it.
pub(super) struct BlobSize {
    pub len: u64,
    pub what: &'static str,
    pub field: &'static str,
}

pub(super) fn blob_size(magic: &str, payload: &[u8]) -> Result<BlobSize, prost::DecodeError> {
    Ok(match magic {
        "SK_QUEUES" => BlobSize {
            len: u64::from(proto::SkPacketEntry::decode(payload)?.length),
            what: "queued packet",
            field: "length",
        },
        "BPFMAP_DATA" => {
            let e = proto::BpfmapDataEntry::decode(payload)?;
            BlobSize {
                len: u64::from(e.keys_bytes) + u64::from(e.values_bytes),
                what: "map data",
                field: "keys_bytes + values_bytes",
            }
        }
        _ => BlobSize {
            len: u64::from(proto::PipeDataEntry::decode(payload)?.bytes),
            what: "pipe data",
            field: "bytes",
        },
    })
}

/// `x` rounded up to a multiple of `to`. Saturates: a size read from a hostile
/// image may be near `u64::MAX`, and the read that follows then fails cleanly.
pub(super) fn round_up(x: u64, to: u64) -> u64 {
    x.div_ceil(to).saturating_mul(to)
}

/// SysV shared memory: the contents follow the entry unless they live in
/// pagemap/pages images (`in_pagemaps`), padded to 4 bytes.
pub(super) fn shm_len(e: &proto::IpcShmEntry) -> u64 {
    if e.in_pagemaps() {
        0
    } else {
        e.size
    }
}

/// Padding after shared memory contents.
pub(super) const SHM_ALIGN: u64 = 4;

/// Semaphore values: one u16 each, padded to 8 bytes.
pub(super) fn sem_len(e: &proto::IpcSemEntry) -> u64 {
    2 * u64::from(e.nsems)
}

/// Padding after semaphore values, and after each queued message's data.
pub(super) const SEM_ALIGN: u64 = 8;
/// Padding after a queued message's data.
pub(super) const MSG_ALIGN: u64 = 8;

/// The zero bytes after `len` bytes aligned to `to`.
pub(super) fn padding(len: u64, to: u64) -> u64 {
    round_up(len, to) - len
}
