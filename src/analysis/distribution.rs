//! The distribution panel: seeded Monte-Carlo runs of the chain in all three modes,
//! computed a slice per animation frame so the page never freezes, with progress, a
//! Cancel button, the percentiles, the chart and the lesson in words.

use super::chart_size;
use crate::clock::BrowserClock;
use crate::download;
use crate::state::{use_app_state, AppState};
use chainlab_core::analysis::{
    distribution_csv, distribution_svg, ms, ChartSize, Distribution, MonteCarlo, Percentile,
    Progress, DEFAULT_SAMPLES, MAX_SAMPLES,
};
use chainlab_core::{Clock, Mode};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;

/// How long one frame may spend on samples: the rest of the 16 ms frame is left to
/// the race's animation and the page.
const FRAME_BUDGET_MS: f64 = 6.0;
/// Samples computed between two looks at the clock.
const SLICE: usize = 20;
/// The partial histogram is redrawn every this many frames while computing.
const REDRAW_EVERY: u32 = 4;
/// Histogram bins on the shared axis.
const BINS: usize = 40;

/// Where the panel's computation stands.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Status {
    Computing(Progress),
    Done,
    Cancelled(Progress),
    /// The chain has problems, so there is nothing to simulate.
    NoChain,
}

impl Status {
    fn key(self) -> &'static str {
        match self {
            Status::Computing(_) => "computing",
            Status::Done => "done",
            Status::Cancelled(_) => "cancelled",
            Status::NoChain => "no-chain",
        }
    }
}

/// The runs in progress and what the panel shows of them.
#[derive(Clone, Copy)]
struct Job {
    state: AppState,
    samples: RwSignal<usize>,
    status: RwSignal<Status>,
    summary: RwSignal<Option<Distribution>>,
    /// The runs themselves, kept for the CSV export. Dropping them cancels.
    runs: StoredValue<Option<MonteCarlo>, LocalStorage>,
    /// Bumped by every start and by Cancel, so an older frame loop stops.
    generation: StoredValue<u64>,
    /// Time spent simulating and summarising (not redrawing partial figures), and
    /// in how many frames: shown when done, and read by tools/analysis-bench.mjs.
    spent: RwSignal<Option<(f64, u32)>>,
}

impl Job {
    fn start(self) {
        self.generation.update_value(|g| *g += 1);
        let generation = self.generation.get_value();
        let runs = self.state.plan.with_untracked(|plan| {
            plan.as_ref()
                .ok()
                .map(|plan| MonteCarlo::new(plan, self.samples.get_untracked()))
        });
        let Some(runs) = runs else {
            self.runs.set_value(None);
            self.summary.set(None);
            self.status.set(Status::NoChain);
            return;
        };
        self.status.set(Status::Computing(runs.progress()));
        self.spent.set(None);
        self.runs.set_value(Some(runs));
        let Some(clock) = BrowserClock::new() else {
            self.status.set(Status::NoChain);
            return;
        };
        request_animation_frame(move || self.frame(generation, clock, 0, 0.0));
    }

    /// Computes samples for up to [`FRAME_BUDGET_MS`], shows how far it got, and
    /// asks for the next frame until done.
    fn frame(self, generation: u64, clock: BrowserClock, frames: u32, spent: f64) {
        if self.generation.get_value() != generation {
            return;
        }
        let started = clock.now();
        let progress = self.runs.try_update_value(|runs| {
            let runs = runs.as_mut()?;
            loop {
                let progress = runs.advance(SLICE);
                if progress.is_done() || clock.now() - started > FRAME_BUDGET_MS {
                    return Some(progress);
                }
            }
        });
        let Some(Some(progress)) = progress else {
            return;
        };
        let spent = spent + (clock.now() - started);
        if progress.is_done() {
            let summarising = clock.now();
            self.show_summary();
            self.spent
                .set(Some((spent + (clock.now() - summarising), frames + 1)));
            self.status.set(Status::Done);
        } else {
            if frames % REDRAW_EVERY == 0 {
                self.show_summary();
            }
            self.status.set(Status::Computing(progress));
            request_animation_frame(move || self.frame(generation, clock, frames + 1, spent));
        }
    }

    fn show_summary(self) {
        let summary = self
            .runs
            .with_value(|runs| runs.as_ref().and_then(|r| r.summary(BINS)));
        self.summary.set(summary);
    }

    /// Stops the frame loop; what was computed stays on show, said to be partial.
    fn cancel(self) {
        self.generation.update_value(|g| *g += 1);
        if let Status::Computing(progress) = self.status.get_untracked() {
            self.show_summary();
            self.status.set(Status::Cancelled(progress));
        }
    }

    fn save_csv(self) -> Result<(), String> {
        let seed = self.state.chain.with_untracked(|c| c.seed);
        let csv = self
            .runs
            .with_value(|runs| runs.as_ref().map(|r| distribution_csv(r, seed)));
        match csv {
            Some(csv) => download::text("chainlab-distribution.csv", "text/csv", &csv),
            None => Ok(()),
        }
    }

    fn save_svg(self) -> Result<(), String> {
        let title = chart_title(self.state);
        match self.summary.get_untracked() {
            Some(dist) => download::text(
                "chainlab-distribution.svg",
                "image/svg+xml",
                &distribution_svg(&dist, &title, ChartSize::Screen),
            ),
            None => Ok(()),
        }
    }
}

fn chart_title(state: AppState) -> String {
    let name = state.chain.with_untracked(|c| c.name.clone());
    format!("{name}: each mode's makespan over many runs")
}

#[component]
pub fn DistributionPanel() -> impl IntoView {
    let state = use_app_state();
    let job = Job {
        state,
        samples: RwSignal::new(DEFAULT_SAMPLES),
        status: RwSignal::new(Status::NoChain),
        summary: RwSignal::new(None),
        runs: StoredValue::new_local(None),
        generation: StoredValue::new(0),
        spent: RwSignal::new(None),
    };
    // A new chain (or new latencies) or a new count starts the runs again. Leaving
    // the page's tree stops the loop at its next frame.
    Effect::new(move |_| {
        state.plan.track();
        job.samples.track();
        job.start();
    });
    on_cleanup(move || job.generation.update_value(|g| *g += 1));

    let size = chart_size();
    let chart = Memo::new(move |_| {
        job.summary.with(|d| {
            d.as_ref()
                .map(|d| distribution_svg(d, &chart_title(state), size.get()))
        })
    });
    let computing = move || matches!(job.status.get(), Status::Computing(_));
    let save = move |saved: Result<(), String>| {
        if let Err(message) = saved {
            state.error.set(Some(message));
        }
    };

    view! {
        <div
            class="distribution"
            data-testid="distribution"
            data-state=move || job.status.get().key()
            aria-labelledby="distribution-heading"
            role="region"
        >
            <h3 id="distribution-heading">"Latency is a distribution: how bad is the slow day?"</h3>
            <div class="analysis-controls">
                <label>
                    "Simulated runs "
                    <input
                        type="number"
                        data-testid="samples"
                        min="1"
                        max=MAX_SAMPLES
                        step="100"
                        prop:value=move || job.samples.get()
                        on:change=move |ev| {
                            let typed = event_target_value(&ev).trim().replace(',', "");
                            if let Ok(n) = typed.parse::<usize>() {
                                job.samples.set(n.clamp(1, MAX_SAMPLES));
                            }
                            // The box shows the count in use: clamped, or the old one
                            // if what was typed is not a number.
                            let input = ev.target().and_then(|t| t.dyn_into::<HtmlInputElement>().ok());
                            if let Some(input) = input {
                                input.set_value(&job.samples.get_untracked().to_string());
                            }
                        }
                    />
                </label>
                <span class="hint">"up to 10,000; each run draws every step's latency with its own seed"</span>
                {move || match job.status.get() {
                    Status::Computing(progress) => view! {
                        <progress
                            data-testid="distribution-progress"
                            max=progress.total
                            value=progress.done
                        ></progress>
                        <span class="progress-label" aria-live="polite">{progress.label()}</span>
                        <button data-testid="distribution-cancel" on:click=move |_| job.cancel()>
                            "Cancel"
                        </button>
                    }
                    .into_any(),
                    Status::Cancelled(progress) => view! {
                        <span class="progress-label" data-testid="distribution-cancelled" role="status">
                            {format!(
                                "Cancelled. {}: the figures below are from those runs only.",
                                progress.label(),
                            )}
                        </span>
                        <button data-testid="distribution-run" on:click=move |_| job.start()>
                            "Simulate all runs"
                        </button>
                    }
                    .into_any(),
                    Status::Done => job.spent.get().map(|(ms, frames)| view! {
                        <span class="hint" data-testid="distribution-time" data-compute-ms=format!("{ms:.1}")>
                            {format!(
                                "Computed in {ms:.0} ms, {} so the page stays responsive.",
                                if frames == 1 { "in one frame".to_string() } else { format!("spread over {frames} frames") },
                            )}
                        </span>
                    })
                    .into_any(),
                    Status::NoChain => ().into_any(),
                }}
            </div>
            {move || {
                if job.status.get() == Status::NoChain {
                    return view! { <p class="hint">"Fix the chain's problems to simulate it."</p> }.into_any();
                }
                job.summary.get().map(|dist| figures(&dist)).into_any()
            }}
            <div class="chart" inner_html=move || chart.get().unwrap_or_default()></div>
            <div class="exports" role="group" aria-label="Export the distribution">
                <span>"Export the distribution: "</span>
                <button
                    data-testid="export-distribution-csv"
                    disabled=move || computing() || job.summary.with(Option::is_none)
                    title="Every simulated run: its seed and each mode's makespan"
                    on:click=move |_| save(job.save_csv())
                >
                    "CSV"
                </button>
                <button
                    data-testid="export-distribution-svg"
                    disabled=move || computing() || job.summary.with(Option::is_none)
                    on:click=move |_| save(job.save_svg())
                >
                    "SVG"
                </button>
            </div>
        </div>
    }
}

/// The percentiles as a table (what the chart shows, for reading and for screen
/// readers), the verdict on eager against staged, and the lesson.
fn figures(dist: &Distribution) -> impl IntoView {
    let rows = Mode::ALL
        .into_iter()
        .map(|mode| {
            let summary = dist.mode(mode);
            let cells = Percentile::ALL
                .into_iter()
                .map(|p| {
                    view! {
                        <td
                            data-testid=format!("{}-{}", p.name(), mode.name())
                            title=dist.figure_label(mode, p)
                        >
                            {ms(summary.percentile(p))}
                        </td>
                    }
                })
                .collect_view();
            view! {
                <tr data-mode=mode.name()>
                    <th scope="row">
                        <span class=format!("swatch {}", mode.name()) aria-hidden="true"></span>
                        {mode.name()}
                    </th>
                    {cells}
                    <td>{ms(summary.typical)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="percentiles" data-testid="percentiles">
            <caption>{dist.percentiles_label()}</caption>
            <thead>
                <tr>
                    <th scope="col">"mode"</th>
                    <th scope="col">"p50"</th>
                    <th scope="col">"p95"</th>
                    <th scope="col">"p99"</th>
                    <th scope="col">"every step at its median"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
        <p class="verdict-line" data-testid="eager-beats-staged">{dist.eager_beats_staged_label()}</p>
        <p class="lesson" data-testid="distribution-lesson" class:fixed=dist.fixed>{dist.lesson()}</p>
    }
}
