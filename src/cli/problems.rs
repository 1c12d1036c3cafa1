//! What a command found wrong with a checkpoint it read ([`crit::checkpoint::consistency`]):
//! each problem as a warning line on standard error naming the image (after
//! the output), a `problems` list in JSON output, and exit status 1
//! (`diff`: 2).

use std::sync::Mutex;

use std::path::Path;

use crit::archive::{self, Compression};
use crit::checkpoint::consistency::Problem;
use crit::checkpoint::Checkpoint;
use crit::source::{OpenOptions, Source};

use super::escape;

static FOUND: Mutex<Vec<Problem>> = Mutex::new(Vec::new());

/// Keeps `problems` for the warnings, the JSON output and the exit status.
/// A problem already kept (the same checkpoint read twice) is not repeated.
pub fn report(problems: &[Problem]) {
    let mut found = FOUND.lock().unwrap_or_else(|p| p.into_inner());
    for p in problems {
        if !found.contains(p) {
            found.push(p.clone());
        }
    }
}

/// Warns of the problems kept, on standard error (`crit: warning: IMAGE:
/// WHAT`), once the command's output is written; but for one that is the
/// command's own `error`, which is said once, as the error.
pub fn warn(error: Option<&str>) {
    for p in found() {
        let line = p.to_string();
        if Some(line.as_str()) != error {
            eprintln!("crit: warning: {}", escape::escape(&line));
        }
    }
}

/// Runs the consistency pass over `src` (for a command that does not
/// otherwise read its process tree) and reports what it finds; a tree that
/// cannot be read is itself the problem reported, one not there is left
/// to the command.
pub fn check_source(src: &Source) {
    let _ = checked(src);
}

/// [`check_source`], returning the checkpoint it opened (its process tree
/// read once, for a command that goes on to read it) or the error opening
/// it gives.
pub fn checked(src: &Source) -> crit::Result<Checkpoint> {
    // No process tree: a checkpoint that lost it (its inventory is there)
    // is damaged; any other path, the command says what it is, if it must.
    if !src.has_image("pstree.img") {
        if src.has_image("inventory.img") {
            report(&[Problem {
                image: src.image_label("pstree.img"),
                pid: None,
                what: "missing (every checkpoint has one)".into(),
            }]);
        }
        return Checkpoint::from_source(src.clone());
    }
    match Checkpoint::from_source(src.clone()) {
        Ok(cp) => {
            report(cp.problems());
            Ok(cp)
        }
        Err(e) => {
            report(&[Problem::from_error(src, e)]);
            // The error again, for the command (a rare path: a checkpoint
            // whose tree cannot be read).
            Checkpoint::from_source(src.clone())
        }
    }
}

/// [`check_source`] for the checkpoint at `path`, when that is cheap: a
/// directory or a plain tar. A compressed archive, which `mem` reads in one
/// pass as it streams by, is not read a second time for it.
pub fn check_path(path: &Path, opts: &OpenOptions) {
    if path.is_file() && !matches!(archive::detect(path), Ok(Some(Compression::None))) {
        return;
    }
    let plain = OpenOptions {
        pages: false,
        listings: false,
        container: opts.container.clone(),
        page_size: opts.page_size,
    };
    // A checkpoint that cannot be opened at all is the command's own error.
    if let Ok(src) = Source::open(path, &plain) {
        check_source(&src);
    }
}

/// The problems reported so far.
pub fn found() -> Vec<Problem> {
    FOUND.lock().unwrap_or_else(|p| p.into_inner()).clone()
}

/// `json`, a pretty JSON document as [`super::render::print_json`] writes
/// it, with `"problems": [...]` added as the last member when it is an
/// object and problems were reported; otherwise unchanged.
pub fn splice(json: &mut Vec<u8>, problems: &[Problem]) -> serde_json::Result<()> {
    if problems.is_empty() || !json.starts_with(b"{") || !json.ends_with(b"}") {
        return Ok(());
    }
    let list = serde_json::to_string_pretty(problems)?.replace('\n', "\n  ");
    json.pop();
    while json.last().is_some_and(u8::is_ascii_whitespace) {
        json.pop();
    }
    let comma = if json.ends_with(b"{") { "" } else { "," };
    json.extend_from_slice(format!("{comma}\n  \"problems\": {list}\n}}").as_bytes());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem() -> Problem {
        Problem {
            image: "d/pages-1.img".into(),
            pid: Some(7),
            what: "holds 1 page".into(),
        }
    }

    #[test]
    fn problems_end_an_object() {
        let mut j = b"{\n  \"tasks\": []\n}".to_vec();
        splice(&mut j, &[problem()]).unwrap();
        let want = "{\n  \"tasks\": [],\n  \"problems\": [\n    {\n      \"image\": \"d/pages-1.img\",\n      \"pid\": 7,\n      \"what\": \"holds 1 page\"\n    }\n  ]\n}";
        assert_eq!(String::from_utf8(j).unwrap(), want);
        let mut empty = b"{}".to_vec();
        splice(&mut empty, &[problem()]).unwrap();
        assert!(empty.starts_with(b"{\n  \"problems\": ["));
        let mut list = b"[1]".to_vec();
        splice(&mut list, &[problem()]).unwrap();
        assert_eq!(list, b"[1]");
    }
}
