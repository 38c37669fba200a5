//! EventHeader tracepoint names, `<Provider>_L<level>K<keyword>[options]`:
//! the provider name rule (checked against SPEC §3), building a tracepoint
//! name ([`ProviderName::tracepoint_name`], [`tracepoint_name`]) and parsing
//! one back ([`TracepointName::parse`]).
//!
//! The level is in decimal, the keyword in lowercase hex, e.g. `MyService_L4K1`.
//! Options may follow the keyword, e.g. `MyService_L5K10Gmygroup` (an
//! uppercase letter, then lowercase letters and digits; `G` names a provider
//! group). This project writes no options yet but reads names that have them.

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

    /// The tracepoint name for an EventHeader level (1 critical .. 5 verbose,
    /// or any type that converts to it) and keyword:
    /// `<Provider>_L<level>K<keyword hex>`, see [`tracepoint_name`].
    pub fn tracepoint_name(&self, level: impl Into<u8>, keyword: u64) -> String {
        tracepoint_name(&self.0, level.into(), keyword)
    }
}

impl fmt::Display for ProviderName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The parts of an EventHeader tracepoint name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TracepointName<'a> {
    /// The provider name, before the last `_`.
    pub provider: &'a str,
    /// The EventHeader level (1 critical .. 5 verbose).
    pub level: u8,
    /// The keyword mask.
    pub keyword: u64,
    /// What follows the keyword (e.g. `Gmygroup`), usually empty.
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
    fn builds_names() {
        assert_eq!(tracepoint_name("MyService", 3, 0x10), "MyService_L3K10");
        assert_eq!(tracepoint_name("P", 5, 1), "P_L5K1");
    }
}
