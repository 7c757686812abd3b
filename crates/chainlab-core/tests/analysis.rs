//! The what-if analysis against brute-force oracles on random DAGs: percentiles
//! against a sort of all samples, samples against the simulator, slack against the
//! largest delay that leaves the eager makespan unchanged (found by search), and the
//! limit curve against `simulate` with each limit.

mod random_dag;

use chainlab_core::analysis::{
    best_speed_up, limit_curve, planned_latencies, sample_seed, slack, what_if, MonteCarlo,
    Percentile, DEFAULT_SAMPLES, MAX_SAMPLES, NO_SPEED_UP,
};
use chainlab_core::editor::gallery;
use chainlab_core::model::{LatencyModel, Simulation};
use chainlab_core::{simulate, Chain, Millis, Mode, Plan, RunOptions, Step, StepId};
use chainlab_core::{StepKind, Trace};
use proptest::prelude::*;
use proptest::sample::Index;
use random_dag::{dag, latency_model, plan_of, Dag, GenStep, Kind};

fn valid(chain: Chain) -> Plan {
    Plan::new(chain).unwrap_or_else(|problems| panic!("chain refused: {problems:?}"))
}

/// The chain with every step's latency fixed at `latency[i]`.
fn with_fixed_latencies(plan: &Plan, latency: &[Millis]) -> Plan {
    let mut chain = plan.chain().clone();
    for (step, &ms) in chain.steps.iter_mut().zip(latency) {
        let ms = u32::try_from(ms).expect("test latencies fit in u32");
        step.sim.latency = LatencyModel::Fixed { ms };
    }
    valid(chain)
}

fn makespan(plan: &Plan, mode: Mode, limit: Option<usize>) -> Millis {
    let trace: Trace = simulate(plan, RunOptions { mode, limit });
    trace.makespan() as Millis
}

fn index(plan: &Plan, id: &str) -> usize {
    plan.index_of(&StepId::new(id))
        .unwrap_or_else(|| panic!("no step {id}"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Nearest-rank percentiles, checked by their definition on a sort of all samples:
    /// at least p % of the runs are at or below the figure, fewer than p % below it.
    /// The histogram holds every sample once, in the bin its makespan falls in.
    #[test]
    fn percentiles_are_nearest_rank_over_all_samples(dag in dag(40), samples in 1usize..400) {
        let plan = plan_of(&dag);
        let mut runs = MonteCarlo::new(&plan, samples);
        runs.run_to_end();
        let summary = runs.summary(25).ok_or_else(|| TestCaseError::fail("no summary"))?;
        prop_assert_eq!(summary.samples, samples);
        let axis = summary.histogram;
        prop_assert!(axis.bins <= 25);
        for mode in Mode::ALL {
            let mut sorted = runs.makespans(mode).to_vec();
            sorted.sort_unstable();
            let figures = summary.mode(mode);
            for (p, percent) in Percentile::ALL.into_iter().zip([50, 95, 99]) {
                let value = figures.percentile(p);
                let at_or_below = sorted.iter().filter(|&&x| x <= value).count();
                let below = sorted.iter().filter(|&&x| x < value).count();
                prop_assert!(at_or_below * 100 >= percent * samples, "{} {}", mode.name(), p.name());
                prop_assert!(below * 100 < percent * samples, "{} {}", mode.name(), p.name());
            }
            prop_assert_eq!(figures.min, sorted[0]);
            prop_assert_eq!(figures.max, sorted[samples - 1]);
            prop_assert_eq!(figures.counts.len(), axis.bins);
            prop_assert_eq!(figures.counts.iter().sum::<usize>(), samples);
            for (b, &n) in figures.counts.iter().enumerate() {
                let (lo, hi) = (axis.bin_start(b), axis.bin_start(b + 1));
                prop_assert_eq!(n, sorted.iter().filter(|&&x| lo <= x && x < hi).count());
            }
        }
        let wins = runs
            .makespans(Mode::Staged)
            .iter()
            .zip(runs.makespans(Mode::Eager))
            .filter(|&(&s, &e)| (e as f64) < 0.95 * s as f64)
            .count();
        prop_assert_eq!(summary.eager_beats_staged, wins as f64 / samples as f64);
    }

    /// Sample `s` is the simulator's run of the chain with the seed `sample_seed(seed,
    /// s)`, in every mode; sample 0 is the race on the page (the chain's own seed).
    #[test]
    fn every_sample_is_a_simulator_run(dag in dag(30)) {
        let plan = plan_of(&dag);
        let mut runs = MonteCarlo::new(&plan, 4);
        runs.run_to_end();
        for s in 0..4 {
            let mut chain = plan.chain().clone();
            chain.seed = sample_seed(chain.seed, s);
            let reseeded = valid(chain);
            for mode in Mode::ALL {
                prop_assert_eq!(runs.makespans(mode)[s], makespan(&reseeded, mode, None));
            }
        }
        for mode in Mode::ALL {
            prop_assert_eq!(runs.makespans(mode)[0], plan.predicted_makespan(mode));
        }
    }

    /// Computing in chunks, as the page does across frames, gives the same samples as
    /// computing them at once, and the same chain always gives the same samples.
    #[test]
    fn chunks_and_reruns_give_the_same_samples(dag in dag(30), chunk in 1usize..40) {
        let plan = plan_of(&dag);
        let mut whole = MonteCarlo::new(&plan, 100);
        whole.run_to_end();
        let mut chunked = MonteCarlo::new(&plan, 100);
        let mut calls = 0;
        while !chunked.progress().is_done() {
            let progress = chunked.advance(chunk);
            calls += 1;
            prop_assert_eq!(progress.done, (calls * chunk).min(100));
        }
        for mode in Mode::ALL {
            prop_assert_eq!(whole.makespans(mode), chunked.makespans(mode));
        }
        prop_assert_eq!(whole.summary(30), chunked.summary(30));
    }

    /// Slack is the largest extra delay on a step that leaves the eager makespan
    /// unchanged, found by a binary search over delays run on the simulator; earliest
    /// starts are when the eager run starts each step.
    #[test]
    fn slack_is_the_largest_delay_that_keeps_the_eager_makespan(dag in dag(20)) {
        let plan = plan_of(&dag);
        let latency = planned_latencies(&plan);
        let found = slack(&plan, &latency);
        let eager = simulate(&plan, RunOptions::unlimited(Mode::Eager));
        prop_assert_eq!(found.makespan, plan.predicted_makespan(Mode::Eager));
        for span in &eager.spans {
            let started = span.started.ok_or_else(|| TestCaseError::fail("not started"))?;
            prop_assert_eq!(found.steps[span.index].earliest_start as f64, started);
        }
        let eager_with_delay = |i: usize, delay: Millis| {
            let mut delayed = latency.clone();
            delayed[i] += delay;
            makespan(&with_fixed_latencies(&plan, &delayed), Mode::Eager, None)
        };
        for i in 0..dag.len() {
            // The makespan never falls as a delay grows: the largest delay that keeps
            // it is where it starts to rise. A delay of the whole makespan always shows.
            let (mut keeps, mut grows) = (0, found.makespan + 1);
            while grows - keeps > 1 {
                let mid = (keeps + grows) / 2;
                if eager_with_delay(i, mid) == found.makespan {
                    keeps = mid;
                } else {
                    grows = mid;
                }
            }
            prop_assert_eq!(found.steps[i].slack, keeps, "slack of {}", plan.step(i).id);
            prop_assert_eq!(found.steps[i].is_critical(), keeps == 0);
        }
    }

    /// A what-if is the unlimited run of the chain with that one latency changed; the
    /// best speed-up is the best of halving each step in turn.
    #[test]
    fn what_if_and_the_best_speed_up_match_changed_chains(dag in dag(25), pick in any::<Index>(), ms in 0u64..2000) {
        let plan = plan_of(&dag);
        let latency = planned_latencies(&plan);
        let step = pick.index(plan.len());
        let answer = what_if(&plan, &latency, step, ms);
        let mut changed = latency.clone();
        changed[step] = ms;
        let changed_plan = with_fixed_latencies(&plan, &changed);
        prop_assert_eq!(answer.eager, makespan(&changed_plan, Mode::Eager, None));
        prop_assert_eq!(answer.staged, makespan(&changed_plan, Mode::Staged, None));

        let eager_now = plan.predicted_makespan(Mode::Eager);
        let best_gain = (0..plan.len())
            .map(|i| eager_now - what_if(&plan, &latency, i, latency[i] / 2).eager)
            .max()
            .unwrap_or(0);
        match best_speed_up(&plan, &latency) {
            Some(best) => {
                prop_assert_eq!(best.gain(), best_gain);
                prop_assert_eq!(best.after.latency, latency[best.step] / 2);
                prop_assert_eq!(best.before.eager, eager_now);
            }
            None => prop_assert_eq!(best_gain, 0),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// Every point of the limit curve is what the engine does with that limit; at
    /// k = 1 both modes take the sequential sum, at the width (and beyond) their
    /// unlimited makespans, and no point is below the bound.
    #[test]
    fn the_limit_curve_is_the_engine_with_each_limit(dag in dag(120)) {
        let plan = plan_of(&dag);
        let curve = limit_curve(&plan, &planned_latencies(&plan));
        prop_assert_eq!(curve.points.len(), curve.width);
        prop_assert!(curve.width >= plan.levels().iter().map(Vec::len).max().unwrap_or(1));
        for point in &curve.points {
            let k = Some(point.limit);
            prop_assert_eq!(point.staged, makespan(&plan, Mode::Staged, k), "staged, k = {}", point.limit);
            prop_assert_eq!(point.eager, makespan(&plan, Mode::Eager, k), "eager, k = {}", point.limit);
            prop_assert!(point.staged as f64 >= point.bound && point.eager as f64 >= point.bound);
            prop_assert_eq!(point.bound, plan.lower_bound(point.limit));
        }
        let first = curve.points[0];
        prop_assert_eq!(first.staged, plan.total_work());
        prop_assert_eq!(first.eager, plan.total_work());
        let last = curve.points[curve.width - 1];
        prop_assert_eq!(last.staged, plan.predicted_makespan(Mode::Staged));
        prop_assert_eq!(last.eager, plan.predicted_makespan(Mode::Eager));
        prop_assert_eq!(curve.unlimited_eager, plan.predicted_makespan(Mode::Eager));
        prop_assert_eq!(curve.unlimited_staged, plan.predicted_makespan(Mode::Staged));
        for k in [curve.width + 1, curve.width + 7] {
            for mode in [Mode::Staged, Mode::Eager] {
                prop_assert_eq!(makespan(&plan, mode, Some(k)), plan.predicted_makespan(mode));
            }
        }
    }
}

/// Layers of 20 to 70 steps, each step taking one or two inputs from the layer before:
/// `join_all` polls levels above 30 steps differently, and the limit curve must
/// follow it there too.
fn wide_dag() -> impl Strategy<Value = Dag> {
    let step = || (latency_model(), any::<Index>(), any::<Index>());
    let layer = (20usize..=70).prop_flat_map(move |n| prop::collection::vec(step(), n));
    (any::<u64>(), prop::collection::vec(layer, 1..=3)).prop_map(|(seed, layers)| {
        let mut steps = Vec::new();
        let mut previous = 0..0;
        for layer in layers {
            let first = steps.len();
            for (latency, a, b) in layer {
                let mut inputs = Vec::new();
                if !previous.is_empty() {
                    for pick in [a, b] {
                        let u = previous.start + pick.index(previous.len());
                        if !inputs.contains(&u) {
                            inputs.push(u);
                        }
                    }
                }
                steps.push(GenStep {
                    latency,
                    inputs,
                    kind: Kind::Llm,
                    refs: false,
                });
            }
            previous = first..steps.len();
        }
        let list = (0..steps.len()).collect();
        Dag { seed, steps, list }
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    /// Levels wider than 30 steps, at limits below their width.
    #[test]
    fn the_limit_curve_follows_the_engine_on_wide_levels(dag in wide_dag(), k in 2usize..20) {
        let plan = plan_of(&dag);
        let curve = limit_curve(&plan, &planned_latencies(&plan));
        prop_assert!(curve.width >= 20);
        let point = curve.points[k - 1];
        prop_assert_eq!(point.staged, makespan(&plan, Mode::Staged, Some(k)));
        prop_assert_eq!(point.eager, makespan(&plan, Mode::Eager, Some(k)));
    }
}

#[test]
fn on_uneven_branches_c_and_d_have_100_ms_of_slack_and_b_none() {
    let plan = valid(gallery::uneven_branches());
    let found = slack(&plan, &planned_latencies(&plan));
    assert_eq!(found.makespan, 500);
    for id in ["c", "d"] {
        let step = found.steps[index(&plan, id)];
        assert_eq!(step.slack, 100, "{id}");
        assert!(!step.is_critical());
        assert_eq!(step.mark(), "slack 100 ms");
    }
    for id in ["a", "b", "e"] {
        assert!(found.steps[index(&plan, id)].is_critical(), "{id}");
    }
    let c = found.steps[index(&plan, "c")];
    assert_eq!((c.earliest_start, c.latest_start), (0, 100));
    assert!(c
        .label()
        .starts_with("Earliest start 0 ms, latest start 100 ms: 100 ms of slack"));
    assert_eq!(found.steps[index(&plan, "b")].mark(), "critical");
}

#[test]
fn on_uneven_branches_halving_b_helps_most() {
    let plan = valid(gallery::uneven_branches());
    let latency = planned_latencies(&plan);
    let c = index(&plan, "c");
    let slower_c = what_if(&plan, &latency, c, 400);
    // Staged: B and C share a level (500 ms), then D (200 ms).
    assert_eq!((slower_c.eager, slower_c.staged), (600, 700));
    assert_eq!(
        slower_c.label(&plan),
        "If C: quick lookup took 400 ms, eager would take 600 ms and staged 700 ms."
    );
    let best = best_speed_up(&plan, &latency).expect("halving B helps");
    assert_eq!(best.step, index(&plan, "b"));
    assert_eq!(best.gain(), 100);
    assert_eq!(
        best.label(&plan),
        "Halving B: long analysis (500 → 250 ms) helps most: eager 500 → 400 ms \
         (100 ms sooner), staged 700 → 450 ms."
    );
}

#[test]
fn two_equal_critical_paths_have_no_single_step_worth_halving() {
    let mut chain = gallery::uneven_branches();
    // B now takes as long as C and D together: two critical paths of 400 ms.
    chain.steps[1].sim.latency = LatencyModel::Fixed { ms: 400 };
    let plan = valid(chain);
    assert_eq!(best_speed_up(&plan, &planned_latencies(&plan)), None);
    assert!(NO_SPEED_UP.contains("equally long"));
}

/// Eight independent calls, each log-normal around `median_ms`, joined by a step
/// that takes no time.
fn fan_out_of_eight(median_ms: u32, sigma: f64) -> Plan {
    let mut steps: Vec<Step> = (0..8)
        .map(|k| Step {
            id: StepId::new(format!("call_{k}")),
            label: format!("Call {k}"),
            kind: StepKind::Http(Default::default()),
            inputs: vec![],
            position: Default::default(),
            sim: Simulation {
                latency: LatencyModel::LogNormal { median_ms, sigma },
                output: String::new(),
            },
        })
        .collect();
    steps.push(Step {
        id: StepId::new("join"),
        label: "Join".into(),
        kind: StepKind::Output,
        inputs: steps.iter().map(|s| s.id.clone()).collect(),
        position: Default::default(),
        sim: Simulation::default(),
    });
    valid(Chain {
        name: "eight calls".into(),
        description: String::new(),
        seed: 2024,
        steps,
    })
}

/// The design's figure: the median of the slowest of eight log-normal(200 ms, σ 0.5)
/// calls is 200·e^(0.5·1.386) ≈ 400 ms (Φ⁻¹(0.5^(1/8)) = 1.386).
#[test]
fn the_median_of_the_slowest_of_eight_calls_is_about_400_ms() {
    let plan = fan_out_of_eight(200, 0.5);
    let mut runs = MonteCarlo::new(&plan, MAX_SAMPLES);
    runs.run_to_end();
    let summary = runs.summary(40).expect("samples were computed");
    let eager = summary.mode(Mode::Eager);
    assert!((390..=410).contains(&eager.p50), "median {}", eager.p50);
    assert_eq!(eager.typical, 200);
    assert!(!summary.fixed);
    assert!(
        summary
            .lesson()
            .starts_with("A fan-out waits for its slowest branch."),
        "{}",
        summary.lesson()
    );
}

#[test]
fn the_slowest_branch_gallery_chain_teaches_the_tail() {
    let plan = valid(gallery::slowest_branch());
    let mut runs = MonteCarlo::new(&plan, DEFAULT_SAMPLES);
    runs.run_to_end();
    let summary = runs.summary(40).expect("samples were computed");
    let eager = summary.mode(Mode::Eager);
    // 500 ms of synthesis after the slowest of eight searches (about 400 ms).
    assert_eq!(eager.typical, 700);
    assert!((860..=940).contains(&eager.p50), "median {}", eager.p50);
    assert!(eager.p99 > eager.p95 && eager.p95 > eager.p50);
    assert!(summary
        .lesson()
        .contains("A fan-out waits for its slowest branch"));
    assert!(summary
        .percentiles_label()
        .contains("of 1,000 simulated runs"));
    assert_eq!(
        summary.figure_label(Mode::Eager, Percentile::P50),
        format!(
            "p50 (sample median) of 1,000 simulated runs, eager: {} ms",
            eager.p50
        )
    );
}

#[test]
fn fixed_latencies_give_a_single_line_and_say_so() {
    let plan = valid(gallery::uneven_branches());
    let mut runs = MonteCarlo::new(&plan, 50);
    assert_eq!(runs.summary(10), None, "nothing computed yet");
    let progress = runs.advance(20);
    assert_eq!(progress.label(), "Simulated 20 of 50 runs");
    assert_eq!(progress.fraction(), 0.4);
    assert!(runs.run_to_end().is_done());
    let summary = runs.summary(10).expect("samples were computed");
    // 500 to 900 ms in at most 10 whole-millisecond bins: 41 ms each, 10 bins.
    assert_eq!(summary.histogram.start_ms, 500);
    assert_eq!((summary.histogram.bin_ms, summary.histogram.bins), (41, 10));
    assert_eq!(
        summary.histogram.axis_label(),
        "Makespan (ms), bins of 41 ms"
    );
    assert_eq!(summary.count_label(), "Runs per bin, of 50 simulated runs");
    assert!(summary.fixed);
    for (mode, ms) in Mode::ALL.into_iter().zip([900, 700, 500]) {
        let figures = summary.mode(mode);
        assert_eq!(
            (figures.p50, figures.p99, figures.min, figures.max),
            (ms, ms, ms, ms)
        );
        assert!(runs.makespans(mode).iter().all(|&m| m == ms));
    }
    assert_eq!(summary.eager_beats_staged, 1.0);
    assert_eq!(
        summary.eager_beats_staged_label(),
        "Eager finished more than 5 % sooner than staged in 100 % of 50 simulated runs."
    );
    assert!(summary
        .lesson()
        .starts_with("Every latency is fixed, so each mode has a single makespan"));
}

#[test]
fn sample_counts_are_clamped_to_what_the_panel_allows() {
    let plan = valid(gallery::uneven_branches());
    assert_eq!(MonteCarlo::new(&plan, 0).progress().total, 1);
    assert_eq!(
        MonteCarlo::new(&plan, 1_000_000).progress().total,
        MAX_SAMPLES
    );
}

#[test]
fn the_limit_curve_of_uneven_branches() {
    let plan = valid(gallery::uneven_branches());
    let curve = limit_curve(&plan, &planned_latencies(&plan));
    assert_eq!(curve.width, 2);
    let points: Vec<(usize, Millis, Millis)> = curve
        .points
        .iter()
        .map(|p| (p.limit, p.staged, p.eager))
        .collect();
    assert_eq!(points, [(1, 900, 900), (2, 700, 500)]);
    assert_eq!(curve.eager_flat_from(), 2);
    assert!(curve.lesson().starts_with(
        "Eager reaches its unlimited makespan (500 ms) with 2 slots, staged (700 ms) with 2 slots."
    ));
}
