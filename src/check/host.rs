//! The machine a checkpoint would be restored on, as `crit check` needs to
//! know it: which pids are taken, which ports and unix socket paths are in
//! use, the architecture and the FPU features the CPU and kernel enable.
//! [`ProcHost`] reads this machine (`/proc`, CPUID); tests give their own.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::PathBuf;

use super::cpuid::X86Cpu;
use super::features::KernelFeature;

/// A transport protocol of a bound socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SockProto {
    /// TCP.
    Tcp,
    /// UDP.
    Udp,
}

impl SockProto {
    /// `tcp` or `udp`.
    pub fn as_str(self) -> &'static str {
        match self {
            SockProto::Tcp => "tcp",
            SockProto::Udp => "udp",
        }
    }
}

/// A TCP or UDP socket of the machine, from `/proc/net/{tcp,tcp6,udp,udp6}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostSocket {
    /// Its protocol.
    pub proto: SockProto,
    /// Its local address.
    pub addr: IpAddr,
    /// Its local port.
    pub port: u16,
    /// A TCP socket in LISTEN state (a UDP socket is always "bound").
    pub listening: bool,
}

/// What `crit check` asks of the machine.
pub trait Host {
    /// The comm of the task that holds `pid` (a process or a thread), or
    /// `None` when the pid is free.
    fn pid_holder(&self, pid: u32) -> Option<String>;
    /// The machine's bound TCP and UDP sockets.
    fn sockets(&self) -> std::io::Result<Vec<HostSocket>>;
    /// The paths of the machine's bound unix sockets.
    fn unix_paths(&self) -> std::io::Result<Vec<String>>;
    /// The architecture, as Rust names it (`x86_64`, `aarch64`, …).
    fn arch(&self) -> &str;
    /// The xsave features the CPU and kernel enable (XCR0), on x86; `None`
    /// where there is no such thing or it cannot be told.
    fn xfeatures(&self) -> Option<u64>;
    /// The version of the `criu` installed here (`criu --version`), or
    /// `None` when there is none.
    fn criu_version(&self) -> Option<(u32, u32, u32)>;
    /// Whether this kernel has namespaces of kind `name` (`time`, `cgroup`, …,
    /// as `/proc/self/ns/` names them).
    fn has_namespace(&self, name: &str) -> bool;
    /// The LSMs this kernel runs (`/sys/kernel/security/lsm`), or `None`
    /// when that cannot be told.
    fn lsms(&self) -> Option<Vec<String>>;
    /// The AppArmor profiles loaded here, or `None` when that cannot be told.
    fn apparmor_profiles(&self) -> Option<Vec<String>>;
    /// This CPU as `cpuinfo.img` describes one (CPUID), on x86; `None`
    /// where it cannot be told.
    fn x86_cpu(&self) -> Option<X86Cpu> {
        None
    }
    /// Whether this kernel has `feature`; `None` when that cannot be told.
    fn kernel_feature(&self, feature: KernelFeature) -> Option<bool> {
        let _ = feature;
        None
    }
    /// SELinux's mode here (`enforcing`, `permissive`, from selinuxfs's
    /// `enforce`), or `None` when SELinux is not enabled here.
    fn selinux_mode(&self) -> Option<String> {
        None
    }
}

/// This machine, read from `/proc` (or another procfs), `/sys`, `/dev` and
/// CPUID.
#[derive(Debug, Clone)]
pub struct ProcHost {
    /// Where procfs is mounted: `/proc`.
    pub proc: PathBuf,
    /// Where sysfs is mounted: `/sys` (securityfs and selinuxfs under it).
    pub sys: PathBuf,
    /// Where the device nodes are: `/dev`.
    pub dev: PathBuf,
}

impl Default for ProcHost {
    fn default() -> Self {
        ProcHost {
            proc: PathBuf::from("/proc"),
            sys: PathBuf::from("/sys"),
            dev: PathBuf::from("/dev"),
        }
    }
}

impl Host for ProcHost {
    fn pid_holder(&self, pid: u32) -> Option<String> {
        if pid == 0 {
            return None;
        }
        // /proc/TID answers for threads too, though readdir does not list them.
        let comm = std::fs::read(self.proc.join(pid.to_string()).join("comm")).ok()?;
        Some(String::from_utf8_lossy(&comm).trim_end_matches('\n').to_string())
    }

    fn sockets(&self) -> std::io::Result<Vec<HostSocket>> {
        let mut out = Vec::new();
        for (file, proto) in [
            ("tcp", SockProto::Tcp),
            ("tcp6", SockProto::Tcp),
            ("udp", SockProto::Udp),
            ("udp6", SockProto::Udp),
        ] {
            match std::fs::read_to_string(self.proc.join("net").join(file)) {
                Ok(text) => out.extend(parse_inet(&text, proto)),
                // No IPv6 in this kernel: nothing bound there.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    fn unix_paths(&self) -> std::io::Result<Vec<String>> {
        Ok(parse_unix(&std::fs::read_to_string(self.proc.join("net/unix"))?))
    }

    fn arch(&self) -> &str {
        std::env::consts::ARCH
    }

    fn xfeatures(&self) -> Option<u64> {
        xcr0()
    }

    fn criu_version(&self) -> Option<(u32, u32, u32)> {
        // The criu on PATH, never anything from the checkpoint or the root.
        let out = std::process::Command::new("criu")
            .arg("--version")
            .stdin(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .output()
            .ok()?;
        parse_criu_version(&String::from_utf8_lossy(&out.stdout))
    }

    fn has_namespace(&self, name: &str) -> bool {
        self.proc.join("self/ns").join(name).exists()
    }

    fn lsms(&self) -> Option<Vec<String>> {
        let s = std::fs::read_to_string(self.sys.join("kernel/security/lsm")).ok()?;
        Some(
            s.trim()
                .split(',')
                .filter(|x| !x.is_empty())
                .map(str::to_string)
                .collect(),
        )
    }

    fn apparmor_profiles(&self) -> Option<Vec<String>> {
        let s = std::fs::read_to_string(self.sys.join("kernel/security/apparmor/profiles")).ok()?;
        // `name (mode)` per line.
        Some(s.lines().map(|l| strip_mode(l).to_string()).collect())
    }

    fn x86_cpu(&self) -> Option<X86Cpu> {
        X86Cpu::this()
    }

    fn kernel_feature(&self, feature: KernelFeature) -> Option<bool> {
        let probe = feature.probe();
        let (path, there) = match probe.split_once('/')? {
            ("proc", rest) => (self.proc.join(rest), self.proc.join("self")),
            (_, rest) => (self.dev.join(rest), self.dev.clone()),
        };
        // No procfs (or /dev) to look at: it cannot be told.
        if !there.is_dir() {
            return None;
        }
        if feature == KernelFeature::SeccompStrict {
            let status = std::fs::read_to_string(path).ok()?;
            return Some(status.lines().any(|l| l.starts_with("Seccomp:")));
        }
        Some(path.exists())
    }

    fn selinux_mode(&self) -> Option<String> {
        let s = std::fs::read_to_string(self.sys.join("fs/selinux/enforce")).ok()?;
        Some(if s.trim() == "1" { "enforcing" } else { "permissive" }.to_string())
    }
}

/// An AppArmor label without its ` (enforce)` / ` (complain)` mode.
pub(crate) fn strip_mode(label: &str) -> &str {
    let l = label.trim_end();
    match l.rfind(" (") {
        Some(i) if l.ends_with(')') => &l[..i],
        _ => l,
    }
}

/// `Version: 4.1.1` (and maybe a `GitID:` line) as three numbers.
pub(crate) fn parse_criu_version(text: &str) -> Option<(u32, u32, u32)> {
    let v = text.lines().find_map(|l| l.trim().strip_prefix("Version:"))?.trim();
    let mut n = v.split(|c: char| !c.is_ascii_digit()).map(|x| x.parse::<u32>().ok());
    Some((
        n.next()??,
        n.next().flatten().unwrap_or(0),
        n.next().flatten().unwrap_or(0),
    ))
}

/// XCR0, read with XGETBV when the kernel enabled XSAVE (CPUID.1:ECX.OSXSAVE).
#[cfg(target_arch = "x86_64")]
fn xcr0() -> Option<u64> {
    use core::arch::x86_64::__cpuid_count;
    #[target_feature(enable = "xsave")]
    unsafe fn xgetbv0() -> u64 {
        core::arch::x86_64::_xgetbv(0)
    }
    // SAFETY: CPUID leaf 1 exists on every x86_64 CPU.
    #[allow(unused_unsafe)]
    let leaf1 = unsafe { __cpuid_count(1, 0) };
    let osxsave = leaf1.ecx & (1 << 27) != 0;
    if !osxsave {
        // FXSAVE only: x87 and SSE.
        return Some(0b11);
    }
    // SAFETY: OSXSAVE says the OS enabled XSAVE, so XGETBV(0) is allowed.
    Some(unsafe { xgetbv0() })
}

#[cfg(not(target_arch = "x86_64"))]
fn xcr0() -> Option<u64> {
    None
}

/// The bound sockets of a `/proc/net/{tcp,udp}[6]` table: TCP sockets in
/// LISTEN state and every UDP socket with a port.
pub(crate) fn parse_inet(text: &str, proto: SockProto) -> Vec<HostSocket> {
    let mut out = Vec::new();
    for line in text.lines().skip(1) {
        let mut f = line.split_whitespace();
        let (Some(_sl), Some(local), Some(_rem), Some(st)) = (f.next(), f.next(), f.next(), f.next()) else {
            continue;
        };
        let Some((a, p)) = local.split_once(':') else { continue };
        let (Some(addr), Ok(port), Ok(st)) = (parse_addr(a), u16::from_str_radix(p, 16), u8::from_str_radix(st, 16))
        else {
            continue;
        };
        let listening = proto == SockProto::Tcp && st == 0x0a;
        if port == 0 || (proto == SockProto::Tcp && !listening) {
            continue;
        }
        out.push(HostSocket {
            proto,
            addr,
            port,
            listening,
        });
    }
    out
}

/// An address as the kernel prints it: 32-bit words in host byte order.
fn parse_addr(hex: &str) -> Option<IpAddr> {
    let word = |i: usize| -> Option<[u8; 4]> {
        let w = u32::from_str_radix(hex.get(i * 8..i * 8 + 8)?, 16).ok()?;
        Some(w.to_ne_bytes())
    };
    match hex.len() {
        8 => Some(IpAddr::V4(Ipv4Addr::from(word(0)?))),
        32 => {
            let mut b = [0u8; 16];
            for i in 0..4 {
                b[i * 4..i * 4 + 4].copy_from_slice(&word(i)?);
            }
            Some(IpAddr::V6(Ipv6Addr::from(b)))
        }
        _ => None,
    }
}

/// The paths of bound unix sockets in `/proc/net/unix` (abstract names,
/// which start with `@`, are not paths).
pub(crate) fn parse_unix(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines().skip(1) {
        // Num RefCount Protocol Flags Type St Inode [Path]: the path is
        // what follows the seventh field, and may hold spaces.
        let mut rest = line.trim_start();
        for _ in 0..7 {
            match rest.find(char::is_whitespace) {
                Some(i) => rest = rest[i..].trim_start(),
                None => {
                    rest = "";
                    break;
                }
            }
        }
        if rest.starts_with('/') {
            out.push(rest.to_string());
        }
    }
    out
}

/// The name of xsave feature `bit` (Linux's names, `xfeature_names`).
pub(crate) fn xfeature_name(bit: u32) -> String {
    let name = match bit {
        0 => "x87",
        1 => "sse",
        2 => "avx",
        3 => "mpx-bndregs",
        4 => "mpx-bndcsr",
        5 => "avx512-opmask",
        6 => "avx512-zmm-hi256",
        7 => "avx512-hi16-zmm",
        8 => "pt",
        9 => "pkru",
        10 => "pasid",
        11 => "cet-user",
        12 => "cet-supervisor",
        13 => "hdc",
        14 => "uintr",
        15 => "lbr",
        16 => "hwp",
        17 => "amx-tilecfg",
        18 => "amx-tiledata",
        19 => "apx",
        _ => return format!("xfeature-{bit}"),
    };
    name.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_kernels_tables() {
        let tcp = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   0: 0100007F:B7DD 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0\n   1: 0100007F:B07C 0100007F:B7DD 01 00000000:00000000 00:00000000 00000000     0        0 2 1 0 20 4 30 10 -1\n";
        let s = parse_inet(tcp, SockProto::Tcp);
        assert_eq!(
            s,
            vec![HostSocket {
                proto: SockProto::Tcp,
                addr: "127.0.0.1".parse().unwrap(),
                port: 47069,
                listening: true
            }]
        );
        let tcp6 = "  sl  local_address                         remote_address                        st\n   0: 00000000000000000000000001000000:B7DF 00000000000000000000000000000000:0000 0A 0\n";
        assert_eq!(
            parse_inet(tcp6, SockProto::Tcp)[0].addr,
            "::1".parse::<IpAddr>().unwrap()
        );
        let unix = "Num       RefCount Protocol Flags    Type St Inode Path\n0000000000000000: 00000002 00000000 00010000 0001 01 12345 /run/a b.sock\n0000000000000000: 00000002 00000000 00000000 0002 01 12346 @abstract\n0000000000000000: 00000003 00000000 00000000 0001 03 12347\n";
        assert_eq!(parse_unix(unix), vec!["/run/a b.sock".to_string()]);
    }

    #[test]
    fn reads_versions_and_labels() {
        assert_eq!(parse_criu_version("Version: 4.1.1\n"), Some((4, 1, 1)));
        assert_eq!(parse_criu_version("Version: 4.2\nGitID: v4.2-12\n"), Some((4, 2, 0)));
        assert_eq!(parse_criu_version("criu: command not found"), None);
        assert_eq!(strip_mode("crun-default (enforce)"), "crun-default");
        assert_eq!(strip_mode("unconfined"), "unconfined");
    }

    #[test]
    fn names_features() {
        assert_eq!(xfeature_name(17), "amx-tilecfg");
        assert_eq!(xfeature_name(40), "xfeature-40");
    }
}
