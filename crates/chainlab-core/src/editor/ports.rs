//! A step's two dots on the canvas, as the person drags from them: which kinds of
//! step a dot can take, the edge a drop makes in either direction, and where a step
//! made from a dot goes. The canvas only says which dot was pressed and where the
//! pointer was let go.

use crate::editor::edit::{self, EditError, NewStep};
use crate::editor::layout::{NODE_HEIGHT, NODE_WIDTH};
use crate::model::{Chain, Choice, Position, StepId};

/// How far outside a step's box a drop still lands on it: its dots stick out by
/// their radius, and a drop on a dot means that step.
pub const DOT_REACH: f64 = 12.0;

/// Which of a step's dots: its inputs (left) or its output (right).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    In,
    Out,
}

impl Side {
    /// Whether a step of `kind` has this dot: an input step takes no inputs, and an
    /// output step's result feeds nothing.
    pub fn on(self, kind: NewStep) -> bool {
        match self {
            Side::In => kind != NewStep::Input,
            Side::Out => kind != NewStep::Output,
        }
    }

    fn other(self) -> Side {
        match self {
            Side::In => Side::Out,
            Side::Out => Side::In,
        }
    }
}

/// One dot of one step: where a drag starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Port {
    pub step: StepId,
    pub side: Side,
}

impl Port {
    /// The edge (from, to) that joins this dot to `other`: out of an output dot, into
    /// an input dot.
    pub fn edge_to(&self, other: &StepId) -> (StepId, StepId) {
        match self.side {
            Side::Out => (self.step.clone(), other.clone()),
            Side::In => (other.clone(), self.step.clone()),
        }
    }

    /// The kinds of step that can be made at the end of a drag from this dot and
    /// joined to it, in the palette's order: after an output dot the kinds that take
    /// inputs, before an input dot the kinds that have an output. None when the step
    /// has no such dot (or no longer exists).
    pub fn kinds(&self, chain: &Chain) -> Vec<NewStep> {
        let Some(own) = chain.steps.iter().find(|s| s.id == self.step) else {
            return Vec::new();
        };
        if !self.side.on(NewStep::of(&own.kind)) {
            return Vec::new();
        }
        let wanted = self.side.other();
        NewStep::ALL.into_iter().filter(|&k| wanted.on(k)).collect()
    }

    /// Where a step made by a drop at `at` goes: its facing dot at the drop point (its
    /// input dot after an output dot, its output dot before an input dot), moved to
    /// the nearest free row so it never lands on another step.
    pub fn place(&self, chain: &Chain, at: Position) -> Position {
        let wanted = Position {
            x: match self.side {
                Side::Out => at.x,
                Side::In => at.x - NODE_WIDTH,
            },
            y: at.y - NODE_HEIGHT / 2.0,
        };
        edit::free_spot(chain, wanted)
    }
}

/// The step a drag from a dot was let go on, counting its dots (which stick out of
/// its box), or none for empty canvas.
pub fn drop_target(chain: &Chain, at: Position) -> Option<&StepId> {
    chain
        .steps
        .iter()
        .rev()
        .find(|s| {
            let p = s.position;
            at.x >= p.x - DOT_REACH
                && at.x <= p.x + NODE_WIDTH + DOT_REACH
                && at.y >= p.y
                && at.y <= p.y + NODE_HEIGHT
        })
        .map(|s| &s.id)
}

/// Joins `port` to the step `target` it was dropped on, in the direction the dot
/// says; refusals (a cycle, an edge into an input or out of an output) change nothing.
pub fn connect(chain: &mut Chain, port: &Port, target: &StepId) -> Result<(), EditError> {
    let (from, to) = port.edge_to(target);
    edit::connect(chain, &from, &to)
}

/// Makes a step of `kind` where a drag from `port` was let go on empty canvas and
/// joins it to the dot; returns its id. A kind the dot cannot take (an output after an
/// output dot, an input before an input dot) is refused and nothing is added.
pub fn add_at(
    chain: &mut Chain,
    port: &Port,
    kind: NewStep,
    at: Position,
) -> Result<StepId, EditError> {
    if !port.kinds(chain).contains(&kind) {
        return Err(EditError::CannotJoin {
            step: port.step.clone(),
            kind: kind.label(),
        });
    }
    let position = port.place(chain, at);
    let id = edit::add_step(chain, kind, position);
    // A new step has no edges yet, so joining it cannot close a cycle.
    connect(chain, port, &id)?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::editor::gallery;
    use crate::editor::layout;
    use crate::model::StepKind;

    fn id(s: &str) -> StepId {
        StepId::new(s)
    }

    fn port(step: &str, side: Side) -> Port {
        Port {
            step: id(step),
            side,
        }
    }

    fn step<'a>(chain: &'a Chain, id: &StepId) -> &'a crate::Step {
        chain.steps.iter().find(|s| &s.id == id).expect("step")
    }

    fn assert_apart(chain: &Chain) {
        for (i, s) in chain.steps.iter().enumerate() {
            for t in &chain.steps[i + 1..] {
                let apart = (s.position.x - t.position.x).abs() >= NODE_WIDTH
                    || (s.position.y - t.position.y).abs() >= NODE_HEIGHT;
                assert!(apart, "{} overlaps {}", s.id, t.id);
            }
        }
    }

    #[test]
    fn a_dot_offers_only_the_kinds_that_can_join_it() {
        let mut chain = gallery::uneven_branches();
        let output = edit::add_step_after(
            &mut chain,
            NewStep::Output,
            Some(&id("e")),
            Position::default(),
        );
        let kinds_of = |p: Port| p.kinds(&chain);
        use NewStep::*;
        // "a" is the input step; b is a model call.
        assert_eq!(
            kinds_of(port("b", Side::Out)),
            vec![Llm, Http, Transform, Output]
        );
        assert_eq!(
            kinds_of(port("b", Side::In)),
            vec![Input, Llm, Http, Transform]
        );
        assert_eq!(
            kinds_of(port("a", Side::Out)),
            vec![Llm, Http, Transform, Output]
        );
        // The dots that are not drawn offer nothing.
        assert!(kinds_of(port("a", Side::In)).is_empty());
        assert!(kinds_of(port(output.as_str(), Side::Out)).is_empty());
        assert!(kinds_of(port("nobody", Side::Out)).is_empty());
    }

    #[test]
    fn a_step_made_from_an_output_dot_is_fed_by_it_at_the_drop_point() {
        let mut chain = gallery::uneven_branches();
        let before = chain.steps.len();
        let a = step(&chain, &id("a")).position;
        // Far below everything: free space, so the step goes exactly there.
        let at = Position {
            x: a.x + 400.0,
            y: a.y + 2000.0,
        };
        let new = add_at(&mut chain, &port("a", Side::Out), NewStep::Llm, at).expect("added");
        let made = step(&chain, &new);
        assert_eq!(made.inputs, vec![id("a")]);
        assert!(matches!(made.kind, StepKind::Llm(_)));
        // Its input dot (left, half-way down) is where the pointer was let go.
        assert_eq!(made.position.x, at.x);
        assert_eq!(made.position.y + NODE_HEIGHT / 2.0, at.y);
        assert_eq!(chain.steps.len(), before + 1);
        assert!(crate::Plan::new(chain).is_ok());
    }

    #[test]
    fn a_step_made_from_an_input_dot_feeds_it_with_its_output_at_the_drop_point() {
        let mut chain = gallery::uneven_branches();
        let at = Position {
            x: -600.0,
            y: 3000.0,
        };
        let new = add_at(&mut chain, &port("e", Side::In), NewStep::Http, at).expect("added");
        assert!(step(&chain, &id("e")).inputs.contains(&new));
        assert!(step(&chain, &new).inputs.is_empty());
        let p = step(&chain, &new).position;
        assert_eq!((p.x + NODE_WIDTH, p.y + NODE_HEIGHT / 2.0), (at.x, at.y));
    }

    #[test]
    fn a_drop_on_a_step_makes_a_step_beside_it_not_on_it() {
        let mut chain = gallery::research_assistant();
        let first = chain.steps[0].id.clone();
        for s in chain.steps.clone() {
            // Dropped on the middle of every step in turn, from the first step's dot.
            let at = Position {
                x: s.position.x + 10.0,
                y: s.position.y + NODE_HEIGHT / 2.0,
            };
            let p = Port {
                step: first.clone(),
                side: Side::Out,
            };
            add_at(&mut chain, &p, NewStep::Transform, at).expect("added");
            assert_apart(&chain);
        }
    }

    #[test]
    fn kinds_a_dot_cannot_take_are_refused_and_add_nothing() {
        let mut chain = gallery::uneven_branches();
        let before = chain.clone();
        let at = Position { x: 0.0, y: 900.0 };
        let err = add_at(&mut chain, &port("b", Side::Out), NewStep::Input, at)
            .expect_err("an input step takes no inputs");
        assert!(err.to_string().contains("input"), "{err}");
        assert!(add_at(&mut chain, &port("b", Side::In), NewStep::Output, at).is_err());
        assert!(add_at(&mut chain, &port("a", Side::In), NewStep::Llm, at).is_err());
        assert_eq!(chain, before);
    }

    #[test]
    fn a_drop_from_an_input_dot_connects_the_other_way() {
        let mut chain = gallery::uneven_branches();
        // b's input dot dropped on d: d now feeds b.
        connect(&mut chain, &port("b", Side::In), &id("d")).expect("d -> b");
        assert!(step(&chain, &id("b")).inputs.contains(&id("d")));
        assert!(crate::Plan::new(chain.clone()).is_ok());
    }

    #[test]
    fn drops_that_would_close_a_cycle_or_leave_an_output_are_refused_either_way() {
        let mut chain = gallery::uneven_branches();
        let output = edit::add_step_after(
            &mut chain,
            NewStep::Output,
            Some(&id("e")),
            Position::default(),
        );
        let before = chain.clone();
        // c feeds d, d feeds e: d's output dot onto c, or c's input dot onto d, closes
        // the cycle c -> d -> c, whichever end the drag starts from.
        let forward = connect(&mut chain, &port("d", Side::Out), &id("c")).expect_err("cycle");
        let backward = connect(&mut chain, &port("c", Side::In), &id("d")).expect_err("cycle");
        assert_eq!(forward, backward);
        assert!(matches!(forward, EditError::Cycle { .. }), "{forward}");
        // Into an input step, whichever end.
        assert!(matches!(
            connect(&mut chain, &port("b", Side::Out), &id("a")),
            Err(EditError::IntoInputStep(_))
        ));
        // Out of the output step: it ends the chain.
        let err = connect(&mut chain, &port("b", Side::In), &output).expect_err("output");
        assert_eq!(err, EditError::FromOutputStep(output));
        assert!(err.to_string().contains("output step"), "{err}");
        assert_eq!(chain, before, "a refused drop changes nothing");
    }

    #[test]
    fn a_drop_on_a_dot_means_its_step() {
        let chain = gallery::uneven_branches();
        let b = step(&chain, &id("b")).position;
        let mid = b.y + NODE_HEIGHT / 2.0;
        // On b's output dot, half outside its box; on its input dot; in its middle.
        for x in [b.x + NODE_WIDTH + 6.0, b.x - 6.0, b.x + 100.0] {
            assert_eq!(drop_target(&chain, Position { x, y: mid }), Some(&id("b")));
        }
        let (_, _, right, bottom) = layout::bounds(&chain).expect("steps");
        let empty = Position {
            x: right + 100.0,
            y: bottom + 100.0,
        };
        assert_eq!(drop_target(&chain, empty), None);
    }
}
