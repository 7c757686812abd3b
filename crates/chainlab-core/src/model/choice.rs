//! Choices a person picks from a list (a mode, a failure policy, a transform, a
//! latency model, a kind of step): each type carries its values, the key that
//! files and links store, and the words people read, in one place. The page draws
//! every such list with one select component over this trait.

/// A closed list of values with a stable key and a label each.
pub trait Choice: Copy + PartialEq + Send + Sync + 'static {
    /// Every value, in the order a list shows them.
    const ALL: &'static [Self];

    /// The stable name: serde's name for the value, a `<option value>`, a test id.
    fn key(self) -> &'static str;

    /// The words a list shows for the value.
    fn label(self) -> &'static str;

    fn from_key(key: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|c| c.key() == key)
    }
}
