//! The sequential run a live run implies: its steps' measured times laid end to end,
//! so a live race need not pay for every call twice to show what one-at-a-time costs.

use crate::engine::trace::{Span, Trace};
use crate::plan::Plan;
use crate::race::rounds::median_steps;
use crate::Mode;

/// A sequential trace built from `measured` (runs in any modes): each step, in
/// topological order, takes its median time over those runs, from its first
/// attempt's start to its last attempt's end (retries and back-off included), less
/// any time its requests waited inside the browser for a connection, which one
/// request at a time never does. A step that started in none of them (skipped after a
/// failure, or stopped by fail fast) takes no time here and keeps the outcome the
/// measured lanes gave it, so the projected lane shows every step they show.
pub fn project_sequential(plan: &Plan, measured: &[&Trace]) -> Trace {
    let origin = measured.first().map_or(0.0, |t| t.origin);
    let medians = median_steps(measured, plan.len());
    let mut at = origin;
    let mut spans = Vec::with_capacity(plan.len());
    for &i in plan.order() {
        let Some((took, last)) = medians[i] else {
            let not_run = measured
                .iter()
                .find_map(|t| t.spans.iter().find(|s| s.index == i));
            if let Some(span) = not_run {
                spans.push(Span {
                    ready: at,
                    queued: at,
                    started: None,
                    sent: None,
                    first_byte: None,
                    ended: Some(at),
                    ..span.clone()
                });
            }
            continue;
        };
        let first_byte = match (last.first_byte, last.started) {
            (Some(fb), Some(s)) => Some(at + took - (last.ended.unwrap_or(s) - fb).max(0.0)),
            _ => None,
        };
        spans.push(Span {
            step: last.step.clone(),
            index: i,
            attempt: last.attempt,
            ready: at,
            queued: at,
            started: Some(at),
            sent: None,
            first_byte,
            ended: Some(at + took),
            outcome: last.outcome.clone(),
            output: last.output.clone(),
        });
        at += took;
    }
    Trace {
        mode: Mode::Sequential,
        origin,
        spans,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::editor::gallery;
    use crate::engine::trace::Outcome;
    use crate::{simulate, RunOptions};

    #[test]
    fn projecting_a_simulated_eager_run_gives_the_sequential_makespan() {
        let plan = Plan::new(gallery::uneven_branches()).expect("valid");
        let eager = simulate(&plan, RunOptions::unlimited(Mode::Eager));
        let projected = project_sequential(&plan, &[&eager]);
        let real = simulate(&plan, RunOptions::unlimited(Mode::Sequential));
        assert_eq!(projected.makespan(), real.makespan());
        assert!(projected.spans.iter().all(|s| s.outcome == Outcome::Done));
        assert_eq!(projected.peak_concurrency(), 1);
    }

    #[test]
    fn a_wait_for_a_browser_connection_is_not_projected() {
        let plan = Plan::new(gallery::uneven_branches()).expect("valid");
        let mut eager = simulate(&plan, RunOptions::unlimited(Mode::Eager));
        // B (900 ms) spent its first 250 ms queued in the browser.
        let b = eager.spans.iter_mut().find(|s| s.index == 1).expect("b");
        b.sent = b.started.map(|s| s + 250.0);
        let ended = b.ended.expect("ended");
        b.ended = Some(ended + 250.0);
        let projected = project_sequential(&plan, &[&eager]);
        let real = simulate(&plan, RunOptions::unlimited(Mode::Sequential));
        assert_eq!(projected.makespan(), real.makespan());
    }
}
