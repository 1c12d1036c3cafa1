//! What the container engine wrote beside the images: `config.dump`,
//! `spec.dump` (the OCI spec and its annotations), CRI-O's `bind.mounts` and
//! `dump.log`, containerd's `status`. Podman, CRI-O and containerd write the
//! same files with different fields; this gathers them into one shape.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

/// Which engine wrote the checkpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    /// Podman (`io.container.manager` = `libpod`).
    Podman,
    /// CRI-O (`io.container.manager` = `cri-o`).
    #[serde(rename = "cri-o")]
    CriO,
    /// containerd: no manager annotation, but `io.kubernetes.cri.*` ones.
    Containerd,
    /// Not a container checkpoint, or an engine not known.
    Unknown,
}

impl Engine {
    /// The engine's name, as people write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Engine::Podman => "Podman",
            Engine::CriO => "CRI-O",
            Engine::Containerd => "containerd",
            Engine::Unknown => "unknown",
        }
    }
}

/// The engine, from the spec's annotations.
pub(crate) fn engine(annotations: &BTreeMap<String, String>) -> Engine {
    match annotations.get("io.container.manager").map(String::as_str) {
        Some("libpod") => Engine::Podman,
        Some("cri-o") => Engine::CriO,
        Some(_) => Engine::Unknown,
        None if annotations.keys().any(|k| k.starts_with("io.kubernetes.cri.")) => Engine::Containerd,
        None => Engine::Unknown,
    }
}

/// A string field of a JSON object.
pub(crate) fn str_of(v: &Value, key: &str) -> Option<String> {
    v.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// The spec's annotations (strings only).
pub fn annotations(spec: &Value) -> BTreeMap<String, String> {
    spec.get("annotations")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

/// A time as the engines write it: an RFC 3339 string (kept, without the
/// zero time Go writes for "never"), or Unix nanoseconds (containerd's
/// `status`).
pub(crate) fn time_of(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.is_empty() && !s.starts_with("0001-01-01") => Some(s.clone()),
        Value::Number(n) => n
            .as_i64()
            .filter(|&n| n > 0)
            .map(|n| rfc3339(n.div_euclid(1_000_000_000), (n.rem_euclid(1_000_000_000)) as u32)),
        _ => None,
    }
}

/// `secs` (and `nanos`) since the epoch as RFC 3339 in UTC.
pub(crate) fn rfc3339(secs: i64, nanos: u32) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's days-to-civil.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let frac = if nanos == 0 {
        String::new()
    } else {
        format!(".{nanos:09}").trim_end_matches('0').to_string()
    };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}{frac}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// The CRIU version a `dump.log` names (`Version: 4.1.1 (gitid …)`).
pub(crate) fn criu_version_in_log(log: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(&log[..log.len().min(64 * 1024)]);
    text.lines().find_map(|l| {
        let at = l.find("Version: ")?;
        let v = l[at + 9..].split_whitespace().next()?;
        Some(v.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times() {
        assert_eq!(rfc3339(0, 0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_795_843_377, 500_000_000), "2026-11-28T05:22:57.5Z");
        assert_eq!(
            time_of(Some(&Value::from(1_795_843_377_000_000_000i64))).unwrap(),
            "2026-11-28T05:22:57Z"
        );
        assert_eq!(time_of(Some(&Value::from("0001-01-01T00:00:00Z"))), None);
    }

    #[test]
    fn engines() {
        let mut a = BTreeMap::new();
        assert_eq!(engine(&a), Engine::Unknown);
        a.insert("io.kubernetes.cri.container-name".to_string(), "x".to_string());
        assert_eq!(engine(&a), Engine::Containerd);
        a.insert("io.container.manager".to_string(), "cri-o".to_string());
        assert_eq!(engine(&a), Engine::CriO);
    }

    #[test]
    fn criu_versions() {
        let log = b"(00.000000) Unable to get $HOME\n(00.000123) Version: 4.1.1 (gitid 0)\n";
        assert_eq!(criu_version_in_log(log).as_deref(), Some("4.1.1"));
    }
}
