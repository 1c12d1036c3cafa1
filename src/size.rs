//! Byte counts as people read them: the one formatter of sizes, in the
//! three forms crit writes.

/// How [`format_size`] writes a byte count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SizeForm {
    /// As `ls -h` writes it, for tables and summaries (the README's one
    /// form of sizes): powers of 1024, `K`, `M`, `G`, `T`, one decimal under
    /// 100 (`16K`, `3.8M`, `512`).
    Short,
    /// As the Python CRIT writes the size of a payload `--nopl` leaves out
    /// (`31B`, `1.5KB`), which `decode` matches byte for byte.
    PythonCrit,
    /// Exactly: a whole number of the largest binary unit it is a multiple
    /// of (`4 GiB`, `64 KiB`), else bytes (`1536 bytes`), for limits and
    /// page sizes.
    Exact,
}

/// `n` bytes in `form`.
///
/// ```
/// use crit::size::{format_size, SizeForm};
///
/// assert_eq!(format_size(3939840, SizeForm::Short), "3.8M");
/// assert_eq!(format_size(1536, SizeForm::PythonCrit), "1.5KB");
/// assert_eq!(format_size(4096, SizeForm::Exact), "4 KiB");
/// ```
pub fn format_size(n: u64, form: SizeForm) -> String {
    match form {
        SizeForm::Short => short(n),
        SizeForm::PythonCrit => python_crit(n),
        SizeForm::Exact => exact(n),
    }
}

fn short(n: u64) -> String {
    let mut value = n as f64;
    for unit in ["", "K", "M", "G", "T"] {
        if value < 1024.0 || unit == "T" {
            return if unit.is_empty() {
                n.to_string()
            } else if value.fract() == 0.0 || value >= 100.0 {
                format!("{value:.0}{unit}")
            } else {
                format!("{value:.1}{unit}")
            };
        }
        value /= 1024.0;
    }
    n.to_string()
}

fn python_crit(n: u64) -> String {
    let mut num = n as f64;
    for unit in ["", "K", "M", "G", "T", "P", "E", "Z"] {
        if num < 1024.0 {
            return if num.fract() == 0.0 {
                format!("{}{unit}B", num as u64)
            } else {
                format!("{num:.1}{unit}B")
            };
        }
        num /= 1024.0;
    }
    format!("{num:.1}YB")
}

fn exact(n: u64) -> String {
    for (shift, unit) in [(40, "TiB"), (30, "GiB"), (20, "MiB"), (10, "KiB")] {
        if n >= 1 << shift && n.is_multiple_of(1 << shift) {
            return format!("{} {unit}", n >> shift);
        }
    }
    format!("{n} bytes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_as_ls_h() {
        let f = |n| format_size(n, SizeForm::Short);
        assert_eq!(f(16384), "16K");
        assert_eq!(f(3939840), "3.8M");
        assert_eq!(f(212992), "208K");
        assert_eq!(f(36), "36");
        assert_eq!(f(0), "0");
        assert_eq!(f(150 << 20), "150M");
    }

    #[test]
    fn python_crits_nopl_sizes() {
        let f = |n| format_size(n, SizeForm::PythonCrit);
        assert_eq!(f(31), "31B");
        assert_eq!(f(8192), "8KB");
        assert_eq!(f(1536), "1.5KB");
        assert_eq!(f(0), "0B");
    }

    #[test]
    fn exact_sizes() {
        let f = |n| format_size(n, SizeForm::Exact);
        assert_eq!(f(4 << 30), "4 GiB");
        assert_eq!(f(32 << 20), "32 MiB");
        assert_eq!(f(65536), "64 KiB");
        assert_eq!(f(1536), "1536 bytes");
        assert_eq!(f(0), "0 bytes");
    }
}
