//! The race session, the one code path of simulated and live races, in virtual time:
//! which lanes run when, warm-ups, rounds and their rotation, the median round, the
//! noise verdict, predictions from measured times, projection, summaries, notes,
//! cancel (also half-way through the rounds), fail fast and limits.

use chainlab_core::editor::gallery;
use chainlab_core::engine::sim::simulated_output;
use chainlab_core::race::rounds::{Shown, Standing};
use chainlab_core::race::session::{
    LaneRunner, RaceChange, Session, SessionOptions, Venue, BROWSER_CONNECTIONS_PER_ORIGIN,
};
use chainlab_core::{
    run_until_done, Cancel, Clock, Mode, OnFailure, Outcome, Plan, Policy, Race, SimulatedRunner,
    StepError, StepRequest, StepResult, StepRunner, Trace, VirtualClock,
};
use std::cell::RefCell;
use std::collections::HashMap;

/// The simulator, except that the steps named in `failing` fail after their latency,
/// steps can take other times than simulated (`took`) and more on some calls
/// (`extra`), it notes every call, and it claims a crowded origin when asked to.
struct Runner {
    sim: SimulatedRunner<VirtualClock>,
    failing: Vec<&'static str>,
    crowded: Option<(String, usize)>,
    /// Instead of the simulated latency, by step id.
    took: HashMap<&'static str, u64>,
    /// Added to a step's time, one value per call in call order (warm-ups included).
    extra: RefCell<HashMap<&'static str, Vec<u64>>>,
    /// Step ids, one per call, in call order.
    calls: RefCell<Vec<String>>,
}

impl Runner {
    fn new(clock: &VirtualClock) -> Self {
        Self {
            sim: SimulatedRunner {
                clock: clock.clone(),
            },
            failing: Vec::new(),
            crowded: None,
            took: HashMap::new(),
            extra: RefCell::new(HashMap::new()),
            calls: RefCell::new(Vec::new()),
        }
    }

    /// Adds `ms` to each call of `step`, in turn.
    fn with_extra(self, step: &'static str, ms: &[u64]) -> Self {
        self.extra.borrow_mut().insert(step, ms.to_vec());
        self
    }
}

impl StepRunner for Runner {
    async fn run(&self, request: StepRequest<'_>) -> StepResult {
        let id = request.step.id.as_str().to_string();
        self.calls.borrow_mut().push(id.clone());
        let extra = self
            .extra
            .borrow_mut()
            .iter_mut()
            .find(|(step, _)| **step == id)
            .and_then(|(_, ms)| (!ms.is_empty()).then(|| ms.remove(0)))
            .unwrap_or(0);
        if extra > 0 {
            self.sim.clock.sleep(extra).await;
        }
        let fails = self.failing.contains(&id.as_str());
        let result = match self.took.iter().find(|(step, _)| **step == id) {
            Some((_, &ms)) => {
                self.sim.clock.sleep(ms).await;
                StepResult {
                    output: Ok(simulated_output(request.step, &request.inputs)),
                    first_byte: None,
                }
            }
            None => self.sim.run(request).await,
        };
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

/// What the warm-up of "uneven branches" costs on the simulator: its one network
/// step (C, an HTTP lookup, 200 ms) once.
const WARM_UP: f64 = 200.0;

fn live(project_sequential: bool, rounds: usize) -> Venue {
    Venue::Live {
        project_sequential,
        rounds,
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
    drawn_as(Race::new(plan, &Mode::ALL), changes)
}

/// `race` with the changes applied, as the page's sink applies them.
fn drawn_as(mut race: Race, changes: &[RaceChange]) -> Race {
    for change in changes {
        match change {
            RaceChange::WarmingUp(warm_ups) => race.warm_ups = warm_ups.clone(),
            RaceChange::WarmedUp(warm_up) => race.warmed_up(warm_up),
            RaceChange::RoundStarted { order, .. } => race.begin_round(order.clone()),
            RaceChange::LaneStarted { mode, origin } => race.start(*mode, *origin),
            RaceChange::Span { mode, span } => race.record(*mode, span),
            RaceChange::LaneFinished(trace) => race.finish(trace),
            RaceChange::Projected(trace) => race.finish_projected(trace),
            RaceChange::RoundEnded { complete, .. } => race.end_round(*complete),
            RaceChange::Ended => race.end(),
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
        rounds: 1,
    };
    let changes = race(
        &plan,
        &Runner::new(&clock),
        &clock,
        options(venue, Policy::default()),
    );
    // After the warm-up, staged runs first (700 ms), then eager; sequential is
    // never run.
    assert_eq!(
        starts(&changes),
        vec![(Mode::Staged, WARM_UP), (Mode::Eager, WARM_UP + 700.0)]
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
        rounds: 1,
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
            (Mode::Sequential, WARM_UP),
            (Mode::Staged, WARM_UP + 900.0),
            (Mode::Eager, WARM_UP + 1600.0)
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
        rounds: 1,
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
        clock.sleep(WARM_UP as u64 + 300).await;
        cancel.cancel();
    };
    run_until_done(
        &clock,
        futures::future::join(session.run(&|c| changes.borrow_mut().push(c)), press_cancel),
    )
    .expect("virtual time always finishes");
    let changes = changes.into_inner();
    assert_eq!(starts(&changes), vec![(Mode::Staged, WARM_UP)]);
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
        rounds: 1,
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

/// Runs a session with a Cancel pressed `cancel_at` ms in (if any); returns the
/// changes and the race a page would draw from them.
fn race_live(
    plan: &Plan,
    runner: &Runner,
    clock: &VirtualClock,
    venue: Venue,
    cancel_at: Option<u64>,
) -> (Vec<RaceChange>, Race) {
    let cancel = Cancel::new();
    let policy = Policy {
        cancel: cancel.clone(),
        ..Policy::default()
    };
    let changes = RefCell::new(Vec::new());
    let session = Session {
        plan,
        runner,
        clock,
        options: options(venue, policy),
    };
    let press_cancel = async {
        if let Some(at) = cancel_at {
            clock.sleep(at).await;
            cancel.cancel();
        }
    };
    run_until_done(
        clock,
        futures::future::join(session.run(&|c| changes.borrow_mut().push(c)), press_cancel),
    )
    .expect("virtual time always finishes");
    let changes = changes.into_inner();
    let Venue::Live { rounds, .. } = venue else {
        unreachable!("live races only")
    };
    let race = drawn_as(Race::live(plan, &Mode::ALL, None, rounds), &changes);
    (changes, race)
}

#[test]
fn each_endpoint_is_warmed_up_once_before_any_lane_and_not_counted() {
    let (plan, clock) = (uneven(), VirtualClock::new());
    // C's server has a cold start: its first request takes a second longer.
    let runner = Runner::new(&clock).with_extra("c", &[1000]);
    let (changes, race) = race_live(&plan, &runner, &clock, live(true, 1), None);
    // One warm-up (C is the chain's only step that leaves the simulator), first.
    assert_eq!(runner.calls.borrow()[0], "c");
    assert!(matches!(&changes[0], RaceChange::WarmingUp(w) if w.len() == 1));
    assert_eq!(race.warm_ups.len(), 1);
    let warm_up = &race.warm_ups[0];
    assert_eq!(warm_up.endpoint, "GET https://api.example.org/lookup");
    assert_eq!(warm_up.span.outcome, Outcome::Done);
    assert_eq!(
        warm_up.span.ended,
        Some(1200.0),
        "the cold start fell on the warm-up"
    );
    // The lanes met a warm server: exactly the engine's times.
    assert_eq!(starts(&changes)[0], (Mode::Staged, 1200.0));
    let makespans: Vec<_> = race.lanes.iter().map(|l| l.makespan).collect();
    assert_eq!(makespans, vec![Some(900.0), Some(700.0), Some(500.0)]);
}

#[test]
fn rounds_rotate_the_order_of_the_modes() {
    let (plan, clock) = (uneven(), VirtualClock::new());
    let (changes, race) = race_live(&plan, &Runner::new(&clock), &clock, live(false, 3), None);
    let orders: Vec<Vec<Mode>> = changes
        .iter()
        .filter_map(|c| match c {
            RaceChange::RoundStarted { order, .. } => Some(order.clone()),
            _ => None,
        })
        .collect();
    use Mode::{Eager as E, Sequential as S, Staged as St};
    assert_eq!(orders, vec![vec![S, St, E], vec![St, E, S], vec![E, S, St]]);
    let lane_order: Vec<Mode> = starts(&changes).iter().map(|&(m, _)| m).collect();
    assert_eq!(lane_order, [S, St, E, St, E, S, E, S, St]);
    assert_eq!(race.complete_rounds(), vec![0, 1, 2]);
    let eager = race.spread(E).expect("eager ran");
    assert_eq!(
        (eager.median, eager.min, eager.max, eager.rounds),
        (500.0, 500.0, 500.0, 3)
    );
    // With a projected sequential lane, only staged and eager take turns.
    let (changes, _) = race_live(&plan, &Runner::new(&clock), &clock, live(true, 2), None);
    let lane_order: Vec<Mode> = starts(&changes).iter().map(|&(m, _)| m).collect();
    assert_eq!(lane_order, [St, E, E, St]);
}

#[test]
fn the_timeline_shows_the_median_round_or_the_one_picked() {
    let (plan, clock) = (uneven(), VirtualClock::new());
    // B (on eager's critical path) is slow in some rounds: eager's rounds take
    // 500 + 0, 500 + 300, 500 + 100 ms. B's calls alternate staged, eager per round,
    // and the order rotates: staged, eager | eager, staged | staged, eager.
    let runner = Runner::new(&clock).with_extra("b", &[0, 0, 300, 0, 0, 100]);
    let (_, mut race) = race_live(&plan, &runner, &clock, live(true, 3), None);
    let eager = race.spread(Mode::Eager).expect("eager ran");
    assert_eq!((eager.median, eager.min, eager.max), (600.0, 500.0, 800.0));
    assert_eq!(race.shown, Shown::Median);
    assert_eq!(race.shown_round(Mode::Eager), Some(2));
    assert_eq!(race.lane(Mode::Eager).and_then(|l| l.makespan), Some(600.0));
    race.show(Shown::Round(1));
    assert_eq!(race.lane(Mode::Eager).and_then(|l| l.makespan), Some(800.0));
    assert_eq!(race.shown_round(Mode::Staged), Some(1));
    // The projected lane is a lane like the others, marked as projected.
    let sequential = race.lane(Mode::Sequential).expect("sequential lane");
    assert!(sequential.projected);
    assert!(sequential.makespan.is_some());
}

#[test]
fn a_winner_is_named_only_beyond_the_noise() {
    let (plan, clock) = (uneven(), VirtualClock::new());
    let (_, race) = race_live(&plan, &Runner::new(&clock), &clock, live(false, 3), None);
    assert_eq!(
        race.standing(),
        Some(Standing::Ahead {
            winner: Mode::Eager
        })
    );
    // One eager round is slowed by 250 ms (B, on its critical path): 750 ms reaches
    // staged's 700 ms, so eager's rounds and staged's overlap.
    let runner = Runner::new(&clock).with_extra("b", &[0, 0, 250]);
    let (_, race) = race_live(&plan, &runner, &clock, live(false, 3), None);
    assert_eq!(
        race.standing(),
        Some(Standing::WithinNoise(vec![Mode::Eager, Mode::Staged]))
    );
}

#[test]
fn live_predictions_come_from_the_measured_step_times() {
    // An imported chain has no simulated latencies; the servers take their own time.
    let mut chain = gallery::uneven_branches();
    for step in &mut chain.steps {
        step.sim.latency = chainlab_core::model::LatencyModel::Fixed { ms: 0 };
    }
    let plan = Plan::new(chain).expect("valid");
    let clock = VirtualClock::new();
    let mut runner = Runner::new(&clock);
    runner.took = HashMap::from([("b", 500), ("c", 200), ("d", 200)]);
    let (_, race) = race_live(&plan, &runner, &clock, live(true, 3), None);
    assert_eq!(race.critical_path_ms(), Some(500.0));
    assert_eq!(race.predicted(Mode::Staged), Some(700.0));
    assert_eq!(race.predicted(Mode::Eager), Some(500.0));
    assert_eq!(race.predicted(Mode::Sequential), Some(900.0));
    assert_eq!(race.step_times()[1], Some(500.0));
    // Before the race ends there is no prediction at all: the zeros predict nothing.
    let early = Race::live(&plan, &Mode::ALL, None, 3);
    assert_eq!(early.critical_path_ms(), None);
    assert!(early.predicted.is_empty());
}

#[test]
fn a_round_cancelled_half_way_keeps_the_rounds_that_finished() {
    let (plan, clock) = (uneven(), VirtualClock::new());
    // Warm-up 200 ms, round 1 (staged 700, eager 500) ends at 1,400 ms; Cancel
    // lands in round 2's first lane (eager).
    let (changes, race) = race_live(
        &plan,
        &Runner::new(&clock),
        &clock,
        live(true, 3),
        Some(1600),
    );
    assert_eq!(race.complete_rounds(), vec![0]);
    assert_eq!(
        race.rounds.len(),
        2,
        "the cut-short round is kept to look at"
    );
    assert!(!race.is_running());
    // The lanes show round 1, whole, not the cancelled eager run.
    let makespans: Vec<_> = race.lanes.iter().map(|l| l.makespan).collect();
    assert_eq!(makespans, vec![Some(900.0), Some(700.0), Some(500.0)]);
    let eager = race.lane(Mode::Eager).expect("eager lane");
    assert!(eager.spans().all(|s| s.outcome == Outcome::Done));
    assert_eq!(race.spread(Mode::Eager).map(|s| s.rounds), Some(1));
    assert_eq!(race.critical_path_ms(), Some(500.0));
    assert!(lines(&changes).contains(
        &"Cancelled in round 2 of 3: the figures are those of the 1 round that finished."
    ));
    assert!(matches!(changes.last(), Some(RaceChange::Ended)));
}

#[test]
fn live_summaries_give_each_mode_its_median_and_spread() {
    let (plan, clock) = (uneven(), VirtualClock::new());
    let runner = Runner::new(&clock).with_extra("b", &[0, 0, 300, 0, 0, 100]);
    let (changes, _) = race_live(&plan, &runner, &clock, live(true, 3), None);
    let summaries = lines(&changes);
    assert!(summaries.contains(
        &"eager: 600 ms median of 3 rounds (min 500, max 800), 15 attempts (0 retried), 0 failed"
    ), "{summaries:?}");
    assert!(summaries
        .iter()
        .any(|l| l.starts_with("sequential (projected from the measured times, not run): ")));
}

#[test]
fn a_projected_sequential_lane_shows_the_steps_skipped_after_a_failure() {
    // C fails: D (its dependent) and E (which needs D) are skipped in the measured lanes,
    // and a sequential run would skip them too. The projected lane shows all five steps.
    let (plan, clock) = (uneven(), VirtualClock::new());
    let mut runner = Runner::new(&clock);
    runner.failing = vec!["c"];
    let changes = race(
        &plan,
        &runner,
        &clock,
        options(live(true, 3), Policy::default()),
    );
    let projected: Vec<&Trace> = changes
        .iter()
        .filter_map(|c| match c {
            RaceChange::Projected(trace) => Some(trace),
            _ => None,
        })
        .collect();
    assert_eq!(projected.len(), 3, "one projection per round");
    let outcomes = |trace: &Trace| -> Vec<(String, &'static str)> {
        let mut steps: Vec<_> = trace
            .spans
            .iter()
            .map(|s| (s.step.as_str().to_string(), s.outcome.name()))
            .collect();
        steps.sort();
        steps
    };
    let expected = vec![
        ("a".to_string(), "done"),
        ("b".to_string(), "done"),
        ("c".to_string(), "failed"),
        ("d".to_string(), "skipped"),
        ("e".to_string(), "skipped"),
    ];
    let eager = finished(&changes)
        .into_iter()
        .find(|t| t.mode == Mode::Eager)
        .expect("eager ran");
    assert_eq!(outcomes(eager), expected, "the measured lanes skip D and E");
    for trace in &projected {
        assert_eq!(outcomes(trace), expected);
        // Skipped steps take no time and start nowhere: A, B and C one after another.
        assert_eq!(trace.makespan(), 700.0);
        let d = trace
            .spans
            .iter()
            .find(|s| s.step.as_str() == "d")
            .expect("d");
        assert_eq!((d.started, d.ended), (None, Some(trace.origin + 700.0)));
        assert_eq!(trace.peak_concurrency(), 1);
    }
    // The lane the page draws has every step too, marked as projected.
    let race = drawn(&plan, &changes);
    let sequential = race
        .lanes
        .iter()
        .find(|l| l.mode == Mode::Sequential)
        .expect("the sequential lane");
    assert!(sequential.projected);
    let drawn_outcomes: Vec<&str> = sequential
        .attempts
        .iter()
        .map(|a| a.last().map_or("missing", |s| s.outcome.name()))
        .collect();
    assert_eq!(
        drawn_outcomes,
        ["done", "done", "failed", "skipped", "skipped"]
    );
}
