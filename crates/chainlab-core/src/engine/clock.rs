//! Time as a run sees it: the [`Clock`] trait, and the virtual clock whose sleeps end
//! only when the run has nothing else to do, so tests of the schedulers are exact
//! and take no real time.

use crate::model::Millis;
use crate::model::Time;
use std::cell::RefCell;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::future::Future;
use std::pin::{pin, Pin};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

/// Time as the run sees it: virtual in tests, `performance.now()` in the browser.
pub trait Clock {
    fn now(&self) -> Time;
    fn sleep(&self, ms: Millis) -> impl Future<Output = ()>;
}

#[derive(Clone, Default)]
pub struct VirtualClock {
    inner: Rc<RefCell<Timers>>,
}

#[derive(Default)]
struct Timers {
    now: Millis,
    next_id: u64,
    /// (deadline, id) in a min-heap; wakers by id.
    pending: BinaryHeap<Reverse<(Millis, u64)>>,
    wakers: std::collections::HashMap<u64, Waker>,
}

impl VirtualClock {
    pub fn new() -> Self {
        Self::default()
    }

    /// Moves time to the earliest pending deadline and wakes every sleep due then.
    /// Returns false when no sleep is pending.
    fn advance(&self) -> bool {
        let mut timers = self.inner.borrow_mut();
        let Some(&Reverse((deadline, _))) = timers.pending.peek() else {
            return false;
        };
        timers.now = timers.now.max(deadline);
        while let Some(&Reverse((due, id))) = timers.pending.peek() {
            if due > timers.now {
                break;
            }
            timers.pending.pop();
            if let Some(waker) = timers.wakers.remove(&id) {
                waker.wake();
            }
        }
        true
    }
}

impl Clock for VirtualClock {
    fn now(&self) -> Time {
        self.inner.borrow().now as Time
    }

    fn sleep(&self, ms: Millis) -> impl Future<Output = ()> {
        Sleep {
            clock: self.clone(),
            duration: ms,
            timer: None,
        }
    }
}

struct Sleep {
    clock: VirtualClock,
    duration: Millis,
    /// (deadline, timer id), set on first poll.
    timer: Option<(Millis, u64)>,
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let inner = Rc::clone(&self.clock.inner);
        let mut timers = inner.borrow_mut();
        let (deadline, id) = match self.timer {
            Some(timer) => timer,
            None => {
                let timer = (timers.now + self.duration, timers.next_id);
                timers.next_id += 1;
                self.timer = Some(timer);
                timer
            }
        };
        if timers.now >= deadline {
            return Poll::Ready(());
        }
        timers.pending.push(Reverse((deadline, id)));
        timers.wakers.insert(id, cx.waker().clone());
        Poll::Pending
    }
}

struct WokenFlag(AtomicBool);

impl Wake for WokenFlag {
    fn wake(self: Arc<Self>) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// Drives `future` to completion on `clock`: polls while anything was woken, and
/// only when everything is waiting for a sleep does time move on. Returns `None` if
/// the future waits for something that is not a sleep and so can never finish.
pub fn run_until_done<F: Future>(clock: &VirtualClock, future: F) -> Option<F::Output> {
    let flag = Arc::new(WokenFlag(AtomicBool::new(true)));
    let waker = Waker::from(flag.clone());
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    loop {
        flag.0.store(false, Ordering::SeqCst);
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return Some(output);
        }
        if !flag.0.load(Ordering::SeqCst) && !clock.advance() {
            return None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::future::join;

    #[test]
    fn sleeps_overlap_in_virtual_time() {
        let clock = VirtualClock::new();
        let both = join(clock.sleep(300), clock.sleep(500));
        run_until_done(&clock, both).expect("sleeps finish");
        assert_eq!(clock.now(), 500.0);
    }

    #[test]
    fn a_future_that_never_wakes_is_reported() {
        let clock = VirtualClock::new();
        assert!(run_until_done(&clock, futures::future::pending::<()>()).is_none());
    }
}
