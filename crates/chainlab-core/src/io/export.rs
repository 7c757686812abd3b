//! A race written out for other tools: Chrome Trace Event JSON (opens in Perfetto and
//! chrome://tracing), CSV of the spans, and an SVG picture of the timeline.
//!
//! Times are relative to each lane's start, like on the page. Only what a span holds
//! is written (no chain settings), and error messages pass through the chain's
//! credentials' mask, so no key, header value or credential parameter ends up in an
//! export even when a server echoed one.

use crate::model::TOLERANCE_MS;
use crate::race::Race;

use crate::engine::trace::Span;
use crate::io::secrets::{self, Secrets};
use crate::model::Time;
use crate::timeline::{ticks, SegmentKind};
use serde_json::{json, Value};
use std::fmt::Write;

/// Microseconds, the unit of the Trace Event format, from page milliseconds.
fn micros(ms: Time) -> f64 {
    (ms * 1000.0).round()
}

/// The race as Chrome Trace Event JSON: one process per mode (its track group), one
/// thread per step inside it, and one complete event (`ph: "X"`) per step attempt,
/// from start (or queueing, if it never started) to end.
pub fn chrome_trace(race: &Race) -> String {
    let secrets = secrets::of_chain(race.plan.chain());
    let mut events: Vec<Value> = Vec::new();
    for (lane_at, lane) in race.lanes.iter().enumerate() {
        let pid = lane_at + 1;
        events.push(json!({
            "name": "process_name", "ph": "M", "pid": pid,
            "args": { "name": format!("{} mode{}", lane.mode.name(), race.lane_words(lane.mode)) },
        }));
        events.push(json!({
            "name": "process_sort_index", "ph": "M", "pid": pid,
            "args": { "sort_index": lane_at },
        }));
        for (row, &i) in race.plan.order().iter().enumerate() {
            events.push(json!({
                "name": "thread_name", "ph": "M", "pid": pid, "tid": i + 1,
                "args": { "name": race.plan.step(i).label },
            }));
            events.push(json!({
                "name": "thread_sort_index", "ph": "M", "pid": pid, "tid": i + 1,
                "args": { "sort_index": row },
            }));
        }
        let Some(origin) = lane.origin else { continue };
        for span in lane.spans() {
            events.push(complete_event(race, span, origin, pid, &secrets));
        }
    }
    json!({ "traceEvents": events, "displayTimeUnit": "ms" }).to_string()
}

fn complete_event(race: &Race, span: &Span, origin: Time, pid: usize, secrets: &Secrets) -> Value {
    let begin = span.started.unwrap_or(span.queued) - origin;
    let end = span.ended.map_or(begin, |e| e - origin);
    let mut args = json!({
        "step": span.step.as_str(),
        "attempt": span.attempt,
        "outcome": span.outcome.name(),
        "ready_ms": span.ready - origin,
        "queued_ms": span.queued - origin,
        "held_by_mode_ms": span.barrier_wait(),
        "queued_for_slot_ms": span.limit_wait(),
    });
    if let Some(first_byte) = span.first_byte {
        args["first_byte_ms"] = json!(first_byte - origin);
    }
    if let Some(sent) = span.sent {
        args["browser_queue_ms"] = json!(span.browser_wait());
        args["sent_ms"] = json!(sent - origin);
    }
    if let Some(error) = span.outcome.message() {
        args["error"] = json!(secrets.redact(error));
    }
    json!({
        "name": race.plan.step(span.index).label,
        "cat": race.plan.step(span.index).kind.name(),
        "ph": "X",
        "ts": micros(begin),
        "dur": micros(end - begin),
        "pid": pid,
        "tid": span.index + 1,
        "args": args,
    })
}

/// A CSV field, quoted when it holds a comma, a quote or a line break.
fn field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// One row per step attempt per mode; times in ms from the lane's start, empty where
/// the attempt never got that far.
pub fn csv(race: &Race) -> String {
    let secrets = secrets::of_chain(race.plan.chain());
    let mut out = String::from(
        "mode,step,label,attempt,ready_ms,queued_ms,started_ms,first_byte_ms,ended_ms,duration_ms,outcome,error,source\n",
    );
    for lane in &race.lanes {
        let Some(origin) = lane.origin else { continue };
        let Some(trace) = lane.trace() else { continue };
        let at = |t: Option<Time>| t.map(|t| format!("{:.1}", t - origin)).unwrap_or_default();
        for span in &trace.spans {
            let error = span.outcome.message().unwrap_or_default();
            let _ = writeln!(
                out,
                "{},{},{},{},{},{},{},{},{},{:.1},{},{},{}",
                lane.mode.name(),
                field(span.step.as_str()),
                field(&race.plan.step(span.index).label),
                span.attempt,
                at(Some(span.ready)),
                at(Some(span.queued)),
                at(span.started),
                at(span.first_byte),
                at(span.ended),
                span.running(),
                span.outcome.name(),
                field(&secrets.redact(error)),
                race.source(lane.mode),
            );
        }
    }
    out
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Okabe-Ito colours and a pattern per segment kind, so print and projector readers
/// who cannot tell the colours apart still can tell the pieces apart.
fn fill(kind: SegmentKind) -> &'static str {
    match kind {
        SegmentKind::BarrierWait => "url(#p-barrier-wait)",
        SegmentKind::Queued => "url(#p-queued)",
        SegmentKind::BrowserQueue => "url(#p-browser-queue)",
        SegmentKind::Running => "#56b4e9",
        SegmentKind::FirstByteWait => "url(#p-first-byte-wait)",
        SegmentKind::Streaming => "#56b4e9",
        SegmentKind::Done => "#0072b2",
        SegmentKind::Failed => "#d55e00",
        SegmentKind::Retried => "url(#p-retried)",
        SegmentKind::Cancelled => "url(#p-cancelled)",
    }
}

const PATTERNS: &str = r##"<defs>
<pattern id="p-barrier-wait" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="8" height="8" fill="#fff"/><rect width="4" height="8" fill="#e69f00"/></pattern>
<pattern id="p-queued" width="6" height="6" patternUnits="userSpaceOnUse"><rect width="6" height="6" fill="#fff"/><rect width="2" height="6" fill="#57606a"/></pattern>
<pattern id="p-first-byte-wait" width="6" height="6" patternUnits="userSpaceOnUse"><rect width="6" height="6" fill="#56b4e9"/><circle cx="3" cy="3" r="1.5" fill="#0b3c5d"/></pattern>
<pattern id="p-browser-queue" width="6" height="6" patternUnits="userSpaceOnUse"><rect width="6" height="6" fill="#fff"/><rect width="2" height="6" fill="#cc79a7"/></pattern>
<pattern id="p-cancelled" width="8" height="8" patternUnits="userSpaceOnUse"><rect width="8" height="8" fill="#57606a"/><rect y="3" width="8" height="2" fill="#fff"/></pattern>
<pattern id="p-retried" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(-45)"><rect width="8" height="8" fill="#fff"/><rect width="4" height="8" fill="#d55e00"/></pattern>
</defs>"##;

/// The timeline as an SVG picture at `t` ms: one lane per mode on one time axis, the
/// critical path in bold, the ideal and the lower bound as reference lines, a legend.
pub fn svg(race: &Race, t: Time) -> String {
    const WIDTH: f64 = 1200.0;
    const LABEL_W: f64 = 210.0;
    const TRACK_W: f64 = WIDTH - LABEL_W - 20.0;
    let n = race.plan.len();
    // Big chains get thin rows with no labels, so the picture stays a page tall.
    let row_h = if n > 40 {
        (400.0 / n as f64).max(1.0)
    } else {
        22.0
    };
    let labelled = row_h >= 14.0;
    let axis = race.axis_ms(t).max(t);
    let x = |ms: Time| LABEL_W + (ms / axis).clamp(0.0, 1.0) * TRACK_W;
    let critical = race.on_critical_path();

    let mut body = String::new();
    let mut y = 70.0;
    for lane in &race.lanes {
        let figures = race.figures(lane.mode);
        let total = lane
            .makespan
            .filter(|&m| m <= t + TOLERANCE_MS)
            .map(|m| format!("{m:.0} ms"))
            .unwrap_or_else(|| format!("{t:.0} ms so far"));
        let predicted = figures
            .and_then(|f| f.predicted)
            .map(|p| {
                if race.live {
                    format!(" (predicted from measured step times {p:.0} ms)")
                } else {
                    format!(" (engine predicts {p:.0} ms)")
                }
            })
            .unwrap_or_default();
        let _ = write!(
            body,
            r#"<text x="10" y="{:.1}" class="mode">{}{} — {total}{predicted}</text>"#,
            y + 16.0,
            lane.mode.name(),
            escape(&race.lane_words(lane.mode)),
        );
        y += 26.0;
        let top = y;
        for &i in race.plan.order() {
            if labelled {
                let _ = write!(
                    body,
                    r#"<text x="10" y="{:.1}" class="{}">{}</text>"#,
                    y + row_h * 0.7,
                    if critical[i] { "step critical" } else { "step" },
                    escape(&race.plan.step(i).label)
                );
            }
            for segment in lane.bar(i, t) {
                let (x0, x1) = (x(segment.start), x(segment.end));
                // The critical path's work is outlined; its waits keep their pattern.
                let waiting =
                    matches!(segment.kind, SegmentKind::BarrierWait | SegmentKind::Queued);
                let outlined = critical[i] && labelled && !waiting;
                let _ = write!(
                    body,
                    r#"<rect x="{x0:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{}" stroke="{}" stroke-width="{}"><title>{}: {} from {:.0} to {:.0} ms (attempt {})</title></rect>"#,
                    y + row_h * 0.15,
                    (x1 - x0).max(1.0),
                    row_h * 0.7,
                    fill(segment.kind),
                    if outlined { "#1b1f24" } else { "none" },
                    if outlined { 2 } else { 0 },
                    escape(&race.plan.step(i).label),
                    segment.kind.label(),
                    segment.start,
                    segment.end,
                    segment.attempt + 1,
                );
            }
            y += row_h;
        }
        if let Some(makespan) = lane.makespan.filter(|&m| m <= t + TOLERANCE_MS) {
            let _ = write!(
                body,
                r##"<line x1="{0:.1}" x2="{0:.1}" y1="{top:.1}" y2="{y:.1}" stroke="#d55e00" stroke-width="2" stroke-dasharray="6 3"/><text x="{1:.1}" y="{2:.1}" class="finish" text-anchor="end">finished {makespan:.0} ms</text>"##,
                x(makespan),
                x(makespan) - 4.0,
                y + 12.0,
            );
        }
        y += 24.0;
    }
    let bottom = y;

    let mut axis_marks = String::new();
    for tick in ticks(axis, 8) {
        let _ = write!(
            axis_marks,
            r##"<line x1="{0:.1}" x2="{0:.1}" y1="56" y2="{bottom:.1}" stroke="#d0d7de"/><text x="{1:.1}" y="52" class="tick">{tick:.0} ms</text>"##,
            x(tick),
            x(tick) + 3.0,
        );
    }
    let mut references = String::new();
    let mut lines = Vec::new();
    if let (Some(ideal), Some(bound)) = (race.critical_path_ms(), race.lower_bound_ms()) {
        lines.push((ideal, "#009e73", "ideal: critical path"));
        // With no limit (or a loose one) the bound is the ideal: one line says it.
        if bound > ideal + TOLERANCE_MS {
            lines.push((bound, "#cc79a7", "lower bound under the limit"));
        }
    }
    for (ms, colour, words) in lines {
        let _ = write!(
            references,
            r#"<line x1="{0:.1}" x2="{0:.1}" y1="56" y2="{bottom:.1}" stroke="{colour}" stroke-width="2" stroke-dasharray="2 3"/><text x="{1:.1}" y="{2:.1}" class="ref" fill="{colour}">{words} {ms:.0} ms</text>"#,
            x(ms),
            x(ms) + 3.0,
            bottom
                + if words.starts_with("ideal") {
                    14.0
                } else {
                    30.0
                },
        );
    }

    let mut legend = String::new();
    let mut lx = 10.0;
    let mut ly = bottom + 54.0;
    for kind in SegmentKind::ALL {
        let width = 40.0 + kind.label().len() as f64 * 6.6;
        if lx + width > WIDTH {
            lx = 10.0;
            ly += 18.0;
        }
        let _ = write!(
            legend,
            r#"<rect x="{lx:.1}" y="{:.1}" width="22" height="12" fill="{}" stroke="{}"/><text x="{:.1}" y="{:.1}" class="legend">{}</text>"#,
            ly - 10.0,
            fill(kind),
            if matches!(
                kind,
                SegmentKind::BarrierWait | SegmentKind::Queued | SegmentKind::Retried
            ) {
                "#57606a"
            } else {
                "none"
            },
            lx + 26.0,
            ly,
            kind.label(),
        );
        lx += width;
    }
    let height = ly + 20.0;
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height:.0}" viewBox="0 0 {WIDTH} {height:.0}" font-family="system-ui, sans-serif">{PATTERNS}<style>.title{{font-size:18px;font-weight:700}}.mode{{font-size:15px;font-weight:700}}.step{{font-size:12px}}.critical{{font-weight:700}}.tick,.finish,.ref,.legend{{font-size:11px}}.finish{{fill:#d55e00}}</style><rect width="100%" height="100%" fill="#fff"/><text x="10" y="24" class="title">{} — the race at {t:.0} ms</text><text x="10" y="42" font-size="12">Bold labels and outlined bars: the critical path.</text>{axis_marks}{references}{body}{legend}</svg>"##,
        escape(&race.plan.chain().name),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::editor::gallery;
    use crate::plan::Plan;
    use crate::Mode;

    fn race() -> Race {
        let plan = Plan::new(gallery::uneven_branches()).expect("valid");
        Race::simulated(&plan, &Mode::ALL)
    }

    #[test]
    fn the_chrome_trace_has_one_complete_event_per_attempt_in_microseconds() {
        let race = race();
        let parsed: Value = serde_json::from_str(&chrome_trace(&race)).expect("valid JSON");
        let events = parsed["traceEvents"].as_array().expect("an event list");
        let complete: Vec<&Value> = events.iter().filter(|e| e["ph"] == "X").collect();
        let attempts: usize = race.lanes.iter().map(|l| l.spans().count()).sum();
        assert_eq!(complete.len(), attempts);
        assert_eq!(attempts, 15);
        // B in staged mode: 0 to 500 ms.
        let b = complete
            .iter()
            .find(|e| e["args"]["step"] == "b" && e["pid"] == 2)
            .expect("b in staged");
        assert_eq!(
            (b["ts"].as_f64(), b["dur"].as_f64()),
            (Some(0.0), Some(500_000.0))
        );
        let tracks: std::collections::BTreeSet<_> =
            complete.iter().map(|e| e["pid"].as_u64()).collect();
        assert_eq!(tracks.len(), 3, "one track group per mode");
        let names: Vec<_> = events
            .iter()
            .filter(|e| e["name"] == "process_name")
            .map(|e| e["args"]["name"].as_str().unwrap_or_default())
            .collect();
        assert_eq!(names, ["sequential mode", "staged mode", "eager mode"]);
    }

    #[test]
    fn csv_has_a_row_per_attempt_and_quotes_what_needs_it() {
        let text = csv(&race());
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 1 + 15);
        assert!(lines[0].starts_with("mode,step,label,attempt"));
        assert!(
            lines.contains(
                &"staged,d,D: refine lookup,0,200.0,500.0,500.0,,700.0,200.0,done,,simulated"
            ),
            "{text}"
        );
        assert_eq!(field("a, \"b\""), "\"a, \"\"b\"\"\"");
    }

    /// A live race of two rounds whose sequential lane was projected.
    fn projected_race() -> Race {
        let plan = Plan::new(gallery::uneven_branches()).expect("valid");
        let mut race = Race::live(&plan, &Mode::ALL, None, 2);
        for round in 0..2 {
            race.begin_round(vec![Mode::Staged, Mode::Eager]);
            let mut measured = Vec::new();
            for mode in [Mode::Staged, Mode::Eager] {
                let trace = crate::simulate(&plan, crate::RunOptions::unlimited(mode));
                race.finish(&trace);
                measured.push(trace);
            }
            let refs: Vec<&crate::Trace> = measured.iter().collect();
            race.finish_projected(&crate::race::projection::project_sequential(&plan, &refs));
            race.end_round(round < 2);
        }
        race.end();
        race
    }

    #[test]
    fn a_projected_lane_is_marked_in_every_export() {
        let race = projected_race();
        let text = csv(&race);
        assert!(text
            .lines()
            .any(|l| l.starts_with("sequential,") && l.ends_with(",projected")));
        assert!(text
            .lines()
            .any(|l| l.starts_with("eager,") && l.ends_with(",measured")));
        assert!(chrome_trace(&race).contains(
            "sequential mode (projected from measured step times, not run, median round (1))"
        ));
        assert!(svg(&race, 10_000.0)
            .contains("sequential (projected from measured step times, not run"));
        assert!(svg(&race, 10_000.0).contains("predicted from measured step times"));
    }

    #[test]
    fn the_svg_is_well_formed_and_labelled() {
        let text = svg(&race(), 900.0);
        assert!(text.starts_with("<svg") && text.ends_with("</svg>"));
        assert_eq!(text.matches("<svg").count(), 1);
        for words in [
            "sequential — 900 ms",
            "staged — 700 ms",
            "ideal: critical path 500 ms",
            "failed, then retried",
        ] {
            assert!(text.contains(words), "no {words:?} in the SVG");
        }
        // Every opened element is closed (a rough check: no stray '<' in text).
        assert_eq!(text.matches('<').count(), text.matches('>').count());
    }
}
