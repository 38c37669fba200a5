//! The provider group rule: EventHeader's group option, `G<group>` at the end of a tracepoint name.

use std::fmt;

use super::tracepoint::is_option_value_char;
use crate::limits::PROVIDER_NAME_MAX;

/// An EventHeader provider group: non-empty, only lowercase ASCII letters and
/// digits, at most [`PROVIDER_NAME_MAX`]` - 1` bytes (the provider name and
/// the group share that limit, see [`ProviderName::with_group`](super::ProviderName::with_group)).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ProviderGroup(String);

/// Which rule a provider group broke.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderGroupError {
    /// The group is empty.
    Empty,
    /// The group is longer than the room the provider name leaves.
    TooLong {
        /// The group's length in bytes.
        len: usize,
        /// The most it may have: [`PROVIDER_NAME_MAX`] minus the provider
        /// name's length (at least one byte).
        max: usize,
    },
    /// The group contains a character other than a lowercase ASCII letter or digit.
    InvalidChar {
        /// The offending character.
        ch: char,
        /// Its byte offset in the group.
        index: usize,
    },
}

impl fmt::Display for ProviderGroupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProviderGroupError::Empty => f.write_str("provider group is empty"),
            ProviderGroupError::TooLong { len, max } => write!(
                f,
                "provider group is {len} bytes long; the limit is {max} bytes (the provider \
                 name and the group together have at most {PROVIDER_NAME_MAX})"
            ),
            ProviderGroupError::InvalidChar { ch, index } => write!(
                f,
                "provider group has {ch:?} at byte {index}; only lowercase ASCII letters and digits are allowed"
            ),
        }
    }
}

impl std::error::Error for ProviderGroupError {}

impl ProviderGroup {
    /// Checks `group` against the provider group rules.
    pub fn new(group: &str) -> Result<Self, ProviderGroupError> {
        if group.is_empty() {
            return Err(ProviderGroupError::Empty);
        }
        if let Some((index, ch)) = group
            .char_indices()
            .find(|&(_, c)| !is_option_value_char(c))
        {
            return Err(ProviderGroupError::InvalidChar { ch, index });
        }
        // The shortest provider name has one byte.
        let max = PROVIDER_NAME_MAX - 1;
        if group.len() > max {
            return Err(ProviderGroupError::TooLong {
                len: group.len(),
                max,
            });
        }
        Ok(ProviderGroup(group.to_owned()))
    }

    /// The group as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ProviderGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
