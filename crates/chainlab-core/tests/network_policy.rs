//! Retries, back-off, time-outs, cancel, provider limits and failure policies, in
//! virtual time: every figure below is exact.

use chainlab_core::{
    run_until_done, run_with, Cancel, Chain, Clock, Millis, Mode, OnFailure, Outcome, Plan, Policy,
    RetryPolicy, RunOptions, Step, StepError, StepRequest, StepResult, StepRunner, Trace,
    VirtualClock,
};
use std::collections::HashMap;

/// What each attempt of a step does: wait, then succeed or fail.
#[derive(Clone)]
enum Act {
    Ok(Millis),
    Fail(Millis, StepError),
}

struct Scripted {
    clock: VirtualClock,
    script: HashMap<&'static str, Vec<Act>>,
}

impl StepRunner for Scripted {
    async fn run(&self, request: StepRequest<'_>) -> StepResult {
        let acts = &self.script[request.step.id.as_str()];
        let act = acts[(request.attempt as usize).min(acts.len() - 1)].clone();
        let (ms, output) = match act {
            Act::Ok(ms) => {
                let got: Vec<&str> = request.inputs.iter().map(|(id, _)| id.as_str()).collect();
                (
                    ms,
                    Ok(format!("{} from [{}]", request.step.id, got.join(","))),
                )
            }
            Act::Fail(ms, e) => (ms, Err(e)),
        };
        self.clock.sleep(ms).await;
        StepResult {
            output,
            first_byte: None,
        }
    }
}

fn step(id: &str, provider: &str, inputs: &[&str]) -> Step {
    let prompt: Vec<String> = inputs.iter().map(|i| format!("{{{{{i}}}}}")).collect();
    Step::llm(id, &prompt.join(" "))
        .calling(provider)
        .after(inputs)
}

fn plan(steps: Vec<Step>) -> Plan {
    Plan::new(Chain {
        name: "t".into(),
        description: String::new(),
        seed: 1,
        steps,
    })
    .expect("a valid chain")
}

fn go(plan: &Plan, mode: Mode, policy: &Policy, script: &[(&'static str, Vec<Act>)]) -> Trace {
    let clock = VirtualClock::new();
    let runner = Scripted {
        clock: clock.clone(),
        script: script.iter().cloned().collect(),
    };
    let options = RunOptions { mode, limit: None };
    run_until_done(
        &clock,
        run_with(plan, options, policy, &runner, &clock, &|_| {}),
    )
    .expect("the run finishes")
}

fn spans_of<'t>(trace: &'t Trace, id: &str) -> Vec<&'t chainlab_core::Span> {
    let mut spans: Vec<_> = trace
        .spans
        .iter()
        .filter(|s| s.step.as_str() == id)
        .collect();
    spans.sort_by_key(|s| s.attempt);
    spans
}

fn exact_retries() -> RetryPolicy {
    RetryPolicy {
        jitter: 0.0,
        ..RetryPolicy::STANDARD
    }
}

fn rate_limited(after_ms: Millis) -> StepError {
    StepError::RateLimited {
        retry_after_ms: Some(after_ms),
    }
}

#[test]
fn a_429_is_retried_after_retry_after_and_each_attempt_is_a_span() {
    let plan = plan(vec![step("a", "p", &[])]);
    let policy = Policy {
        retry: exact_retries(),
        ..Policy::default()
    };
    let trace = go(
        &plan,
        Mode::Eager,
        &policy,
        &[("a", vec![Act::Fail(100, rate_limited(2000)), Act::Ok(300)])],
    );
    let spans = spans_of(&trace, "a");
    assert_eq!(spans.len(), 2);
    assert!(
        matches!(spans[0].outcome, Outcome::Failed { ref error } if error.contains("Rate-limited"))
    );
    assert_eq!((spans[0].started, spans[0].ended), (Some(0.0), Some(100.0)));
    // Retry-After (2 s) is longer than the first back-off (250 ms), so it wins.
    assert_eq!(spans[1].ready, 100.0);
    assert_eq!(spans[1].queued, 2100.0);
    assert_eq!(spans[1].ended, Some(2400.0));
    assert_eq!(spans[1].outcome, Outcome::Done);
    assert_eq!(trace.makespan(), 2400.0);
}

#[test]
fn server_errors_back_off_exponentially_then_give_up() {
    let plan = plan(vec![step("a", "p", &[])]);
    let policy = Policy {
        retry: exact_retries(),
        ..Policy::default()
    };
    let e = StepError::ServerError { status: 503 };
    let trace = go(
        &plan,
        Mode::Eager,
        &policy,
        &[("a", vec![Act::Fail(10, e)])],
    );
    let starts: Vec<_> = spans_of(&trace, "a").iter().map(|s| s.started).collect();
    // 4 attempts of 10 ms with waits of 250, 500 and 1000 ms between them.
    assert_eq!(starts, [Some(0.0), Some(260.0), Some(770.0), Some(1780.0)]);
    assert!(trace.spans.iter().all(|s| s.outcome != Outcome::Done));
}

#[test]
fn a_rejected_key_is_not_retried() {
    let plan = plan(vec![step("a", "p", &[])]);
    let policy = Policy {
        retry: RetryPolicy::STANDARD,
        ..Policy::default()
    };
    let e = StepError::KeyRejected { status: 401 };
    let trace = go(
        &plan,
        Mode::Eager,
        &policy,
        &[("a", vec![Act::Fail(10, e)])],
    );
    assert_eq!(trace.spans.len(), 1);
}

#[test]
fn a_time_out_ends_the_attempt_exactly_then() {
    let plan = plan(vec![step("a", "p", &[]), step("b", "p", &["a"])]);
    let policy = Policy {
        timeout_ms: Some(1000),
        ..Policy::default()
    };
    let trace = go(
        &plan,
        Mode::Eager,
        &policy,
        &[("a", vec![Act::Ok(60_000)]), ("b", vec![Act::Ok(10)])],
    );
    let a = spans_of(&trace, "a")[0];
    assert_eq!(a.ended, Some(1000.0));
    assert_eq!(
        a.outcome,
        Outcome::Failed {
            error: StepError::TimedOut { after_ms: 1000 }.to_string()
        }
    );
    assert!(matches!(
        spans_of(&trace, "b")[0].outcome,
        Outcome::Skipped { .. }
    ));
    assert_eq!(trace.makespan(), 1000.0);
}

/// Cancels `cancel` at `at_ms` on `clock`, alongside the run.
async fn cancel_at(clock: &VirtualClock, cancel: &Cancel, at_ms: Millis) {
    clock.sleep(at_ms).await;
    cancel.cancel();
}

#[test]
fn cancel_stops_everything_in_flight_and_everything_not_started() {
    let plan = plan(vec![
        step("a", "p", &[]),
        step("b", "p", &[]),
        step("c", "p", &["a", "b"]),
    ]);
    let policy = Policy::default();
    let clock = VirtualClock::new();
    let runner = Scripted {
        clock: clock.clone(),
        script: [
            ("a", vec![Act::Ok(200)]),
            ("b", vec![Act::Ok(5000)]),
            ("c", vec![Act::Ok(10)]),
        ]
        .into_iter()
        .collect(),
    };
    for mode in Mode::ALL {
        let cancel = Cancel::new();
        let policy = Policy {
            cancel: cancel.clone(),
            ..policy.clone()
        };
        let start = clock.now();
        let both = futures::future::join(
            run_with(
                &plan,
                RunOptions::unlimited(mode),
                &policy,
                &runner,
                &clock,
                &|_| {},
            ),
            cancel_at(&clock, &cancel, 500),
        );
        let (trace, ()) = run_until_done(&clock, both).expect("finishes");
        assert_eq!(clock.now() - start, 500.0, "{mode:?} ran on after cancel");
        assert_eq!(trace.spans.len(), 3);
        for span in &trace.spans {
            assert!(span.ended.is_some(), "{mode:?}: {span:?}");
            assert_ne!(span.outcome, Outcome::Pending);
        }
        let b = spans_of(&trace, "b")[0];
        assert_eq!(
            b.outcome,
            Outcome::Cancelled {
                reason: "Cancel was pressed.".into()
            }
        );
    }
}

#[test]
fn fail_fast_aborts_the_siblings() {
    let plan = plan(vec![
        step("a", "p", &[]),
        step("b", "p", &[]),
        step("c", "p", &["a", "b"]),
    ]);
    let policy = Policy {
        on_failure: OnFailure::FailFast,
        ..Policy::default()
    };
    let trace = go(
        &plan,
        Mode::Staged,
        &policy,
        &[
            ("a", vec![Act::Fail(100, StepError::Network)]),
            ("b", vec![Act::Ok(1000)]),
            ("c", vec![Act::Ok(10)]),
        ],
    );
    assert_eq!(trace.makespan(), 100.0);
    let b = spans_of(&trace, "b")[0];
    assert_eq!(b.ended, Some(100.0));
    assert!(matches!(&b.outcome, Outcome::Cancelled { reason } if reason.contains("\"a\" failed")));
    assert!(spans_of(&trace, "c")[0].started.is_none());
}

#[test]
fn carry_on_runs_aggregators_on_what_arrived_and_marks_what_did_not() {
    let plan = plan(vec![
        step("a", "p", &[]),
        step("b", "p", &[]),
        step("c", "p", &["a", "b"]),
    ]);
    let policy = Policy {
        on_failure: OnFailure::CarryOn,
        ..Policy::default()
    };
    let trace = go(
        &plan,
        Mode::Eager,
        &policy,
        &[
            ("a", vec![Act::Fail(100, StepError::Network)]),
            ("b", vec![Act::Ok(200)]),
            ("c", vec![Act::Ok(10)]),
        ],
    );
    let c = spans_of(&trace, "c")[0];
    assert_eq!(c.outcome, Outcome::Done);
    assert_eq!(
        c.output.as_deref(),
        Some("[made without a: failed] c from [b]")
    );
    assert_eq!(trace.makespan(), 210.0);
}

#[test]
fn a_provider_limit_queues_that_providers_steps_only() {
    let plan = plan(vec![
        step("a1", "slow-api", &[]),
        step("a2", "slow-api", &[]),
        step("a3", "slow-api", &[]),
        step("b1", "other", &[]),
        step("b2", "other", &[]),
    ]);
    let policy = Policy {
        provider_limits: vec![("slow-api".into(), 1)],
        ..Policy::default()
    };
    let all: Vec<(&'static str, Vec<Act>)> = ["a1", "a2", "a3", "b1", "b2"]
        .into_iter()
        .map(|id| (id, vec![Act::Ok(100)]))
        .collect();
    let trace = go(&plan, Mode::Eager, &policy, &all);
    assert_eq!(trace.makespan(), 300.0);
    assert_eq!(spans_of(&trace, "b2")[0].ended, Some(100.0));
    let mut a_starts: Vec<_> = ["a1", "a2", "a3"]
        .iter()
        .filter_map(|id| spans_of(&trace, id)[0].started)
        .collect();
    a_starts.sort_by(f64::total_cmp);
    assert_eq!(a_starts, [0.0, 100.0, 200.0]);
}

#[test]
fn cancel_during_a_back_off_ends_the_step_at_once() {
    let plan = plan(vec![step("a", "p", &[])]);
    let clock = VirtualClock::new();
    let cancel = Cancel::new();
    let policy = Policy {
        retry: exact_retries(),
        cancel: cancel.clone(),
        ..Policy::default()
    };
    let runner = Scripted {
        clock: clock.clone(),
        script: [("a", vec![Act::Fail(100, rate_limited(5000))])]
            .into_iter()
            .collect(),
    };
    let both = futures::future::join(
        run_with(
            &plan,
            RunOptions::unlimited(Mode::Eager),
            &policy,
            &runner,
            &clock,
            &|_| {},
        ),
        cancel_at(&clock, &cancel, 1000),
    );
    let (trace, ()) = run_until_done(&clock, both).expect("finishes");
    assert_eq!(trace.makespan(), 1000.0);
    let last = spans_of(&trace, "a").pop().expect("spans");
    assert_eq!(
        last.outcome,
        Outcome::Cancelled {
            reason: "Cancel was pressed.".into()
        }
    );
}
