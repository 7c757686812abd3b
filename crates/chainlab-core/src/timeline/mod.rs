//! The timeline's view of a race: bars and segments at a moment, the time axis and its
//! ticks, step states for the canvas, what the inspector shows of a step, the replay
//! cursor (play, pause, step, speed) and the captions that narrate it.

pub mod axis;
pub mod bars;
pub mod inspect;
pub mod narrate;
pub mod replay;
pub mod step_states;

pub use axis::ticks;
pub use bars::{segments, BarKey, Segment, SegmentKind};
pub use step_states::StepState;
