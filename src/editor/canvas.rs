//! The canvas: steps as nodes, inputs as arrows, "runs together" bands behind the
//! levels. Dragging changes only a transient offset; the chain is edited once, when
//! the drag ends, so a long drag is one undo step and the plan is not rebuilt on
//! every frame.

use super::{use_editor, EditKind, Editor, View, MAX_ZOOM, MIN_ZOOM};
use chainlab_core::editor::edit::{self, NewStep};
use chainlab_core::editor::layout::{self, BAND_LABEL, BAND_PADDING, NODE_HEIGHT, NODE_WIDTH};
use chainlab_core::editor::ports::{self, Port, Side};
use chainlab_core::model::{LatencyModel, Position};
use chainlab_core::timeline::StepState;
use chainlab_core::{Choice, Millis, Step, StepId};
use leptos::ev;
use leptos::prelude::*;
use std::collections::HashMap;
use wasm_bindgen::JsCast;

/// How far one arrow key press moves the selected steps (with Shift: five times).
const KEY_STEP: f64 = 10.0;

pub fn kind_icon(kind: NewStep) -> &'static str {
    match kind {
        NewStep::Input => "✎",
        NewStep::Llm => "✦",
        NewStep::Http => "⇄",
        NewStep::Transform => "⚙",
        NewStep::Output => "⚑",
    }
}

/// The canvas element and its listeners that cancel the page's default (by event
/// name), kept to be removed.
type Listeners = (web_sys::EventTarget, Vec<(&'static str, Listener)>);
type Listener = wasm_bindgen::closure::Closure<dyn Fn(web_sys::Event)>;

/// What the pointer is doing on the canvas.
#[derive(Clone, Debug, PartialEq)]
enum Gesture {
    Idle,
    /// Moving the selected steps; `by` is the offset so far, in canvas units.
    Move {
        ids: Vec<StepId>,
        from: (f64, f64),
        by: (f64, f64),
    },
    /// Dragging a new edge out of one of a step's dots.
    Connect {
        port: Port,
        to: (f64, f64),
    },
    /// A finger on the background outside pan mode: the page scrolls under it, so the
    /// view stays; lifting it lets go of the selection.
    Tap,
    Pan {
        from: (f64, f64),
        start: View,
        moved: bool,
    },
    /// Shift-drag on the background: a selection box, in canvas units.
    Select {
        from: (f64, f64),
        to: (f64, f64),
    },
}

/// The palette a drag from a dot opens where it was let go on empty canvas.
#[derive(Clone, Debug, PartialEq)]
pub struct PortMenu {
    pub port: Port,
    /// The drop point, in canvas units.
    at: Position,
    /// The drop point in pixels from the canvas's top left corner.
    left: f64,
    top: f64,
}

/// A short description of a step's simulated latency for its node.
fn latency_text(step: &Step, seed: u64) -> String {
    let ms: Millis = step.sim.latency.sample(seed, &step.id, 0);
    match step.sim.latency {
        LatencyModel::Fixed { .. } => format!("{ms} ms"),
        _ => format!("~{ms} ms"),
    }
}

fn zoom_by(editor: Editor, factor: f64) {
    // Zoom around the middle of a typical canvas.
    zoom_around(editor, factor, (400.0, 240.0));
}

fn zoom_around(editor: Editor, factor: f64, (px, py): (f64, f64)) {
    editor.view.update(|v| {
        let zoom = (v.zoom * factor).clamp(MIN_ZOOM, MAX_ZOOM);
        // Keep the canvas point under (px, py) where it is.
        let (cx, cy) = ((px - v.x) / v.zoom, (py - v.y) / v.zoom);
        *v = View {
            x: px - cx * zoom,
            y: py - cy * zoom,
            zoom,
        };
    });
}

#[component]
pub fn Canvas() -> impl IntoView {
    let editor = use_editor();
    let chain = editor.app.chain;
    let gesture = RwSignal::new(Gesture::Idle);
    // A connection picked with the pointer, for the Delete key.
    let selected_edge = RwSignal::new(None::<(StepId, StepId)>);
    let svg_ref = NodeRef::<leptos::svg::Svg>::new();
    let menu = editor.port_menu;
    let menu_ref = NodeRef::<leptos::html::Div>::new();
    // On a touch screen one finger scrolls the page; in pan mode it pans the canvas.
    let pan_mode = RwSignal::new(false);
    // Set while a pointer press is being handled, so the focus it causes does not
    // change the selection a second time.
    let pressing = StoredValue::new(false);
    crate::analysis::provide_slack_marks(editor.app);

    let ids = Memo::new(move |_| {
        chain.with(|c| c.steps.iter().map(|s| s.id.clone()).collect::<Vec<_>>())
    });
    let positions = Memo::new(move |_| {
        chain.with(|c| {
            c.steps
                .iter()
                .map(|s| (s.id.clone(), s.position))
                .collect::<HashMap<_, _>>()
        })
    });
    let edges = Memo::new(move |_| {
        chain.with(|c| {
            c.steps
                .iter()
                .flat_map(|s| s.inputs.iter().map(|i| (i.clone(), s.id.clone())))
                .collect::<Vec<_>>()
        })
    });
    let problems = Memo::new(move |_| {
        let mut by_step: HashMap<StepId, Vec<String>> = HashMap::new();
        editor.app.plan.with(|plan| {
            if let Err(problems) = plan {
                for p in problems {
                    if let Some(id) = p.step() {
                        by_step.entry(id.clone()).or_default().push(p.to_string());
                    }
                }
            }
        });
        by_step
    });
    let bands = Memo::new(move |_| chain.with(layout::bands).unwrap_or_default());

    // Client point -> canvas point.
    let to_canvas = move |x: i32, y: i32| -> (f64, f64) {
        let (left, top) = svg_ref
            .get_untracked()
            .map(|svg| {
                let r = svg.get_bounding_client_rect();
                (r.left(), r.top())
            })
            .unwrap_or_default();
        let v = editor.view.get_untracked();
        (
            (f64::from(x) - left - v.x) / v.zoom,
            (f64::from(y) - top - v.y) / v.zoom,
        )
    };
    let capture = move |ev: &ev::PointerEvent| {
        if let Some(svg) = svg_ref.get_untracked() {
            let _ = svg.set_pointer_capture(ev.pointer_id());
        }
    };

    let on_node_down = move |id: StepId, ev: ev::PointerEvent| {
        if ev.button() != 0 {
            return;
        }
        ev.stop_propagation();
        pressing.set_value(true);
        selected_edge.set(None);
        let shift = ev.shift_key() || ev.meta_key() || ev.ctrl_key();
        let was_selected = editor.selected.with_untracked(|s| s.contains(&id));
        if shift {
            editor.selected.update(|s| {
                if was_selected {
                    s.retain(|x| x != &id);
                } else {
                    s.push(id.clone());
                }
            });
        } else if !was_selected {
            editor.selected.set(vec![id.clone()]);
        }
        // Selecting a step with the pointer opens it in the inspector; Shift-clicks
        // only switch an inspector that is already open.
        if !shift || editor.inspecting.with_untracked(Option::is_some) {
            editor.inspecting.set(Some(id));
        }
        let ids = editor.selected.get_untracked();
        // While a race runs the chain stays as the race has it: select, but do not move.
        if ids.is_empty() || editor.running() {
            return;
        }
        capture(&ev);
        gesture.set(Gesture::Move {
            ids,
            from: to_canvas(ev.client_x(), ev.client_y()),
            by: (0.0, 0.0),
        });
    };
    let on_port_down = move |port: Port, ev: ev::PointerEvent| {
        if ev.button() != 0 {
            return;
        }
        ev.stop_propagation();
        ev.prevent_default();
        if editor.running() {
            return;
        }
        menu.set(None);
        capture(&ev);
        gesture.set(Gesture::Connect {
            port,
            to: to_canvas(ev.client_x(), ev.client_y()),
        });
    };
    let on_background_down = move |ev: ev::PointerEvent| {
        if ev.button() != 0 {
            return;
        }
        let at = to_canvas(ev.client_x(), ev.client_y());
        // A press on (or within a few pixels of) a connection picks it.
        let tolerance = 7.0 / editor.view.get_untracked().zoom;
        let near = chain.with_untracked(|c| layout::edge_at(c, at.0, at.1, tolerance));
        selected_edge.set(near.clone());
        if near.is_some() {
            editor.selected.set(Vec::new());
            return;
        }
        if ev.pointer_type() == "touch" && !pan_mode.get_untracked() {
            gesture.set(Gesture::Tap);
            return;
        }
        capture(&ev);
        if ev.shift_key() {
            gesture.set(Gesture::Select { from: at, to: at });
        } else {
            gesture.set(Gesture::Pan {
                from: (f64::from(ev.client_x()), f64::from(ev.client_y())),
                start: editor.view.get_untracked(),
                moved: false,
            });
        }
    };
    let on_move = move |ev: ev::PointerEvent| {
        let client = (f64::from(ev.client_x()), f64::from(ev.client_y()));
        let at = to_canvas(ev.client_x(), ev.client_y());
        gesture.update(|g| match g {
            Gesture::Idle | Gesture::Tap => {}
            Gesture::Move { from, by, .. } => *by = (at.0 - from.0, at.1 - from.1),
            Gesture::Connect { to, .. } => *to = at,
            Gesture::Select { to, .. } => *to = at,
            Gesture::Pan { from, start, moved } => {
                let (dx, dy) = (client.0 - from.0, client.1 - from.1);
                *moved = *moved || dx.abs() + dy.abs() > 3.0;
                editor.view.set(View {
                    x: start.x + dx,
                    y: start.y + dy,
                    zoom: start.zoom,
                });
            }
        });
    };
    let on_up = move |ev: ev::PointerEvent| {
        pressing.set_value(false);
        let at = to_canvas(ev.client_x(), ev.client_y());
        match gesture.get_untracked() {
            Gesture::Idle => {}
            Gesture::Move { ids, by, .. } => {
                if by.0.abs() + by.1.abs() > 0.5 {
                    editor.edit(EditKind::Layout, |c| edit::move_steps(c, &ids, by.0, by.1));
                }
            }
            Gesture::Connect { port, .. } => {
                let at = Position { x: at.0, y: at.1 };
                let target = chain.with_untracked(|c| ports::drop_target(c, at).cloned());
                match target {
                    Some(other) if other != port.step => {
                        // A refusal (a cycle) is shown above the canvas.
                        let _ =
                            editor.try_edit(EditKind::Graph, |c| ports::connect(c, &port, &other));
                    }
                    Some(_) => {}
                    None => {
                        let wrap = svg_ref
                            .get_untracked()
                            .and_then(|svg| svg.parent_element())
                            .map(|w| w.get_bounding_client_rect());
                        let (left, top) = wrap.map(|r| (r.left(), r.top())).unwrap_or_default();
                        menu.set(Some(PortMenu {
                            port,
                            at,
                            left: f64::from(ev.client_x()) - left,
                            top: f64::from(ev.client_y()) - top,
                        }));
                    }
                }
            }
            Gesture::Select { from, to } => {
                let picked = chain.with_untracked(|c| layout::steps_in(c, from, to));
                editor.selected.update(|s| {
                    for id in picked {
                        if !s.contains(&id) {
                            s.push(id);
                        }
                    }
                });
            }
            Gesture::Pan { moved: false, .. } | Gesture::Tap => editor.selected.set(Vec::new()),
            Gesture::Pan { .. } => {}
        }
        gesture.set(Gesture::Idle);
    };
    // The svg holds the pointer during a press, so a double click reaches it rather
    // than the node: find the step under the pointer.
    let on_double_click = move |ev: ev::MouseEvent| {
        let at = to_canvas(ev.client_x(), ev.client_y());
        if let Some(id) = chain.with_untracked(|c| layout::step_at(c, at.0, at.1).cloned()) {
            editor.inspect(id);
        }
    };
    let on_wheel = move |ev: ev::WheelEvent| {
        ev.prevent_default();
        let (left, top) = svg_ref
            .get_untracked()
            .map(|svg| {
                let r = svg.get_bounding_client_rect();
                (r.left(), r.top())
            })
            .unwrap_or_default();
        let point = (
            f64::from(ev.client_x()) - left,
            f64::from(ev.client_y()) - top,
        );
        zoom_around(editor, (-ev.delta_y() * 0.0015).exp(), point);
    };
    let on_key = move |ev: ev::KeyboardEvent| {
        let selected = editor.selected.get_untracked();
        let step = if ev.shift_key() {
            KEY_STEP * 5.0
        } else {
            KEY_STEP
        };
        let by = match ev.key().as_str() {
            "ArrowLeft" => Some((-step, 0.0)),
            "ArrowRight" => Some((step, 0.0)),
            "ArrowUp" => Some((0.0, -step)),
            "ArrowDown" => Some((0.0, step)),
            "Delete" | "Backspace" => {
                ev.prevent_default();
                match selected_edge.get_untracked() {
                    Some((from, to)) => {
                        if editor.edit(EditKind::Graph, |c| {
                            edit::disconnect(c, &from, &to);
                        }) {
                            selected_edge.set(None);
                        }
                    }
                    None => editor.delete_selected(),
                }
                None
            }
            "Escape" => {
                editor.selected.set(Vec::new());
                None
            }
            _ => None,
        };
        if let Some((dx, dy)) = by {
            ev.prevent_default();
            if selected.is_empty() {
                // Nothing selected: the arrows pan the view instead.
                editor.view.update(|v| {
                    v.x -= dx * 4.0;
                    v.y -= dy * 4.0;
                });
            } else {
                editor.edit(EditKind::Nudge, |c| edit::move_steps(c, &selected, dx, dy));
            }
        }
    };

    // Wheel zoom must cancel the page's scroll, which a passive listener (what a
    // delegated `on:wheel` gets) cannot do. So must a finger that lands on a step on a
    // touch screen: the canvas lets one finger scroll the page, and the browser does
    // not read `touch-action` on a step (an SVG element inside the canvas), so without
    // this a finger could never move a step or drag from its dot. Like every listener
    // of the page's, they are removed when their component goes (`on_cleanup`).
    let listeners = StoredValue::new_local(None::<Listeners>);
    Effect::new(move |_| {
        let Some(svg) = svg_ref.get() else { return };
        let on_touch = |ev: web_sys::Event| {
            let on_step = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .and_then(|e| e.closest(".node").ok().flatten())
                .is_some();
            if on_step {
                ev.prevent_default();
            }
        };
        let options = web_sys::AddEventListenerOptions::new();
        options.set_passive(false);
        let made: Vec<(&'static str, Listener)> = vec![
            (
                "wheel",
                wasm_bindgen::closure::Closure::new(move |ev: web_sys::Event| {
                    on_wheel(ev.unchecked_into());
                }),
            ),
            ("touchstart", wasm_bindgen::closure::Closure::new(on_touch)),
        ];
        for (name, listener) in &made {
            let _ = svg.add_event_listener_with_callback_and_add_event_listener_options(
                name,
                listener.as_ref().unchecked_ref(),
                &options,
            );
        }
        listeners.set_value(Some((svg.into(), made)));
    });
    on_cleanup(move || {
        if let Some(Some((svg, made))) = listeners.try_update_value(Option::take) {
            for (name, listener) in made {
                let _ = svg
                    .remove_event_listener_with_callback(name, listener.as_ref().unchecked_ref());
            }
        }
    });
    // Fit the chain into the canvas when asked (gallery load, auto-layout, button).
    Effect::new(move |_| {
        editor.fit_request.track();
        let Some(svg) = svg_ref.get() else { return };
        let Some((l, t, r, b)) = chain.with_untracked(layout::bounds) else {
            editor.view.set(View::default());
            return;
        };
        // Room for the "runs together" bands and their labels around the steps.
        let (l, t, r, b) = (
            l - BAND_PADDING,
            t - BAND_PADDING - BAND_LABEL,
            r + BAND_PADDING,
            b + BAND_PADDING,
        );
        let rect = svg.get_bounding_client_rect();
        let (w, h) = (rect.width().max(200.0), rect.height().max(150.0));
        let pad = 16.0;
        let zoom = ((w - 2.0 * pad) / (r - l))
            .min((h - 2.0 * pad) / (b - t))
            .clamp(MIN_ZOOM, 1.2);
        editor.view.set(View {
            x: (w - (r - l) * zoom) / 2.0 - l * zoom,
            y: (h - (b - t) * zoom) / 2.0 - t * zoom,
            zoom,
        });
    });
    // The inspector narrows the canvas when it opens: once the page has been laid out
    // again (two frames later), pan so that the step it shows is still in view.
    Effect::new(move |_| {
        let Some(id) = editor.inspecting.get() else {
            return;
        };
        request_animation_frame(move || {
            request_animation_frame(move || {
                let Some(svg) = svg_ref.get_untracked() else {
                    return;
                };
                let Some(at) = chain
                    .with_untracked(|c| c.steps.iter().find(|s| s.id == id).map(|s| s.position))
                else {
                    return;
                };
                let rect = svg.get_bounding_client_rect();
                let v = editor.view.get_untracked();
                let (dx, dy) = layout::pan_into_view(
                    (v.x, v.y),
                    v.zoom,
                    (rect.width(), rect.height()),
                    at,
                    16.0,
                );
                if dx != 0.0 || dy != 0.0 {
                    editor.view.set(View {
                        x: v.x + dx,
                        y: v.y + dy,
                        zoom: v.zoom,
                    });
                }
            });
        });
    });
    // Give focus back to a node (after the inspector closes with Escape).
    Effect::new(move |_| {
        if let Some(id) = editor.focus_request.get() {
            focus_node(&id);
        }
    });

    let transform = move || {
        let v = editor.view.get();
        format!("translate({},{}) scale({})", v.x, v.y, v.zoom)
    };
    let offset_of = move |id: &StepId| {
        gesture.with(|g| match g {
            Gesture::Move { ids, by, .. } if ids.contains(id) => *by,
            _ => (0.0, 0.0),
        })
    };

    view! {
        <div class="canvas-wrap">
            <svg
                class="canvas"
                class:pan-mode=move || pan_mode.get()
                data-testid="canvas"
                node_ref=svg_ref
                role="group"
                tabindex="0"
                aria-label=move || {
                    chain.with(|c| format!("Canvas: {} with {} steps", c.name, c.steps.len()))
                }
                aria-describedby="canvas-help"
                on:pointerdown=on_background_down
                on:pointermove=on_move
                on:pointerup=on_up
                on:pointercancel=move |_| gesture.set(Gesture::Idle)
                on:keydown=on_key
                on:dblclick=on_double_click
            >
                <defs>
                    <marker
                        id="arrow"
                        viewBox="0 0 10 10"
                        refX="9"
                        refY="5"
                        markerWidth="7"
                        markerHeight="7"
                        orient="auto-start-reverse"
                    >
                        <path d="M0,0 L10,5 L0,10 z"></path>
                    </marker>
                </defs>
                <g class="viewport" transform=transform>
                    {move || {
                        bands
                            .get()
                            .into_iter()
                            .map(|band| {
                                view! {
                                    <g class="band" aria-hidden="true">
                                        <rect
                                            x=band.left
                                            y=band.top
                                            width=band.right - band.left
                                            height=band.bottom - band.top
                                            rx="10"
                                        ></rect>
                                        <text
                                            x=(band.left + band.right) / 2.0
                                            y=band.top + 20.0
                                            text-anchor="middle"
                                        >
                                            {format!("runs together · level {}", band.level + 1)}
                                        </text>
                                    </g>
                                }
                            })
                            .collect_view()
                    }}
                    <For
                        each=move || edges.get()
                        key=|edge| edge.clone()
                        children=move |(from, to)| {
                            let d = Memo::new({
                                let (from, to) = (from.clone(), to.clone());
                                move |_| {
                                    let (a, b) = positions.with(|p| {
                                        (p.get(&from).copied(), p.get(&to).copied())
                                    });
                                    let (a, b) = (a.unwrap_or_default(), b.unwrap_or_default());
                                    let (fa, fb) = (offset_of(&from), offset_of(&to));
                                    path(layout::edge_curve(
                                        Position { x: a.x + fa.0, y: a.y + fa.1 },
                                        Position { x: b.x + fb.0, y: b.y + fb.1 },
                                    ))
                                }
                            });
                            let picked = {
                                let edge = (from.clone(), to.clone());
                                move || selected_edge.with(|s| s.as_ref() == Some(&edge))
                            };
                            view! {
                                <path
                                    class="edge"
                                    class:selected=picked
                                    data-testid=format!("edge-{from}-{to}")
                                    d=move || d.get()
                                    marker-end="url(#arrow)"
                                ></path>
                            }
                        }
                    />
                    <For
                        each=move || ids.get()
                        key=|id| id.clone()
                        children=move |id| {
                            let context = NodeContext { editor, offset_of, problems, on_node_down, on_port_down, pressing };
                            node(context, &id)
                        }
                    />
                    {move || {
                        gesture
                            .with(|g| match g {
                                Gesture::Connect { port, to } => {
                                    let a = positions
                                        .with_untracked(|p| p.get(&port.step).copied())
                                        .unwrap_or_default();
                                    let curve = match port.side {
                                        Side::Out => layout::curve_between((a.x + NODE_WIDTH, a.y + NODE_HEIGHT / 2.0), *to),
                                        Side::In => layout::curve_between(*to, (a.x, a.y + NODE_HEIGHT / 2.0)),
                                    };
                                    Some(
                                        view! {
                                            <path
                                                class="edge pending"
                                                d=path(curve)
                                                marker-end="url(#arrow)"
                                            ></path>
                                        }
                                            .into_any(),
                                    )
                                }
                                Gesture::Select { from, to } => {
                                    Some(
                                        view! {
                                            <rect
                                                class="selection-box"
                                                x=from.0.min(to.0)
                                                y=from.1.min(to.1)
                                                width=(to.0 - from.0).abs()
                                                height=(to.1 - from.1).abs()
                                            ></rect>
                                        }
                                            .into_any(),
                                    )
                                }
                                _ => None,
                            })
                    }}
                </g>
            </svg>
            <div class="canvas-controls" role="group" aria-label="View">
                <button
                    data-testid="zoom-in"
                    aria-label="Zoom in"
                    title="Zoom in (or scroll on the canvas)"
                    on:click=move |_| zoom_by(editor, 1.25)
                >
                    "+"
                </button>
                <button
                    data-testid="zoom-out"
                    aria-label="Zoom out"
                    title="Zoom out (or scroll on the canvas)"
                    on:click=move |_| zoom_by(editor, 0.8)
                >
                    "−"
                </button>
                <button data-testid="fit" title="Show the whole chain" on:click=move |_| editor.fit()>
                    "Fit to view"
                </button>
                // Only on touch screens (CSS): there one finger scrolls the page.
                <button
                    data-testid="pan-mode"
                    class="touch-only"
                    title="Pan mode: one finger moves the canvas instead of scrolling the page"
                    aria-pressed=move || if pan_mode.get() { "true" } else { "false" }
                    on:click=move |_| pan_mode.update(|on| *on = !*on)
                >
                    "✥ Pan"
                </button>
            </div>
            <PortPalette menu=menu menu_ref=menu_ref />
            {move || {
                chain
                    .with(|c| c.steps.is_empty())
                    .then(|| {
                        view! {
                            <p class="canvas-empty">
                                "The canvas is empty: add a step with the buttons above, or pick a chain from the gallery."
                            </p>
                        }
                    })
            }}
            <p class="canvas-help" id="canvas-help">
                "Drag a step to move it; drag from its right-hand dot onto another step to connect them, or onto empty canvas to add a step it feeds (from the left-hand dot: a step that feeds it). "
                "Click a connection and press Delete to remove it. Shift-click or Shift-drag to select several. Drag the background to pan (on a touch screen: two fingers pinch, one scrolls the page, Pan mode pans), scroll to zoom. "
                "Keyboard: Tab to a step, arrows move it, Enter opens it, Delete removes it, Ctrl+Z undoes; on the empty canvas, arrows pan."
            </p>
        </div>
    }
}

/// SVG path data for a Bézier curve.
fn path([(x1, y1), (c1x, c1y), (c2x, c2y), (x2, y2)]: [(f64, f64); 4]) -> String {
    format!("M{x1:.1},{y1:.1} C{c1x:.1},{c1y:.1} {c2x:.1},{c2y:.1} {x2:.1},{y2:.1}")
}

/// Moves keyboard focus to a step's node.
pub fn focus_node(id: &StepId) {
    let node = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| {
            d.query_selector(&format!("[data-step=\"{}\"]", id.as_str().replace('"', "")))
                .ok()
                .flatten()
        })
        .and_then(|e| e.dyn_into::<web_sys::SvgElement>().ok());
    if let Some(node) = node {
        let _ = node.focus();
    }
}

/// What every node on the canvas shares: where a drag has moved it, the chain's
/// problems, what pressing a node or its output dot does, and whether the pointer is
/// down (so a focus from a click does not also select).
#[derive(Clone, Copy)]
struct NodeContext<Offset, NodeDown, PortDown> {
    editor: Editor,
    offset_of: Offset,
    problems: Memo<HashMap<StepId, Vec<String>>>,
    on_node_down: NodeDown,
    on_port_down: PortDown,
    pressing: StoredValue<bool>,
}

fn node<Offset, NodeDown, PortDown>(
    context: NodeContext<Offset, NodeDown, PortDown>,
    id: &StepId,
) -> impl IntoView
where
    Offset: Fn(&StepId) -> (f64, f64) + Copy + Send + Sync + 'static,
    NodeDown: Fn(StepId, ev::PointerEvent) + Copy + 'static,
    PortDown: Fn(Port, ev::PointerEvent) + Copy + 'static,
{
    let NodeContext {
        editor,
        offset_of,
        problems,
        on_node_down,
        on_port_down,
        pressing,
    } = context;
    let chain = editor.app.chain;
    let look = Memo::new({
        let id = id.clone();
        move |_| {
            chain.with(|c| {
                c.steps.iter().find(|s| s.id == id).map(|s| {
                    (
                        s.label.clone(),
                        NewStep::of(&s.kind),
                        latency_text(s, c.seed),
                        s.position,
                    )
                })
            })
        }
    });
    let offset = Memo::new({
        let id = id.clone();
        move |_| offset_of(&id)
    });
    let selected = Memo::new({
        let id = id.clone();
        move |_| editor.selected.with(|s| s.contains(&id))
    });
    let trouble = Memo::new({
        let id = id.clone();
        move |_| problems.with(|p| p.get(&id).cloned().unwrap_or_default())
    });
    // What the step is doing at the timeline's cursor, so the canvas shows the race.
    let run_state = Memo::new({
        let id = id.clone();
        move |_| editor.app.step_state(&id)
    });
    let position = move || look.with(|l| l.as_ref().map(|l| l.3).unwrap_or_default());
    let transform = move || {
        let Position { x, y } = position();
        let (dx, dy) = offset.get();
        format!("translate({},{})", x + dx, y + dy)
    };
    let kind = move || look.with(|l| l.as_ref().map_or(NewStep::Output, |l| l.1));
    let label = move || look.with(|l| l.as_ref().map(|l| l.0.clone()).unwrap_or_default());
    let latency = move || look.with(|l| l.as_ref().map(|l| l.2.clone()).unwrap_or_default());
    // The name starts with the node's visible text in the order it is in the page
    // (label, kind, latency, problem, state), so what a person sees is what a voice
    // control user says; the full label, the id and every problem follow.
    let slack_words = crate::analysis::slack_mark_words(id.clone());
    let aria = {
        let id = id.clone();
        move || {
            let full = label();
            let shown = clip(&full, 20);
            let mut name = format!("{shown} {} {}", kind().label(), latency());
            trouble.with(|t| {
                if let Some(first) = t.first() {
                    name.push_str(&format!(" {}", clip(first, 40)));
                }
            });
            if let Some(state) = run_state.get().filter(|s| *s != StepState::Waiting) {
                name.push_str(&format!(" {}", run_state_words(state)));
            }
            if let Some(words) = slack_words.get() {
                name.push_str(&format!(" {words}"));
            }
            if shown != full {
                name.push_str(&format!(". Full name: {full}"));
            }
            name.push_str(&format!(". Step \"{id}\""));
            trouble.with(|t| {
                if !t.is_empty() {
                    name.push_str(&format!(". Problem: {}", t.join(" ")));
                }
            });
            name
        }
    };
    let (down_id, port_id, focus_id, key_id) = (id.clone(), id.clone(), id.clone(), id.clone());
    let kind_at_start = look.with_untracked(|l| l.as_ref().map_or(NewStep::Output, |l| l.1));
    view! {
        <g
            class=move || format!("node {}", kind().key())
            class:selected=move || selected.get()
            class:has-problem=move || trouble.with(|t| !t.is_empty())
            transform=transform
            tabindex="0"
            role="button"
            aria-pressed=move || if selected.get() { "true" } else { "false" }
            aria-label=aria
            data-testid=format!("node-{id}")
            data-step=id.to_string()
            data-state={
                let (state, step) = (crate::state::use_app_state(), id.clone());
                move || state.step_state(&step).map(chainlab_core::timeline::StepState::name)
            }
            on:pointerdown=move |ev| on_node_down(down_id.clone(), ev)
            on:focus=move |_| {
                if !pressing.get_value() && !editor.selected.with_untracked(|s| s.contains(&focus_id)) {
                    editor.selected.set(vec![focus_id.clone()]);
                }
            }
            on:keydown=move |ev: ev::KeyboardEvent| {
                if ev.key() == "Enter" || ev.key() == " " {
                    ev.prevent_default();
                    editor.inspect(key_id.clone());
                }
            }
        >
            <rect class="focus-ring" x="-6" y="-6" width=NODE_WIDTH + 12.0 height=NODE_HEIGHT + 12.0 rx="12"></rect>
            <rect class="body" width=NODE_WIDTH height=NODE_HEIGHT rx="8"></rect>
            <rect class="stripe" width="8" height=NODE_HEIGHT rx="3"></rect>
            <text class="label" x="18" y="50">
                {move || format!("{} ", clip(&label(), 20))}
            </text>
            <text class="kind" x="18" y="22">
                // Trailing spaces keep the texts apart as words for assistive
                // technology; SVG does not draw them.
                {move || format!("{} {} ", kind_icon(kind()), kind().label())}
            </text>
            <text class="latency" x=NODE_WIDTH - 12.0 y="22" text-anchor="end">
                {move || format!("{} ", latency())}
            </text>
            {move || {
                trouble
                    .with(|t| !t.is_empty())
                    .then(|| {
                        view! {
                            <g class="problem-badge" transform=format!("translate({},-10)", NODE_WIDTH - 14.0)>
                                <circle r="11"></circle>
                                <text text-anchor="middle" y="5">"!"</text>
                            </g>
                            <text class="problem-text" x="0" y=NODE_HEIGHT + 16.0>
                                {move || trouble.with(|t| clip(t.first().map(String::as_str).unwrap_or(""), 40))}
                            </text>
                        }
                    })
            }}
            {move || {
                run_state
                    .get()
                    .filter(|state| *state != StepState::Waiting)
                    .map(|state| {
                        view! {
                            <text class="run-state" x="0" y=NODE_HEIGHT + 16.0>
                                {run_state_words(state)}
                            </text>
                        }
                    })
            }}
            <crate::analysis::SlackMark id=id.clone() />
            // Only ports that can carry an edge are drawn: an input step takes no
            // inputs, and an output step's result feeds nothing.
            // A step's kind never changes, so which ports it has is read once.
            {[(Side::In, "in", 0.0), (Side::Out, "out", NODE_WIDTH)]
                .into_iter()
                .filter(|(side, ..)| side.on(kind_at_start))
                .map(|(side, word, cx)| {
                    let step = port_id.clone();
                    view! {
                        <circle
                            class=format!("port {word}")
                            data-testid=format!("port-{word}-{port_id}")
                            cx=cx
                            cy=NODE_HEIGHT / 2.0
                            r="8"
                            on:pointerdown=move |ev| on_port_down(Port { step: step.clone(), side }, ev)
                        ></circle>
                    }
                })
                .collect_view()}
        </g>
    }
}

/// The words under a step for its state at the timeline's cursor (colour is never the
/// only cue).
fn run_state_words(state: StepState) -> &'static str {
    match state {
        StepState::Waiting => "waiting for inputs",
        StepState::Held => "ready, held back by the mode",
        StepState::Queued => "queued for a slot",
        StepState::Running => "running…",
        StepState::Streaming => "streaming…",
        StepState::Done => "done ✓",
        StepState::Failed => "failed ✗",
        StepState::Skipped => "skipped: an input failed",
        StepState::Cancelled => "cancelled ⊘",
    }
}

/// `text` cut to `max` characters with an ellipsis, so it fits its node.
fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let cut: String = text.chars().take(max - 1).collect();
        format!("{cut}…")
    }
}

/// The small palette a drag from a dot opens on empty canvas: the kinds of step that
/// can join that dot. Arrow keys move between them, Enter picks, Escape (the page's
/// shortcuts) or a press anywhere else cancels.
#[component]
fn PortPalette(
    menu: RwSignal<Option<PortMenu>>,
    menu_ref: NodeRef<leptos::html::Div>,
) -> impl IntoView {
    let editor = use_editor();
    // Focus the first kind as the palette opens, so it is usable from the keyboard.
    Effect::new(move |_| {
        if menu.with(Option::is_some) {
            request_animation_frame(move || {
                let first = menu_ref
                    .get_untracked()
                    .and_then(|m| m.first_element_child())
                    .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
                if let Some(first) = first {
                    let _ = first.focus();
                }
            });
        }
    });
    let outside = move |target: Option<web_sys::EventTarget>| {
        let inside = menu_ref.get_untracked().is_some_and(|m| {
            target
                .and_then(|t| t.dyn_into::<web_sys::Node>().ok())
                .is_some_and(|t| m.contains(Some(&t)))
        });
        if !inside {
            menu.set(None);
        }
    };
    let handle = window_event_listener(ev::pointerdown, move |ev| {
        if menu.with_untracked(Option::is_some) {
            outside(ev.target());
        }
    });
    on_cleanup(move || handle.remove());
    let on_key = move |ev: ev::KeyboardEvent| {
        let Some(here) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        else {
            return;
        };
        let next = match ev.key().as_str() {
            "ArrowDown" | "ArrowRight" => here
                .next_element_sibling()
                .or_else(|| here.parent_element().and_then(|p| p.first_element_child())),
            "ArrowUp" | "ArrowLeft" => here
                .previous_element_sibling()
                .or_else(|| here.parent_element().and_then(|p| p.last_element_child())),
            _ => return,
        };
        ev.prevent_default();
        if let Some(next) = next.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
            let _ = next.focus();
        }
    };
    move || {
        let m = menu.get()?;
        let kinds = editor.app.chain.with_untracked(|c| m.port.kinds(c));
        let name = match m.port.side {
            Side::Out => format!("Add a step fed by \"{}\"", m.port.step),
            Side::In => format!("Add a step that feeds \"{}\"", m.port.step),
        };
        let port = m.port.clone();
        let top = format!(
            "min({:.0}px, calc(100% - {:.1}rem))",
            m.top.max(0.0),
            2.2 * kinds.len() as f64 + 0.6
        );
        Some(view! {
            <div
                class="port-menu"
                data-testid="port-menu"
                role="menu"
                aria-label=name
                node_ref=menu_ref
                // Kept inside the canvas, also at a phone's width.
                style:left=format!("min({:.0}px, calc(100% - 9.5rem))", m.left.max(0.0))
                style:top=top
                on:keydown=on_key
                on:focusout=move |ev: ev::FocusEvent| {
                    // Tabbing away cancels; a click elsewhere is the window's listener's.
                    if ev.related_target().is_some() {
                        outside(ev.related_target());
                    }
                }
            >
                {kinds
                    .into_iter()
                    .map(|kind| {
                        let port = port.clone();
                        view! {
                            <button
                                role="menuitem"
                                class=format!("palette-item {}", kind.key())
                                data-testid=format!("port-menu-{}", kind.key())
                                on:click=move |_| {
                                    menu.set(None);
                                    editor.add_at_port(&port, kind, m.at);
                                }
                            >
                                <span class="icon" aria-hidden="true">{kind_icon(kind)}</span>
                                {kind.label()}
                            </button>
                        }
                    })
                    .collect_view()}
            </div>
        })
    }
}
