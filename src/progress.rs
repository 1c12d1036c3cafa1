//! Progress of long work (a big archive read, a search through a pod's
//! memory, a core file written), for a front end to show. The library never
//! prints: the front end [`install`]s a [`Progress`] once, and long work
//! reports through a `Meter`, which costs an addition per call and a call
//! to the front end once a MiB. Without one installed a meter does nothing.
//!
//! One piece of work is shown at a time: a meter started while another runs
//! (the archive read beneath a search) stays silent.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

/// What a front end does with progress.
pub trait Progress: Send + Sync {
    /// Work called `what`, of `total` bytes (0: not known), starts.
    fn start(&self, what: &str, total: u64);
    /// `bytes` more of it are done.
    fn advance(&self, bytes: u64);
    /// It ended: done, failed or abandoned.
    fn finish(&self);
}

static SINK: OnceLock<Box<dyn Progress>> = OnceLock::new();
/// The meter shown now (0: none), and the last one given out.
static ACTIVE: AtomicU64 = AtomicU64::new(0);
static NEXT: AtomicU64 = AtomicU64::new(1);

/// Bytes a meter gathers before it tells the front end.
pub(crate) const STEP: u64 = 1 << 20;

/// The last part of path `label`: what a progress line has room for.
pub(crate) fn file_name(label: &str) -> &str {
    label.rsplit('/').find(|s| !s.is_empty()).unwrap_or(label)
}

/// Installs the front end's progress, once; false if one already was.
pub fn install(p: Box<dyn Progress>) -> bool {
    SINK.set(p).is_ok()
}

/// The progress of one piece of work; it finishes when dropped.
#[derive(Debug)]
pub(crate) struct Meter {
    /// Nonzero when this meter is the one shown.
    id: u64,
    pending: u64,
}

impl Meter {
    /// Starts measuring work `what` of `total` bytes (0: not known).
    pub fn start(what: &str, total: u64) -> Meter {
        let Some(sink) = SINK.get() else {
            return Meter { id: 0, pending: 0 };
        };
        let id = NEXT.fetch_add(1, Ordering::Relaxed);
        if ACTIVE
            .compare_exchange(0, id, Ordering::AcqRel, Ordering::Relaxed)
            .is_err()
        {
            return Meter { id: 0, pending: 0 };
        }
        sink.start(what, total);
        Meter { id, pending: 0 }
    }

    /// `bytes` more are done.
    #[inline]
    pub fn advance(&mut self, bytes: u64) {
        if self.id == 0 {
            return;
        }
        self.pending += bytes;
        if self.pending >= STEP {
            if let Some(sink) = SINK.get() {
                sink.advance(std::mem::take(&mut self.pending));
            }
        }
    }
}

impl Drop for Meter {
    fn drop(&mut self) {
        if self.id == 0 {
            return;
        }
        // What is left is not told: work of less than a step shows nothing.
        if let Some(sink) = SINK.get() {
            sink.finish();
        }
        ACTIVE.store(0, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_front_end_a_meter_is_silent() {
        let mut m = Meter::start("x", 10);
        m.advance(5 * STEP);
        assert_eq!(m.id, 0);
        assert_eq!(m.pending, 0);
    }

    #[test]
    fn a_label_is_cut_to_its_file_name() {
        assert_eq!(file_name("/a/b/pod.tar.gz"), "pod.tar.gz");
        assert_eq!(file_name("dir/"), "dir");
        assert_eq!(file_name("x"), "x");
    }
}
