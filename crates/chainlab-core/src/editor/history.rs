//! Undo and redo of chain edits, as whole snapshots: a chain is small (at most a few
//! hundred steps), so copies are cheap and every kind of edit undoes the same way.

/// How many edits can be undone; older ones are forgotten.
pub const UNDO_LIMIT: usize = 200;

#[derive(Clone, Debug)]
pub struct History<T> {
    past: Vec<T>,
    future: Vec<T>,
    /// The group of the last recorded edit: typing into one field records one edit,
    /// not one per key.
    group: Option<String>,
}

impl<T> Default for History<T> {
    fn default() -> Self {
        Self {
            past: Vec::new(),
            future: Vec::new(),
            group: None,
        }
    }
}

impl<T> History<T> {
    /// Call with the state as it was *before* an edit. An edit in the same `group`
    /// as the previous one joins it, so undo takes both back at once.
    pub fn record(&mut self, before: T, group: Option<&str>) {
        self.future.clear();
        if group.is_some() && group == self.group.as_deref() {
            return;
        }
        self.group = group.map(str::to_string);
        self.past.push(before);
        if self.past.len() > UNDO_LIMIT {
            self.past.remove(0);
        }
    }

    /// The state to go back to, given the current one (kept for redo).
    pub fn undo(&mut self, current: T) -> Option<T> {
        let previous = self.past.pop()?;
        self.future.push(current);
        self.group = None;
        Some(previous)
    }

    /// The state undo left, given the current one (kept for undo).
    pub fn redo(&mut self, current: T) -> Option<T> {
        let next = self.future.pop()?;
        self.past.push(current);
        self.group = None;
        Some(next)
    }

    /// Ends the current group, so the next edit stands alone.
    pub fn seal(&mut self) {
        self.group = None;
    }

    pub fn can_undo(&self) -> bool {
        !self.past.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.future.is_empty()
    }

    pub fn clear(&mut self) {
        self.past.clear();
        self.future.clear();
        self.group = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Applies `edit` to `state`, recording it.
    fn edit(history: &mut History<i32>, state: &mut i32, to: i32, group: Option<&str>) {
        history.record(*state, group);
        *state = to;
    }

    #[test]
    fn undo_and_redo_walk_back_and_forth() {
        let mut h = History::default();
        let mut s = 0;
        edit(&mut h, &mut s, 1, None);
        edit(&mut h, &mut s, 2, None);
        assert!(!h.can_redo());
        s = h.undo(s).expect("undo 2");
        assert_eq!(s, 1);
        s = h.undo(s).expect("undo 1");
        assert_eq!(s, 0);
        assert_eq!(h.undo(s), None);
        s = h.redo(s).expect("redo 1");
        s = h.redo(s).expect("redo 2");
        assert_eq!(s, 2);
        assert_eq!(h.redo(s), None);
    }

    #[test]
    fn a_new_edit_drops_the_redo_branch() {
        let mut h = History::default();
        let mut s = 0;
        edit(&mut h, &mut s, 1, None);
        s = h.undo(s).expect("undo");
        edit(&mut h, &mut s, 5, None);
        assert!(!h.can_redo());
        assert_eq!(h.undo(s), Some(0));
    }

    #[test]
    fn edits_in_one_group_undo_together() {
        let mut h = History::default();
        let mut s = 0;
        edit(&mut h, &mut s, 1, Some("label"));
        edit(&mut h, &mut s, 2, Some("label"));
        edit(&mut h, &mut s, 3, Some("label"));
        edit(&mut h, &mut s, 4, Some("prompt"));
        s = h.undo(s).expect("undo prompt");
        assert_eq!(s, 3);
        s = h.undo(s).expect("undo label");
        assert_eq!(s, 0);
        // A sealed group ends: the next edit in it stands alone.
        edit(&mut h, &mut s, 1, Some("label"));
        h.seal();
        edit(&mut h, &mut s, 2, Some("label"));
        assert_eq!(h.undo(s), Some(1));
    }

    #[test]
    fn the_oldest_edits_are_forgotten_past_the_limit() {
        let mut h = History::default();
        let mut s = 0;
        for n in 1..=(UNDO_LIMIT as i32 + 10) {
            edit(&mut h, &mut s, n, None);
        }
        let mut undone = 0;
        while let Some(previous) = h.undo(s) {
            s = previous;
            undone += 1;
        }
        assert_eq!(undone, UNDO_LIMIT);
        assert_eq!(s, 10);
    }
}
