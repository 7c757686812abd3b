//! How a chain arrives from outside: a link, a file, the browser's storage, an
//! import. Whatever the source, the chain gets the same care here, so that no source
//! forgets a step of it.

use crate::editor::{gallery, layout};
use crate::model::Chain;

/// A chain that came in, ready for the canvas.
#[derive(Clone, Debug, PartialEq)]
pub struct Arrival {
    pub chain: Chain,
    /// The gallery chain it is, unchanged, if it is one (the chain picker shows it).
    pub gallery_key: Option<&'static str>,
}

/// Makes a chain read from outside ready for the canvas: one written by hand or by
/// a program may give its steps no places, so it is laid out in "runs together"
/// columns; a gallery chain is recognised as such.
pub fn arrive(mut chain: Chain) -> Arrival {
    layout::arrange_if_stacked(&mut chain);
    let gallery_key = gallery::EXAMPLES
        .iter()
        .find(|e| (e.chain)() == chain)
        .map(|e| e.key);
    Arrival { chain, gallery_key }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Position;

    #[test]
    fn a_gallery_chain_is_recognised_and_a_stacked_one_laid_out() {
        let research = gallery::research_assistant();
        assert_eq!(
            arrive(research.clone()).gallery_key,
            Some("research-assistant")
        );
        let mut stacked = research;
        stacked.name = "Mine".into();
        stacked
            .steps
            .iter_mut()
            .for_each(|s| s.position = Position::default());
        let arrived = arrive(stacked);
        assert_eq!(arrived.gallery_key, None);
        assert!(arrived
            .chain
            .steps
            .iter()
            .any(|s| s.position != Position::default()));
    }
}
