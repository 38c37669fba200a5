//! Rules for event and field names.

/// The longest event name, in bytes.
pub const EVENT_NAME_MAX: usize = 255;

/// The characters of event and field names: those every decoder (ue-tail's
/// `name=value` text, JSON, perf's output) shows without quoting or escaping.
fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')
}

/// Why an event name is rejected, if it is.
pub fn check_event_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("event name is empty".to_owned());
    }
    if name.len() > EVENT_NAME_MAX {
        return Err(format!(
            "event name is {} bytes long; the limit is {EVENT_NAME_MAX}",
            name.len()
        ));
    }
    if let Some(c) = name.chars().find(|&c| !is_name_char(c)) {
        return Err(format!(
            "event name {name:?} has {c:?}; only ASCII letters, digits, '_', '.' and '-' are allowed"
        ));
    }
    Ok(())
}

/// Why a field name is rejected, if it is. Names with other characters
/// (`x=y`, `a b`) would print ambiguously: ue-tail would show `x=y=2`.
pub fn check_field_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("field name is empty".to_owned());
    }
    if name.len() > EVENT_NAME_MAX {
        return Err(format!(
            "field name is {} bytes long; the limit is {EVENT_NAME_MAX}",
            name.len()
        ));
    }
    if let Some(c) = name.chars().find(|&c| !is_name_char(c)) {
        return Err(format!(
            "field names may use ASCII letters, digits, `_`, `.` and `-`: `{}` has {}",
            name.escape_debug(),
            describe(c)
        ));
    }
    Ok(())
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
        assert_eq!(check_event_name("").unwrap_err(), "event name is empty");
        assert!(check_event_name("has space").unwrap_err().contains("' '"));
        assert!(
            check_event_name(&"a".repeat(256))
                .unwrap_err()
                .contains("256 bytes")
        );
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
                .ends_with("`a b` has a space")
        );
        assert!(
            check_field_name("x=y")
                .unwrap_err()
                .ends_with("`x=y` has `=`")
        );
        for rejected in ["a;b", "a\"b", "a'b", "a:b", "é", "a\tb"] {
            assert!(check_field_name(rejected).is_err(), "{rejected}");
        }
    }
}
