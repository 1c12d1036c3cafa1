//! The ELF64 structures of a core file, serialised little-endian (x86_64,
//! arm64), as the kernel's `binfmt_elf` lays them out.

/// `ET_CORE`.
const ET_CORE: u16 = 4;
/// `e_phnum` value meaning "the count is in section header 0's `sh_info`".
pub(crate) const PN_XNUM: u16 = 0xffff;

pub(crate) const EHDR_SIZE: u64 = 64;
pub(crate) const PHDR_SIZE: u64 = 56;
pub(crate) const SHDR_SIZE: u64 = 64;

pub(crate) const PT_LOAD: u32 = 1;
pub const PT_NOTE: u32 = 4;

pub(crate) const PF_X: u32 = 1;
pub(crate) const PF_W: u32 = 2;
pub(crate) const PF_R: u32 = 4;

/// The ELF file header of a core for `machine` with `phnum` program
/// headers; `shoff` is the offset of the one section header that extended
/// numbering needs (0 when `phnum` fits `e_phnum`).
pub fn ehdr(machine: u16, phnum: u64, shoff: u64) -> Vec<u8> {
    let mut b = Vec::with_capacity(EHDR_SIZE as usize);
    b.extend_from_slice(b"\x7fELF");
    b.extend_from_slice(&[2, 1, 1, 0]); // ELFCLASS64, little-endian, EV_CURRENT, ELFOSABI_NONE
    b.extend_from_slice(&[0; 8]);
    b.extend_from_slice(&ET_CORE.to_le_bytes());
    b.extend_from_slice(&machine.to_le_bytes());
    b.extend_from_slice(&1u32.to_le_bytes()); // e_version
    b.extend_from_slice(&0u64.to_le_bytes()); // e_entry
    b.extend_from_slice(&EHDR_SIZE.to_le_bytes()); // e_phoff
    b.extend_from_slice(&shoff.to_le_bytes()); // e_shoff
    b.extend_from_slice(&0u32.to_le_bytes()); // e_flags
    b.extend_from_slice(&(EHDR_SIZE as u16).to_le_bytes());
    b.extend_from_slice(&(PHDR_SIZE as u16).to_le_bytes());
    let extended = phnum >= u64::from(PN_XNUM);
    b.extend_from_slice(&(if extended { PN_XNUM } else { phnum as u16 }).to_le_bytes());
    b.extend_from_slice(&(if extended { SHDR_SIZE as u16 } else { 0 }).to_le_bytes()); // e_shentsize
    b.extend_from_slice(&u16::from(extended).to_le_bytes()); // e_shnum
    b.extend_from_slice(&0u16.to_le_bytes()); // e_shstrndx
    b
}

/// The section header that carries the real program header count when it
/// does not fit `e_phnum` (the kernel's extended numbering).
pub(crate) fn xnum_shdr(phnum: u64) -> Vec<u8> {
    let mut b = vec![0u8; SHDR_SIZE as usize];
    // sh_info (u32 at 44) holds the count; sh_link and sh_size stay 0.
    b[44..48].copy_from_slice(&(phnum.min(u64::from(u32::MAX)) as u32).to_le_bytes());
    b
}

/// One program header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Phdr {
    pub p_type: u32,
    pub flags: u32,
    pub offset: u64,
    pub vaddr: u64,
    pub filesz: u64,
    pub memsz: u64,
    pub align: u64,
}

impl Phdr {
    pub(crate) fn to_bytes(self) -> [u8; PHDR_SIZE as usize] {
        let mut b = [0u8; PHDR_SIZE as usize];
        b[0..4].copy_from_slice(&self.p_type.to_le_bytes());
        b[4..8].copy_from_slice(&self.flags.to_le_bytes());
        b[8..16].copy_from_slice(&self.offset.to_le_bytes());
        b[16..24].copy_from_slice(&self.vaddr.to_le_bytes());
        // p_paddr (24..32) stays 0, as the kernel writes it.
        b[32..40].copy_from_slice(&self.filesz.to_le_bytes());
        b[40..48].copy_from_slice(&self.memsz.to_le_bytes());
        b[48..56].copy_from_slice(&self.align.to_le_bytes());
        b
    }
}

/// `PF_*` flags for `PROT_*` bits (read 1, write 2, exec 4).
pub(crate) fn prot_flags(prot: u32) -> u32 {
    let mut f = 0;
    if prot & 1 != 0 {
        f |= PF_R;
    }
    if prot & 2 != 0 {
        f |= PF_W;
    }
    if prot & 4 != 0 {
        f |= PF_X;
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_fields() {
        let h = ehdr(62, 3, 0);
        assert_eq!(h.len(), 64);
        assert_eq!(&h[..7], b"\x7fELF\x02\x01\x01");
        assert_eq!(u16::from_le_bytes([h[16], h[17]]), ET_CORE);
        assert_eq!(u16::from_le_bytes([h[18], h[19]]), 62);
        assert_eq!(u16::from_le_bytes([h[56], h[57]]), 3);
        let x = ehdr(183, 70000, 1234);
        assert_eq!(u16::from_le_bytes([x[18], x[19]]), 183);
        assert_eq!(u16::from_le_bytes([x[56], x[57]]), PN_XNUM);
        assert_eq!(u16::from_le_bytes([x[60], x[61]]), 1);
        assert_eq!(u32::from_le_bytes(xnum_shdr(70000)[44..48].try_into().unwrap()), 70000);
    }

    #[test]
    fn prot_to_flags() {
        assert_eq!(prot_flags(5), PF_R | PF_X);
        assert_eq!(prot_flags(3), PF_R | PF_W);
        assert_eq!(prot_flags(0), 0);
    }
}
