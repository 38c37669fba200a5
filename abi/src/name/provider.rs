//! The provider name rule, and a provider's tracepoint names.

use std::fmt;

use super::group::{ProviderGroup, ProviderGroupError};
use super::tracepoint::{GROUP_OPTION, TracepointName};
use crate::limits::PROVIDER_NAME_MAX;

/// A provider name that follows the EventHeader rules: non-empty, at most
/// [`PROVIDER_NAME_MAX`] bytes, only ASCII letters, digits and `_`; with an
/// optional [`ProviderGroup`] that every tracepoint name of it ends with.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ProviderName {
    name: String,
    group: Option<ProviderGroup>,
}

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
    /// The provider group breaks its rule.
    InvalidGroup(ProviderGroupError),
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
            ProviderNameError::InvalidGroup(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for ProviderNameError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ProviderNameError::InvalidGroup(e) => Some(e),
            _ => None,
        }
    }
}

impl From<ProviderGroupError> for ProviderNameError {
    fn from(e: ProviderGroupError) -> Self {
        ProviderNameError::InvalidGroup(e)
    }
}

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
        Ok(ProviderName {
            name: name.to_owned(),
            group: None,
        })
    }

    /// Checks `name` and, when given, `group` (see [`ProviderGroup::new`] and
    /// [`with_group`](Self::with_group)): what the builders do with what
    /// their callers gave.
    pub fn with_optional_group(name: &str, group: Option<&str>) -> Result<Self, ProviderNameError> {
        let name = Self::new(name)?;
        Ok(match group {
            Some(group) => name.with_group(ProviderGroup::new(group)?)?,
            None => name,
        })
    }

    /// This provider in `group`: its tracepoint names end with `G<group>`.
    /// Fails when the name and the group together are longer than
    /// [`PROVIDER_NAME_MAX`] bytes.
    pub fn with_group(self, group: ProviderGroup) -> Result<Self, ProviderGroupError> {
        let max = PROVIDER_NAME_MAX - self.name.len();
        if group.as_str().len() > max {
            return Err(ProviderGroupError::TooLong {
                len: group.as_str().len(),
                max,
            });
        }
        Ok(ProviderName {
            group: Some(group),
            ..self
        })
    }

    /// The name as a string (without the group).
    pub fn as_str(&self) -> &str {
        &self.name
    }

    /// The provider group, if it has one.
    pub fn group(&self) -> Option<&ProviderGroup> {
        self.group.as_ref()
    }

    /// The tracepoint name for an EventHeader level (1 critical .. 5 verbose,
    /// or any type that converts to it) and keyword:
    /// `<Provider>_L<level>K<keyword hex>`, then `G<group>` when the provider
    /// has a group.
    pub fn tracepoint_name(&self, level: impl Into<u8>, keyword: u64) -> String {
        let options = match &self.group {
            Some(group) => format!("{GROUP_OPTION}{group}"),
            None => String::new(),
        };
        TracepointName {
            provider: &self.name,
            level: level.into(),
            keyword,
            options: &options,
        }
        .to_string()
    }
}

impl fmt::Display for ProviderName {
    /// The provider name alone: the group is part of tracepoint names only.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::name::TracepointName;
    #[test]
    fn accepts_letters_digits_and_underscore() {
        let name = ProviderName::new("My_Provider_2").unwrap();
        assert_eq!(name.as_str(), "My_Provider_2");
        assert_eq!(name.tracepoint_name(3, 0x1F), "My_Provider_2_L3K1f");
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

    #[test]
    fn names_in_a_group_end_with_it() {
        let name = ProviderName::new("My_Lib")
            .unwrap()
            .with_group(ProviderGroup::new("mygroup1").unwrap())
            .unwrap();
        assert_eq!(name.as_str(), "My_Lib");
        assert_eq!(name.to_string(), "My_Lib");
        assert_eq!(name.group().map(ProviderGroup::as_str), Some("mygroup1"));
        let tracepoint = name.tracepoint_name(4, 1);
        assert_eq!(tracepoint, "My_Lib_L4K1Gmygroup1");
        let parsed = TracepointName::parse(&tracepoint).unwrap();
        assert_eq!(
            (
                parsed.provider,
                parsed.level,
                parsed.keyword,
                parsed.group()
            ),
            ("My_Lib", 4, 1, Some("mygroup1"))
        );
        assert_eq!(parsed.to_string(), tracepoint);

        let plain = ProviderName::with_optional_group("My_Lib", None).unwrap();
        assert_eq!(plain.group(), None);
        assert_eq!(plain.tracepoint_name(5, 0x10), "My_Lib_L5K10");
        assert_eq!(TracepointName::parse("My_Lib_L5K10").unwrap().group(), None);
        assert_eq!(
            ProviderName::with_optional_group("P", Some("g")).unwrap(),
            name_in("P", "g")
        );
    }

    fn name_in(provider: &str, group: &str) -> ProviderName {
        ProviderName::new(provider)
            .unwrap()
            .with_group(ProviderGroup::new(group).unwrap())
            .unwrap()
    }

    #[test]
    fn finds_the_group_among_options() {
        let group = |name| TracepointName::parse(name).unwrap().group();
        assert_eq!(group("P_L1K1Gab12"), Some("ab12"));
        assert_eq!(group("P_L1K1Xyz9Gab"), Some("ab"));
        assert_eq!(group("P_L1K1GabXyz"), Some("ab"));
        assert_eq!(group("P_L1K1Xyz"), None);
        assert_eq!(group("P_L1K1G"), None);
        assert_eq!(group("P_L1K1GXg"), None);
    }

    #[test]
    fn groups_name_the_rule_that_broke() {
        assert_eq!(ProviderGroup::new(""), Err(ProviderGroupError::Empty));
        assert_eq!(
            ProviderGroup::new("myGroup"),
            Err(ProviderGroupError::InvalidChar { ch: 'G', index: 2 })
        );
        assert_eq!(
            ProviderGroup::new("my_group"),
            Err(ProviderGroupError::InvalidChar { ch: '_', index: 2 })
        );
        assert_eq!(
            ProviderGroup::new("é"),
            Err(ProviderGroupError::InvalidChar { ch: 'é', index: 0 })
        );
        assert_eq!(
            ProviderGroup::new(&"a".repeat(232)).unwrap().as_str().len(),
            232
        );
        assert_eq!(
            ProviderGroup::new(&"a".repeat(233)),
            Err(ProviderGroupError::TooLong { len: 233, max: 232 })
        );
        // The provider name and the group share the limit.
        let long = ProviderName::new(&"P".repeat(200)).unwrap();
        assert_eq!(
            long.clone()
                .with_group(ProviderGroup::new(&"g".repeat(34)).unwrap()),
            Err(ProviderGroupError::TooLong { len: 34, max: 33 })
        );
        let fits = long
            .with_group(ProviderGroup::new(&"g".repeat(33)).unwrap())
            .unwrap();
        assert_eq!(fits.tracepoint_name(5, u64::MAX).len(), 254);
        assert_eq!(
            ProviderName::with_optional_group("P", Some("A")),
            Err(ProviderNameError::InvalidGroup(
                ProviderGroupError::InvalidChar { ch: 'A', index: 0 }
            ))
        );
        assert_eq!(
            ProviderName::with_optional_group("P-", Some("a")),
            Err(ProviderNameError::InvalidChar { ch: '-', index: 1 })
        );
        assert_eq!(
            ProviderNameError::InvalidGroup(ProviderGroupError::InvalidChar { ch: '_', index: 2 })
                .to_string(),
            "provider group has '_' at byte 2; only lowercase ASCII letters and digits are allowed"
        );
        assert_eq!(
            ProviderGroupError::TooLong { len: 34, max: 33 }.to_string(),
            "provider group is 34 bytes long; the limit is 33 bytes (the provider name and \
             the group together have at most 233)"
        );
    }
}
