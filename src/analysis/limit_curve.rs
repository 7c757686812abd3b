//! The limit curve: staged and eager makespans for every concurrency limit k from 1
//! to the chain's width, beside the bound. It answers "how many connections or
//! rate-limit slots do I need before more stop helping".

use super::chart_size;
use crate::state::use_app_state;
use chainlab_core::analysis::{limit_curve, limit_curve_svg, planned_latencies};
use leptos::prelude::*;

/// Up to this many steps the curve is drawn at once; above, a wide chain needs one
/// replay per limit and mode (a 200-step fan-out: about 400), which could hold the
/// page for a moment, so the person asks for it.
const DRAWN_AT_ONCE_UP_TO: usize = 200;

#[component]
pub fn LimitCurvePanel() -> impl IntoView {
    let state = use_app_state();
    let asked = RwSignal::new(false);
    let steps = Memo::new(move |_| {
        state
            .plan
            .with(|p| p.as_ref().map_or(0, chainlab_core::Plan::len))
    });
    let curve = Memo::new(move |_| {
        if steps.get() > DRAWN_AT_ONCE_UP_TO && !asked.get() {
            return None;
        }
        state.plan.with(|plan| {
            let plan = plan.as_ref().ok()?;
            Some(limit_curve(plan, &planned_latencies(plan)))
        })
    });
    let size = chart_size();
    let chart =
        Memo::new(move |_| curve.with(|c| c.as_ref().map(|c| limit_curve_svg(c, size.get()))));
    view! {
        <figure class="limit-curve" data-testid="limit-curve" aria-labelledby="limit-curve-heading">
            <h3 id="limit-curve-heading">"How many calls at once do you need?"</h3>
            {move || {
                (steps.get() > DRAWN_AT_ONCE_UP_TO && !asked.get()).then(|| view! {
                    <button data-testid="limit-curve-draw" on:click=move |_| asked.set(true)>
                        {format!("Draw the limit curve ({} steps: this takes a moment)", steps.get())}
                    </button>
                })
            }}
            <div class="chart" inner_html=move || chart.get().unwrap_or_default()></div>
            {move || {
                curve.get().map(|curve| view! {
                    <figcaption>
                        <p data-testid="limit-curve-lesson">{curve.lesson()}</p>
                    </figcaption>
                })
            }}
        </figure>
    }
}
