//! Progress bars on standard error, for the library's long work (see
//! `crit::progress`): shown only when standard error is a terminal, never
//! with `--quiet` or `--format json`, and only once the work has run a
//! while (`CRIT_PROGRESS_DELAY_MS`, default 1000), so that quick commands
//! never flicker. The bar is cleared when its work ends, before any report
//! is written.

use std::io::{self, IsTerminal};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::escape::escape;

static QUIET: AtomicBool = AtomicBool::new(false);

/// Whether `--quiet` asked for no notes.
pub fn quiet() -> bool {
    QUIET.load(Ordering::Relaxed)
}

/// Whether the command line asks for `--format json` (of any command).
pub fn wants_json(m: &clap::ArgMatches) -> bool {
    let json = m
        .try_get_raw("format")
        .ok()
        .flatten()
        .is_some_and(|mut v| v.any(|v| v == "json"));
    json || m.subcommand().is_some_and(|(_, sub)| wants_json(sub))
}

/// Sets up notes and progress for this run: `quiet` silences both, `json`
/// the bar.
pub fn init(quiet: bool, json: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
    if quiet || json || !io::stderr().is_terminal() {
        return;
    }
    let delay = std::env::var("CRIT_PROGRESS_DELAY_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map_or(Duration::from_secs(1), Duration::from_millis);
    crit::progress::install(Box::new(Bars { delay }));
}

/// Before a report is written to a terminal: the bar is cleared, and
/// none is drawn again in this run, so that it never mixes with the lines.
pub fn before_terminal_output() {
    if !io::stdout().is_terminal() {
        return;
    }
    HIDDEN.store(true, Ordering::Relaxed);
    let mut now = NOW.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(s) = now.as_mut().filter(|s| s.drawn) {
        s.bar.finish_and_clear();
        s.bar.set_draw_target(ProgressDrawTarget::hidden());
    }
}

/// The work shown now.
struct Shown {
    bar: ProgressBar,
    since: Instant,
    drawn: bool,
}

struct Bars {
    delay: Duration,
}

static NOW: Mutex<Option<Shown>> = Mutex::new(None);
/// A report went to the terminal: no more bars.
static HIDDEN: AtomicBool = AtomicBool::new(false);

fn style(total: u64) -> ProgressStyle {
    let template = if total > 0 {
        "{msg} {wide_bar} {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} {eta} left"
    } else {
        "{msg} {binary_bytes} {binary_bytes_per_sec}"
    };
    ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar())
}

impl crit::progress::Progress for Bars {
    fn start(&self, what: &str, total: u64) {
        let bar = ProgressBar::with_draw_target((total > 0).then_some(total), ProgressDrawTarget::hidden());
        bar.set_style(style(total));
        // Names come from the command line and the checkpoint: escaped.
        bar.set_message(format!("crit: {}", escape(what)));
        let mut now = NOW.lock().unwrap_or_else(|e| e.into_inner());
        *now = Some(Shown {
            bar,
            since: Instant::now(),
            drawn: false,
        });
    }

    fn advance(&self, bytes: u64) {
        let mut now = NOW.lock().unwrap_or_else(|e| e.into_inner());
        let Some(s) = now.as_mut() else { return };
        if !s.drawn && !HIDDEN.load(Ordering::Relaxed) && s.since.elapsed() >= self.delay {
            s.drawn = true;
            s.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
        s.bar.inc(bytes);
    }

    fn finish(&self) {
        let mut now = NOW.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(s) = now.take() {
            s.bar.finish_and_clear();
        }
    }
}
