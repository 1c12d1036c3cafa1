//! A core file read back with a parser of our own: the ELF header fields,
//! the program headers, the notes, and the bytes at an address.

pub fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes(b[at..at + 2].try_into().unwrap())
}
pub fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
}
pub fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().unwrap())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ph {
    pub p_type: u32,
    pub flags: u32,
    pub offset: u64,
    pub vaddr: u64,
    pub paddr: u64,
    pub filesz: u64,
    pub memsz: u64,
    pub align: u64,
}

/// A parsed core file.
pub struct Core {
    pub data: Vec<u8>,
    pub phdrs: Vec<Ph>,
    /// (owner name, type, descriptor) in file order.
    pub notes: Vec<(String, u32, Vec<u8>)>,
}

impl Core {
    /// Parses a little-endian ELF64 core for `e_machine` `machine`.
    pub fn parse(data: Vec<u8>, machine: u16) -> Core {
        assert_eq!(&data[..4], b"\x7fELF");
        assert_eq!(u16_at(&data, 16), 4, "ET_CORE");
        assert_eq!(u16_at(&data, 18), machine, "e_machine");
        let phoff = u64_at(&data, 32) as usize;
        let phnum = u16_at(&data, 56) as usize;
        let phdrs: Vec<Ph> = (0..phnum)
            .map(|i| {
                let at = phoff + i * 56;
                Ph {
                    p_type: u32_at(&data, at),
                    flags: u32_at(&data, at + 4),
                    offset: u64_at(&data, at + 8),
                    vaddr: u64_at(&data, at + 16),
                    paddr: u64_at(&data, at + 24),
                    filesz: u64_at(&data, at + 32),
                    memsz: u64_at(&data, at + 40),
                    align: u64_at(&data, at + 48),
                }
            })
            .collect();
        assert_eq!(phdrs[0].p_type, 4, "the first program header is PT_NOTE");
        let mut notes = Vec::new();
        let (mut at, end) = (phdrs[0].offset as usize, (phdrs[0].offset + phdrs[0].filesz) as usize);
        while at < end {
            let (namesz, descsz, ntype) = (
                u32_at(&data, at) as usize,
                u32_at(&data, at + 4) as usize,
                u32_at(&data, at + 8),
            );
            let name = String::from_utf8(data[at + 12..at + 12 + namesz - 1].to_vec()).unwrap();
            let desc_at = at + 12 + namesz.next_multiple_of(4);
            notes.push((name, ntype, data[desc_at..desc_at + descsz].to_vec()));
            at = desc_at + descsz.next_multiple_of(4);
        }
        assert_eq!(at, end, "notes fill PT_NOTE exactly");
        Core { data, phdrs, notes }
    }

    pub fn loads(&self) -> Vec<Ph> {
        self.phdrs.iter().copied().filter(|p| p.p_type == 1).collect()
    }

    pub fn notes_of(&self, ntype: u32) -> Vec<&[u8]> {
        self.notes
            .iter()
            .filter(|n| n.1 == ntype)
            .map(|n| n.2.as_slice())
            .collect()
    }

    /// The bytes the core holds at `addr`, if a segment's contents cover them.
    pub fn bytes_at(&self, addr: u64, len: usize) -> Option<&[u8]> {
        let p = self
            .loads()
            .into_iter()
            .find(|p| p.vaddr <= addr && addr + len as u64 <= p.vaddr + p.filesz)?;
        let at = (p.offset + addr - p.vaddr) as usize;
        Some(&self.data[at..at + len])
    }
}
