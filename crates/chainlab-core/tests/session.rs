//! The race session, the one code path of simulated and live races, in virtual time:
//! which lanes run when, projection, summaries, notes, cancel, fail fast and limits.

use chainlab_core::editor::gallery;
use chainlab_core::race::session::{
    LaneRunner, RaceChange, Session, SessionOptions, Venue, BROWSER_CONNECTIONS_PER_ORIGIN,
};
use chainlab_core::{
    run_until_done, Cancel, Clock, Mode, OnFailure, Outcome, Plan, Policy, Race, SimulatedRunner,
    StepError, StepRequest, StepResult, StepRunner, Trace, VirtualClock,
};
use std::cell::RefCell;

/// The simulator, except that the steps named in `failing` fail after their latency,
/// and it claims a crowded origin when asked to.
struct Runner {
    sim: SimulatedRunner<VirtualClock>,
    failing: Vec<&'static str>,
    crowded: Option<(String, usize)>,
}

impl Runner {
    fn new(clock: &VirtualClock) -> Self {
        Self {
            sim: SimulatedRunner {
                clock: clock.clone(),
            },
            failing: Vec::new(),
            crowded: None,
        }
    }
}

impl StepRunner for Runner {
    async fn run(&self, request: StepRequest<'_>) -> StepResult {
        let fails = self.failing.contains(&request.step.id.as_str());
        let result = self.sim.run(request).await;
        if fails {
            StepResult {
                output: Err(StepError::Network),
                first_byte: None,
            }
        } else {
            result
        }
    }
}

impl LaneRunner for Runner {
    fn crowded_origin(&self) -> Option<(String, usize)> {
        self.crowded.clone()
    }
}

fn uneven() -> Plan {
    Plan::new(gallery::uneven_branches()).expect("the gallery chain is valid")
}

fn options(venue: Venue, policy: Policy) -> SessionOptions {
    SessionOptions {
        modes: Mode::ALL.to_vec(),
        limit: None,
        policy,
        venue,
    }
}

/// Runs a session to its end and returns every change it reported.
fn race(
    plan: &Plan,
    runner: &Runner,
    clock: &VirtualClock,
    options: SessionOptions,
) -> Vec<RaceChange> {
    let changes = RefCell::new(Vec::new());
    let session = Session {
        plan,
        runner,
        clock,
        options,
    };
    run_until_done(clock, session.run(&|c| changes.borrow_mut().push(c)))
        .expect("virtual time always finishes");
    changes.into_inner()
}

/// The race a page would draw from the changes.
fn drawn(plan: &Plan, changes: &[RaceChange]) -> Race {
    let mut race = Race::new(plan, &Mode::ALL);
    for change in changes {
        match change {
            RaceChange::LaneStarted { mode, origin } => race.start(*mode, *origin),
            RaceChange::Span { mode, span } => race.record(*mode, span),
            RaceChange::LaneFinished(trace) | RaceChange::Projected(trace) => {
                race.start(trace.mode, trace.origin);
                race.finish(trace);
            }
            RaceChange::Summary(_) | RaceChange::Note(_) => {}
        }
    }
    race
}

fn starts(changes: &[RaceChange]) -> Vec<(Mode, f64)> {
    changes
        .iter()
        .filter_map(|c| match c {
            RaceChange::LaneStarted { mode, origin } => Some((*mode, *origin)),
            _ => None,
        })
        .collect()
}

fn finished(changes: &[RaceChange]) -> Vec<&Trace> {
    changes
        .iter()
        .filter_map(|c| match c {
            RaceChange::LaneFinished(trace) => Some(trace),
            _ => None,
        })
        .collect()
}

fn lines(changes: &[RaceChange]) -> Vec<&str> {
    changes
        .iter()
        .filter_map(|c| match c {
            RaceChange::Summary(line) | RaceChange::Note(line) => Some(line.as_str()),
            _ => None,
        })
        .collect()
}

#[test]
fn simulated_modes_start_together_and_finish_as_predicted() {
    let (plan, clock) = (uneven(), VirtualClock::new());
    let changes = race(
        &plan,
        &Runner::new(&clock),
        &clock,
        options(Venue::Simulated, Policy::default()),
    );
    assert_eq!(
        starts(&changes),
        vec![
            (Mode::Sequential, 0.0),
            (Mode::Staged, 0.0),
            (Mode::Eager, 0.0)
        ]
    );
    let race = drawn(&plan, &changes);
    let makespans: Vec<_> = race.lanes.iter().map(|l| l.makespan).collect();
    assert_eq!(makespans, vec![Some(900.0), Some(700.0), Some(500.0)]);
    assert_eq!(race, Race::simulated(&plan, &Mode::ALL));
    assert!(
        lines(&changes).is_empty(),
        "a simulated race reports no live lines"
    );
}

#[test]
fn live_modes_run_one_after_another_and_sequential_is_projected() {
    let (plan, clock) = (uneven(), VirtualClock::new());
    let venue = Venue::Live {
        project_sequential: true,
    };
    let changes = race(
        &plan,
        &Runner::new(&clock),
        &clock,
        options(venue, Policy::default()),
    );
    // Staged runs first (700 ms), then eager; sequential is never run.
    assert_eq!(
        starts(&changes),
        vec![(Mode::Staged, 0.0), (Mode::Eager, 700.0)]
    );
    let projected = changes.iter().find_map(|c| match c {
        RaceChange::Projected(trace) => Some(trace),
        _ => None,
    });
    assert_eq!(projected.map(Trace::makespan), Some(900.0));
    assert_eq!(
        lines(&changes),
        vec![
            "staged: 700 ms, 5 attempts (0 retried), 0 failed",
            "eager: 500 ms, 5 attempts (0 retried), 0 failed",
            "sequential (projected from the measured times, not run): 900 ms",
        ]
    );
}

#[test]
fn live_sequential_runs_for_real_when_asked() {
    let (plan, clock) = (uneven(), VirtualClock::new());
    let venue = Venue::Live {
        project_sequential: false,
    };
    let changes = race(
        &plan,
        &Runner::new(&clock),
        &clock,
        options(venue, Policy::default()),
    );
    assert_eq!(
        starts(&changes),
        vec![
            (Mode::Sequential, 0.0),
            (Mode::Staged, 900.0),
            (Mode::Eager, 1600.0)
        ]
    );
    assert!(!changes
        .iter()
        .any(|c| matches!(c, RaceChange::Projected(_))));
}

#[test]
fn cancel_stops_the_lane_in_flight_and_every_later_one() {
    let (plan, clock) = (uneven(), VirtualClock::new());
    let cancel = Cancel::new();
    let policy = Policy {
        cancel: cancel.clone(),
        ..Policy::default()
    };
    let venue = Venue::Live {
        project_sequential: true,
    };
    let runner = Runner::new(&clock);
    let changes = RefCell::new(Vec::new());
    let session = Session {
        plan: &plan,
        runner: &runner,
        clock: &clock,
        options: options(venue, policy),
    };
    let press_cancel = async {
        clock.sleep(300).await;
        cancel.cancel();
    };
    run_until_done(
        &clock,
        futures::future::join(session.run(&|c| changes.borrow_mut().push(c)), press_cancel),
    )
    .expect("virtual time always finishes");
    let changes = changes.into_inner();
    assert_eq!(starts(&changes), vec![(Mode::Staged, 0.0)]);
    let staged = finished(&changes)[0];
    assert_eq!(staged.makespan(), 300.0);
    assert!(staged.spans.iter().any(
        |s| matches!(&s.outcome, Outcome::Cancelled { reason } if reason == "Cancel was pressed.")
    ));
    assert!(
        !changes
            .iter()
            .any(|c| matches!(c, RaceChange::Projected(_))),
        "a cancelled run measured nothing worth projecting"
    );
}

#[test]
fn fail_fast_stops_a_lane_at_the_first_failure() {
    let (plan, clock) = (uneven(), VirtualClock::new());
    let mut runner = Runner::new(&clock);
    runner.failing = vec!["c"];
    let policy = Policy {
        on_failure: OnFailure::FailFast,
        ..Policy::default()
    };
    let changes = race(&plan, &runner, &clock, options(Venue::Simulated, policy));
    let eager = finished(&changes)
        .into_iter()
        .find(|t| t.mode == Mode::Eager)
        .expect("eager finished");
    // C fails when its 200 ms are over: B, still running, is cancelled there.
    assert_eq!(eager.makespan(), 200.0);
    let b = eager
        .spans
        .iter()
        .find(|s| s.step.as_str() == "b")
        .expect("b ran");
    assert!(
        matches!(b.outcome, Outcome::Cancelled { .. }),
        "{:?}",
        b.outcome
    );
    assert!(
        !eager
            .spans
            .iter()
            .any(|s| s.step.as_str() == "e" && s.started.is_some()),
        "nothing starts after the failure"
    );
}

#[test]
fn a_limit_of_one_makes_every_mode_sequential() {
    let (plan, clock) = (uneven(), VirtualClock::new());
    let mut options = options(Venue::Simulated, Policy::default());
    options.limit = Some(1);
    let changes = race(&plan, &Runner::new(&clock), &clock, options);
    let makespans: Vec<_> = finished(&changes).iter().map(|t| t.makespan()).collect();
    assert_eq!(makespans, vec![900.0, 900.0, 900.0]);
}

#[test]
fn a_crowded_origin_is_noted_after_a_live_race() {
    let (plan, clock) = (uneven(), VirtualClock::new());
    let mut runner = Runner::new(&clock);
    runner.crowded = Some(("http://127.0.0.1:4321".into(), 12));
    let venue = Venue::Live {
        project_sequential: true,
    };
    let changes = race(&plan, &runner, &clock, options(venue, Policy::default()));
    let note = changes.iter().find_map(|c| match c {
        RaceChange::Note(note) => Some(note.clone()),
        _ => None,
    });
    let note = note.expect("a note");
    assert!(note.starts_with("12 requests to http://127.0.0.1:4321 were in flight at once"));
    assert!(note.contains(&format!(
        "at most {BROWSER_CONNECTIONS_PER_ORIGIN} connections"
    )));
}
