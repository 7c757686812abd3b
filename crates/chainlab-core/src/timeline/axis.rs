//! The shared time axis: how long it is at a moment of the race, and its round ticks.

use crate::model::Time;
use crate::race::Race;

impl Race {
    /// The length of the shared time axis at cursor time `t`: long enough for every
    /// prediction and every measurement, rounded up a little so bars keep their scale
    /// while a run grows.
    pub fn axis_ms(&self, t: Time) -> Time {
        let longest = self
            .predicted
            .iter()
            .copied()
            .chain(self.lanes.iter().filter_map(|l| l.makespan))
            .fold(t.max(1.0), Time::max)
            // Room at the right for the last finish line and its label.
            * 1.04;
        let unit = 10f64.powf(longest.log10().floor() - 1.0);
        (longest / unit).ceil() * unit
    }
}

/// Evenly spaced, round tick marks (1, 2 or 5 times a power of ten) from 0 to `axis_ms`.
pub fn ticks(axis_ms: Time, at_most: usize) -> Vec<Time> {
    if axis_ms <= 0.0 || at_most == 0 {
        return vec![0.0];
    }
    let rough = axis_ms / at_most as f64;
    let power = 10f64.powf(rough.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * power)
        .find(|&s| s >= rough)
        .unwrap_or(10.0 * power);
    (0..)
        .map(|i| i as f64 * step)
        .take_while(|&t| t <= axis_ms + 1e-9)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_cover_the_axis() {
        assert_eq!(ticks(900.0, 5), vec![0.0, 200.0, 400.0, 600.0, 800.0]);
        assert_eq!(
            ticks(2500.0, 6),
            vec![0.0, 500.0, 1000.0, 1500.0, 2000.0, 2500.0]
        );
        assert_eq!(ticks(0.0, 5), vec![0.0]);
    }
}
