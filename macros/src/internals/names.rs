//! Rules for event and field names: the runtime's (`otel_user_events_abi::name`),
//! as messages for compile errors.

use otel_user_events_abi::name;

/// Why an event name is rejected, if it is.
pub fn check_event_name(value: &str) -> Result<(), String> {
    name::check_event_name(value).map_err(|e| e.to_string())
}

/// Why a field name is rejected, if it is.
pub fn check_field_name(value: &str) -> Result<(), String> {
    name::check_field_name(value).map_err(|e| e.to_string())
}
