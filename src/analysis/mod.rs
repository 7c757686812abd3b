//! What a single race cannot show, drawn beside it: how each mode's makespan spreads
//! over many seeded runs (`distribution.rs`), how late each step may be and what if
//! it took another time (`slack.rs`), and how the makespan falls as the concurrency
//! limit rises (`limit_curve.rs`). The figures, words and charts come from
//! `chainlab_core::analysis`; these components only lay them out and keep the
//! Monte-Carlo runs from freezing the page.

mod distribution;
mod limit_curve;
mod slack;

pub use slack::{provide_slack_marks, slack_mark_words, SlackMark, StepAnalysis};

use chainlab_core::analysis::ChartSize;
use leptos::prelude::*;

/// The analysis panel, placed beside the race's figures.
#[component]
pub fn AnalysisPanel() -> impl IntoView {
    view! {
        <section class="analysis" aria-labelledby="analysis-heading">
            <h2 id="analysis-heading">"What if: the slow day, the step to speed up, the slots you need"</h2>
            <div class="analysis-grid">
                <distribution::DistributionPanel />
                <limit_curve::LimitCurvePanel />
            </div>
            <slack::BestSpeedUp />
        </section>
    }
}

/// Projector mode draws the charts with larger type; outside the timeline (where
/// that switch lives) they are drawn for the screen.
fn chart_size() -> Memo<ChartSize> {
    let projector = use_context::<crate::timeline::Replay>().map(|r| r.projector);
    Memo::new(move |_| match projector.map(|p| p.get()) {
        Some(true) => ChartSize::Projector,
        _ => ChartSize::Screen,
    })
}
