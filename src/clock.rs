//! Time in the browser: `performance.now()` and timer futures on the event loop.

use chainlab_core::{Clock, Millis, Time};
use std::future::Future;

#[derive(Clone)]
pub struct BrowserClock {
    performance: web_sys::Performance,
}

impl BrowserClock {
    /// `None` where there is no window with a performance timer (e.g. a worker
    /// without one), which the page reports instead of panicking.
    pub fn new() -> Option<Self> {
        let performance = web_sys::window()?.performance()?;
        Some(Self { performance })
    }
}

impl Clock for BrowserClock {
    fn now(&self) -> Time {
        self.performance.now()
    }

    fn sleep(&self, ms: Millis) -> impl Future<Output = ()> {
        gloo_timers::future::TimeoutFuture::new(u32::try_from(ms).unwrap_or(u32::MAX))
    }
}
