//! Provider names: the prefix of every tracepoint name, checked against SPEC §3.

use std::fmt;

/// The longest provider name: tracepoint names (`<Provider>_L<n>K<keyword>`) must stay
/// below the kernel's 256-byte limit with room for the longest attribute suffix.
pub const PROVIDER_NAME_MAX: usize = 233;

/// A provider name that follows the EventHeader rules: non-empty, at most
/// [`PROVIDER_NAME_MAX`] bytes, only ASCII letters, digits and `_`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ProviderName(String);

/// Which rule a provider name broke.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderNameError {
    /// The name is empty.
    Empty,
    /// The name is longer than [`PROVIDER_NAME_MAX`] bytes.
    TooLong {
        /// The name's length in bytes.
        len: usize,
    },
    /// The name contains a character other than an ASCII letter, digit or `_`.
    InvalidChar {
        /// The offending character.
        ch: char,
        /// Its byte offset in the name.
        index: usize,
    },
}

impl fmt::Display for ProviderNameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProviderNameError::Empty => f.write_str("provider name is empty"),
            ProviderNameError::TooLong { len } => write!(
                f,
                "provider name is {len} bytes long; the limit is {PROVIDER_NAME_MAX} bytes"
            ),
            ProviderNameError::InvalidChar { ch, index } => write!(
                f,
                "provider name has {ch:?} at byte {index}; only ASCII letters, digits and '_' are allowed"
            ),
        }
    }
}

impl std::error::Error for ProviderNameError {}

impl ProviderName {
    /// Checks `name` against the provider name rules.
    pub fn new(name: &str) -> Result<Self, ProviderNameError> {
        if name.is_empty() {
            return Err(ProviderNameError::Empty);
        }
        if let Some((index, ch)) = name
            .char_indices()
            .find(|&(_, c)| !(c.is_ascii_alphanumeric() || c == '_'))
        {
            return Err(ProviderNameError::InvalidChar { ch, index });
        }
        if name.len() > PROVIDER_NAME_MAX {
            return Err(ProviderNameError::TooLong { len: name.len() });
        }
        Ok(ProviderName(name.to_owned()))
    }

    /// The name as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The tracepoint name for a level and keyword: `<Provider>_L<level>K<keyword hex>`.
    pub fn tracepoint_name(&self, level: crate::Level, keyword: u64) -> String {
        format!("{}_L{}K{:x}", self.0, level.as_u8(), keyword)
    }
}

impl fmt::Display for ProviderName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Level;

    #[test]
    fn accepts_letters_digits_and_underscore() {
        let name = ProviderName::new("My_Provider_2").unwrap();
        assert_eq!(name.as_str(), "My_Provider_2");
        assert_eq!(
            name.tracepoint_name(Level::Warn, 0x1F),
            "My_Provider_2_L3K1f"
        );
    }

    #[test]
    fn names_the_rule_that_broke() {
        assert_eq!(ProviderName::new(""), Err(ProviderNameError::Empty));
        assert_eq!(
            ProviderName::new("my-provider"),
            Err(ProviderNameError::InvalidChar { ch: '-', index: 2 })
        );
        assert_eq!(
            ProviderName::new("café"),
            Err(ProviderNameError::InvalidChar { ch: 'é', index: 3 })
        );
        assert_eq!(
            ProviderName::new(&"a".repeat(233)).unwrap().as_str().len(),
            233
        );
        assert_eq!(
            ProviderName::new(&"a".repeat(234)),
            Err(ProviderNameError::TooLong { len: 234 })
        );
        assert_eq!(
            ProviderNameError::InvalidChar { ch: ' ', index: 0 }.to_string(),
            "provider name has ' ' at byte 0; only ASCII letters, digits and '_' are allowed"
        );
    }
}
