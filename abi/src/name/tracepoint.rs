//! Tracepoint names, `<Provider>_L<level>K<keyword>[options]`: formatting and
//! parsing.

use std::fmt;

/// What an option's value may hold: an uppercase letter would start the next option.
pub(super) fn is_option_value_char(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

/// The letter of the provider group option.
pub(super) const GROUP_OPTION: char = 'G';

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
/// [`ProviderName`](super::ProviderName) for names this project registers.
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
