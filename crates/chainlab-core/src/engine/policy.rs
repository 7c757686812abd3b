//! How a run meets a real network: retries, time-outs, limits per provider, what a
//! failure does to the rest of the run, and the Cancel switch.

use crate::engine::retry::RetryPolicy;
use crate::model::{Choice, Millis, Step, StepKind};
use crate::steps::wire::origin_of;
use serde::{Deserialize, Serialize};
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::rc::Rc;
use std::task::{Poll, Waker};

/// What a failed step (retries spent) does to the rest of the run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnFailure {
    /// Steps that need the failed one are skipped; everything else runs.
    #[default]
    SkipDependents,
    /// Stop at once: steps in flight are aborted, the rest never start.
    FailFast,
    /// Steps that need the failed one run with the inputs that did arrive, and their
    /// output is marked with the inputs they went without.
    CarryOn,
}

impl Choice for OnFailure {
    const ALL: &'static [Self] = &[
        OnFailure::SkipDependents,
        OnFailure::FailFast,
        OnFailure::CarryOn,
    ];

    fn key(self) -> &'static str {
        match self {
            OnFailure::SkipDependents => "skip_dependents",
            OnFailure::FailFast => "fail_fast",
            OnFailure::CarryOn => "carry_on",
        }
    }

    fn label(self) -> &'static str {
        match self {
            OnFailure::SkipDependents => "skip what needs it",
            OnFailure::FailFast => "fail fast (cancel the rest)",
            OnFailure::CarryOn => "carry on with what arrived",
        }
    }
}

/// A switch that cancels a run: every attempt in flight is dropped (which aborts its
/// request) and no new one starts. Clones share the switch.
#[derive(Clone, Default)]
pub struct Cancel(Rc<CancelState>);

#[derive(Default)]
struct CancelState {
    cancelled: Cell<bool>,
    wakers: RefCell<Vec<Waker>>,
}

impl Cancel {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn cancel(&self) {
        self.0.cancelled.set(true);
        for waker in self.0.wakers.take() {
            waker.wake();
        }
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.cancelled.get()
    }

    /// Ready once `cancel` has been called.
    pub fn cancelled(&self) -> impl Future<Output = ()> + '_ {
        std::future::poll_fn(move |cx| {
            if self.is_cancelled() {
                Poll::Ready(())
            } else {
                let mut wakers = self.0.wakers.borrow_mut();
                if !wakers.iter().any(|w| w.will_wake(cx.waker())) {
                    wakers.push(cx.waker().clone());
                }
                Poll::Pending
            }
        })
    }
}

impl std::fmt::Debug for Cancel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Cancel({})", self.is_cancelled())
    }
}

/// How a run meets a real network. The default retries nothing, waits forever and
/// skips what depends on a failure: exactly the simulator's behaviour.
#[derive(Clone, Debug, Default)]
pub struct Policy {
    pub retry: RetryPolicy,
    /// Each attempt is abandoned after this long.
    pub timeout_ms: Option<Millis>,
    pub on_failure: OnFailure,
    /// At most this many steps of one provider at once (an LLM step's provider; an
    /// HTTP step's origin), on top of the run's own limit.
    pub provider_limits: Vec<(String, usize)>,
    pub cancel: Cancel,
}

/// Who serves a step, for per-provider limits: an LLM step's provider, or the origin
/// (`https://host:port`) of an HTTP step's URL.
pub fn provider_of(step: &Step) -> Option<String> {
    match &step.kind {
        StepKind::Llm(llm) => Some(llm.provider.clone()),
        StepKind::Http(http) => Some(origin_of(http.url.trim()).to_string()),
        _ => None,
    }
}
