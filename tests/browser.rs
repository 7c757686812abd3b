//! The simulator on the browser's event loop keeps the engine's promises: measured
//! makespans match the predictions, with all three modes racing at once as on the page.

use chainlab::clock::BrowserClock;
use chainlab_core::{gallery, run, Mode, Plan, RunOptions, SimulatedRunner};
use futures::future::join_all;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Timers in a browser fire a few milliseconds off, and sequential runs add those
/// delays up; 5 % + 15 ms is the margin the page promises.
fn close_enough(measured: f64, predicted: f64) -> bool {
    (measured - predicted).abs() <= predicted * 0.05 + 15.0
}

async fn race(key: &str) {
    let plan = Plan::new(gallery::example(key).expect("gallery chain")).expect("valid chain");
    let clock = BrowserClock::new().expect("a window with a performance timer");
    let runner = SimulatedRunner {
        clock: clock.clone(),
    };
    let traces = join_all(
        Mode::ALL.map(|mode| run(&plan, RunOptions::unlimited(mode), &runner, &clock, &|_| {})),
    )
    .await;
    for trace in traces {
        let predicted = plan.predicted_makespan(trace.mode) as f64;
        let measured = trace.makespan();
        assert!(
            close_enough(measured, predicted),
            "{key} in {} mode: measured {measured:.1} ms, engine predicts {predicted} ms",
            trace.mode.name()
        );
    }
}

#[wasm_bindgen_test]
async fn uneven_branches_match_predictions() {
    race("uneven-branches").await;
}

#[wasm_bindgen_test]
async fn research_assistant_matches_predictions() {
    race("research-assistant").await;
}

#[wasm_bindgen_test]
async fn outputs_reach_later_steps_in_the_browser() {
    let plan = Plan::new(gallery::uneven_branches()).expect("valid chain");
    let clock = BrowserClock::new().expect("a window with a performance timer");
    let runner = SimulatedRunner {
        clock: clock.clone(),
    };
    let trace = run(
        &plan,
        RunOptions::unlimited(Mode::Eager),
        &runner,
        &clock,
        &|_| {},
    )
    .await;
    let combined = trace
        .output_of(&chainlab_core::StepId::new("e"))
        .expect("the last step finished");
    assert!(
        combined.contains("Deep analysis of Plan a weekend in Lisbon"),
        "{combined}"
    );
    assert!(
        combined.contains("Refined Lookup for Plan a weekend"),
        "{combined}"
    );
}
