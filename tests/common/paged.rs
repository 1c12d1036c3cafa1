//! Renders a real x86_64 checkpoint as if another machine had written it:
//! the cores rewritten for aarch64 or ppc64le (registers from a known
//! pattern), every mapping moved to a multiple of the page size, and the
//! pagemap and pages rewritten in pages of that size, with markers at known
//! addresses. Two renderings of one checkpoint at two page sizes hold the
//! same bytes at the same addresses.

use std::path::Path;

use crit::mem::MemReader;
use crit::proto::{
    core_entry::March, CoreEntry, MmEntry, PagemapEntry, PagemapHead, ThreadInfoAarch64, ThreadInfoPpc64,
    UserAarch64FpsimdContextEntry, UserAarch64RegsEntry, UserPpc64RegsEntry,
};
use prost::Message;

/// Every rendering's mappings are aligned to this (the largest page size).
pub const ALIGN: u64 = 0x10000;

/// The architecture a rendering claims.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arch {
    Aarch64,
    Ppc64le,
}

/// A marker written into the rendered memory.
pub struct Marker {
    pub addr: u64,
    pub bytes: Vec<u8>,
}

/// What a rendering holds: where the markers are, how the mappings moved.
pub struct Rendered {
    pub markers: Vec<Marker>,
    /// Each mapping's old start, new start and length.
    pub moves: Vec<(u64, u64, u64)>,
    /// Pages present, in the rendering's page size.
    pub pages: u64,
}

/// Register `i` of the known pattern.
pub fn reg(i: u64) -> u64 {
    0x5eed_0000_0000_0000 | (i << 8) | i
}

/// Renders single-task checkpoint `from` into `to` (an existing directory)
/// for `arch` in pages of `page_size` bytes.
pub fn render(from: &Path, to: &Path, arch: Arch, page_size: u64) -> Rendered {
    super::copy_checkpoint(from, to);
    let mem = MemReader::open(from, None).unwrap();
    let pid = mem.pid();
    let held = mem.held_ranges();
    let is_held = |s: u64, e: u64| held.iter().any(|r| r.start < e && s < r.end);

    // The mappings, moved up to multiples of ALIGN, in order, apart.
    let mut mm: MmEntry = crit::image::read_first(from.join(format!("mm-{pid}.img"))).unwrap();
    let mut moves = Vec::new();
    let mut cursor = 0u64;
    let mut order: Vec<usize> = (0..mm.vmas.len()).collect();
    order.sort_by_key(|&i| mm.vmas[i].start);
    for i in order {
        let v = &mut mm.vmas[i];
        let len = v.end - v.start;
        let at = (v.start / ALIGN * ALIGN).max(cursor);
        moves.push((v.start, at, len));
        cursor = at + len.next_multiple_of(ALIGN) + ALIGN;
        v.start = at;
        v.end = at + len.next_multiple_of(ALIGN);
    }
    let to_new = |a: u64| {
        moves
            .iter()
            .find(|(s, _, l)| a >= *s && a <= s + l)
            .map_or(a, |(s, n, _)| n + (a - s))
    };
    for f in [
        &mut mm.mm_start_code,
        &mut mm.mm_end_code,
        &mut mm.mm_start_data,
        &mut mm.mm_end_data,
        &mut mm.mm_start_stack,
        &mut mm.mm_start_brk,
        &mut mm.mm_brk,
        &mut mm.mm_arg_start,
        &mut mm.mm_arg_end,
        &mut mm.mm_env_start,
        &mut mm.mm_env_end,
    ] {
        *f = to_new(*f);
    }
    // AT_PAGESZ, as the kernel would have said it.
    for pair in mm.mm_saved_auxv.chunks_mut(2) {
        if pair.len() == 2 && pair[0] == 6 {
            pair[1] = page_size;
        }
    }
    rewrite(&to.join(format!("mm-{pid}.img")), &[mm.encode_to_vec()]);

    // The memory: every ALIGN block holding a byte of the original is held
    // whole, at both page sizes.
    let mut blocks: Vec<(u64, Vec<u8>)> = Vec::new();
    for &(old, new, len) in &moves {
        let mut off = 0;
        while off < len {
            if is_held(old + off, old + off + ALIGN) {
                let n = ALIGN.min(len - off) as usize;
                let mut data = vec![0u8; ALIGN as usize];
                data[..n].copy_from_slice(&mem.read(old + off, n).unwrap().data);
                blocks.push((new + off, data));
            }
            off += ALIGN;
        }
    }
    blocks.sort_by_key(|b| b.0);
    // Markers: one at a block's start, one across a 4 KiB boundary, one in
    // a block's last bytes (beyond the end of a mapping when it is shorter).
    let mut markers = Vec::new();
    for (k, at) in [
        (0usize, 0u64),
        (blocks.len() / 2, 0x1ffc),
        (blocks.len() - 1, ALIGN - 16),
    ] {
        let bytes = format!("MARK{k:04}-{arch:?}").into_bytes();
        let n = bytes.len().min((ALIGN - at) as usize);
        blocks[k].1[at as usize..at as usize + n].copy_from_slice(&bytes[..n]);
        markers.push(Marker {
            addr: blocks[k].0 + at,
            bytes: bytes[..n].to_vec(),
        });
    }

    let mut entries = vec![PagemapHead { pages_id: 1 }.encode_to_vec()];
    let mut pages = Vec::new();
    let mut run: Option<(u64, u64)> = None;
    let flush = |run: Option<(u64, u64)>, entries: &mut Vec<Vec<u8>>| {
        if let Some((vaddr, bytes)) = run {
            let n = bytes / page_size;
            entries.push(
                PagemapEntry {
                    vaddr,
                    compat_nr_pages: n as u32,
                    in_parent: None,
                    flags: Some(4), // PE_PRESENT
                    nr_pages: None,
                }
                .encode_to_vec(),
            );
        }
    };
    for (addr, data) in &blocks {
        pages.extend_from_slice(data);
        run = match run {
            Some((s, n)) if s + n == *addr => Some((s, n + ALIGN)),
            other => {
                flush(other, &mut entries);
                Some((*addr, ALIGN))
            }
        };
    }
    flush(run, &mut entries);
    rewrite(&to.join(format!("pagemap-{pid}.img")), &entries);
    std::fs::write(to.join("pages-1.img"), &pages).unwrap();

    for e in std::fs::read_dir(to).unwrap() {
        let name = e.unwrap().file_name().into_string().unwrap();
        if name.starts_with("core-") {
            let path = to.join(&name);
            let mut core: CoreEntry = crit::image::read_first(&path).unwrap();
            retarget(&mut core, arch);
            rewrite(&path, &[core.encode_to_vec()]);
        }
    }
    Rendered {
        markers,
        moves,
        pages: pages.len() as u64 / page_size,
    }
}

/// The core entry as `arch` writes it: registers from [`reg`].
fn retarget(core: &mut CoreEntry, arch: Arch) {
    let x86 = core.thread_info.take().expect("an x86_64 fixture");
    match arch {
        Arch::Aarch64 => {
            core.mtype = March::Aarch64 as i32;
            core.ti_aarch64 = Some(ThreadInfoAarch64 {
                clear_tid_addr: x86.clear_tid_addr,
                tls: reg(99),
                gpregs: UserAarch64RegsEntry {
                    regs: (0..31).map(reg).collect(),
                    sp: reg(31),
                    pc: reg(32),
                    pstate: 0x6000_0000,
                },
                fpsimd: UserAarch64FpsimdContextEntry {
                    vregs: (0..64).map(|i| reg(100 + i)).collect(),
                    fpsr: 0x10,
                    fpcr: 0,
                },
                pac_keys: None,
            });
        }
        Arch::Ppc64le => {
            core.mtype = March::Ppc64 as i32;
            core.ti_ppc64 = Some(ThreadInfoPpc64 {
                clear_tid_addr: x86.clear_tid_addr,
                gpregs: UserPpc64RegsEntry {
                    gpr: (0..32).map(reg).collect(),
                    nip: reg(32),
                    msr: 0x8000_0000_0000_f033,
                    orig_gpr3: reg(3),
                    ctr: reg(33),
                    link: reg(34),
                    xer: 0,
                    ccr: 0x2200_0000,
                    trap: 0xc00,
                    ..UserPpc64RegsEntry::default()
                },
                ..ThreadInfoPpc64::default()
            });
        }
    }
}

/// Rewrites image `path` with its own magic and `entries`.
pub fn rewrite(path: &Path, entries: &[Vec<u8>]) {
    let magic = crit::image::ImageReader::open(path).unwrap().magic();
    let mut out = Vec::new();
    crit::image::write_header(&mut out, magic).unwrap();
    for e in entries {
        crit::image::write_entry(&mut out, e).unwrap();
    }
    std::fs::write(path, out).unwrap();
}
