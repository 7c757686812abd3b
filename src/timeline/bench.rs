//! The timeline benchmark's way in: `?bench-steps=1000` races a synthetic chain of
//! that many steps, more than the 500 people may build (`plan::MAX_STEPS`), so frame
//! times can be measured on a chain far larger than any real one. Only a build with
//! the `bench-hooks` feature has it; the chain on the canvas is left as it was.

use crate::race_runner::start_race_of;
use crate::state::AppState;
use chainlab_core::{Chain, Limits, Plan, Step};
use leptos::prelude::*;
use std::time::Duration;

/// Branches that run side by side; each is a line of steps.
const BRANCHES: usize = 10;
/// Big enough for the benchmark, small enough that a typo cannot hang the tab.
const MOST_STEPS: usize = 5_000;

pub fn start_if_asked(state: AppState) {
    let Ok(search) = window().location().search() else {
        return;
    };
    let Some(steps) = search
        .trim_start_matches('?')
        .split('&')
        .find_map(|pair| pair.strip_prefix("bench-steps="))
        .and_then(|n| n.parse::<usize>().ok())
        .filter(|n| (BRANCHES + 2..=MOST_STEPS).contains(n))
    else {
        return;
    };
    let limits = Limits {
        max_steps: steps,
        ..Limits::default()
    };
    match Plan::with_limits(wide_chain(steps), limits) {
        // After the timeline's effects are in place, so the race is followed live.
        Ok(plan) => {
            set_timeout(move || start_race_of(state, plan), Duration::ZERO);
        }
        Err(problems) => state.error.set(Some(format!(
            "The benchmark chain is not valid: {problems:?}"
        ))),
    }
}

/// One start step, `BRANCHES` lines of steps after it, one step that joins them.
fn wide_chain(steps: usize) -> Chain {
    let step = |id: &str, label: &str, ms: u32| {
        Step::llm(id, "")
            .labelled(label)
            .taking_ms(ms)
            .simulating("ok")
    };
    let per_branch = (steps - 2) / BRANCHES;
    let mut all = vec![step("start", "Start", 5)];
    let mut tails = Vec::new();
    for b in 0..BRANCHES {
        let mut before = "start".to_string();
        let length = per_branch + usize::from(b < (steps - 2) % BRANCHES);
        for s in 0..length {
            let id = format!("b{b}_{s}");
            let ms = 5 + ((b * 7 + s * 3) % 7) as u32;
            all.push(
                step(&id, &format!("Branch {b} · step {s}"), ms)
                    .after(&[&before])
                    .at(200.0 * (s + 1) as f64, 90.0 * b as f64),
            );
            before = id;
        }
        tails.push(before);
    }
    all.push(step("join", "Join", 5).after(&tails));
    Chain {
        name: format!("Benchmark: {steps} steps in {BRANCHES} branches"),
        description: String::new(),
        seed: 0,
        steps: all,
    }
}
