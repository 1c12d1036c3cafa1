//! Reading ahead: the task explorers read and parse each task's images on a
//! second thread while the calling thread writes the tasks before it, so a
//! report of thousands of tasks costs about the larger of the two rather
//! than their sum.
//!
//! The worker runs a bounded way ahead — at most `DEPTH` loaded items, and
//! at most `BUDGET` bytes of them as the caller weighs them (always one,
//! however large) — so memory stays bounded by the largest task, never the
//! checkpoint. Results come back in order; the worker stops after the first
//! error (which the consumer gets in its place), and when the consumer is
//! done early (an error of its own, a closed pipe).
//!
//! ```
//! use crit::explore::ahead::read_ahead;
//!
//! let squares = read_ahead(1..=4u64, |n| Ok(n * n), |_| 8, |items| {
//!     items.collect::<crit::Result<Vec<_>>>()
//! });
//! assert_eq!(squares.unwrap(), [1, 4, 9, 16]);
//! ```

use std::collections::VecDeque;
use std::mem::size_of;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

use crate::error::Result;

/// At most this many loaded items wait for the consumer. Many: while the
/// consumer writes one large task (the root's 200,000 runs), the worker
/// should get through thousands of small ones; [`BUDGET`] bounds the memory.
pub(crate) const DEPTH: usize = 8192;

/// At most this many bytes of loaded items wait for the consumer (as the
/// `weigh` of [`read_ahead`] counts them), unless one item alone is larger.
pub(crate) const BUDGET: usize = 8 << 20;

/// A consumer that ran out waits for this many items (or [`WAKE_BYTES`]):
/// waking a thread costs more than a small task does, so they go in batches.
const WAKE: usize = 16;
/// Or this many bytes of them: a large task is worth waking for alone.
const WAKE_BYTES: usize = 64 << 10;

/// The heap bytes a string holds, as malloc hands them out (at least 32 a
/// block, 8 of them its header), or 0 for none: for the weights given to
/// [`read_ahead`].
pub(crate) fn weight_of(s: Option<&String>) -> usize {
    match s.map_or(0, String::capacity) {
        0 => 0,
        n => n.max(24) + 8,
    }
}

/// Runs `load` on each of `items` on a scoped worker thread, and hands the
/// results, in the order of `items`, to `consume` on this thread. `weigh`
/// tells how many bytes a loaded item holds beyond its own size, for the
/// [`BUDGET`]. The worker stops after the first `Err` it loads, and when
/// `consume` drops its iterator; this returns once it has stopped.
///
/// # Panics
///
/// Passes on a panic of the worker (after `consume` returns: to it, the
/// items just end).
pub fn read_ahead<I, T, L, W, C, R>(items: I, load: L, weigh: W, consume: C) -> R
where
    I: Iterator + Send,
    T: Send,
    L: FnMut(I::Item) -> Result<T> + Send,
    W: Fn(&T) -> usize + Send,
    C: FnOnce(Ahead<'_, T>) -> R,
{
    let queue = Queue {
        state: Mutex::new(State {
            items: VecDeque::new(),
            held: 0,
            done: false,
            closed: false,
            consumer_waits: false,
            worker_waits: None,
        }),
        ready: Condvar::new(),
        room: Condvar::new(),
    };
    std::thread::scope(|s| {
        let queue = &queue;
        s.spawn(move || {
            // Set even if `load` panics, so that the consumer is not left waiting.
            let _done = Done(queue);
            let mut load = load;
            for item in items {
                let loaded = load(item);
                let failed = loaded.is_err();
                let weight = size_of::<Result<T>>() + loaded.as_ref().map_or(0, &weigh);
                if !queue.push(loaded, weight) || failed {
                    break;
                }
            }
        });
        // The consumer's iterator tells the worker to stop when dropped,
        // before the scope waits for it.
        consume(Ahead { queue })
    })
}

/// The loaded items, in order, as `read_ahead` hands them to its consumer.
/// Dropping it stops the worker.
pub struct Ahead<'s, T> {
    queue: &'s Queue<T>,
}

impl<T> Iterator for Ahead<'_, T> {
    type Item = Result<T>;

    fn next(&mut self) -> Option<Result<T>> {
        self.queue.pop()
    }
}

impl<T> Drop for Ahead<'_, T> {
    fn drop(&mut self) {
        let mut st = self.queue.lock();
        st.closed = true;
        st.items.clear();
        if st.worker_waits.take().is_some() {
            self.queue.room.notify_one();
        }
    }
}

/// The loaded items between the two threads. Each side sleeps only when it
/// must (nothing to take, no room), and is woken only once the other has
/// made a batch of progress: a wake-up per item would cost more than the
/// work it overlaps.
struct Queue<T> {
    state: Mutex<State<T>>,
    /// Signalled to the consumer: items (a batch), or the end.
    ready: Condvar,
    /// Signalled to the worker: room, or the consumer is gone.
    room: Condvar,
}

struct State<T> {
    items: VecDeque<(Result<T>, usize)>,
    /// The bytes the items hold.
    held: usize,
    /// The worker has stopped: no more items.
    done: bool,
    /// The consumer is gone: nothing more is wanted.
    closed: bool,
    consumer_waits: bool,
    /// The worker waits for room for an item of this weight.
    worker_waits: Option<usize>,
}

impl<T> State<T> {
    fn has_room(&self, weight: usize) -> bool {
        self.items.is_empty() || (self.items.len() < DEPTH && self.held.saturating_add(weight) <= BUDGET)
    }

    /// Worth waking the consumer for.
    fn batch_ready(&self) -> bool {
        self.done
            || self.worker_waits.is_some()
            || self.items.len() >= WAKE
            || self.held >= WAKE_BYTES
            || self.items.back().is_some_and(|(r, _)| r.is_err())
    }
}

impl<T> Queue<T> {
    fn lock(&self) -> MutexGuard<'_, State<T>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues a loaded item once there is room; `false` when the consumer is gone.
    fn push(&self, item: Result<T>, weight: usize) -> bool {
        let mut st = self.lock();
        while !st.closed && !st.has_room(weight) {
            st.worker_waits = Some(weight);
            if std::mem::take(&mut st.consumer_waits) {
                self.ready.notify_one();
            }
            st = self.room.wait(st).unwrap_or_else(PoisonError::into_inner);
        }
        st.worker_waits = None;
        if st.closed {
            return false;
        }
        st.items.push_back((item, weight));
        st.held += weight;
        if st.consumer_waits && st.batch_ready() {
            st.consumer_waits = false;
            self.ready.notify_one();
        }
        true
    }

    /// The next item; `None` once the worker has stopped and all are taken.
    fn pop(&self) -> Option<Result<T>> {
        let mut st = self.lock();
        if st.items.is_empty() {
            while !st.batch_ready() {
                st.consumer_waits = true;
                st = self.ready.wait(st).unwrap_or_else(PoisonError::into_inner);
            }
            st.consumer_waits = false;
        }
        let (item, weight) = st.items.pop_front()?;
        st.held -= weight;
        // Wake the worker once half the room is free, not for every item.
        if let Some(w) = st.worker_waits {
            let half_free = st.items.len() <= DEPTH / 2 && st.held <= BUDGET / 2;
            if st.items.is_empty() || (half_free && st.has_room(w)) {
                st.worker_waits = None;
                self.room.notify_one();
            }
        }
        Some(item)
    }
}

/// Marks the worker stopped when it ends, however it ends.
struct Done<'q, T>(&'q Queue<T>);

impl<T> Drop for Done<'_, T> {
    fn drop(&mut self) {
        let mut st = self.0.lock();
        st.done = true;
        if std::mem::take(&mut st.consumer_waits) {
            self.0.ready.notify_one();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn in_order_and_stops_after_the_first_error() {
        let loaded = AtomicUsize::new(0);
        let got: Vec<std::result::Result<u32, String>> = read_ahead(
            0..1000u32,
            |n| {
                loaded.fetch_add(1, Ordering::Relaxed);
                if n == 7 {
                    Err(Error::InvalidArgument {
                        what: format!("task {n}"),
                    })
                } else {
                    Ok(n)
                }
            },
            |_| 1,
            |items| items.map(|r| r.map_err(|e| e.to_string())).collect(),
        );
        let want: Vec<std::result::Result<u32, String>> = (0..7).map(Ok).chain([Err("task 7".to_string())]).collect();
        assert_eq!(got, want);
        assert_eq!(loaded.load(Ordering::Relaxed), 8);
    }

    #[test]
    fn a_consumer_done_early_stops_the_worker() {
        let loaded = AtomicUsize::new(0);
        let first = read_ahead(
            0..1_000_000u32,
            |n| {
                loaded.fetch_add(1, Ordering::Relaxed);
                Ok(n)
            },
            |_| 1,
            |mut items| items.next().map(|r| r.unwrap()),
        );
        assert_eq!(first, Some(0));
        // The worker got at most a channel's worth ahead (and the one in hand).
        assert!(loaded.load(Ordering::Relaxed) <= DEPTH + 2);
    }

    #[test]
    fn the_budget_holds_the_worker_back() {
        // Items of half the budget: at most two wait, plus one in hand.
        let ahead = AtomicUsize::new(0);
        let most = AtomicUsize::new(0);
        let seen = read_ahead(
            0..50u32,
            |n| {
                let a = ahead.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(a, Ordering::SeqCst);
                Ok(n)
            },
            |_| BUDGET / 2,
            |items| {
                let mut seen = 0;
                for r in items {
                    std::thread::sleep(std::time::Duration::from_micros(200));
                    ahead.fetch_sub(1, Ordering::SeqCst);
                    r.unwrap();
                    seen += 1;
                }
                seen
            },
        );
        assert_eq!(seen, 50);
        assert!(most.load(Ordering::SeqCst) <= 4, "{}", most.load(Ordering::SeqCst));
    }
}
