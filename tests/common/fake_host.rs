//! A made-up machine for `crit check`: x86_64 with x87, SSE and AVX, CRIU
//! 4.2.1, every namespace and kernel feature, no LSM, nothing taken; each
//! field changes one thing.

use crit::check::{Host, HostSocket, KernelFeature, X86Cpu};

#[derive(Default)]
pub struct Fake {
    pub pids: Vec<(u32, String)>,
    pub sockets: Vec<HostSocket>,
    pub unix: Vec<String>,
    pub arch: Option<String>,
    pub xfeatures: Option<u64>,
    pub criu: Option<(u32, u32, u32)>,
    pub no_ns: Vec<String>,
    /// `/sys/kernel/security/lsm` (`None`: not readable).
    pub lsms: Option<Vec<String>>,
    /// The AppArmor profiles loaded (`None`: not readable).
    pub profiles: Option<Vec<String>>,
    /// SELinux's mode (`None`: not enabled).
    pub selinux: Option<String>,
    /// CPUID (`None`: cannot be told).
    pub cpu: Option<X86Cpu>,
    /// Kernel features this kernel lacks.
    pub no_features: Vec<KernelFeature>,
    /// Kernel features that cannot be told.
    pub unknown_features: Vec<KernelFeature>,
}

impl Host for Fake {
    fn pid_holder(&self, pid: u32) -> Option<String> {
        self.pids.iter().find(|(p, _)| *p == pid).map(|(_, c)| c.clone())
    }
    fn sockets(&self) -> std::io::Result<Vec<HostSocket>> {
        Ok(self.sockets.clone())
    }
    fn unix_paths(&self) -> std::io::Result<Vec<String>> {
        Ok(self.unix.clone())
    }
    fn arch(&self) -> &str {
        self.arch.as_deref().unwrap_or("x86_64")
    }
    fn xfeatures(&self) -> Option<u64> {
        Some(self.xfeatures.unwrap_or(0b111))
    }
    fn criu_version(&self) -> Option<(u32, u32, u32)> {
        Some(self.criu.unwrap_or((4, 2, 1)))
    }
    fn has_namespace(&self, name: &str) -> bool {
        !self.no_ns.iter().any(|n| n == name)
    }
    fn lsms(&self) -> Option<Vec<String>> {
        self.lsms.clone()
    }
    fn apparmor_profiles(&self) -> Option<Vec<String>> {
        self.profiles.clone()
    }
    fn x86_cpu(&self) -> Option<X86Cpu> {
        self.cpu.clone()
    }
    fn kernel_feature(&self, feature: KernelFeature) -> Option<bool> {
        if self.unknown_features.contains(&feature) {
            return None;
        }
        Some(!self.no_features.contains(&feature))
    }
    fn selinux_mode(&self) -> Option<String> {
        self.selinux.clone()
    }
}

/// The report of `crit check` on checkpoint `dir`, its files under `root`.
pub fn report(dir: &std::path::Path, root: &std::path::Path, host: &dyn Host) -> crit::check::Report {
    let cp = crit::explore::Checkpoint::open(dir).unwrap();
    let opts = crit::check::Options {
        root: root.to_path_buf(),
    };
    crit::check::check(&cp, &opts, host).unwrap()
}
