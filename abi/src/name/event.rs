//! Event and field names: the characters every decoder shows unambiguously.
//! One rule for the macros (checked at compile time, an error at the user's
//! token) and for names given at run time (the `tracing` layer's fixed event
//! name, the processors' event names: an error of their `build`).

use std::fmt;

/// The longest event or field name, in bytes.
pub const EVENT_NAME_MAX: usize = 255;

/// Why an event or field name is rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventNameError {
    /// The name is empty.
    Empty {
        /// `"event"` or `"field"`.
        what: &'static str,
    },
    /// The name is longer than [`EVENT_NAME_MAX`] bytes.
    TooLong {
        /// `"event"` or `"field"`.
        what: &'static str,
        /// Its length in bytes.
        len: usize,
    },
    /// The name has a character other than ASCII letters, digits, `_`, `.`
    /// and `-`.
    InvalidChar {
        /// `"event"` or `"field"`.
        what: &'static str,
        /// The name.
        name: String,
        /// The first character that is not allowed.
        ch: char,
    },
}

impl fmt::Display for EventNameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EventNameError::Empty { what } => write!(f, "{what} name is empty"),
            EventNameError::TooLong { what, len } => write!(
                f,
                "{what} name is {len} bytes long; the limit is {EVENT_NAME_MAX}"
            ),
            EventNameError::InvalidChar { what, name, ch } => write!(
                f,
                "{what} names may use ASCII letters, digits, `_`, `.` and `-`: `{}` has {}",
                name.escape_debug(),
                describe(*ch)
            ),
        }
    }
}

impl std::error::Error for EventNameError {}

/// The characters of event and field names: those every decoder (ue-tail's
/// `name=value` text, JSON, perf's output) shows without quoting or escaping.
fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')
}

fn check(what: &'static str, name: &str) -> Result<(), EventNameError> {
    if name.is_empty() {
        return Err(EventNameError::Empty { what });
    }
    if name.len() > EVENT_NAME_MAX {
        return Err(EventNameError::TooLong {
            what,
            len: name.len(),
        });
    }
    match name.chars().find(|&c| !is_name_char(c)) {
        Some(ch) => Err(EventNameError::InvalidChar {
            what,
            name: name.to_owned(),
            ch,
        }),
        None => Ok(()),
    }
}

/// Checks an event name (EventHeader event name, PartB `name`).
///
/// ```
/// use otel_user_events_abi::name::check_event_name;
///
/// assert!(check_event_name("Order.Placed-v2_x").is_ok());
/// assert_eq!(
///     check_event_name("a;b\n").unwrap_err().to_string(),
///     "event names may use ASCII letters, digits, `_`, `.` and `-`: `a;b\\n` has `;`"
/// );
/// ```
pub fn check_event_name(name: &str) -> Result<(), EventNameError> {
    check("event", name)
}

/// Checks a field name. Names with other characters (`x=y`, `a b`) would
/// print ambiguously: ue-tail would show `x=y=2`.
pub fn check_field_name(name: &str) -> Result<(), EventNameError> {
    check("field", name)
}

/// A character as a message names it: "a space", "`=`".
fn describe(c: char) -> String {
    match c {
        ' ' => "a space".to_owned(),
        '`' => "a backtick".to_owned(),
        _ if c.is_whitespace() || c.is_control() => format!("the character {c:?}"),
        _ => format!("`{c}`"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_names() {
        assert!(check_event_name("Order.Placed-v2_x").is_ok());
        assert_eq!(
            check_event_name("").unwrap_err().to_string(),
            "event name is empty"
        );
        assert!(
            check_event_name("has space")
                .unwrap_err()
                .to_string()
                .ends_with("`has space` has a space")
        );
        assert_eq!(
            check_event_name(&"a".repeat(256)).unwrap_err(),
            EventNameError::TooLong {
                what: "event",
                len: 256
            }
        );
        assert!(check_event_name(&"a".repeat(255)).is_ok());
    }

    #[test]
    fn field_names() {
        assert!(check_field_name("http.method").is_ok());
        assert!(check_field_name("Order_id-2").is_ok());
        assert!(check_field_name("a\0b").is_err());
        assert!(check_field_name("").is_err());
        assert!(
            check_field_name("a b")
                .unwrap_err()
                .to_string()
                .ends_with("`a b` has a space")
        );
        assert!(
            check_field_name("x=y")
                .unwrap_err()
                .to_string()
                .ends_with("`x=y` has `=`")
        );
        for rejected in ["a;b", "a\"b", "a'b", "a:b", "é", "a\tb", "a\nb"] {
            assert!(check_field_name(rejected).is_err(), "{rejected}");
        }
    }
}
