//! Narration: one line per event that says what happens and why, for a teacher
//! stepping through a race ("Summarize B starts now: its only input, Search B, just
//! finished").

use crate::engine::trace::Outcome;
use crate::model::Time;
use crate::model::TOLERANCE_MS;
use crate::race::{Lane, Race};
use crate::timeline::replay::{Event, EventKind};
use crate::Mode;

/// Labels joined for a sentence: "A", "A and B", "A, B and C".
fn list(labels: &[&str]) -> String {
    match labels {
        [] => String::new(),
        [one] => (*one).to_string(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

fn ms(t: Time) -> String {
    format!("{t:.0} ms")
}

/// The caption for one event, starting with the lane it happened in.
pub fn caption(race: &Race, event: &Event) -> String {
    let Some(lane) = race.lane(event.mode) else {
        return String::new();
    };
    let line = Narrator { race, lane, event }.line();
    format!("{}: {line}", capitalized(event.mode.name()))
}

/// A mode's name (ASCII) with a capital first letter.
fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| {
            std::iter::once(c.to_ascii_uppercase())
                .chain(chars)
                .collect()
        })
        .unwrap_or_default()
}

struct Narrator<'a> {
    race: &'a Race,
    lane: &'a Lane,
    event: &'a Event,
}

impl Narrator<'_> {
    fn label(&self, i: usize) -> &str {
        &self.race.plan.step(i).label
    }

    fn origin(&self) -> Time {
        self.lane.origin.unwrap_or(0.0)
    }

    /// When step `i` ended in this lane, relative to the lane's start.
    fn ended(&self, i: usize) -> Option<Time> {
        Some(self.lane.latest(i)?.ended? - self.origin())
    }

    fn done_by(&self, i: usize, t: Time) -> bool {
        self.ended(i).is_some_and(|e| e <= t + TOLERANCE_MS)
    }

    fn line(&self) -> String {
        let e = self.event;
        let me = self.label(e.step);
        let Some(span) = self
            .lane
            .attempts
            .get(e.step)
            .and_then(|a| a.iter().find(|s| s.attempt == e.attempt))
        else {
            return format!("{me} changes.");
        };
        let origin = self.origin();
        match e.kind {
            EventKind::Held => format!("{me} is ready but {}.", self.why_held()),
            EventKind::Queued => match self.race.limit {
                Some(k) => format!(
                    "{me} is ready, but all {k} slots under the concurrency limit are busy, so it waits in the queue."
                ),
                None => format!("{me} is handed over to run and waits for a slot."),
            },
            EventKind::Started => format!("{me} starts now: {}.", self.why_now(span)),
            EventKind::Sent => format!(
                "The request of {me} leaves the browser after waiting {} inside it: over HTTP/1.1 a browser opens at most six connections per origin, and a call to another origin may need a CORS check first.",
                ms(span.browser_wait())
            ),
            EventKind::Cancelled => format!(
                "{me} is cancelled: {}",
                span.outcome.message().unwrap_or("the run was stopped.")
            ),
            EventKind::FirstByte => {
                let waited = span
                    .first_byte
                    .zip(span.sent.or(span.started))
                    .map(|(f, s)| f - s);
                format!(
                    "{me} gets the first byte of its answer{}; the rest streams in.",
                    waited.map(|w| format!(" after {}", ms(w))).unwrap_or_default()
                )
            }
            EventKind::Finished => {
                let took = span.running();
                let mut line = format!("{me} finishes after {}.", ms(took));
                let last = self.race.plan.dependents(e.step).is_empty();
                if let Some(makespan) = self.lane.makespan.filter(|m| last && (m - e.t).abs() < TOLERANCE_MS) {
                    line.push_str(&format!(
                        " That was the last step: the {} run took {}.",
                        e.mode.name(),
                        ms(makespan)
                    ));
                } else {
                    line.push_str(&self.what_it_frees(e.t));
                }
                line
            }
            EventKind::Failed => {
                let error = match &span.outcome {
                    Outcome::Failed { error } => error.as_str(),
                    _ => "an error",
                };
                let again = self
                    .lane
                    .attempts
                    .get(e.step)
                    .is_some_and(|a| a.iter().any(|s| s.attempt > e.attempt));
                format!(
                    "{me} fails after {}: {error}.{}",
                    ms(span.ended.unwrap_or(origin + e.t) - span.started.unwrap_or(origin + e.t)),
                    if again { " It will be tried again." } else { "" }
                )
            }
            EventKind::Skipped => match &span.outcome {
                Outcome::Skipped { failed_input } => {
                    let input = self
                        .race
                        .plan
                        .index_of(failed_input)
                        .map_or(failed_input.as_str(), |i| self.label(i));
                    format!("{me} is skipped: its input {input} failed.")
                }
                _ => format!("{me} is skipped."),
            },
        }
    }

    /// Why a step whose inputs are done does not start yet.
    fn why_held(&self) -> String {
        let e = self.event;
        match e.mode {
            Mode::Sequential => {
                let running: Vec<&str> = (0..self.race.plan.len())
                    .filter(|&i| i != e.step && self.is_running(i, e.t))
                    .map(|i| self.label(i))
                    .collect();
                match running.as_slice() {
                    [] => "waits its turn: sequential mode runs one step at a time".into(),
                    _ => format!(
                        "waits its turn while {} runs: sequential mode runs one step at a time",
                        list(&running)
                    ),
                }
            }
            Mode::Staged => {
                let level = self.race.plan.level(e.step);
                let blockers: Vec<&str> = (0..self.race.plan.len())
                    .filter(|&i| self.race.plan.level(i) < level && !self.done_by(i, e.t))
                    .map(|i| self.label(i))
                    .collect();
                format!(
                    "waits at the barrier for {}, which it does not need",
                    if blockers.is_empty() {
                        "the rest of its level".into()
                    } else {
                        list(&blockers)
                    }
                )
            }
            Mode::Eager => "waits for the scheduler".into(),
        }
    }

    fn is_running(&self, i: usize, t: Time) -> bool {
        let origin = self.origin();
        self.lane.latest(i).is_some_and(|s| {
            s.started.is_some_and(|st| st - origin <= t + TOLERANCE_MS)
                && s.ended.is_none_or(|en| en - origin > t + TOLERANCE_MS)
        })
    }

    /// Why a step starts at this moment.
    fn why_now(&self, span: &crate::Span) -> String {
        let e = self.event;
        if e.attempt > 0 {
            return format!("attempt {}, after the one before failed", e.attempt + 1);
        }
        let held = span.queued - span.ready;
        let queued = span.limit_wait();
        if queued >= 1.0 {
            return format!(
                "a slot under the concurrency limit came free after {} in the queue",
                ms(queued)
            );
        }
        if held >= 1.0 {
            return match e.mode {
                Mode::Staged => {
                    let previous: Vec<usize> = (0..self.race.plan.len())
                        .filter(|&i| self.race.plan.level(i) < self.race.plan.level(e.step))
                        .collect();
                    let last = previous.iter().copied().max_by(|&a, &b| {
                        self.ended(a)
                            .unwrap_or(0.0)
                            .total_cmp(&self.ended(b).unwrap_or(0.0))
                    });
                    format!(
                        "the barrier opened when {} finished, {} after this step was ready",
                        last.map_or("the level before", |i| self.label(i)),
                        ms(held)
                    )
                }
                _ => {
                    let order = self.race.plan.order();
                    let before = order
                        .iter()
                        .position(|&i| i == e.step)
                        .and_then(|at| at.checked_sub(1))
                        .map(|at| order[at]);
                    format!(
                        "sequential mode runs one step at a time, and {} just finished",
                        before.map_or("the step before", |i| self.label(i))
                    )
                }
            };
        }
        let inputs = self.race.plan.inputs(e.step);
        match inputs {
            [] => "it needs no input".into(),
            [only] => format!("its only input, {}, just finished", self.label(*only)),
            _ => {
                let last = inputs.iter().copied().max_by(|&a, &b| {
                    self.ended(a)
                        .unwrap_or(0.0)
                        .total_cmp(&self.ended(b).unwrap_or(0.0))
                });
                format!(
                    "the last of its {} inputs, {}, just finished",
                    inputs.len(),
                    last.map_or("", |i| self.label(i))
                )
            }
        }
    }

    /// What a finished step means for the steps that need it.
    fn what_it_frees(&self, t: Time) -> String {
        let plan = &self.race.plan;
        let mut ready = Vec::new();
        let mut waiting = Vec::new();
        for &next in plan.dependents(self.event.step) {
            let missing: Vec<&str> = plan
                .inputs(next)
                .iter()
                .filter(|&&p| !self.done_by(p, t))
                .map(|&p| self.label(p))
                .collect();
            if missing.is_empty() {
                ready.push(self.label(next));
            } else {
                waiting.push(format!(
                    "{} still waits for {}",
                    self.label(next),
                    list(&missing)
                ));
            }
        }
        let mut line = String::new();
        match ready.as_slice() {
            [] => {}
            [one] => line.push_str(&format!(" {one} now has all its inputs.")),
            many => line.push_str(&format!(" {} now have all their inputs.", list(many))),
        }
        if !waiting.is_empty() {
            let waiting: Vec<&str> = waiting.iter().map(String::as_str).collect();
            line.push_str(&format!(" {}.", list(&waiting)));
        }
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::editor::gallery;
    use crate::plan::Plan;
    use crate::timeline::replay::events;
    use crate::{simulate, RunOptions};

    fn captions(chain: crate::Chain) -> Vec<String> {
        let plan = Plan::new(chain).expect("valid");
        let mut race = Race::new(&plan, &Mode::ALL);
        for mode in Mode::ALL {
            race.finish(&simulate(&plan, RunOptions::unlimited(mode)));
        }
        events(&race).iter().map(|e| caption(&race, e)).collect()
    }

    fn has(captions: &[String], wanted: &str) {
        assert!(
            captions.iter().any(|c| c == wanted),
            "no caption {wanted:?} among:\n{}",
            captions.join("\n")
        );
    }

    #[test]
    fn research_assistant_is_explained_step_by_step() {
        let lines = captions(gallery::research_assistant());
        has(
            &lines,
            "Eager: Summarize B starts now: its only input, Search B (news), just finished.",
        );
        has(
            &lines,
            "Sequential: Summarize A finishes after 600 ms. Synthesize still waits for Summarize B.",
        );
        has(
            &lines,
            "Eager: Question finishes after 0 ms. Search A (papers) and Search B (news) now have all their inputs.",
        );
    }

    #[test]
    fn the_barrier_is_named_with_what_it_waits_for() {
        let lines = captions(gallery::uneven_branches());
        has(
            &lines,
            "Staged: D: refine lookup is ready but waits at the barrier for B: long analysis, which it does not need.",
        );
        has(
            &lines,
            "Eager: D: refine lookup starts now: its only input, C: quick lookup, just finished.",
        );
        assert!(lines
            .iter()
            .any(|c| c.contains("That was the last step: the staged run took 700 ms.")));
    }

    #[test]
    fn a_browser_queue_and_a_cancel_are_explained() {
        let plan = Plan::new(gallery::uneven_branches()).expect("valid");
        let mut trace = simulate(&plan, RunOptions::unlimited(Mode::Eager));
        // B waited 120 ms inside the browser, then the person pressed Cancel.
        let b = trace.spans.iter_mut().find(|s| s.index == 1).expect("b");
        b.sent = b.started.map(|s| s + 120.0);
        b.outcome = Outcome::Cancelled {
            reason: "Cancel was pressed.".into(),
        };
        let mut race = Race::new(&plan, &[Mode::Eager]);
        race.finish(&trace);
        let lines: Vec<String> = events(&race).iter().map(|e| caption(&race, e)).collect();
        has(
            &lines,
            "Eager: The request of B: long analysis leaves the browser after waiting 120 ms inside it: over HTTP/1.1 a browser opens at most six connections per origin, and a call to another origin may need a CORS check first.",
        );
        has(
            &lines,
            "Eager: B: long analysis is cancelled: Cancel was pressed.",
        );
    }
}
