//! EventHeader tracepoint names, `<Provider>_L<level>K<keyword>[options]`:
//! the provider name rule (checked against SPEC §3), the provider group rule
//! (SPEC §13), building a tracepoint name ([`ProviderName::tracepoint_name`],
//! [`tracepoint_name`]) and parsing one back ([`TracepointName::parse`]).
//!
//! The level is in decimal, the keyword in lowercase hex, e.g. `MyService_L4K1`.
//! Options may follow the keyword: each is an uppercase letter and a value of
//! lowercase letters and digits. The one EventHeader defines is `G`, the
//! provider group: `MyService_L5K10Gmygroup` is provider `MyService` in group
//! `mygroup` (eventheader's `group_name` option writes the same suffix).

use std::fmt;

/// The longest provider name: tracepoint names (`<Provider>_L<n>K<keyword>`) must stay
/// below the kernel's 256-byte limit with room for the longest attribute suffix.
/// A provider group counts against the same limit: the provider name and the
/// group together have at most this many bytes (as EventHeader's own libraries
/// require), which leaves room for `_L<ff>K<16 hex digits>G`.
pub const PROVIDER_NAME_MAX: usize = 233;

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

/// An EventHeader provider group: non-empty, only lowercase ASCII letters and
/// digits, at most [`PROVIDER_NAME_MAX`]` - 1` bytes (the provider name and
/// the group share that limit, see [`ProviderName::with_group`]).
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

/// What an option's value may hold: an uppercase letter would start the next option.
fn is_option_value_char(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

/// The letter of the provider group option.
const GROUP_OPTION: char = 'G';

/// The parts of an EventHeader tracepoint name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TracepointName<'a> {
    /// The provider name, before the last `_`.
    pub provider: &'a str,
    /// The EventHeader level (1 critical .. 5 verbose).
    pub level: u8,
    /// The keyword mask.
    pub keyword: u64,
    /// What follows the keyword (e.g. `Gmygroup`), usually empty: options,
    /// each an uppercase letter and a value of lowercase letters and digits.
    pub options: &'a str,
}

impl<'a> TracepointName<'a> {
    /// Splits `name` into its parts; `None` when it does not follow the
    /// EventHeader convention.
    pub fn parse(name: &'a str) -> Option<Self> {
        // The suffix never contains '_', so the last one ends the provider.
        let (provider, suffix) = name.rsplit_once('_')?;
        let suffix = suffix.strip_prefix('L')?;
        let level_end = suffix.find(|c: char| !c.is_ascii_digit())?;
        let level = suffix[..level_end].parse().ok()?;
        let rest = suffix[level_end..].strip_prefix('K')?;
        let keyword_end = rest
            .find(|c: char| !matches!(c, '0'..='9' | 'a'..='f'))
            .unwrap_or(rest.len());
        let keyword = u64::from_str_radix(&rest[..keyword_end], 16).ok()?;
        let options = &rest[keyword_end..];
        let options_ok = options.is_empty()
            || (options.starts_with(|c: char| c.is_ascii_uppercase())
                && options.chars().all(|c| c.is_ascii_alphanumeric()));
        (!provider.is_empty() && options_ok).then_some(Self {
            provider,
            level,
            keyword,
            options,
        })
    }

    /// The provider group: the value of the `G` option, `None` without one.
    /// (`G` alone, an empty value, is no group.)
    pub fn group(&self) -> Option<&'a str> {
        let mut rest = self.options;
        while let Some(letter) = rest.chars().next() {
            let value = &rest[letter.len_utf8()..];
            let value_end = value
                .find(|c: char| !is_option_value_char(c))
                .unwrap_or(value.len());
            if letter == GROUP_OPTION && value_end > 0 {
                return Some(&value[..value_end]);
            }
            rest = &value[value_end..];
        }
        None
    }
}

impl fmt::Display for TracepointName<'_> {
    /// The one way a tracepoint name is written.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}_L{}K{:x}{}",
            self.provider, self.level, self.keyword, self.options
        )
    }
}

/// The tracepoint name of `provider`'s events at `level` with `keyword`
/// (no options), e.g. `MyService_L4K1`. `provider` is not checked: use
/// [`ProviderName`] for names this project registers.
pub fn tracepoint_name(provider: &str, level: u8, keyword: u64) -> String {
    TracepointName {
        provider,
        level,
        keyword,
        options: "",
    }
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn parses_names() {
        let n = TracepointName::parse("MyService_L4K1").unwrap();
        assert_eq!(
            (n.provider, n.level, n.keyword, n.options),
            ("MyService", 4, 1, "")
        );
        let n = TracepointName::parse("My_Lib_L5K1fGgroup1").unwrap();
        assert_eq!(
            (n.provider, n.level, n.keyword, n.options),
            ("My_Lib", 5, 0x1f, "Ggroup1")
        );
        assert_eq!(n.to_string(), "My_Lib_L5K1fGgroup1");
        let n = TracepointName::parse("P_L3Kffffffffffffffff").unwrap();
        assert_eq!(n.keyword, u64::MAX);
    }

    #[test]
    fn rejects_other_names() {
        for name in [
            "MyService",
            "MyService_L4",
            "MyService_LK1",
            "MyService_L4K",
            "MyService_L4KA",
            "MyService_L4K1g",
            "_L4K1",
            "MyService_L999K1",
            "P_L4K1ffffffffffffffff",
            "sched_switch",
        ] {
            assert_eq!(TracepointName::parse(name), None, "{name}");
        }
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

    #[test]
    fn builds_names() {
        assert_eq!(tracepoint_name("MyService", 3, 0x10), "MyService_L3K10");
        assert_eq!(tracepoint_name("P", 5, 1), "P_L5K1");
    }
}
