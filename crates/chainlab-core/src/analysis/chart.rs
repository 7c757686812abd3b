//! The analyses as pictures and files: the distribution and the limit curve as SVG
//! charts, and every simulated run as CSV. The page shows exactly the SVG it exports,
//! so the picture on screen and the file never disagree.
//!
//! The charts are drawn by hand rather than with a plotting crate: each is a few
//! dozen shapes, and the wasm budget has no room for a plotting library's text
//! layout and backends. Colours are the timeline's Okabe-Ito palette, and every
//! colour has a word, a line style or a marker shape beside it. Everything is
//! styled with attributes, never a `<style>` element, because the page puts the
//! SVG inline and a style element there would restyle the whole page.

use super::{count, ms, Distribution, LimitCurve, MonteCarlo, Percentile};
use crate::model::Millis;
use crate::timeline::ticks;
use crate::Mode;
use std::fmt::Write;

const INK: &str = "#1b1f24";
const MUTED: &str = "#57606a";
const GRID: &str = "#d0d7de";
const GREEN: &str = "#009e73";
const PURPLE: &str = "#cc79a7";
/// The bound's purple, darkened for words: the light one is too faint as text.
const PURPLE_TEXT: &str = "#a0507f";

/// Each mode's colour in the charts. Staged is the timeline's barrier orange (its
/// waits are orange there), eager the blue of finished work, sequential grey.
pub fn mode_colour(mode: Mode) -> &'static str {
    match mode {
        Mode::Sequential => MUTED,
        Mode::Staged => "#e69f00",
        Mode::Eager => "#0072b2",
    }
}

/// How big the charts' type and lines are: projector mode is for the back of a
/// classroom, so it draws the same chart with larger type, thicker lines and fewer
/// ticks (not merely the same picture scaled, which the page's width would undo).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChartSize {
    Screen,
    Projector,
}

impl ChartSize {
    /// How much larger type and lines are.
    fn k(self) -> f64 {
        match self {
            ChartSize::Screen => 1.0,
            ChartSize::Projector => 1.3,
        }
    }

    /// How much wider the drawing is: projector mode gives each chart the page's
    /// width, so the larger type gets room instead of crowding.
    fn wide(self) -> f64 {
        match self {
            ChartSize::Screen => 1.0,
            ChartSize::Projector => 1.25,
        }
    }
}

/// Labels on up to two lines, each placed right of its mark, or left of it near the
/// right edge, on the first line where it overlaps no other label.
struct LabelLines {
    taken: [Vec<(f64, f64)>; 2],
    left: f64,
    right: f64,
}

impl LabelLines {
    fn new(left: f64, right: f64) -> Self {
        Self {
            taken: [Vec::new(), Vec::new()],
            left,
            right,
        }
    }

    /// Where a label `width` wide goes for a mark at `at`: (line, x of its start).
    fn place(&mut self, at: f64, width: f64) -> (usize, f64) {
        let starts = [at + 3.0, at - 3.0 - width];
        for line in 0..2 {
            for &start in &starts {
                let end = start + width;
                let fits = start >= self.left && end <= self.right;
                let free = self.taken[line]
                    .iter()
                    .all(|&(a, b)| end + 6.0 <= a || start >= b + 6.0);
                if fits && free {
                    self.taken[line].push((start, end));
                    return (line, start);
                }
            }
        }
        let start = (at + 3.0).min(self.right - width).max(self.left);
        self.taken[1].push((start, start + width));
        (1, start)
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A rough width of `text` in `font` px, to keep labels from overlapping.
fn text_width(text: &str, font: f64) -> f64 {
    text.chars().count() as f64 * font * 0.62
}

/// Round ticks (1, 2 or 5 times a power of ten) from `lo` to `hi`, at most about `at_most`.
fn ticks_between(lo: f64, hi: f64, at_most: usize) -> Vec<f64> {
    let step = match ticks(hi - lo, at_most).as_slice() {
        [_, second, ..] => *second,
        _ => return vec![lo],
    };
    let first = (lo / step).ceil() * step;
    (0..)
        .map(|i| first + i as f64 * step)
        .take_while(|&t| t <= hi + 1e-9)
        .collect()
}

/// The SVG's frame: size, font and a white background, around `body`.
fn frame(width: f64, height: f64, label: &str, body: &str) -> String {
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" font-family="system-ui, sans-serif" role="img" aria-label="{label}"><title>{label}</title><rect width="100%" height="100%" fill="#fff"/>{body}</svg>"##,
        label = escape(label),
    )
}

fn text(out: &mut String, x: f64, y: f64, size: f64, attrs: &str, words: &str) {
    let _ = write!(
        out,
        r#"<text x="{x:.1}" y="{y:.1}" font-size="{size:.1}" {attrs}>{}</text>"#,
        escape(words)
    );
}

/// How each percentile's line is drawn: solid, dashed, dotted.
fn dashes(p: Percentile) -> &'static str {
    match p {
        Percentile::P50 => "none",
        Percentile::P95 => "7 3",
        Percentile::P99 => "2 3",
    }
}

/// The three modes' makespans on one axis, one row per mode: a histogram with p50,
/// p95 and p99 marked, and a diamond where the mode would end with every step at its
/// median latency. A mode whose runs all took the same time is one line, labelled so.
pub fn distribution_svg(dist: &Distribution, title: &str, size: ChartSize) -> String {
    let k = size.k();
    let (font, small) = (12.0 * k, 11.0 * k);
    let width = 720.0 * size.wide();
    let left = 92.0 * k;
    let right = width - 18.0;
    let row_h = 96.0 * k;
    let top = 48.0 * k;

    let hist = dist.histogram;
    let (lo, hi) = (
        hist.start_ms as f64,
        (hist.start_ms + hist.bins as Millis * hist.bin_ms) as f64,
    );
    // A little room on both sides, so lines at the extremes stay readable.
    let pad = ((hi - lo) * 0.04).max(5.0);
    let (lo, hi) = (lo - pad, hi + pad);
    let x = |ms: f64| left + (ms - lo) / (hi - lo) * (right - left);
    let tallest = dist
        .modes
        .iter()
        .flat_map(|m| m.counts.iter().copied())
        .max()
        .unwrap_or(1)
        .max(1) as f64;

    let mut body = String::new();
    text(
        &mut body,
        10.0,
        20.0 * k,
        15.0 * k,
        r#"font-weight="700""#,
        title,
    );
    let subtitle = if dist.fixed {
        "Every latency is fixed: each mode takes the same time on every run, so each is a single line.".to_string()
    } else {
        format!("Bar height: {}.", dist.count_label().to_ascii_lowercase())
    };
    text(
        &mut body,
        10.0,
        38.0 * k,
        small,
        &format!(r#"fill="{MUTED}""#),
        &subtitle,
    );

    let bottom = top + 3.0 * row_h;
    let tick_count = if size == ChartSize::Projector { 5 } else { 8 };
    for t in ticks_between(lo, hi, tick_count) {
        let _ = write!(
            body,
            r#"<line x1="{0:.1}" x2="{0:.1}" y1="{top:.1}" y2="{bottom:.1}" stroke="{GRID}"/>"#,
            x(t)
        );
        text(
            &mut body,
            x(t),
            bottom + 15.0 * k,
            small,
            r#"text-anchor="middle""#,
            &format!("{t:.0}"),
        );
    }
    text(
        &mut body,
        (left + right) / 2.0,
        bottom + 32.0 * k,
        font,
        r#"text-anchor="middle""#,
        &hist.axis_label(),
    );

    for (row, summary) in dist.modes.iter().enumerate() {
        let row_top = top + row as f64 * row_h;
        let base = row_top + row_h - 4.0;
        let colour = mode_colour(summary.mode);
        let _ = write!(
            body,
            r#"<line x1="{left:.1}" x2="{right:.1}" y1="{base:.1}" y2="{base:.1}" stroke="{INK}"/>"#
        );
        text(
            &mut body,
            10.0,
            row_top + row_h / 2.0 + 4.0,
            font * 1.1,
            &format!(r#"font-weight="700" fill="{INK}""#),
            summary.mode.name(),
        );
        if summary.min == summary.max {
            let at = x(summary.min as f64);
            let _ = write!(
                body,
                r#"<line x1="{at:.1}" x2="{at:.1}" y1="{:.1}" y2="{base:.1}" stroke="{colour}" stroke-width="{:.1}"><title>{}: {} on every run</title></line>"#,
                row_top + 8.0 * k,
                4.0 * k,
                summary.mode.name(),
                ms(summary.min),
            );
            let words = format!("always {}", ms(summary.min));
            let (lx, anchor) = if at + text_width(&words, font) + 6.0 > right {
                (at - 6.0, "end")
            } else {
                (at + 6.0, "start")
            };
            text(
                &mut body,
                lx,
                row_top + 22.0 * k,
                font,
                &format!(r#"text-anchor="{anchor}" font-weight="600""#),
                &words,
            );
            continue;
        }
        // The bars: their tops stay below the row's two lines of percentile labels.
        let bar_room = row_h - 34.0 * k;
        for (b, &n) in summary.counts.iter().enumerate() {
            if n == 0 {
                continue;
            }
            let start = hist.bin_start(b);
            let (x0, x1) = (x(start as f64), x((start + hist.bin_ms) as f64));
            let h = (n as f64 / tallest * bar_room).max(1.0);
            let _ = write!(
                body,
                r#"<rect x="{x0:.1}" y="{:.1}" width="{:.1}" height="{h:.1}" fill="{colour}"><title>{}: {} runs took {}–{}</title></rect>"#,
                base - h,
                (x1 - x0 - 0.6).max(0.8),
                summary.mode.name(),
                count(n),
                ms(start),
                ms(start + hist.bin_ms - 1),
            );
        }
        // Percentile lines, labelled without overlapping.
        let mut lines = LabelLines::new(left, right);
        for p in Percentile::ALL {
            let value = summary.percentile(p);
            let at = x(value as f64);
            let _ = write!(
                body,
                r#"<line x1="{at:.1}" x2="{at:.1}" y1="{:.1}" y2="{base:.1}" stroke="{INK}" stroke-width="{:.1}" stroke-dasharray="{}"><title>{}</title></line>"#,
                row_top + 6.0 * k,
                1.8 * k,
                dashes(p),
                escape(&dist.figure_label(summary.mode, p)),
            );
            let words = format!("{} {}", p.name(), ms(value));
            let (line, lx) = lines.place(at, text_width(&words, small));
            text(
                &mut body,
                lx,
                row_top + (14.0 + 14.0 * line as f64) * k,
                small,
                r#"font-weight="600""#,
                &words,
            );
        }
        let at = x(summary.typical as f64);
        let d = 5.0 * k;
        let _ = write!(
            body,
            r##"<path d="M{at:.1},{:.1} l{d:.1},{d:.1} l-{d:.1},{d:.1} l-{d:.1},-{d:.1} z" fill="{GREEN}" stroke="#fff"><title>{}: {} with every step at its median latency</title></path>"##,
            base - 2.0 * d,
            summary.mode.name(),
            ms(summary.typical),
        );
    }

    if dist.modes.iter().all(|m| m.min == m.max) {
        return frame(width, bottom + 42.0 * k, title, &body);
    }
    // The legend: line styles and the diamond, in words.
    let mut lx = 10.0;
    let ly = bottom + 54.0 * k;
    for p in Percentile::ALL {
        let _ = write!(
            body,
            r#"<line x1="{lx:.1}" x2="{x2:.1}" y1="{y:.1}" y2="{y:.1}" stroke="{INK}" stroke-width="{w:.1}" stroke-dasharray="{dash}"/>"#,
            x2 = lx + 26.0 * k,
            y = ly - 4.0 * k,
            w = 1.8 * k,
            dash = dashes(p),
        );
        let words = match p {
            Percentile::P50 => "p50 (median run)",
            Percentile::P95 => "p95 (1 run in 20 is slower)",
            Percentile::P99 => "p99 (1 in 100)",
        };
        text(&mut body, lx + 30.0 * k, ly, small, "", words);
        lx += 30.0 * k + text_width(words, small) + 14.0 * k;
    }
    let d = 5.0 * k;
    let _ = write!(
        body,
        r#"<path d="M{lx:.1},{:.1} l{d:.1},{d:.1} l-{d:.1},{d:.1} l-{d:.1},-{d:.1} z" fill="{GREEN}"/>"#,
        ly - 4.0 * k - d,
    );
    text(
        &mut body,
        lx + 10.0 * k,
        ly,
        small,
        "",
        "every step at its median latency",
    );
    frame(width, ly + 12.0 * k, title, &body)
}

/// Staged and eager makespans for k = 1 … width, with the bound max(critical path,
/// work ÷ k) dotted beneath them. Markers differ in shape as well as colour.
pub fn limit_curve_svg(curve: &LimitCurve, size: ChartSize) -> String {
    let k = size.k();
    let (font, small) = (12.0 * k, 11.0 * k);
    let width = 480.0 * size.wide();
    let left = 58.0 * k;
    let label_w = 124.0 * k;
    let right = width - label_w;
    let top = 50.0 * k;
    let bottom = top + 210.0 * k;
    let n = curve.points.len();
    let highest = curve
        .points
        .iter()
        .map(|p| p.staged.max(p.eager) as f64)
        .fold(1.0, f64::max);
    let y_ticks = ticks(highest, if size == ChartSize::Projector { 4 } else { 5 });
    let y_top = y_ticks.last().copied().unwrap_or(highest).max(highest);
    // k = 1 … n spread over the plot, with half a step of room at each end.
    let x = |limit: f64| left + (limit - 0.5) / n as f64 * (right - left);
    let y = |ms: f64| bottom - ms / y_top * (bottom - top);

    let mut body = String::new();
    text(
        &mut body,
        10.0,
        20.0 * k,
        15.0 * k,
        r#"font-weight="700""#,
        "Makespan against the concurrency limit k",
    );
    for t in &y_ticks {
        let _ = write!(
            body,
            r#"<line x1="{left:.1}" x2="{right:.1}" y1="{0:.1}" y2="{0:.1}" stroke="{GRID}"/>"#,
            y(*t)
        );
        text(
            &mut body,
            left - 5.0,
            y(*t) + 4.0,
            small,
            r#"text-anchor="end""#,
            &format!("{t:.0}"),
        );
    }
    let x_ticks: Vec<f64> = if n <= 12 {
        (1..=n).map(|k| k as f64).collect()
    } else {
        let mut t = ticks_between(1.0, n as f64, 6);
        if t.first() != Some(&1.0) {
            t.insert(0, 1.0);
        }
        t
    };
    for t in x_ticks {
        text(
            &mut body,
            x(t),
            bottom + 15.0 * k,
            small,
            r#"text-anchor="middle""#,
            &format!("{t:.0}"),
        );
    }
    let _ = write!(
        body,
        r#"<line x1="{left:.1}" x2="{right:.1}" y1="{bottom:.1}" y2="{bottom:.1}" stroke="{INK}"/><line x1="{left:.1}" x2="{left:.1}" y1="{top:.1}" y2="{bottom:.1}" stroke="{INK}"/>"#
    );
    text(
        &mut body,
        (left + right) / 2.0,
        bottom + 32.0 * k,
        font,
        r#"text-anchor="middle""#,
        "k: steps allowed to run at once",
    );
    text(
        &mut body,
        10.0,
        top - 12.0 * k,
        small,
        &format!(r#"fill="{MUTED}""#),
        "makespan (ms)",
    );

    let polyline = |values: &dyn Fn(usize) -> f64, colour: &str, dash: &str, w: f64| {
        let points: Vec<String> = (0..n)
            .map(|i| format!("{:.1},{:.1}", x((i + 1) as f64), y(values(i))))
            .collect();
        format!(
            r#"<polyline points="{}" fill="none" stroke="{colour}" stroke-width="{w:.1}" stroke-dasharray="{dash}"/>"#,
            points.join(" ")
        )
    };
    let points = &curve.points;
    body.push_str(&polyline(&|i| points[i].bound, PURPLE, "2 4", 2.5 * k));
    body.push_str(&polyline(
        &|i| points[i].staged as f64,
        mode_colour(Mode::Staged),
        "none",
        2.5 * k,
    ));
    body.push_str(&polyline(
        &|i| points[i].eager as f64,
        mode_colour(Mode::Eager),
        "none",
        2.5 * k,
    ));
    // Markers while they stay apart: a square per staged point, a circle per eager one.
    let r = 4.0 * k;
    if n <= 40 {
        for p in points {
            let (px, sy, ey) = (x(p.limit as f64), y(p.staged as f64), y(p.eager as f64));
            let _ = write!(
                body,
                r##"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{}"><title>k = {}: staged {}</title></rect><circle cx="{px:.1}" cy="{ey:.1}" r="{r:.1}" fill="{}" stroke="#fff"><title>k = {}: eager {}</title></circle>"##,
                px - r,
                sy - r,
                2.0 * r,
                2.0 * r,
                mode_colour(Mode::Staged),
                p.limit,
                ms(p.staged),
                mode_colour(Mode::Eager),
                p.limit,
                ms(p.eager),
            );
        }
    }
    // The lines' names at their right ends, pushed apart where they would overlap.
    if let Some(last) = points.last() {
        let mut labels = vec![
            (
                y(last.staged as f64),
                format!("staged {}", ms(last.staged)),
                mode_colour(Mode::Staged),
            ),
            (
                y(last.eager as f64),
                format!("eager {}", ms(last.eager)),
                mode_colour(Mode::Eager),
            ),
            (y(last.bound), "bound".to_string(), PURPLE),
        ];
        crate::sort::sort_by(&mut labels, |a, b| a.0.total_cmp(&b.0));
        let mut free_from = f64::NEG_INFINITY;
        for (at, words, colour) in labels {
            let ly = (at + 4.0).max(free_from);
            text(
                &mut body,
                right + 8.0,
                ly,
                font,
                &format!(
                    r#"font-weight="700" fill="{}""#,
                    if colour == PURPLE {
                        PURPLE_TEXT
                    } else {
                        colour
                    }
                ),
                &words,
            );
            free_from = ly + font + 2.0;
        }
    }
    let ly = bottom + 54.0 * k;
    let _ = write!(
        body,
        r#"<line x1="10" x2="{x2:.1}" y1="{y:.1}" y2="{y:.1}" stroke="{PURPLE}" stroke-width="{w:.1}" stroke-dasharray="2 4"/>"#,
        x2 = 10.0 + 26.0 * k,
        y = ly - 4.0 * k,
        w = 2.5 * k,
    );
    text(
        &mut body,
        10.0 + 30.0 * k,
        ly,
        small,
        "",
        "bound: max(critical path, total work ÷ k)",
    );
    frame(width, ly + 12.0 * k, &curve.label(), &body)
}

/// Every simulated run: its number, the seed a chain would need to run it on the
/// simulator, and each mode's makespan.
pub fn distribution_csv(runs: &MonteCarlo, chain_seed: u64) -> String {
    let mut out = String::from("sample,seed,sequential_ms,staged_ms,eager_ms\n");
    let [sequential, staged, eager] = Mode::ALL.map(|m| runs.makespans(m));
    for (s, ((a, b), c)) in sequential.iter().zip(staged).zip(eager).enumerate() {
        let _ = writeln!(out, "{s},{},{a},{b},{c}", super::sample_seed(chain_seed, s));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{limit_curve, planned_latencies};
    use crate::editor::gallery;
    use crate::plan::Plan;

    fn runs(chain: crate::Chain, samples: usize) -> (Plan, MonteCarlo) {
        let plan = Plan::new(chain).expect("gallery chains are valid");
        let mut runs = MonteCarlo::new(&plan, samples);
        runs.run_to_end();
        (plan, runs)
    }

    /// One root, and every element closed: a rough check that the file opens.
    fn assert_well_formed(svg: &str) {
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"), "{svg}");
        assert_eq!(svg.matches("<svg").count(), 1);
        assert_eq!(svg.matches('<').count(), svg.matches('>').count());
        assert!(
            !svg.contains("<style"),
            "inline on the page, a style element would leak"
        );
        assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
    }

    #[test]
    fn fixed_latencies_draw_one_labelled_line_per_mode() {
        let (_, runs) = runs(gallery::uneven_branches(), 50);
        let dist = runs.summary(40).expect("samples");
        let svg = distribution_svg(&dist, "Uneven branches", ChartSize::Screen);
        assert_well_formed(&svg);
        for words in [
            "always 900 ms",
            "always 700 ms",
            "always 500 ms",
            "each is a single line",
        ] {
            assert!(svg.contains(words), "no {words:?} in {svg}");
        }
        assert!(!svg.contains("p95 "), "no percentiles for a single line");
    }

    #[test]
    fn long_tails_draw_histograms_with_percentiles_on_one_axis() {
        let (_, runs) = runs(gallery::slowest_branch(), 1_000);
        let dist = runs.summary(40).expect("samples");
        for size in [ChartSize::Screen, ChartSize::Projector] {
            let svg = distribution_svg(&dist, "The slowest branch", size);
            assert_well_formed(&svg);
            let eager = dist.mode(Mode::Eager);
            for words in [
                format!("p50 {}", ms(eager.p50)),
                format!("p99 {}", ms(eager.p99)),
                dist.histogram.axis_label(),
                "every step at its median latency".into(),
            ] {
                assert!(svg.contains(&words), "no {words:?}");
            }
        }
        let projector = distribution_svg(&dist, "x", ChartSize::Projector);
        assert!(
            projector.contains(r#"font-size="15.6""#),
            "larger type in projector mode"
        );
    }

    #[test]
    fn the_limit_curve_names_its_lines() {
        let plan = Plan::new(gallery::slowest_branch()).expect("valid");
        let curve = limit_curve(&plan, &planned_latencies(&plan));
        let svg = limit_curve_svg(&curve, ChartSize::Screen);
        assert_well_formed(&svg);
        for words in [
            format!("eager {}", ms(curve.unlimited_eager)),
            format!("staged {}", ms(curve.unlimited_staged)),
            "bound".into(),
            "k: steps allowed to run at once".into(),
            format!("k = {}: eager", curve.width),
        ] {
            assert!(svg.contains(&words), "no {words:?}");
        }
        // A chain with no parallel work has a curve of one point.
        let plan = Plan::new(gallery::sequential_only()).expect("valid");
        let one = limit_curve(&plan, &planned_latencies(&plan));
        assert_well_formed(&limit_curve_svg(&one, ChartSize::Projector));
    }

    #[test]
    fn the_csv_has_a_row_per_run_with_its_seed() {
        let (plan, runs) = runs(gallery::slowest_branch(), 30);
        let csv = distribution_csv(&runs, plan.chain().seed);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 31);
        assert_eq!(lines[0], "sample,seed,sequential_ms,staged_ms,eager_ms");
        let first = format!(
            "0,{},{},{},{}",
            plan.chain().seed,
            plan.predicted_makespan(Mode::Sequential),
            plan.predicted_makespan(Mode::Staged),
            plan.predicted_makespan(Mode::Eager),
        );
        assert_eq!(lines[1], first, "sample 0 is the race on the page");
    }
}
