//! Rounds of a live race. Real servers have cold starts and noisy moments, so a fair
//! live race runs every mode several times, rotating the order each round so that no
//! mode always goes first, and reports each mode's median, min and max. A mode is
//! named faster only when the rounds leave no doubt (see [`Standing`]).
//!
//! Medians here are always one of the measured values: for an even count, the lower
//! of the two middle ones. So the median round is a round that really ran, and the
//! timeline can show it with the same total the spread gives.

use crate::engine::trace::{Span, Trace};
use crate::model::{Mode, Time};

/// Rounds a live race runs unless the person asks for another number.
pub const DEFAULT_ROUNDS: usize = 3;
/// More rounds than this take long and say little more.
pub const MAX_ROUNDS: usize = 10;

/// A number of rounds the person typed, kept within 1 and [`MAX_ROUNDS`].
pub fn clamp_rounds(rounds: usize) -> usize {
    rounds.clamp(1, MAX_ROUNDS)
}

/// The order `modes` run in round `round` (counted from 0): rotated by one place per
/// round, so that each mode runs first, and pays for whatever the server still had to
/// warm up, equally often.
pub fn rotated(modes: &[Mode], round: usize) -> Vec<Mode> {
    let mut order = modes.to_vec();
    if !order.is_empty() {
        let by = round % order.len();
        order.rotate_left(by);
    }
    order
}

/// Where the median of `values` is: the index of the middle value, the lower of the
/// two middle ones for an even count.
pub fn median_at(values: &[Time]) -> Option<usize> {
    let mut by_value: Vec<usize> = (0..values.len()).collect();
    by_value.sort_by(|&a, &b| values[a].total_cmp(&values[b]).then(a.cmp(&b)));
    by_value.get(values.len().checked_sub(1)? / 2).copied()
}

/// A mode's makespans over the rounds that finished.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Spread {
    pub median: Time,
    pub min: Time,
    pub max: Time,
    /// How many rounds these come from.
    pub rounds: usize,
}

impl Spread {
    pub fn of(values: &[Time]) -> Option<Self> {
        let median = values[median_at(values)?];
        Some(Self {
            median,
            min: values.iter().copied().fold(Time::INFINITY, Time::min),
            max: values.iter().copied().fold(Time::NEG_INFINITY, Time::max),
            rounds: values.len(),
        })
    }

    /// Every round of `self` finished before any round of `other`: the one rule by
    /// which a live race names a faster mode.
    pub fn clearly_below(&self, other: &Spread) -> bool {
        self.max < other.min
    }
}

/// One round of a live race: each mode once, in the round's order.
#[derive(Clone, Debug, PartialEq)]
pub struct Round {
    /// The modes in the order they ran (a projected lane is not among them).
    pub order: Vec<Mode>,
    /// The lanes that ran, in lane order, and the projected sequential lane if any.
    pub traces: Vec<Trace>,
    /// Every mode of the round ran to its end: a round cut short by Cancel is kept
    /// to look at but does not count.
    pub complete: bool,
}

impl Round {
    pub fn trace(&self, mode: Mode) -> Option<&Trace> {
        self.traces.iter().find(|t| t.mode == mode)
    }
}

/// Which round the timeline shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Shown {
    /// Each lane its own median round.
    #[default]
    Median,
    /// Every lane the same round (counted from 0).
    Round(usize),
}

/// A request sent to an endpoint before a live race, so that its cold start (loading
/// a model, opening connections) is not charged to whichever mode runs first. It is
/// shown, and never counted.
#[derive(Clone, Debug, PartialEq)]
pub struct WarmUp {
    /// The endpoint in words: an LLM step's provider and model, an HTTP step's
    /// method and URL (without its query).
    pub endpoint: String,
    /// The request, as one span of the step it was sent for; pending while in flight.
    pub span: Span,
}

/// How the modes of a finished live race stand against each other.
#[derive(Clone, Debug, PartialEq)]
pub enum Standing {
    /// `winner`'s slowest round beat every other mode's fastest round.
    Ahead { winner: Mode },
    /// The fastest mode (by median) and those whose rounds overlap its rounds: the
    /// difference between them is within the noise. Fastest median first.
    WithinNoise(Vec<Mode>),
}

impl Standing {
    /// The standing of modes with these spreads.
    pub fn of(spreads: &[(Mode, Spread)]) -> Option<Self> {
        let mut by_median = spreads.to_vec();
        by_median.sort_by(|a, b| a.1.median.total_cmp(&b.1.median));
        let (best, spread) = *by_median.first()?;
        let close: Vec<Mode> = by_median
            .iter()
            .filter(|(_, other)| !spread.clearly_below(other))
            .map(|&(mode, _)| mode)
            .collect();
        Some(if close.len() == 1 {
            Standing::Ahead { winner: best }
        } else {
            Standing::WithinNoise(close)
        })
    }
}

/// How long step `i` took in `trace`, from its first attempt's start to its last
/// attempt's end (retries and back-off included), less any time its requests waited
/// inside the browser for a connection, and its last attempt; `None` if it never
/// started.
pub fn step_took(trace: &Trace, i: usize) -> Option<(Time, &Span)> {
    let attempts = trace.spans.iter().filter(|s| s.index == i);
    let last = attempts.clone().max_by_key(|s| s.attempt)?;
    let start = attempts
        .clone()
        .filter_map(|s| s.started)
        .reduce(Time::min)?;
    let browser_wait: Time = attempts.map(Span::browser_wait).sum();
    Some(((last.ended? - start - browser_wait).max(0.0), last))
}

/// Each step's median time over `traces` (see [`step_took`]), with the attempt that
/// ended the median run; `None` for a step that started in none of them.
pub fn median_steps<'a>(traces: &[&'a Trace], steps: usize) -> Vec<Option<(Time, &'a Span)>> {
    (0..steps)
        .map(|i| {
            let took: Vec<(Time, &Span)> = traces.iter().filter_map(|t| step_took(t, i)).collect();
            let times: Vec<Time> = took.iter().map(|&(t, _)| t).collect();
            median_at(&times).map(|at| took[at])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_mode_runs_first_once_in_three_rounds() {
        let modes = [Mode::Sequential, Mode::Staged, Mode::Eager];
        let firsts: Vec<Mode> = (0..3).map(|r| rotated(&modes, r)[0]).collect();
        assert_eq!(firsts, modes);
        assert_eq!(
            rotated(&modes, 1),
            [Mode::Staged, Mode::Eager, Mode::Sequential]
        );
        assert_eq!(
            rotated(&[Mode::Staged, Mode::Eager], 3),
            [Mode::Eager, Mode::Staged]
        );
    }

    #[test]
    fn the_median_is_a_measured_value() {
        assert_eq!(median_at(&[30.0, 10.0, 20.0]), Some(2));
        // Even count: the lower middle one.
        assert_eq!(median_at(&[40.0, 10.0, 30.0, 20.0]), Some(3));
        assert_eq!(median_at(&[]), None);
        let spread = Spread::of(&[500.0, 900.0, 510.0]).expect("values");
        assert_eq!(
            (spread.median, spread.min, spread.max, spread.rounds),
            (510.0, 500.0, 900.0, 3)
        );
    }

    #[test]
    fn a_winner_needs_every_round_to_beat_every_round_of_the_others() {
        let s = |a, b, c| Spread::of(&[a, b, c]).expect("values");
        let clear = [
            (Mode::Staged, s(700.0, 720.0, 690.0)),
            (Mode::Eager, s(500.0, 520.0, 505.0)),
        ];
        assert_eq!(
            Standing::of(&clear),
            Some(Standing::Ahead {
                winner: Mode::Eager
            })
        );
        // One slow eager round reaches into staged's rounds.
        let noisy = [
            (Mode::Staged, s(700.0, 720.0, 690.0)),
            (Mode::Eager, s(500.0, 695.0, 505.0)),
            (Mode::Sequential, s(900.0, 910.0, 905.0)),
        ];
        assert_eq!(
            Standing::of(&noisy),
            Some(Standing::WithinNoise(vec![Mode::Eager, Mode::Staged]))
        );
    }
}
