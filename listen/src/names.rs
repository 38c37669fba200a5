//! EventHeader tracepoint names, `<Provider>_L<level>K<keyword>[G<group>]`: the
//! rules are `otel-user-events-abi`'s (shared with the runtime, which registers
//! them), re-exported here; only the people's names of levels are ue-tail's.

pub use otel_user_events_abi::name::{
    PROVIDER_NAME_MAX, ProviderGroup, ProviderGroupError, ProviderName, ProviderNameError,
    TracepointName, tracepoint_name,
};

/// The name of an EventHeader level: `critical`, `error`, `warning`, `info`,
/// `verbose`; `None` for other numbers.
pub fn level_name(level: u8) -> Option<&'static str> {
    Some(match level {
        1 => "critical",
        2 => "error",
        3 => "warning",
        4 => "info",
        5 => "verbose",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_levels() {
        assert_eq!(level_name(4), Some("info"));
        assert_eq!(level_name(3), Some("warning"));
        assert_eq!(level_name(0), None);
        assert_eq!(level_name(6), None);
    }
}
