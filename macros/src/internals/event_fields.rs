//! The rules for the fields of one event taken together: the names the user
//! gives follow the field-name rules and appear once, and the fields fit in one
//! EventHeader struct.

use super::Ctxt;
use super::field::Field;
use super::names::check_field_name;

/// The most fields an event holds: an EventHeader struct (PartC) has at most
/// 127 members.
pub const MAX_FIELDS: usize = otel_user_events_abi::MAX_STRUCT_MEMBERS as usize;

/// Checks a field the user named, about to join `earlier` in the same event:
/// its name follows the rules and no earlier field has it. Errors point at the
/// name; false if there was one.
pub fn check_field(cx: &Ctxt, field: &Field, earlier: &[Field]) -> bool {
    let problem = match check_field_name(&field.name) {
        Err(message) => message,
        Ok(()) if earlier.iter().any(|f| f.name == field.name) => {
            format!("duplicate field `{}`", field.name)
        }
        Ok(()) => return true,
    };
    cx.syn_error(syn::Error::new(field.name_span, problem));
    false
}

/// Why `count` fields do not fit in one event, if they do not: the limit, to
/// follow "too many fields: ".
pub fn check_field_count(count: usize) -> Result<(), String> {
    if count <= MAX_FIELDS {
        return Ok(());
    }
    Err(format!(
        "an event holds at most {MAX_FIELDS} (the EventHeader struct limit)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_count() {
        assert!(check_field_count(0).is_ok());
        assert!(check_field_count(MAX_FIELDS).is_ok());
        assert!(
            check_field_count(MAX_FIELDS + 1)
                .unwrap_err()
                .contains("at most 127")
        );
    }
}
