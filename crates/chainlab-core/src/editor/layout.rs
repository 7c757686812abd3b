//! Auto-layout of a chain on the canvas: one column per dependency level, so the
//! steps that share a column are exactly the ones a staged run starts together;
//! within a column, steps are ordered to cross as few edges as possible.
//!
//! Ordering follows Sugiyama's layered drawing: an edge that skips levels gets a
//! placeholder in every level it passes, then barycenter sweeps (down, then up)
//! move each step towards the average row of its neighbours, keeping the order with
//! the fewest crossings seen.

use crate::model::{Chain, Position, StepId};
use std::collections::HashMap;

/// Size of a step on the canvas, in canvas units.
pub const NODE_WIDTH: f64 = 200.0;
pub const NODE_HEIGHT: f64 = 72.0;
/// Distance between the left edges of two columns and the tops of two rows.
pub const COLUMN_PITCH: f64 = 270.0;
pub const ROW_PITCH: f64 = 104.0;
/// Space around the laid-out chain.
pub const MARGIN: f64 = 48.0;
/// How far a "runs together" band reaches beyond its steps.
pub const BAND_PADDING: f64 = 18.0;
/// Room above the steps for a band's "runs together" label.
pub const BAND_LABEL: f64 = 24.0;

/// Barycenter sweeps are cheap; a few dozen settle any chain that fits on a canvas.
const SWEEPS: usize = 24;

/// The steps that wait for each other in a cycle, which no layout by level can place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CycleError {
    pub steps: Vec<StepId>,
}

impl std::fmt::Display for CycleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.steps.iter().map(StepId::as_str).collect();
        write!(
            f,
            "Auto-layout puts steps in columns by what they wait for, but {} wait for each other in a cycle: remove one of their connections first.",
            names.join(", ")
        )
    }
}

/// The dependency level of each step, by step index: 0 for steps with no inputs,
/// else one more than the deepest input. Inputs naming no step are ignored, so a
/// chain that is still being built can be laid out.
pub fn levels(chain: &Chain) -> Result<Vec<usize>, CycleError> {
    let n = chain.steps.len();
    let index: HashMap<&StepId, usize> = chain
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| (&s.id, i))
        .collect();
    let preds: Vec<Vec<usize>> = chain
        .steps
        .iter()
        .map(|s| {
            s.inputs
                .iter()
                .filter_map(|i| index.get(i).copied())
                .collect()
        })
        .collect();
    let mut succs = vec![Vec::new(); n];
    for (i, ps) in preds.iter().enumerate() {
        for &p in ps {
            succs[p].push(i);
        }
    }
    let mut waiting: Vec<usize> = preds.iter().map(Vec::len).collect();
    let mut ready: Vec<usize> = (0..n).filter(|&i| waiting[i] == 0).collect();
    let mut level = vec![0; n];
    let mut placed = 0;
    while let Some(i) = ready.pop() {
        placed += 1;
        level[i] = preds[i].iter().map(|&p| level[p] + 1).max().unwrap_or(0);
        for &s in &succs[i] {
            waiting[s] -= 1;
            if waiting[s] == 0 {
                ready.push(s);
            }
        }
    }
    if placed < n {
        return Err(CycleError {
            steps: (0..n)
                .filter(|&i| waiting[i] > 0)
                .map(|i| chain.steps[i].id.clone())
                .collect(),
        });
    }
    Ok(level)
}

/// Where auto-layout puts each step.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    /// Step indices of each column, top to bottom; column `c` holds level `c`.
    pub columns: Vec<Vec<usize>>,
    /// Position of each step, by step index.
    pub positions: Vec<Position>,
}

pub fn layout(chain: &Chain) -> Result<Layout, CycleError> {
    let level = levels(chain)?;
    let n = chain.steps.len();
    let depth = level.iter().max().map_or(0, |l| l + 1);
    let index: HashMap<&StepId, usize> = chain
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| (&s.id, i))
        .collect();

    // The layered graph: real steps 0..n, then placeholders for long edges.
    let mut layer_of = level.clone();
    let mut down: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (to, step) in chain.steps.iter().enumerate() {
        for from in step.inputs.iter().filter_map(|i| index.get(i).copied()) {
            let mut prev = from;
            for l in level[from] + 1..level[to] {
                let placeholder = layer_of.len();
                layer_of.push(l);
                down.push(Vec::new());
                down[prev].push(placeholder);
                prev = placeholder;
            }
            down[prev].push(to);
        }
    }
    let mut up: Vec<Vec<usize>> = vec![Vec::new(); layer_of.len()];
    for (from, tos) in down.iter().enumerate() {
        for &to in tos {
            up[to].push(from);
        }
    }
    let mut layers: Vec<Vec<usize>> = vec![Vec::new(); depth];
    for (node, &l) in layer_of.iter().enumerate() {
        layers[l].push(node);
    }

    let mut row = vec![0.0; layer_of.len()];
    let number = |layers: &[Vec<usize>], row: &mut [f64]| {
        for layer in layers {
            for (r, &node) in layer.iter().enumerate() {
                row[node] = r as f64;
            }
        }
    };
    number(&layers, &mut row);
    let mut best = layers.clone();
    let mut best_crossings = crossings(&layers, &down, &row);
    for sweep in 0..SWEEPS {
        let downward = sweep % 2 == 0;
        let order: Vec<usize> = if downward {
            (1..depth).collect()
        } else {
            (0..depth.saturating_sub(1)).rev().collect()
        };
        for l in order {
            let neighbours = if downward { &up } else { &down };
            let mut keyed: Vec<(f64, usize)> = layers[l]
                .iter()
                .map(|&node| {
                    let ns = &neighbours[node];
                    let key = if ns.is_empty() {
                        row[node]
                    } else {
                        ns.iter().map(|&m| row[m]).sum::<f64>() / ns.len() as f64
                    };
                    (key, node)
                })
                .collect();
            crate::sort::sort_by(&mut keyed, |a, b| a.0.total_cmp(&b.0));
            layers[l] = keyed.into_iter().map(|(_, node)| node).collect();
            for (r, &node) in layers[l].iter().enumerate() {
                row[node] = r as f64;
            }
        }
        let c = crossings(&layers, &down, &row);
        if c < best_crossings {
            best_crossings = c;
            best = layers.clone();
        }
        if best_crossings == 0 {
            break;
        }
    }

    // Placeholders keep their rows, so an edge that skips levels passes through an
    // empty slot instead of behind a step it does not touch.
    let tallest = best.iter().map(Vec::len).max().unwrap_or(0);
    let mut positions = vec![Position::default(); n];
    for (c, layer) in best.iter().enumerate() {
        // Shorter columns are centred against the tallest one.
        let offset = (tallest - layer.len()) as f64 / 2.0;
        for (r, &node) in layer.iter().enumerate() {
            if node < n {
                positions[node] = Position {
                    x: MARGIN + c as f64 * COLUMN_PITCH,
                    y: MARGIN + (offset + r as f64) * ROW_PITCH,
                };
            }
        }
    }
    let columns: Vec<Vec<usize>> = best
        .into_iter()
        .map(|layer| layer.into_iter().filter(|&node| node < n).collect())
        .collect();
    Ok(Layout { columns, positions })
}

/// Edges between neighbouring layers that cross, for rows numbered in `row`.
fn crossings(layers: &[Vec<usize>], down: &[Vec<usize>], row: &[f64]) -> usize {
    let mut total = 0;
    for layer in layers {
        let edges: Vec<(f64, f64)> = layer
            .iter()
            .flat_map(|&from| down[from].iter().map(move |&to| (row[from], row[to])))
            .collect();
        for (i, a) in edges.iter().enumerate() {
            for b in &edges[i + 1..] {
                if (a.0 - b.0) * (a.1 - b.1) < 0.0 {
                    total += 1;
                }
            }
        }
    }
    total
}

/// Moves every step to its auto-layout position.
pub fn arrange(chain: &mut Chain) -> Result<(), CycleError> {
    let layout = layout(chain)?;
    for (step, position) in chain.steps.iter_mut().zip(layout.positions) {
        step.position = position;
    }
    Ok(())
}

/// Gives places to the steps of a chain that has none of its own: one written by hand
/// or by a program, where every step sits at the same point (usually the origin).
/// Auto-layout when it can; a chain with a cycle, which has no levels, goes in a grid
/// so that each step can be seen and the cycle undone. Returns whether it moved any.
pub fn arrange_if_stacked(chain: &mut Chain) -> bool {
    let stacked = chain.steps.len() > 1
        && chain
            .steps
            .windows(2)
            .all(|pair| pair[0].position == pair[1].position);
    if !stacked {
        return false;
    }
    if arrange(chain).is_err() {
        const PER_ROW: usize = 4;
        for (i, step) in chain.steps.iter_mut().enumerate() {
            step.position = Position {
                x: MARGIN + (i % PER_ROW) as f64 * COLUMN_PITCH,
                y: MARGIN + (i / PER_ROW) as f64 * ROW_PITCH,
            };
        }
    }
    true
}

/// A "runs together" band behind the steps of one dependency level.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Band {
    pub level: usize,
    pub left: f64,
    pub right: f64,
    pub top: f64,
    pub bottom: f64,
}

/// Bands for the levels, when the steps stand in columns by level (each level
/// entirely to the right of the one before); `None` when they do not, since a band
/// over steps of mixed levels would teach the wrong thing.
pub fn bands(chain: &Chain) -> Option<Vec<Band>> {
    let level = levels(chain).ok()?;
    let depth = level.iter().max().map_or(0, |l| l + 1);
    let mut extents = vec![(f64::INFINITY, f64::NEG_INFINITY); depth];
    for (step, &l) in chain.steps.iter().zip(&level) {
        extents[l].0 = extents[l].0.min(step.position.x);
        extents[l].1 = extents[l].1.max(step.position.x + NODE_WIDTH);
    }
    if extents
        .windows(2)
        .any(|w| w[1].0 < w[0].1 + 2.0 * BAND_PADDING)
    {
        return None;
    }
    let top = chain
        .steps
        .iter()
        .map(|s| s.position.y)
        .fold(f64::INFINITY, f64::min)
        - BAND_PADDING
        - BAND_LABEL;
    let bottom = chain
        .steps
        .iter()
        .map(|s| s.position.y + NODE_HEIGHT)
        .fold(f64::NEG_INFINITY, f64::max)
        + BAND_PADDING;
    Some(
        extents
            .into_iter()
            .enumerate()
            .map(|(level, (left, right))| Band {
                level,
                left: left - BAND_PADDING,
                right: right + BAND_PADDING,
                top,
                bottom,
            })
            .collect(),
    )
}

/// An edge as drawn: its two step indices and its two ends.
type Segment = (usize, usize, (f64, f64), (f64, f64));

/// Edges that cross on the canvas as drawn (straight from the right side of a step
/// to the left side of the one it feeds): how tangled the picture looks.
pub fn drawn_crossings(chain: &Chain) -> usize {
    let index: HashMap<&StepId, usize> = chain
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| (&s.id, i))
        .collect();
    let segments: Vec<Segment> = chain
        .steps
        .iter()
        .enumerate()
        .flat_map(|(to, step)| {
            let index = &index;
            step.inputs.iter().filter_map(move |i| {
                let from = *index.get(i)?;
                let a = chain.steps[from].position;
                let b = chain.steps[to].position;
                Some((
                    from,
                    to,
                    (a.x + NODE_WIDTH, a.y + NODE_HEIGHT / 2.0),
                    (b.x, b.y + NODE_HEIGHT / 2.0),
                ))
            })
        })
        .collect();
    let side = |p: (f64, f64), q: (f64, f64), r: (f64, f64)| {
        ((q.0 - p.0) * (r.1 - p.1) - (q.1 - p.1) * (r.0 - p.0)).signum()
    };
    let mut total = 0;
    for (i, a) in segments.iter().enumerate() {
        for b in &segments[i + 1..] {
            // Edges that share a step meet there; that is not a crossing.
            if a.0 == b.0 || a.0 == b.1 || a.1 == b.0 || a.1 == b.1 {
                continue;
            }
            let crosses = side(a.2, a.3, b.2) * side(a.2, a.3, b.3) < 0.0
                && side(b.2, b.3, a.2) * side(b.2, b.3, a.3) < 0.0;
            total += usize::from(crosses);
        }
    }
    total
}

/// The step drawn under the canvas point (`x`, `y`), topmost (last drawn) first.
pub fn step_at(chain: &Chain, x: f64, y: f64) -> Option<&StepId> {
    chain
        .steps
        .iter()
        .rev()
        .find(|s| {
            let p = s.position;
            x >= p.x && x <= p.x + NODE_WIDTH && y >= p.y && y <= p.y + NODE_HEIGHT
        })
        .map(|s| &s.id)
}

/// The steps that a selection box from (`x1`, `y1`) to (`x2`, `y2`) touches.
pub fn steps_in(chain: &Chain, (x1, y1): (f64, f64), (x2, y2): (f64, f64)) -> Vec<StepId> {
    let (left, right) = (x1.min(x2), x1.max(x2));
    let (top, bottom) = (y1.min(y2), y1.max(y2));
    chain
        .steps
        .iter()
        .filter(|s| {
            let p = s.position;
            p.x <= right && p.x + NODE_WIDTH >= left && p.y <= bottom && p.y + NODE_HEIGHT >= top
        })
        .map(|s| s.id.clone())
        .collect()
}

/// The smallest box around every step: (left, top, right, bottom), for "fit to view".
pub fn bounds(chain: &Chain) -> Option<(f64, f64, f64, f64)> {
    let first = chain.steps.first()?.position;
    Some(chain.steps.iter().fold(
        (
            first.x,
            first.y,
            first.x + NODE_WIDTH,
            first.y + NODE_HEIGHT,
        ),
        |(l, t, r, b), s| {
            let p = s.position;
            (
                l.min(p.x),
                t.min(p.y),
                r.max(p.x + NODE_WIDTH),
                b.max(p.y + NODE_HEIGHT),
            )
        },
    ))
}

/// A cubic Bézier from `start` to `end` that leaves and arrives horizontally: how an
/// edge is drawn. Returns start, the two control points and end.
pub fn curve_between(start: (f64, f64), end: (f64, f64)) -> [(f64, f64); 4] {
    let bend = ((end.0 - start.0).abs() / 2.0).max(30.0);
    [start, (start.0 + bend, start.1), (end.0 - bend, end.1), end]
}

/// The drawn curve of the edge from the step at `from` to the step at `to`: out of
/// the right side of one, into the left side of the other (just short of it, so the
/// arrow head shows).
pub fn edge_curve(from: Position, to: Position) -> [(f64, f64); 4] {
    curve_between(
        (from.x + NODE_WIDTH, from.y + NODE_HEIGHT / 2.0),
        (to.x - 3.0, to.y + NODE_HEIGHT / 2.0),
    )
}

/// The edge (input, step) whose drawn curve passes within `tolerance` of (`x`, `y`),
/// nearest first: what a click on the canvas picks. Edges are hit-tested here rather
/// than with a wide invisible stroke, which would double the SVG redrawn per frame.
pub fn edge_at(chain: &Chain, x: f64, y: f64, tolerance: f64) -> Option<(StepId, StepId)> {
    let position: HashMap<&StepId, Position> =
        chain.steps.iter().map(|s| (&s.id, s.position)).collect();
    let mut best: Option<(f64, (StepId, StepId))> = None;
    for step in &chain.steps {
        for input in &step.inputs {
            let Some(&from) = position.get(input) else {
                continue;
            };
            let d = distance_to_curve(edge_curve(from, step.position), (x, y));
            if d <= tolerance && best.as_ref().is_none_or(|(b, _)| d < *b) {
                best = Some((d, (input.clone(), step.id.clone())));
            }
        }
    }
    best.map(|(_, edge)| edge)
}

/// Distance from `p` to a Bézier curve, measured on 32 straight pieces of it.
fn distance_to_curve([p0, p1, p2, p3]: [(f64, f64); 4], p: (f64, f64)) -> f64 {
    const PIECES: u32 = 32;
    let at = |t: f64| {
        let u = 1.0 - t;
        let (a, b, c, d) = (u * u * u, 3.0 * u * u * t, 3.0 * u * t * t, t * t * t);
        (
            a * p0.0 + b * p1.0 + c * p2.0 + d * p3.0,
            a * p0.1 + b * p1.1 + c * p2.1 + d * p3.1,
        )
    };
    let mut nearest = f64::INFINITY;
    let mut prev = p0;
    for k in 1..=PIECES {
        let next = at(f64::from(k) / f64::from(PIECES));
        let (dx, dy) = (next.0 - prev.0, next.1 - prev.1);
        let length2 = dx * dx + dy * dy;
        let t = if length2 == 0.0 {
            0.0
        } else {
            (((p.0 - prev.0) * dx + (p.1 - prev.1) * dy) / length2).clamp(0.0, 1.0)
        };
        let (cx, cy) = (prev.0 + t * dx, prev.1 + t * dy);
        nearest = nearest.min(((p.0 - cx).powi(2) + (p.1 - cy).powi(2)).sqrt());
        prev = next;
    }
    nearest
}

/// How far to pan a view (canvas point `p` drawn at `p * zoom + offset`) of `width` ×
/// `height` pixels so that the step at `position` is wholly in view with `pad` pixels
/// to spare: `(0, 0)` when it already is. Used when the inspector opens and narrows the
/// canvas, which could otherwise hide the very step it shows.
pub fn pan_into_view(
    offset: (f64, f64),
    zoom: f64,
    (width, height): (f64, f64),
    position: Position,
    pad: f64,
) -> (f64, f64) {
    let axis = |start: f64, size: f64, at: f64, length: f64| {
        let (lo, hi) = (at * zoom + start, (at + length) * zoom + start);
        if hi - lo + 2.0 * pad > size || lo < pad {
            pad - lo
        } else if hi > size - pad {
            size - pad - hi
        } else {
            0.0
        }
    };
    (
        axis(offset.0, width, position.x, NODE_WIDTH),
        axis(offset.1, height, position.y, NODE_HEIGHT),
    )
}
