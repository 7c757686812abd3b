//! Makespan against the concurrency limit k, from 1 to the chain's width, beside the
//! bound max(critical path, work ÷ k): where the curve goes flat, more connections or
//! rate-limit slots stop helping.
//!
//! Running the scheduler once per k is far too slow for the page (a 200-step fan-out
//! needs about 400 runs), so this file computes the same makespans directly by
//! replaying, step for step, what the engine's futures do under virtual time. That
//! replay must follow the engine in ties too, because with a limit the order in which
//! waiting steps get a slot changes the makespan. What the engine does:
//!
//! - The limit is an `async_lock::Semaphore`. A freed slot wakes only the oldest
//!   waiter, and only if no other waiter has been woken and not yet run. A step polled
//!   while a slot is free takes it, even ahead of older waiters. A woken waiter that
//!   finds no free slot goes to the back of the queue. A woken waiter that takes a
//!   slot passes the wake-up on to the next one.
//! - Eager runs poll steps through `FuturesUnordered`: first-in, first-out, in the
//!   order they were woken. A step ending frees its slot (waking a waiter) before its
//!   dependents are handed over, so the woken waiter is polled before them.
//! - Staged runs use `join_all` per level. Up to 30 steps, it polls every step of the
//!   level, in level order, on every wake-up, so slots go to waiting steps in level
//!   order. Above 30 it polls through `FuturesUnordered`, like eager runs.
//! - The virtual clock wakes sleeps due at the same instant in the order they began.
//!
//! `tests/analysis.rs` checks every point against `simulate` on random chains.

use super::{check_len, ms, Shape};
use crate::model::Millis;
use crate::plan::Plan;
use crate::Mode;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

/// `futures::future::join_all` polls up to this many futures one by one, and more
/// through `FuturesOrdered` (futures-util's `SMALL`).
const JOIN_ALL_SMALL: usize = 30;

/// One concurrency limit and the makespans it gives.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LimitPoint {
    pub limit: usize,
    pub staged: Millis,
    pub eager: Millis,
    /// No schedule with at most `limit` steps at once can finish sooner:
    /// max(critical path, total work ÷ limit).
    pub bound: f64,
}

/// Staged and eager makespans for every limit from 1 to the chain's width.
#[derive(Clone, Debug, PartialEq)]
pub struct LimitCurve {
    /// The smallest limit from which neither mode ever waits for a slot: the larger of
    /// the widest level (staged) and the most steps an eager run holds at once.
    pub width: usize,
    /// For limits 1, 2, …, `width`.
    pub points: Vec<LimitPoint>,
    pub unlimited_staged: Millis,
    pub unlimited_eager: Millis,
}

impl LimitCurve {
    /// The smallest limit from which eager is as fast as with no limit at all.
    pub fn eager_flat_from(&self) -> usize {
        self.points
            .iter()
            .rposition(|p| p.eager != self.unlimited_eager)
            .map_or(1, |last_slower| last_slower + 2)
    }

    /// The smallest limit from which staged is as fast as with no limit at all.
    pub fn staged_flat_from(&self) -> usize {
        self.points
            .iter()
            .rposition(|p| p.staged != self.unlimited_staged)
            .map_or(1, |last_slower| last_slower + 2)
    }

    /// The chart's caption.
    pub fn label(&self) -> String {
        "Makespan with at most k steps running at once (simulated with the chain's \
         latencies), beside the bound max(critical path, total work ÷ k)"
            .into()
    }

    /// The lesson in words: how many slots are worth having.
    pub fn lesson(&self) -> String {
        let eager_k = self.eager_flat_from();
        let staged_k = self.staged_flat_from();
        let slots = |k: usize| {
            if k == 1 {
                "1 slot".to_string()
            } else {
                format!("{k} slots")
            }
        };
        format!(
            "Eager reaches its unlimited makespan ({}) with {}, staged ({}) with {}. \
             Where the curve goes flat, more connections or rate-limit slots stop helping.",
            ms(self.unlimited_eager),
            slots(eager_k),
            ms(self.unlimited_staged),
            slots(staged_k),
        )
    }
}

/// The limit curve of `plan` when step `i` takes `latency[i]` ms.
pub fn limit_curve(plan: &Plan, latency: &[Millis]) -> LimitCurve {
    check_len(plan, latency);
    let shape = Shape::of(plan);
    let n = shape.len();
    // With as many slots as steps no step ever waits, so the replay is the unlimited run.
    let unlimited = eager_run(&shape, latency, n);
    let widest_level = shape.levels().map(<[usize]>::len).max().unwrap_or(1);
    let width = widest_level.max(unlimited.peak).max(1);
    let points = (1..=width)
        .map(|k| LimitPoint {
            limit: k,
            staged: staged_run(&shape, latency, k),
            eager: eager_run(&shape, latency, k).makespan,
            bound: plan.lower_bound(k),
        })
        .collect();
    let mut finish = vec![0; n];
    LimitCurve {
        width,
        points,
        unlimited_staged: shape.makespan(Mode::Staged, latency, &mut finish),
        unlimited_eager: unlimited.makespan,
    }
}

struct Replay {
    makespan: Millis,
    /// The most slots held at once.
    peak: usize,
}

fn eager_run(shape: &Shape, latency: &[Millis], limit: usize) -> Replay {
    let mut waiting: Vec<usize> = (0..shape.len()).map(|i| shape.inputs(i).len()).collect();
    let first = shape.order.iter().copied().filter(|&i| waiting[i] == 0);
    let mut engine = Engine::new(latency, limit, first);
    engine.run(|done, handed_over| {
        for &d in shape.dependents(done) {
            waiting[d] -= 1;
            if waiting[d] == 0 {
                handed_over.push_back(Poll::Fresh(d));
            }
        }
    });
    Replay {
        makespan: engine.now,
        peak: engine.peak,
    }
}

fn staged_run(shape: &Shape, latency: &[Millis], limit: usize) -> Millis {
    shape
        .levels()
        .map(|level| {
            if level.len() <= JOIN_ALL_SMALL {
                in_level_order(level, latency, limit)
            } else {
                let mut engine = Engine::new(latency, limit, level.iter().copied());
                engine.run(|_, _| {});
                engine.now
            }
        })
        .sum()
}

/// A small `join_all` level: each step, in level order, takes the first slot to free.
fn in_level_order(level: &[usize], latency: &[Millis], limit: usize) -> Millis {
    let mut slots: BinaryHeap<Reverse<Millis>> = BinaryHeap::new();
    let mut end = 0;
    for &i in level {
        let start = if slots.len() < limit {
            0
        } else {
            slots.pop().map_or(0, |Reverse(free)| free)
        };
        slots.push(Reverse(start + latency[i]));
        end = end.max(start + latency[i]);
    }
    end
}

/// What `FuturesUnordered` polls next.
#[derive(Clone, Copy)]
enum Poll {
    /// A step just handed over: it tries to take a slot.
    Fresh(usize),
    /// The oldest waiter, woken by a freed slot.
    Woken(usize),
    /// A step whose simulated latency is over.
    Ended(usize),
}

/// The engine's futures, semaphore and virtual clock, reduced to what decides when
/// each step starts (see the module comment).
struct Engine<'a> {
    latency: &'a [Millis],
    now: Millis,
    free: usize,
    held: usize,
    peak: usize,
    /// Waiting steps, oldest first; the first has been woken if `front_woken`.
    waiters: VecDeque<usize>,
    front_woken: bool,
    queue: VecDeque<Poll>,
    /// (end, order of starting, step): sleeps due at one instant wake in start order.
    timers: BinaryHeap<Reverse<(Millis, u64, usize)>>,
    started: u64,
}

impl<'a> Engine<'a> {
    fn new(latency: &'a [Millis], limit: usize, first: impl Iterator<Item = usize>) -> Self {
        Self {
            latency,
            now: 0,
            free: limit.max(1),
            held: 0,
            peak: 0,
            waiters: VecDeque::new(),
            front_woken: false,
            queue: first.map(Poll::Fresh).collect(),
            timers: BinaryHeap::new(),
            started: 0,
        }
    }

    /// Runs until every step has ended; `on_end` hands over the steps an ended step
    /// makes ready (eager) and may push them to the poll queue.
    fn run(&mut self, mut on_end: impl FnMut(usize, &mut VecDeque<Poll>)) {
        loop {
            while let Some(poll) = self.queue.pop_front() {
                let ended = match poll {
                    Poll::Fresh(i) if self.free > 0 => self.start(i),
                    Poll::Fresh(i) => {
                        self.waiters.push_back(i);
                        None
                    }
                    Poll::Woken(i) => {
                        self.waiters.pop_front();
                        self.front_woken = false;
                        if self.free > 0 {
                            // Its wake-up passes on to the next waiter.
                            self.wake_oldest();
                            self.start(i)
                        } else {
                            self.waiters.push_back(i);
                            None
                        }
                    }
                    Poll::Ended(i) => Some(i),
                };
                if let Some(i) = ended {
                    self.free += 1;
                    self.held -= 1;
                    self.wake_oldest();
                    on_end(i, &mut self.queue);
                }
            }
            let Some(&Reverse((due, _, _))) = self.timers.peek() else {
                return;
            };
            self.now = due;
            while let Some(&Reverse((at, _, i))) = self.timers.peek() {
                if at > due {
                    break;
                }
                self.timers.pop();
                self.queue.push_back(Poll::Ended(i));
            }
        }
    }

    /// Takes a slot for step `i`; a step that takes no time ends at once.
    fn start(&mut self, i: usize) -> Option<usize> {
        self.free -= 1;
        self.held += 1;
        self.peak = self.peak.max(self.held);
        if self.latency[i] == 0 {
            return Some(i);
        }
        self.timers
            .push(Reverse((self.now + self.latency[i], self.started, i)));
        self.started += 1;
        None
    }

    fn wake_oldest(&mut self) {
        if !self.front_woken {
            if let Some(&oldest) = self.waiters.front() {
                self.front_woken = true;
                self.queue.push_back(Poll::Woken(oldest));
            }
        }
    }
}
