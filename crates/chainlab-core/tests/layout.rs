//! Auto-layout teaches "the steps in one column can run at the same time", so it is
//! checked against the plan's own levels on every gallery chain and on random DAGs.

use chainlab_core::editor::gallery;
use chainlab_core::editor::layout::{
    arrange, arrange_if_stacked, bands, drawn_crossings, layout, levels, Layout, COLUMN_PITCH,
    NODE_HEIGHT, NODE_WIDTH,
};
use chainlab_core::model::Position;
use chainlab_core::{Chain, Plan, Step, StepId};
use proptest::prelude::*;

fn step(id: &str, inputs: &[String]) -> Step {
    if inputs.is_empty() {
        Step::input(id, id)
    } else {
        Step::output(id).after(inputs)
    }
}

/// Checks everything auto-layout promises for a valid chain.
fn check(chain: &Chain) -> Result<(), TestCaseError> {
    let plan = Plan::new(chain.clone()).map_err(|p| TestCaseError::fail(format!("{p:?}")))?;
    let Layout { columns, positions } =
        layout(chain).map_err(|e| TestCaseError::fail(e.to_string()))?;
    // Columns are exactly the dependency levels, in order.
    prop_assert_eq!(columns.len(), plan.levels().len());
    for (c, column) in columns.iter().enumerate() {
        let mut got = column.clone();
        got.sort_unstable();
        let mut want = plan.levels()[c].clone();
        want.sort_unstable();
        prop_assert_eq!(got, want, "column {}", c);
        for &i in column {
            prop_assert_eq!(positions[i].x, 48.0 + c as f64 * COLUMN_PITCH);
        }
        // Top to bottom in the order chosen.
        for pair in column.windows(2) {
            prop_assert!(positions[pair[0]].y < positions[pair[1]].y);
        }
    }
    // No two steps overlap.
    for i in 0..positions.len() {
        for j in i + 1..positions.len() {
            let (a, b) = (positions[i], positions[j]);
            let apart = (a.x - b.x).abs() >= NODE_WIDTH || (a.y - b.y).abs() >= NODE_HEIGHT;
            prop_assert!(apart, "steps {} and {} overlap at {:?} / {:?}", i, j, a, b);
        }
    }
    // Once arranged, there is one band per level.
    let mut arranged = chain.clone();
    arrange(&mut arranged).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let drawn = bands(&arranged).ok_or_else(|| TestCaseError::fail("no bands"))?;
    prop_assert_eq!(drawn.len(), plan.levels().len());
    Ok(())
}

#[test]
fn every_gallery_chain_is_laid_out_by_level() {
    for example in gallery::EXAMPLES {
        let chain = (example.chain)();
        check(&chain).unwrap_or_else(|e| panic!("{}: {e}", example.key));
        // Gallery chains come laid out: what the page shows is the layout.
        let positions: Vec<Position> = chain.steps.iter().map(|s| s.position).collect();
        assert_eq!(positions, layout(&chain).expect("no cycle").positions);
        assert_eq!(
            drawn_crossings(&chain),
            0,
            "{} has crossing edges",
            example.key
        );
    }
}

#[test]
fn barycenter_untangles_crossed_edges() {
    // Listed so that a naive top-to-bottom order crosses s1->t2 and s2->t1.
    let chain = Chain {
        name: "crossed".into(),
        description: String::new(),
        seed: 0,
        steps: vec![
            step("s1", &[]),
            step("s2", &[]),
            step("t1", &["s2".into()]),
            step("t2", &["s1".into()]),
            step("u1", &["t2".into()]),
            step("u2", &["t1".into()]),
        ],
    };
    let mut naive = chain.clone();
    for (i, s) in naive.steps.iter_mut().enumerate() {
        s.position = Position {
            x: 48.0 + (i / 2) as f64 * COLUMN_PITCH,
            y: 48.0 + (i % 2) as f64 * 104.0,
        };
    }
    assert!(drawn_crossings(&naive) > 0);
    let mut arranged = chain;
    arrange(&mut arranged).expect("no cycle");
    assert_eq!(drawn_crossings(&arranged), 0);
}

#[test]
fn a_cycle_is_reported_not_laid_out() {
    let chain = Chain {
        name: "loop".into(),
        description: String::new(),
        seed: 0,
        steps: vec![
            step("a", &[]),
            step("b", &["a".into(), "c".into()]),
            step("c", &["b".into()]),
        ],
    };
    let err = levels(&chain).expect_err("cycle");
    assert_eq!(err.steps, vec![StepId::new("b"), StepId::new("c")]);
    assert!(err.to_string().contains("b, c"), "{err}");
}

#[test]
fn bands_only_when_steps_stand_in_level_columns() {
    let mut chain = gallery::uneven_branches();
    assert!(bands(&chain).is_some());
    // Drag E back next to A: the columns no longer match the levels.
    chain.steps[4].position = chain.steps[0].position;
    assert_eq!(bands(&chain), None);
}

/// A random DAG: step `s{t}` takes inputs only from earlier steps, and the step
/// list is then shuffled so list order is not a topological order.
fn dag() -> impl Strategy<Value = Chain> {
    (1usize..40)
        .prop_flat_map(|n| {
            let inputs = (0..n)
                .map(|t| proptest::collection::vec(0..t.max(1), 0..=3.min(t)))
                .collect::<Vec<_>>();
            (inputs, Just((0..n).collect::<Vec<usize>>()).prop_shuffle())
        })
        .prop_map(|(inputs, order)| {
            let steps: Vec<Step> = inputs
                .iter()
                .enumerate()
                .map(|(t, ins)| {
                    let mut names: Vec<String> = ins.iter().map(|u| format!("s{u}")).collect();
                    names.sort();
                    names.dedup();
                    step(&format!("s{t}"), &names)
                })
                .collect();
            Chain {
                name: "random".into(),
                description: String::new(),
                seed: 0,
                steps: order.into_iter().map(|i| steps[i].clone()).collect(),
            }
        })
}

proptest! {
    #[test]
    fn random_dags_are_laid_out_by_level(chain in dag()) {
        check(&chain)?;
    }
}

#[test]
fn hit_tests_find_steps_under_a_point_and_in_a_box() {
    let chain = gallery::uneven_branches();
    let b = chain.steps[1].position;
    assert_eq!(
        chainlab_core::editor::layout::step_at(&chain, b.x + 5.0, b.y + 5.0),
        Some(&StepId::new("b"))
    );
    assert_eq!(
        chainlab_core::editor::layout::step_at(&chain, b.x - 5.0, b.y - 5.0),
        None
    );
    let (l, t, r, bottom) = chainlab_core::editor::layout::bounds(&chain).expect("steps");
    let all = chainlab_core::editor::layout::steps_in(&chain, (r, bottom), (l, t));
    assert_eq!(all.len(), chain.steps.len());
    let just_b = chainlab_core::editor::layout::steps_in(
        &chain,
        (b.x + 1.0, b.y + 1.0),
        (b.x + 2.0, b.y + 2.0),
    );
    assert_eq!(just_b, vec![StepId::new("b")]);
}

#[test]
fn gallery_edges_pass_behind_no_other_step() {
    for example in gallery::EXAMPLES {
        let chain = (example.chain)();
        for to in &chain.steps {
            for input in &to.inputs {
                let from = chain.steps.iter().find(|s| &s.id == input).expect("input");
                let (x1, y1) = (
                    from.position.x + NODE_WIDTH,
                    from.position.y + NODE_HEIGHT / 2.0,
                );
                let (x2, y2) = (to.position.x, to.position.y + NODE_HEIGHT / 2.0);
                for k in 0..=50 {
                    let t = f64::from(k) / 50.0;
                    let (x, y) = (x1 + (x2 - x1) * t, y1 + (y2 - y1) * t);
                    let hidden_by = chain.steps.iter().find(|s| {
                        s.id != from.id
                            && s.id != to.id
                            && x > s.position.x
                            && x < s.position.x + NODE_WIDTH
                            && y > s.position.y
                            && y < s.position.y + NODE_HEIGHT
                    });
                    assert!(
                        hidden_by.is_none(),
                        "{}: edge {} -> {} passes behind {:?}",
                        example.key,
                        from.id,
                        to.id,
                        hidden_by.map(|s| &s.id)
                    );
                }
            }
        }
    }
}

#[test]
fn a_click_near_an_edge_picks_it() {
    use chainlab_core::editor::layout::{edge_at, edge_curve};
    let chain = gallery::uneven_branches();
    let pos = |id: &str| {
        chain
            .steps
            .iter()
            .find(|s| s.id.as_str() == id)
            .expect("step")
            .position
    };
    // Half way along C -> D (one row, so the curve is a straight line).
    let [start, _, _, end] = edge_curve(pos("c"), pos("d"));
    let (mx, my) = ((start.0 + end.0) / 2.0, (start.1 + end.1) / 2.0);
    assert_eq!(
        edge_at(&chain, mx, my + 4.0, 8.0),
        Some((StepId::new("c"), StepId::new("d")))
    );
    assert_eq!(edge_at(&chain, mx, my + 30.0, 8.0), None);
    // The B -> E curve, at a point on it: found, and it is the nearest edge there.
    let [b0, b1, b2, b3] = edge_curve(pos("b"), pos("e"));
    let t = 0.5;
    let u = 1.0 - t;
    let on = (
        u * u * u * b0.0 + 3.0 * u * u * t * b1.0 + 3.0 * u * t * t * b2.0 + t * t * t * b3.0,
        u * u * u * b0.1 + 3.0 * u * u * t * b1.1 + 3.0 * u * t * t * b2.1 + t * t * t * b3.1,
    );
    assert_eq!(
        edge_at(&chain, on.0, on.1, 3.0),
        Some((StepId::new("b"), StepId::new("e")))
    );
}

#[test]
fn a_chain_written_without_places_is_laid_out_and_one_with_places_is_left_alone() {
    let mut chain = Chain {
        name: "by hand".into(),
        description: String::new(),
        seed: 0,
        steps: vec![
            step("q", &[]),
            step("a", &["q".into()]),
            step("b", &["q".into()]),
        ],
    };
    assert!(arrange_if_stacked(&mut chain));
    let places: Vec<Position> = chain.steps.iter().map(|s| s.position).collect();
    assert!(places[1].x > places[0].x, "{places:?}");
    assert_ne!(places[1], places[2]);
    // Now it has places of its own: a second call moves nothing.
    chain.steps[2].position.x += 5.0;
    let before = chain.clone();
    assert!(!arrange_if_stacked(&mut chain));
    assert_eq!(chain, before);

    // A cycle has no levels: a grid, every step in its own place.
    let mut looped = Chain {
        steps: vec![
            step("a", &[]),
            step("b", &["a".into(), "c".into()]),
            step("c", &["b".into()]),
        ],
        ..before
    };
    assert!(arrange_if_stacked(&mut looped));
    let places: Vec<Position> = looped.steps.iter().map(|s| s.position).collect();
    assert!(places[0] != places[1] && places[1] != places[2] && places[0] != places[2]);
}

#[test]
fn a_step_is_panned_into_view_only_when_it_is_out_of_it() {
    use chainlab_core::editor::layout::{pan_into_view, NODE_WIDTH};
    use chainlab_core::model::Position;
    let at = Position {
        x: 1000.0,
        y: 100.0,
    };
    // In view of a 1,400 px canvas: nothing moves.
    assert_eq!(
        pan_into_view((0.0, 0.0), 1.0, (1400.0, 600.0), at, 16.0),
        (0.0, 0.0)
    );
    // The canvas narrowed to 858 px: the step's right edge (1,200) is out; pan left
    // so that it ends 16 px inside.
    let (dx, dy) = pan_into_view((0.0, 0.0), 1.0, (858.0, 600.0), at, 16.0);
    assert_eq!((dx, dy), (858.0 - 16.0 - (1000.0 + NODE_WIDTH), 0.0));
    // Left of the view, at half zoom: its left edge comes to the pad.
    let (dx, _) = pan_into_view((-600.0, 0.0), 0.5, (858.0, 600.0), at, 16.0);
    assert_eq!(dx, 16.0 - (1000.0 * 0.5 - 600.0));
}
