//! The three ways to run the same chain: the product's core vocabulary.

use crate::model::Choice;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Sequential,
    Staged,
    Eager,
}

impl Mode {
    pub const ALL: [Mode; 3] = [Mode::Sequential, Mode::Staged, Mode::Eager];

    pub fn name(self) -> &'static str {
        match self {
            Mode::Sequential => "sequential",
            Mode::Staged => "staged",
            Mode::Eager => "eager",
        }
    }

    /// One line for people who have not met the word yet.
    pub fn explanation(self) -> &'static str {
        match self {
            Mode::Sequential => "one step at a time, each waiting for the one before",
            Mode::Staged => {
                "each dependency level at once (join_all); the next level waits for the whole level"
            }
            Mode::Eager => "each step starts the moment its own inputs are ready",
        }
    }
}

impl Choice for Mode {
    const ALL: &'static [Self] = &Mode::ALL;

    fn key(self) -> &'static str {
        self.name()
    }

    fn label(self) -> &'static str {
        self.name()
    }
}
