//! Rules for event and field names.

/// The longest event name, in bytes.
pub const EVENT_NAME_MAX: usize = 255;

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
    if let Some(c) = name
        .chars()
        .find(|&c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')))
    {
        return Err(format!(
            "event name {name:?} has {c:?}; only ASCII letters, digits, '_', '.' and '-' are allowed"
        ));
    }
    Ok(())
}

/// Why a field name is rejected, if it is.
pub fn check_field_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("field name is empty".to_owned());
    }
    if name.contains('\0') {
        return Err("field name contains a NUL character".to_owned());
    }
    if name.len() > EVENT_NAME_MAX {
        return Err(format!(
            "field name is {} bytes long; the limit is {EVENT_NAME_MAX}",
            name.len()
        ));
    }
    Ok(())
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
        assert!(check_field_name("a\0b").is_err());
        assert!(check_field_name("").is_err());
    }
}
