//! Each task's command line, for `inspect`. A compressed archive is read
//! once: every task's argv is read from its memory as the pages stream by,
//! with no copy of raw memory to a temporary file (a small archive can hold
//! gigabytes of pages). A task that could not be served that way (its
//! shared memory in another pages file, say) is read from a copy made only
//! then, under the limit on temporary files.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::checkpoint::Checkpoint;
use crate::error::Result;
use crate::mem::{served, stream_tasks, Served};
use crate::source::{Bundle, OpenOptions, Source};

/// Where argv comes from.
pub(super) struct Argv {
    path: PathBuf,
    /// A compressed archive's argv, by images folder and pid, as read while
    /// it streamed by (`None`: raw memory is read in place).
    served: Option<RefCell<Served<Vec<String>>>>,
    /// The archive opened again with raw memory copied, once a task needs it.
    bundle: RefCell<Option<Bundle>>,
    /// Its checkpoints, by images folder.
    copied: RefCell<HashMap<String, Checkpoint>>,
    /// Why a command line could not be read.
    problem: RefCell<Option<String>>,
}

/// Opens `path` for `inspect`: nested tars listed, and argv read on the way.
pub(super) fn open(path: &Path, page_size: Option<u64>) -> Result<(Bundle, Argv)> {
    let mut argv = Argv {
        path: path.to_path_buf(),
        served: None,
        bundle: RefCell::new(None),
        copied: RefCell::new(HashMap::new()),
        problem: RefCell::new(None),
    };
    let opts = OpenOptions {
        page_size,
        ..OpenOptions::default()
    };
    let bundle = match stream_tasks(path, true, &opts, None, |m| m.args())? {
        Some((bundle, found)) => {
            argv.served = Some(RefCell::new(found));
            bundle
        }
        None => Bundle::open(
            path,
            &OpenOptions {
                pages: true,
                listings: true,
                container: None,
                page_size,
            },
        )?,
    };
    Ok((bundle, argv))
}

impl Argv {
    /// The command line of task `pid` of `cp` (opened from `src`); `None`
    /// when its memory does not hold it, or could not be read (see
    /// [`Argv::take_problem`]).
    pub(super) fn of(&self, cp: &Checkpoint, src: &Source, pid: u32) -> Option<Vec<String>> {
        let mem = cp.memory(pid).ok()?;
        let Some(found) = &self.served else {
            return mem.args().ok();
        };
        if let Some(argv) = served(&mut found.borrow_mut(), src, &mem) {
            return Some(argv);
        }
        match self.copied(src) {
            Ok(again) => again.memory(pid).and_then(|m| m.args()).ok(),
            Err(e) => {
                self.problem.borrow_mut().get_or_insert(e.to_string());
                None
            }
        }
    }

    /// What kept a command line from being read, once.
    pub(super) fn take_problem(&self) -> Option<String> {
        self.problem.borrow_mut().take()
    }

    /// The checkpoint `src` is, from the archive opened again with its raw
    /// memory copied (once, whichever task first needs it).
    fn copied(&self, src: &Source) -> Result<std::cell::Ref<'_, Checkpoint>> {
        let folder = src.images_folder().to_string();
        if !self.copied.borrow().contains_key(&folder) {
            let mut bundle = self.bundle.borrow_mut();
            if bundle.is_none() {
                let opts = OpenOptions {
                    pages: true,
                    ..OpenOptions::default()
                };
                *bundle = Some(Bundle::open(&self.path, &opts)?);
            }
            // `ID-NAME/checkpoint/` is the pod's container `ID-NAME/`.
            let name = folder.strip_suffix("checkpoint/").filter(|f| !f.is_empty());
            let bundle = bundle.as_ref().expect("just opened");
            let cp = Checkpoint::from_source(bundle.container(name)?)?;
            self.copied.borrow_mut().insert(folder.clone(), cp);
        }
        Ok(std::cell::Ref::map(self.copied.borrow(), |c| &c[&folder]))
    }
}
