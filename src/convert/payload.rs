//! The per-magic rules for the raw bytes after an entry, shared by decode and encode.

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
