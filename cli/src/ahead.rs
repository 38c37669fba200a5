//! Registering a provider's tracepoints before the application does.
//!
//! user_events delivers an event only if someone listens when it is written,
//! and an application writes its first events right after registering its
//! tracepoints: too soon for ue-tail to see the new names and attach. So
//! ue-tail registers the names itself (with the EventHeader field list, as the
//! application will) and attaches at once; the application's registration then
//! joins the existing tracepoint, already enabled. The tracepoints go away when
//! ue-tail exits and no one else uses them.

use std::collections::BTreeSet;
use std::io;

use eventheader_dynamic::{Level, Provider};
use otel_user_events_listen::names::TracepointName;

/// The tracepoints ue-tail registered for one provider.
pub struct Ahead {
    provider: Provider,
    tried: BTreeSet<(u8, u64)>,
}

impl Ahead {
    /// Nothing registered yet. `provider` and `group` must be a valid
    /// provider name and group, together shorter than 234 bytes (checked by
    /// `ProviderName`).
    pub fn new(provider: &str, group: Option<&str>) -> Self {
        let mut options = Provider::new_options();
        if let Some(group) = group {
            options.group_name(group);
        }
        Self {
            provider: Provider::new(provider, &options),
            tried: BTreeSet::new(),
        }
    }

    /// Registers the tracepoint of `level` and `keyword` unless that was tried
    /// before; returns its name when it was registered now.
    pub fn register(&mut self, level: u8, keyword: u64) -> io::Result<Option<String>> {
        if !self.tried.insert((level, keyword)) {
            return Ok(None);
        }
        let set = self.provider.register_set(Level::from(level), keyword);
        match set.errno() {
            // The name eventheader_dynamic registered: its options are `G<group>`.
            0 => Ok(Some(
                TracepointName {
                    provider: self.provider.name(),
                    level,
                    keyword,
                    options: self.provider.options(),
                }
                .to_string(),
            )),
            errno => Err(io::Error::from_raw_os_error(errno)),
        }
    }
}
